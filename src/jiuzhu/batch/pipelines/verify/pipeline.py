"""``derive``: one household's answers, verified values and comparisons, from its members' records
by source; ``verify``: the same for many households (a district) over one mapping of records.
The shapes, units and rules are in the package docstring (``jiuzhu.batch.pipelines.verify``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jiuzhu.batch.pipelines.verify.assets import _monetary_assets
from jiuzhu.batch.pipelines.verify.checks import (
    _deaths,
    _disability,
    _housing_fund,
    _names,
    _students,
    _unemployment,
)
from jiuzhu.batch.pipelines.verify.common import (
    SOURCES,
    Answer,
    Delivery,
    Findings,
    HouseholdFacts,
    MemberFacts,
    _Part,
    window_end,
)
from jiuzhu.batch.pipelines.verify.household import _household
from jiuzhu.batch.pipelines.verify.incomes import _social_insurance, _tax
from jiuzhu.rules.months import month_of


def derive(
    members: Sequence[MemberFacts],
    records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    declared_incomes: Mapping[tuple[int, str], int],
    declared_assets: Mapping[int, int],
    household: HouseholdFacts,
    deliveries: Mapping[str, Delivery],
    on: dt.date,
) -> Findings:
    """Answers, verified values and comparisons for a household (the rules are in the package
    docstring, ``jiuzhu.batch.pipelines.verify``).

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
    windows = _Windows(
        month=month,
        tax_end=window_end(deliveries.get("tax"), all_rows["tax"], month),
        medical_end=window_end(
            deliveries.get("medical_insurance"), all_rows["medical_insurance"], month
        ),
    )
    declared = _Declared(declared_incomes, declared_assets)
    for member in members:
        by_source = records.get(member.resident_id, {})
        summaries = _member(findings, member, by_source, declared, deliveries, windows)
        _answers(findings, member, by_source, summaries, deliveries)
    _household(findings, members, records, household, deliveries, on, windows.medical_end)
    return findings


@dataclass(frozen=True)
class HouseholdCase:
    """One household to verify, for ``verify``: its key (e.g. the application's id), and the
    arguments of ``derive`` that belong to it."""

    key: Hashable
    members: Sequence[MemberFacts]
    household: HouseholdFacts
    on: dt.date
    declared_incomes: Mapping[tuple[int, str], int]
    declared_assets: Mapping[int, int]


def verify(
    cases: Iterable[HouseholdCase],
    records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    deliveries: Mapping[str, Delivery],
) -> Iterator[tuple[Hashable, Findings]]:
    """``derive`` for each household of ``cases`` (one household or a whole district), against
    the records of all of them (resident ID → source → rows, see ``derive``) and the current
    deliveries; yields each case's key with its findings, in the order of ``cases``."""
    for case in cases:
        yield (
            case.key,
            derive(
                case.members,
                records,
                case.declared_incomes,
                case.declared_assets,
                case.household,
                deliveries,
                case.on,
            ),
        )


@dataclass(frozen=True)
class _Windows:
    """The application's month and the last months the tax and medical windows cover."""

    month: str
    tax_end: str
    medical_end: str


@dataclass(frozen=True)
class _Declared:
    incomes: Mapping[tuple[int, str], int]
    assets: Mapping[int, int]


def _member(
    findings: Findings,
    member: MemberFacts,
    by_source: Mapping[str, list[dict[str, Any]]],
    declared: _Declared,
    deliveries: Mapping[str, Delivery],
    windows: _Windows,
) -> dict[str, dict[str, Any]]:
    """Apply every rule to one member's records; returns the summary of each source."""
    summaries: dict[str, dict[str, Any]] = {}
    wage = _tax(member, by_source.get("tax", []), windows.tax_end, declared.incomes, deliveries)
    summaries["tax"] = wage.summary
    _apply(findings, wage)
    insured = _social_insurance(
        member, by_source.get("social_insurance", []), windows.month, declared.incomes, deliveries
    )
    summaries["social_insurance"] = insured.summary
    _apply(findings, insured)
    assets = _monetary_assets(
        member,
        by_source.get("financial_assets", []),
        by_source.get("market_entities", []),
        declared.assets,
        deliveries,
    )
    summaries["financial_assets"], summaries["market_entities"] = assets.summary["parts"]
    _apply(findings, assets)
    declared_wage = declared.incomes.get((member.person_id, "wage_income"), 0)
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
                member, by_source.get("housing_fund", []), windows.month, declared_wage, deliveries
            ),
        ),
    )
    for source, part in person_checks:
        summaries[source] = part.summary
        findings.comparisons += part.comparisons
    findings.comparisons += _names(member, by_source, deliveries)
    for source in ("real_estate", "vehicles", "medical_insurance", "custody"):
        summaries[source] = {"count": len(by_source.get(source, []))}
    return summaries


def _answers(
    findings: Findings,
    member: MemberFacts,
    by_source: Mapping[str, list[dict[str, Any]]],
    summaries: Mapping[str, dict[str, Any]],
    deliveries: Mapping[str, Delivery],
) -> None:
    """One answer per source for the member: its records and summary, with when the source's
    data arrived or, when it never did, a note saying so."""
    for source in SOURCES:
        rows = by_source.get(source, [])
        summary = summaries[source]
        delivery = deliveries.get(source)
        if delivery is not None:
            summary = {**summary, "received_at": delivery.received_at.isoformat()}
        elif not rows:
            summary = {**summary, "note": "未取得该部门数据"}
        findings.answers.append(Answer(member.person_id, source, bool(rows), rows, summary))


def _apply(findings: Findings, part: _Part) -> None:
    for component, verified in part.incomes.items():
        findings.incomes[(part.person_id, component)] = verified
    findings.unsupported_incomes |= {(part.person_id, c) for c in part.unsupported}
    if part.asset is not None:
        findings.assets[part.person_id] = part.asset
    if part.asset_unsupported:
        findings.unsupported_assets.add(part.person_id)
    findings.comparisons += part.comparisons
