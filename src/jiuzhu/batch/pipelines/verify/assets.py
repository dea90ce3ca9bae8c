"""The monetary-asset comparison: a member's financial assets and the subscribed capital of
active market entities (《最低生活保障审核确认办法》（民发〔2021〕57号）第十七条). The household's
vehicles, property and medical payments are in ``household``.

The rules are stated in the package docstring (``jiuzhu.batch.pipelines.verify``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiuzhu.batch.pipelines.verify.common import (
    Comparison,
    Delivery,
    MemberFacts,
    Verified,
    _Part,
    _received,
    _span,
    money_differs,
)
from jiuzhu.rules.engine.units import format_yuan

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
