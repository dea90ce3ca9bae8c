"""Reading alerts, the register and discovery runs, always within the user's jurisdiction (deny
by default: another township's alert answers 404 like a missing one). An alert is the user's to
see when its owning division lies inside the user's jurisdiction, or it is assigned to the
user."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db.models import Case, Count, F, Min, Q, QuerySet, When
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.users import Staff
from jiuzhu.web.core.workitems import WorkItem, WorkList
from jiuzhu.web.discovery.catalogue import signal_labels
from jiuzhu.web.discovery.models import (
    OPEN_STATUSES,
    Alert,
    AlertStatus,
    DiscoveryRun,
    RegisterEntry,
)
from jiuzhu.web.discovery.workflow import ALERT
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.workcalendar.working_days import (
    Calendar,
    CalendarMissingError,
    covered_years,
    first_missing_year,
    load_calendar,
    missing_text,
    missing_warning,
)

WORK_ITEMS = 20
"""Alerts listed on the workbench (the rest are counted and on the inbox)."""
DUE_SOON_WORKING_DAYS = 3


def _division(user: Staff) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return None
    return str(user.division_code)


def alerts_for(user: Staff) -> QuerySet[Alert]:
    division = _division(user)
    if division is None:
        return Alert.objects.none()
    return Alert.objects.filter(Q(division_code__startswith=division) | Q(assigned_to=user))


def alert_for(user: Staff, pk: int) -> Alert:
    """Raises Http404 outside the jurisdiction."""
    return get_within(
        alerts_for(user).select_related(
            "household", "person", "assigned_to", "closed_by", "run", "application"
        ),
        pk,
    )


def with_deadline(queryset: QuerySet[Alert]) -> QuerySet[Any]:  # annotated: no model type
    """``stage_due_on`` annotated: the application's deadline while an inclusion awaits it, else
    the alert's own (``Alert.deadline``)."""
    return queryset.annotate(
        stage_due_on=Case(
            When(status=AlertStatus.AWAITING_APPLICATION, then=F("application_due_on")),
            default=F("due_on"),
        )
    )


def overdue_q(today: dt.date) -> Q:
    """Open alerts past the deadline of their stage (the deadline day itself is still in time):
    the visit and outcome by ``due_on``, an awaited application by ``application_due_on``."""
    return Q(status__in=OPEN_STATUSES - {AlertStatus.AWAITING_APPLICATION}, due_on__lt=today) | Q(
        status=AlertStatus.AWAITING_APPLICATION, application_due_on__lt=today
    )


def overdue(queryset: QuerySet[Alert], today: dt.date) -> QuerySet[Alert]:
    return queryset.filter(overdue_q(today))


def work_items(user: Staff, today: dt.date) -> WorkList:
    """The open alerts of the user's jurisdiction and those assigned to the user, for a user
    who handles alerts or takes the applications they ask for: how many, and the first
    ``WORK_ITEMS`` (the overdue first, then by deadline), each with its stage and what the user
    may do there (``workflow.ALERT``). Three queries and the holiday table."""
    found = WorkList(kind=str(_("主动发现预警")), more_url=reverse("discovery:inbox"))
    if not (user.has_perm("discovery.handle") or user.has_perm("discovery.link_application")):
        return found
    pending = with_deadline(alerts_for(user).filter(status__in=OPEN_STATUSES))
    found.total = pending.count()
    alerts = list(
        pending.select_related("household", "person", "assigned_to").order_by(
            F("stage_due_on").asc(nulls_last=True), "pk"
        )[:WORK_ITEMS]
    )
    # Unknown when the next working days reach a year without a calendar: every known
    # deadline from today on is then within them.
    soon = (
        load_calendar({today.year, today.year + 1}).due(today, DUE_SOON_WORKING_DAYS).on
        or dt.date.max
    )
    covered = covered_years()
    missing: set[int] = set()
    labels = signal_labels()
    for alert in alerts:
        step = ALERT.next_step(user, alert, today)
        # What the user is to do: the main path's moves (a reassignment is offered on the page).
        moves = [move for move in step.mine if move.main] or step.mine
        deadline = alert.deadline
        waits_for = missing_year(alert, covered)
        if waits_for:
            missing.add(waits_for)
        subject = alert.person.name if alert.person else alert.household_key
        found.items.append(
            WorkItem(
                title=f"{labels.get(alert.signal, _('预警'))} · {subject or '—'}",
                url=reverse("discovery:alert", args=[alert.pk]),
                state=step.state,
                action=_("、").join(str(move.label) for move in moves) or str(_("查看")),
                due=deadline,
                overdue=deadline is not None and deadline < today,
                due_soon=deadline is not None and today <= deadline <= soon,
                due_note=missing_text(waits_for) if waits_for else "",
                note=step.person,
            )
        )
    if missing:
        found.warning = missing_warning(missing)
    return found


def missing_year(alert: Alert, covered: Iterable[int]) -> int | None:
    """The calendar year an open alert's deadline waits for (its date unknown: the year had no
    calendar when it was counted), or None (``covered``: ``covered_years()``)."""
    if not alert.is_open or alert.deadline is not None:
        return None
    start = alert.raised_on
    if alert.status == AlertStatus.AWAITING_APPLICATION and alert.concluded_on is not None:
        start = alert.concluded_on
    return first_missing_year(start, covered)


def missing_deadline(alert: Alert, covered: Iterable[int]) -> str:
    """ "缺 2027 年日历" for an open alert whose deadline waits for that year, else ""."""
    year = missing_year(alert, covered)
    return missing_text(year) if year else ""


