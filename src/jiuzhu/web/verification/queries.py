"""Reading verification results, within the user's jurisdiction (deny by default)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from jiuzhu.batch.pipelines.verify import ITEMS, SOURCES
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.core.choices import label_of
from jiuzhu.web.core.errors import RecordOutsideJurisdiction
from jiuzhu.web.core.jsonvalues import Scalar
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.models import Membership
from jiuzhu.web.verification.labels import ITEM_TITLES, SOURCE_TITLES
from jiuzhu.web.verification.models import Discrepancy, VerificationRun
from jiuzhu.web.verification.subject import Subject, as_model

_ITEM_ORDER = {item: index for index, item in enumerate(ITEMS)}


@dataclass(frozen=True)
class ItemRow:
    """One compared item as shown: declared against found, with where and when it came from."""

    item: str
    label: str
    source: str
    source_label: str
    declared: str
    found: str
    warning: bool
    period: str
    received_at: dt.datetime | None
    note: str


@dataclass
class MemberReport:
    """A member's items and the sources that had records of them."""

    person_id: int
    name: str
    masked_id: str
    relation: str
    items: list[ItemRow] = field(default_factory=list)
    sources_found: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        return sum(i.warning for i in self.items)


@dataclass(frozen=True)
class SourceRow:
    """One source: when its data arrived, and which members it had records of."""

    source: str
    label: str
    received_at: dt.datetime | None
    members_found: list[str]
    members_not_found: list[str]
    delivered: bool


@dataclass
class Report:
    """The latest verification of an application (``run`` is None before the first)."""

    application: Subject
    run: VerificationRun | None
    runs: int = 0
    household_items: list[ItemRow] = field(default_factory=list)
    members: list[MemberReport] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        return sum(i.warning for i in self.household_items) + sum(m.warnings for m in self.members)


def verification_report(user: Staff, application: Subject) -> Report:
    """The latest run's findings for an application: per member (masked ID, name, relation) each
    item declared against found, with its source, period and the time the data arrived, the
    differences marked; and per source, which members it had records of.

    Raises:
        RecordOutsideJurisdiction: the user may not see the application (a 404 indistinguishable
            from a missing one; the refusal is audited).
    """
    if not user.has_perm("cases.view", as_model(application)):
        raise RecordOutsideJurisdiction(
            "cases.application", str(application.pk), application.division_code
        )
    runs = list(application.verification_runs.select_related("requested_by")[:1])
    report = Report(application, runs[0] if runs else None, application.verification_runs.count())
    run = report.run
    if run is None:
        return report
    answers = list(run.answers.select_related("person").defer("records").order_by("id"))
    relations = dict(
        Membership.objects.filter(
            household_id=application.household_id, person_id__in={a.person_id for a in answers}
        )
        .order_by("valid_to")
        .values_list("person_id", "relation")
    )
    members: dict[int, MemberReport] = {}
    found_by_source: dict[str, list[str]] = defaultdict(list)
    missing_by_source: dict[str, list[str]] = defaultdict(list)
    received: dict[str, dt.datetime] = {}
    delivered: set[str] = set()
    for answer in answers:
        person = answer.person
        member = members.get(person.pk)
        if member is None:
            member = members[person.pk] = MemberReport(
                person.pk,
                person.name,
                mask_id(person.resident_id),
                label_of("relation", relations.get(person.pk, ""))
                if relations.get(person.pk)
                else "—",
            )
        (found_by_source if answer.found else missing_by_source)[answer.source].append(person.name)
        if answer.found:
            member.sources_found.append(str(SOURCE_TITLES.get(answer.source, answer.source)))
        moment = (answer.summary or {}).get("received_at")
        if moment:
            delivered.add(answer.source)
            received[answer.source] = dt.datetime.fromisoformat(moment)
    for discrepancy in run.discrepancies.all():
        row = _row(discrepancy)
        if discrepancy.person_id is None:
            report.household_items.append(row)
        elif discrepancy.person_id in members:
            members[discrepancy.person_id].items.append(row)
    for member in members.values():
        member.items.sort(key=lambda i: _ITEM_ORDER.get(i.item, len(_ITEM_ORDER)))
    report.household_items.sort(key=lambda i: _ITEM_ORDER.get(i.item, len(_ITEM_ORDER)))
    report.members = list(members.values())
    report.sources = [
        SourceRow(
            source,
            str(SOURCE_TITLES[source]),
            received.get(source),
            found_by_source[source],
            missing_by_source[source],
            source in delivered or bool(found_by_source[source]),
        )
        for source in SOURCES
    ]
    return report


def show_value(value: Scalar, unit: str, missing: str = "未发现记录") -> str:
    """A compared value in its unit, for people (yuan with two decimals, m², counts, text)."""
    if value is None:
        return missing
    if unit == "fen_per_month":
        return f"{format_yuan(int(value))} 元/月"
    if unit == "fen":
        return f"{format_yuan(int(value))} 元"
    if unit == "area":
        return f"{Decimal(int(value)) / 100:.2f} 平方米"
    if unit == "count":
        return str(value)
    return str(value)


def _row(discrepancy: Discrepancy) -> ItemRow:
    return ItemRow(
        item=discrepancy.item,
        label=str(ITEM_TITLES.get(discrepancy.item, discrepancy.label)),
        source=discrepancy.source,
        source_label=str(SOURCE_TITLES.get(discrepancy.source, discrepancy.source)),
        declared=show_value(discrepancy.declared, discrepancy.unit, "未申报"),
        found=show_value(discrepancy.found, discrepancy.unit),
        warning=discrepancy.severity == "warning",
        period=discrepancy.period,
        received_at=discrepancy.received_at,
        note=discrepancy.note,
    )
