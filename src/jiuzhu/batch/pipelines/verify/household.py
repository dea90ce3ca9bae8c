"""The household comparisons: vehicles, real estate and the members' medical payments, read from
all current members' records together (《最低生活保障审核确认办法》（民发〔2021〕57号）第十七条;
the rules are stated in the package docstring, ``jiuzhu.batch.pipelines.verify``).

Each rule adds the values found to ``Findings.household`` (only where records were found) and its
comparisons to ``Findings.comparisons``. Money is in fen, floor areas in hundredths of a square
metre, dates and months ISO text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jiuzhu.batch.pipelines.verify.common import (
    Comparison,
    Delivery,
    Findings,
    HouseholdFacts,
    MemberFacts,
    _received,
    _span,
    money_differs,
    month_window,
)

MEDICAL_MONTHS = 12
AREA_TOLERANCE = 1
"""Hundredths of a square metre."""
NON_RESIDENTIAL_USES = frozenset({"commercial", "office", "industrial"})


@dataclass(frozen=True)
class _Household:
    """One household's inputs to the household rules."""

    findings: Findings
    members: Sequence[MemberFacts]
    records: Mapping[str, Mapping[str, list[dict[str, Any]]]]
    registered: HouseholdFacts
    deliveries: Mapping[str, Delivery]

    def rows_of(self, source: str) -> list[dict[str, Any]]:
        """Every current member's records of ``source``."""
        return [
            r for m in self.members for r in self.records.get(m.resident_id, {}).get(source, [])
        ]

    def compare(
        self, item: str, source: str, declared: Any, found: Any, unit: str, **kw: Any
    ) -> None:
        """Add a comparison of ``declared`` against ``found``: a warning when they differ by
        more than the unit's tolerance."""
        if found is None:
            differs = False  # nothing found is no evidence of a difference
        elif unit in ("fen", "fen_per_month"):
            differs = money_differs(declared, found)
        elif unit == "area":
            differs = declared is None or abs(declared - found) > AREA_TOLERANCE
        else:
            differs = declared != found
        self.findings.comparisons.append(
            Comparison(None, item, source, declared, found, unit, differs, **kw)
        )


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
    facts = _Household(findings, members, records, household, deliveries)
    _vehicles(facts, on)
    _real_estate(facts)
    _medical(facts, medical_end)


def _vehicles(facts: _Household, on: dt.date) -> None:
    """Vehicles not deregistered on the application's date, and disability cars among them."""
    findings, household = facts.findings, facts.registered
    today = on.isoformat()
    vehicles = facts.rows_of("vehicles")
    if vehicles:
        active = [r for r in vehicles if not r.get("deregistered") or r["deregistered"] > today]
        mobility = [
            r
            for r in active
            if r.get("vehicle_type") == "disability_car" or r.get("use") == "disability"
        ]
        received = _received(vehicles, facts.deliveries.get("vehicles"))
        plates = "、".join(r.get("plate") or "" for r in active)
        findings.household["vehicles"] = len(active)
        findings.household["disability_mobility_vehicles"] = len(mobility)
        facts.compare(
            "vehicles",
            "vehicles",
            household.vehicles,
            len(active),
            "count",
            received_at=received,
            note=(plates or "仅有已注销车辆")[:200],
        )
        if mobility or household.disability_mobility_vehicles:
            facts.compare(
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
                received_at=_received([], facts.deliveries.get("vehicles")),
                note="未发现机动车登记",
            )
        )


def _real_estate(facts: _Household) -> None:
    """Residential property (distinct certificates) and the per-capita floor area over the
    current members; non-residential property (a parking space does not count)."""
    findings, household, members = facts.findings, facts.registered, facts.members
    estate = facts.rows_of("real_estate")
    received = _received(estate, facts.deliveries.get("real_estate"))
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
        facts.compare(
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
        facts.compare(
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
        facts.compare(
            "non_residential_property",
            "real_estate",
            "有" if household.non_residential_property else "无",
            "有" if other else ("无" if estate else None),
            "text",
            received_at=received,
            note="、".join(r.get("address") or "" for r in other)[:200],
        )


def _medical(facts: _Household, medical_end: str) -> None:
    """The members' own medical payments (个人自付) over the ``MEDICAL_MONTHS`` months ending
    with ``medical_end``."""
    findings, household = facts.findings, facts.registered
    window = month_window(medical_end, MEDICAL_MONTHS)
    medical = [r for r in facts.rows_of("medical_insurance") if r.get("period") in set(window)]
    received = _received(medical, facts.deliveries.get("medical_insurance"))
    if medical:
        own = sum(int(r.get("out_of_pocket") or 0) for r in medical)
        findings.household["rigid_medical_expenditure"] = own
        facts.compare(
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