def register_for(user: Staff, today: dt.date, *, current: bool = True) -> QuerySet[RegisterEntry]:
    division = _division(user)
    if division is None:
        return RegisterEntry.objects.none()
    found = RegisterEntry.objects.filter(division_code__startswith=division)
    in_register = Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    return found.filter(in_register) if current else found.exclude(in_register)


def register_townships(user: Staff, today: dt.date) -> list[str]:
    """The township codes of the user's register, each once (the model's default ordering is
    cleared: with it, ``distinct`` would keep one row per entry)."""
    return list(
        register_for(user, today)
        .order_by("township_code")
        .values_list("township_code", flat=True)
        .distinct()
    )


@dataclass
class RegisterPerson:
    """One person of the register with their entries (one per reason they are in it)."""

    person: Person
    entries: list[RegisterEntry]

    @property
    def household(self) -> Household:
        return self.entries[0].household


def register_people(entries: QuerySet[RegisterEntry]) -> QuerySet[Any]:
    """The distinct people of ``entries`` as rows ``{"person_id", "number"}``, ordered by
    household number then person — one row per person, however many reasons they are in the
    register for (``count()`` counts people)."""
    return (
        entries.order_by()
        .values("person_id")
        .annotate(number=Min("household__number"))
        .order_by("number", "person_id")
    )


def register_rows(entries: QuerySet[RegisterEntry], person_ids: list[int]) -> list[RegisterPerson]:
    """The people ``person_ids`` (in that order) with their ``entries`` (one query)."""
    grouped: dict[int, list[RegisterEntry]] = defaultdict(list)
    for entry in (
        entries.filter(person_id__in=person_ids)
        .select_related("person", "household")
        .order_by("person_id", "category", "pk")
    ):
        grouped[entry.person_id].append(entry)
    return [
        RegisterPerson(grouped[pk][0].person, grouped[pk]) for pk in person_ids if grouped.get(pk)
    ]


class RegisterCounts(TypedDict):
    people: int
    households: int
    by_category: dict[str, int]
    """People per register category code."""


def register_counts(entries: QuerySet[RegisterEntry]) -> RegisterCounts:
    """People (distinct persons) and households of ``entries``, and people per category: a
    person in the register for two reasons counts once in the total and once in each of the
    two categories. Three queries."""
    by_category = dict(
        entries.order_by()
        .values("category")
        .annotate(people=Count("person_id", distinct=True))
        .values_list("category", "people")
    )
    return {
        "people": entries.order_by().values("person_id").distinct().count(),
        "households": entries.order_by().values("household_id").distinct().count(),
        "by_category": by_category,
    }


def runs_for(user: Staff) -> QuerySet[DiscoveryRun]:
    division = _division(user)
    if division is None:
        return DiscoveryRun.objects.none()
    return DiscoveryRun.objects.filter(division_code__startswith=division)


def run_for(user: Staff, pk: int) -> DiscoveryRun:
    """Raises Http404 outside the jurisdiction."""
    return get_within(runs_for(user).select_related("job", "created_by"), pk)


@dataclass
class StatRow:
    """One line of the statistics: alerts raised, still open, overdue, closed by outcome, and
    the median time to close in working days (None: none closed)."""

    key: str
    label: str
    total: int = 0
    open: int = 0
    overdue: int = 0
    included: int = 0
    referred: int = 0
    dismissed: int = 0
    median_days: float | None = None


def statistics_by(
    rows: Iterable[tuple[Any, ...]],
    calendar: Calendar,
    today: dt.date,
    labels: dict[str, dict[str, str]],
) -> dict[str, list[StatRow]]:
    """Alerts counted by ``category``, ``township`` and ``signal``.

    Args:
        rows: ``(category, township_code, signal, status, outcome, raised_on, deadline,
            closed_on)`` per alert (one query, ``values_list``; the deadline of the alert's
            stage, ``with_deadline``).
        calendar: covering the years of ``raised_on`` to ``closed_on`` (closing time in
            working days, ``Calendar.working_days_between``; an alert whose years it lacks
            counts without its closing time).
        labels: display labels per dimension and key.
    """
    tables: dict[str, dict[str, StatRow]] = {
        "category": {},
        "township": {},
        "signal": {},
        "all": {},
    }
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for category, township, signal, status, outcome, raised_on, deadline, closed_on in rows:
        closing = None
        if closed_on is not None:
            try:
                closing = calendar.working_days_between(raised_on, closed_on)
            except CalendarMissingError:
                closing = None  # a year without a calendar: this alert's time is left out
        for dimension, key in (
            ("category", category),
            ("township", township),
            ("signal", signal),
            ("all", ""),
        ):
            row = tables[dimension].get(key)
            if row is None:
                row = tables[dimension][key] = StatRow(key, labels.get(dimension, {}).get(key, key))
            row.total += 1
            if status in OPEN_STATUSES:
                row.open += 1
                row.overdue += deadline is not None and deadline < today
            elif outcome in ("included", "referred", "dismissed"):
                setattr(row, outcome, getattr(row, outcome) + 1)
            if closed_on is not None and closing is not None:
                days[(dimension, key)].append(closing)
    result: dict[str, list[StatRow]] = {}
    for dimension, table in tables.items():
        for key, row in table.items():
            closed = days.get((dimension, key))
            row.median_days = statistics.median(closed) if closed else None
        result[dimension] = sorted(table.values(), key=lambda r: (-r.total, r.key))
    return result
