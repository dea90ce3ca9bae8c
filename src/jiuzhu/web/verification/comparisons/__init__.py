"""What the departments' records say about a household, compared with what it declared.

Pure functions, no database: ``derive`` takes the members, their records by source, the
declared values and the deliveries, and returns the answers to store, the verified values, and
one ``Comparison`` per item compared. ``jiuzhu.web.verification.actions.run_verification`` reads
the inputs and writes the outputs.

The rules (最低生活保障审核确认办法 Art. 17; 天津市家庭经济状况核对):

- A verified value is derived only from records found. A member without records of a source
  gets no verified value from it (the declaration stands) and the comparison says
  “未发现…记录” as information, not a warning.
- **Tax** (个人所得税扣缴明细): the monthly wage is the average of ``income`` over six months
  ending with the tax delivery's latest month, or with the application's month if that is
  earlier (a month's withholding is filed the month after, so the application's own month is
  usually not in the delivery yet). A month without a row counts as 0 — for a person who has tax
  rows at all; a person without tax rows has no verified wage (“未发现纳税记录”).
- **Social insurance**, the person's latest month (not after the application's month): the
  benefits 职工基本养老金 → ``employee_pension``, 城乡居民基础养老金 →
  ``residents_basic_pension``, 失业保险金 → ``unemployment_insurance``, and the personal
  contributions of all schemes → ``transfer_expenditure`` (the feed has no income tax or support
  paid, which the declared transfer expenditure may include: the comparison shows the gap).
- **Monetary assets** (per person): financial assets — for each institution and asset type, the
  balances of the latest query date — plus the subscribed capital of market entities whose status
  is 存续/在业.
- **Household** values, written only where records were found: active vehicles (not
  deregistered on the application's date) and disability cars among them; residential property
  (distinct certificates) and the per-capita floor area over the current members;
  non-residential property (commercial, office, industrial; a parking space does not count);
  the members' own medical payments (个人自付) over the twelve months ending with the medical
  delivery's latest month (or the application's month if earlier).
- **Compared only** (nothing is written; a person decides): the disability certificate against
  the registry's category and grade; school records against the registry's level; a member
  found in the deaths register; an unemployment registration while a wage is declared or found;
  housing-fund deposits by an employer while no wage is declared.
- **Names**: a record is matched by ID number; where its name is not the member's registered name
  (compared by ``jiuzhu.feeds.names.comparable``: width, middle dots and invisible characters
  do not count), the match stands and a ``warning`` says so, for a person to decide whether a
  name was mistyped or the ID belongs to someone else — never a silent match.
- A comparison is a ``warning`` when the values differ: money by more than one yuan
  (``MONEY_TOLERANCE``), floor area by more than 0.01 m², counts and codes at all.

The package: ``common`` holds the sources, items, labels and types every part shares;
``incomes`` the tax and social-insurance rules; ``assets`` the monetary assets and the
household's vehicles, property and medical payments; ``checks`` the comparisons that write
nothing and the names. ``derive``, here, runs them all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from jiuzhu.web.core.months import month_of
from jiuzhu.web.verification.comparisons.assets import _household, _monetary_assets
from jiuzhu.web.verification.comparisons.checks import (
    _deaths,
    _disability,
    _housing_fund,
    _names,
    _students,
    _unemployment,
)
from jiuzhu.web.verification.comparisons.common import (
    SOURCES,
    Answer,
    Delivery,
    Findings,
    HouseholdFacts,
    MemberFacts,
    _Part,
    window_end,
)
from jiuzhu.web.verification.comparisons.incomes import _social_insurance, _tax


def derive(
    members: Sequence[MemberFacts],
    records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    declared_incomes: Mapping[tuple[int, str], int],
    declared_assets: Mapping[int, int],
    household: HouseholdFacts,
    deliveries: Mapping[str, Delivery],
    on: dt.date,
) -> Findings:
    """Answers, verified values and comparisons for a household (see the module docstring).

    Args:
        members: the current members.
        records: resident ID → source → the records (each a dict of the row's data plus
            ``period`` and ``received_at`` as ISO text), oldest period first.
        declared_incomes: (person, component) → the declared monthly amount (fen).
        declared_assets: person → the declared monetary assets (fen).
        household: the registered household values.
        deliveries: source → the current delivery (sources never delivered are absent).
        on: the application's date; its month bounds every window.
    """
    month = month_of(on)
    findings = Findings()
    all_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        by_source = records.get(member.resident_id, {})
        for source in SOURCES:
            all_rows[source] += by_source.get(source, [])
    tax_end = window_end(deliveries.get("tax"), all_rows["tax"], month)
    medical_end = window_end(
        deliveries.get("medical_insurance"), all_rows["medical_insurance"], month
    )

    for member in members:
        by_source = records.get(member.resident_id, {})
        summaries: dict[str, dict[str, Any]] = {}
        wage = _tax(member, by_source.get("tax", []), tax_end, declared_incomes, deliveries)
        summaries["tax"] = wage.summary
        _apply(findings, wage)
        insured = _social_insurance(
            member, by_source.get("social_insurance", []), month, declared_incomes, deliveries
        )
        summaries["social_insurance"] = insured.summary
        _apply(findings, insured)
        assets = _monetary_assets(
            member,
            by_source.get("financial_assets", []),
            by_source.get("market_entities", []),
            declared_assets,
            deliveries,
        )
        summaries["financial_assets"], summaries["market_entities"] = assets.summary["parts"]
        _apply(findings, assets)
        declared_wage = declared_incomes.get((member.person_id, "wage_income"), 0)
        found_wage = wage.incomes.get("wage_income")
        person_checks = (
            ("disability", _disability(member, by_source.get("disability", []), deliveries)),
            ("students", _students(member, by_source.get("students", []), deliveries)),
            ("deaths", _deaths(member, by_source.get("deaths", []), deliveries)),
            (
                "unemployment",
                _unemployment(
                    member,
                    by_source.get("unemployment", []),
                    declared_wage,
                    found_wage.value if found_wage else 0,
                    deliveries,
                ),
            ),
            (
                "housing_fund",
                _housing_fund(
                    member, by_source.get("housing_fund", []), month, declared_wage, deliveries
                ),
            ),
        )
        for source, part in person_checks:
            summaries[source] = part.summary
            findings.comparisons += part.comparisons
        findings.comparisons += _names(member, by_source, deliveries)
        for source in ("real_estate", "vehicles", "medical_insurance", "custody"):
            summaries[source] = {"count": len(by_source.get(source, []))}
        for source in SOURCES:
            rows = by_source.get(source, [])
            summary = summaries[source]
            delivery = deliveries.get(source)
            if delivery is not None:
                summary = {**summary, "received_at": delivery.received_at.isoformat()}
            elif not rows:
                summary = {**summary, "note": "未取得该部门数据"}
            findings.answers.append(Answer(member.person_id, source, bool(rows), rows, summary))

    _household(findings, members, records, household, deliveries, on, medical_end)
    return findings


def _apply(findings: Findings, part: _Part) -> None:
    for component, verified in part.incomes.items():
        findings.incomes[(part.person_id, component)] = verified
    findings.unsupported_incomes |= {(part.person_id, c) for c in part.unsupported}
    if part.asset is not None:
        findings.assets[part.person_id] = part.asset
    if part.asset_unsupported:
        findings.unsupported_assets.add(part.person_id)
    findings.comparisons += part.comparisons
