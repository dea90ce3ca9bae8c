"""The income comparisons: the monthly wage from the tax withholding details and the
social-insurance benefits and personal contributions (《最低生活保障审核确认办法》
（民发〔2021〕57号）第十七条; 天津市家庭经济状况核对).

Each rule takes one member's records of its source and returns a ``_Part``: the summary to store,
the verified monthly amounts, the components left without evidence and the comparisons. The
rules are stated in the package docstring (``jiuzhu.batch.pipelines.verify``).
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
    month_window,
)

TAX_MONTHS = 6

BENEFIT_COMPONENTS = {
    "employee_pension": "employee_pension",
    "residents_basic_pension": "residents_basic_pension",
    "unemployment_benefit": "unemployment_insurance",
}
"""Social-insurance ``benefit_type`` → the income component it verifies."""
SOCIAL_INSURANCE_COMPONENTS = (
    "employee_pension",
    "residents_basic_pension",
    "unemployment_insurance",
    "transfer_expenditure",
)


def _tax(
    member: MemberFacts,
    rows: list[dict[str, Any]],
    end: str,
    declared: Mapping[tuple[int, str], int],
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    declared_wage = declared.get((member.person_id, "wage_income"))
    window = month_window(end, TAX_MONTHS)
    received = _received(rows, deliveries.get("tax"))
    if not rows:
        part.summary = {"note": "未发现纳税记录"}
        if "tax" in deliveries:
            part.unsupported.append("wage_income")
        if declared_wage:
            part.comparisons.append(
                Comparison(
                    member.person_id,
                    "wage_income",
                    "tax",
                    declared_wage,
                    None,
                    "fen_per_month",
                    False,
                    _span(window),
                    received,
                    "未发现纳税记录",
                )
            )
        return part
    by_month = dict.fromkeys(window, 0)
    for row in rows:
        if row["period"] in by_month:
            by_month[row["period"]] += int(row.get("income") or 0)
    total = sum(by_month.values())
    wage = (total + TAX_MONTHS // 2) // TAX_MONTHS
    employers = sorted({r["employer"] for r in rows if r.get("employer")})
    part.summary = {
        "monthly_wage": wage,
        "window": [window[0], window[-1]],
        "months": by_month,
        "employers": employers,
    }
    span = _span(window)
    part.incomes["wage_income"] = Verified(wage, f"核对：个人所得税扣缴明细 {span} 月均")
    part.comparisons.append(
        Comparison(
            member.person_id,
            "wage_income",
            "tax",
            declared_wage or 0,
            wage,
            "fen_per_month",
            money_differs(declared_wage, wage),
            span,
            received,
            "、".join(employers)[:200],
        )
    )
    return part


def _social_insurance(
    member: MemberFacts,
    rows: list[dict[str, Any]],
    month: str,
    declared: Mapping[tuple[int, str], int],
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    received = _received(rows, deliveries.get("social_insurance"))
    usable = [r for r in rows if r["period"] and r["period"] <= month]
    if not usable:
        part.summary = {"note": "未发现社会保险记录"}
        if "social_insurance" in deliveries:
            part.unsupported += list(SOCIAL_INSURANCE_COMPONENTS)
        for component in SOCIAL_INSURANCE_COMPONENTS:
            amount = declared.get((member.person_id, component))
            if amount:
                part.comparisons.append(
                    Comparison(
                        member.person_id,
                        component,
                        "social_insurance",
                        amount,
                        None,
                        "fen_per_month",
                        False,
                        "",
                        received,
                        "未发现社会保险记录",
                    )
                )
        return part
    latest = max(r["period"] for r in usable)
    current = [r for r in usable if r["period"] == latest]
    found = dict.fromkeys(SOCIAL_INSURANCE_COMPONENTS, 0)
    for row in current:
        benefit = BENEFIT_COMPONENTS.get(row.get("benefit_type") or "")
        if benefit:
            found[benefit] += int(row.get("benefit") or 0)
        found["transfer_expenditure"] += int(row.get("contribution") or 0)
    part.summary = {
        "period": latest,
        **found,
        "schemes": sorted({f"{r['scheme']}:{r['status']}" for r in current}),
    }
    for component, amount in found.items():
        basis = (
            f"核对：社会保险 {latest} 个人缴费"
            if component == "transfer_expenditure"
            else f"核对：社会保险 {latest} 待遇"
        )
        part.incomes[component] = Verified(amount, basis)
        declared_amount = declared.get((member.person_id, component))
        if amount or declared_amount:
            part.comparisons.append(
                Comparison(
                    member.person_id,
                    component,
                    "social_insurance",
                    declared_amount or 0,
                    amount,
                    "fen_per_month",
                    money_differs(declared_amount, amount),
                    latest,
                    received,
                )
            )
    return part
