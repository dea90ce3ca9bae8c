"""The asset comparisons: a member's monetary assets (financial assets and the subscribed
capital of active market entities), and the household's vehicles, real estate and the members'
medical payments, which the household rule reads from all members' records together
(最低生活保障审核确认办法 Art. 17; 天津市家庭经济状况核对).

The rules are stated in the package docstring (``jiuzhu.web.verification.comparisons``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.verification.comparisons.common import (
    Comparison,
    Delivery,
    Findings,
    HouseholdFacts,
    MemberFacts,
    Verified,
    _Part,
    _received,
    _span,
    money_differs,
    month_window,
)

MEDICAL_MONTHS = 12
AREA_TOLERANCE = 1
"""Hundredths of a square metre."""
NON_RESIDENTIAL_USES = frozenset({"commercial", "office", "industrial"})
ACTIVE_ENTITY = "active"


def _monetary_assets(
    member: MemberFacts,
    financial: list[dict[str, Any]],
    entities: list[dict[str, Any]],
    declared: Mapping[int, int],
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    latest: dict[tuple[str, str], str] = {}
    for row in financial:
        key = (row.get("institution") or "", row.get("asset_type") or "")
        latest[key] = max(latest.get(key, ""), row.get("queried_on") or "")
    balances = sum(
        int(r.get("balance") or 0)
        for r in financial
        if (r.get("queried_on") or "")
        == latest[(r.get("institution") or "", r.get("asset_type") or "")]
    )
    active = [r for r in entities if r.get("status") == ACTIVE_ENTITY]
    capital = sum(int(r.get("subscribed_capital") or 0) for r in active)
    dates = sorted(set(latest.values()))
    financial_summary: dict[str, Any] = {"balance": balances, "queried_on": dates}
    entity_summary: dict[str, Any] = {
        "subscribed_capital": capital,
        "active": [r.get("entity_name") for r in active],
    }
    if not financial:
        financial_summary["note"] = "未发现存款及金融资产"
    if not entities:
        entity_summary["note"] = "未发现市场主体登记"
    part.summary = {"parts": (financial_summary, entity_summary)}
    declared_amount = declared.get(member.person_id)
    received = _received(financial, deliveries.get("financial_assets")) or _received(
        entities, deliveries.get("market_entities")
    )
    if not financial and not entities:
        if "financial_assets" in deliveries or "market_entities" in deliveries:
            part.asset_unsupported = True
        if declared_amount:
            part.comparisons.append(
                Comparison(
                    member.person_id,
                    "monetary_assets",
                    "financial_assets",
                    declared_amount,
                    None,
                    "fen",
                    False,
                    "",
                    received,
                    "未发现存款、金融资产和市场主体登记",
                )
            )
        return part
    total = balances + capital
    period = _span(dates)
    part.asset = Verified(
        total,
        f"核对：金融资产 {format_yuan(balances)} 元（{period or '—'}）"
        f"＋认缴出资 {format_yuan(capital)} 元",
    )
    part.comparisons.append(
        Comparison(
            member.person_id,
            "monetary_assets",
            "financial_assets" if financial else "market_entities",
            declared_amount or 0,
            total,
            "fen",
            money_differs(declared_amount, total),
            period,
            received,
            f"金融资产 {format_yuan(balances)} 元，认缴出资 {format_yuan(capital)} 元",
        )
    )
    return part


def _household(
    findings: Findings,
    members: Sequence[MemberFacts],
    records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    household: HouseholdFacts,
    deliveries: Mapping[str, Delivery],
    on: dt.date,
    medical_end: str,
) -> None:
    """Vehicles, property and medical payments of all members together."""

    def rows_of(source: str) -> list[dict[str, Any]]:
        return [r for m in members for r in records.get(m.resident_id, {}).get(source, [])]

    def compare(item: str, source: str, declared: Any, found: Any, unit: str, **kw: Any) -> None:
        if found is None:
            differs = False  # nothing found is no evidence of a difference
        elif unit in ("fen", "fen_per_month"):
            differs = money_differs(declared, found)
        elif unit == "area":
            differs = declared is None or abs(declared - found) > AREA_TOLERANCE
        else:
            differs = declared != found
        findings.comparisons.append(
            Comparison(None, item, source, declared, found, unit, differs, **kw)
        )

    today = on.isoformat()
    vehicles = rows_of("vehicles")
    if vehicles:
        active = [r for r in vehicles if not r.get("deregistered") or r["deregistered"] > today]
        mobility = [
            r
            for r in active
            if r.get("vehicle_type") == "disability_car" or r.get("use") == "disability"
        ]
        received = _received(vehicles, deliveries.get("vehicles"))
        plates = "、".join(r.get("plate") or "" for r in active)
        findings.household["vehicles"] = len(active)
        findings.household["disability_mobility_vehicles"] = len(mobility)
        compare(
            "vehicles",
            "vehicles",
            household.vehicles,
            len(active),
            "count",
            received_at=received,
            note=(plates or "仅有已注销车辆")[:200],
        )
        if mobility or household.disability_mobility_vehicles:
            compare(
                "disability_mobility_vehicles",
                "vehicles",
                household.disability_mobility_vehicles,
                len(mobility),
                "count",
                received_at=received,
            )
    elif household.vehicles:
        findings.comparisons.append(
            Comparison(
                None,
                "vehicles",
                "vehicles",
                household.vehicles,
                None,
                "count",
                False,
                received_at=_received([], deliveries.get("vehicles")),
                note="未发现机动车登记",
            )
        )

    estate = rows_of("real_estate")
    received = _received(estate, deliveries.get("real_estate"))
    residential: dict[str, dict[str, Any]] = {}
    for row in estate:
        if row.get("use") == "residential":
            residential.setdefault(row.get("certificate") or f"line {row.get('line')}", row)
    if residential:
        area = sum(int(r.get("floor_area") or 0) for r in residential.values())
        per_capita = (area + len(members) // 2) // max(len(members), 1)
        findings.household["homes"] = len(residential)
        findings.household["per_capita_floor_area"] = (Decimal(per_capita) / 100).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        compare(
            "homes",
            "real_estate",
            household.homes,
            len(residential),
            "count",
            received_at=received,
            note=f"住宅建筑面积合计 {Decimal(area) / 100:.2f} 平方米",
        )
        declared_area = (
            None
            if household.per_capita_floor_area is None
            else int(household.per_capita_floor_area * 100)
        )
        compare(
            "per_capita_floor_area",
            "real_estate",
            declared_area,
            per_capita,
            "area",
            received_at=received,
            note=f"{len(members)} 名成员",
        )
    elif household.homes:
        findings.comparisons.append(
            Comparison(
                None,
                "homes",
                "real_estate",
                household.homes,
                None,
                "count",
                False,
                received_at=received,
                note="未发现住宅不动产登记（租住或辖区外房产不在本数据中）",
            )
        )
    other = [r for r in estate if r.get("use") in NON_RESIDENTIAL_USES]
    if other:
        findings.household["non_residential_property"] = True
    if other or household.non_residential_property:
        compare(
            "non_residential_property",
            "real_estate",
            "有" if household.non_residential_property else "无",
            "有" if other else ("无" if estate else None),
            "text",
            received_at=received,
            note="、".join(r.get("address") or "" for r in other)[:200],
        )

    window = month_window(medical_end, MEDICAL_MONTHS)
    medical = [r for r in rows_of("medical_insurance") if r.get("period") in set(window)]
    received = _received(medical, deliveries.get("medical_insurance"))
    if medical:
        own = sum(int(r.get("out_of_pocket") or 0) for r in medical)
        findings.household["rigid_medical_expenditure"] = own
        compare(
            "rigid_medical_expenditure",
            "medical_insurance",
            household.rigid_medical_expenditure,
            own,
            "fen",
            period=_span(window),
            received_at=received,
            note=f"{len(medical)} 次结算",
        )
    elif household.rigid_medical_expenditure:
        findings.comparisons.append(
            Comparison(
                None,
                "rigid_medical_expenditure",
                "medical_insurance",
                household.rigid_medical_expenditure,
                None,
                "fen",
                False,
                _span(window),
                received,
                "未发现医保结算记录",
            )
        )
