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
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from jiuzhu.web.discovery.models import (
    OPEN_STATUSES,
    Alert,
    DiscoveryRun,
    RegisterEntry,
)
from jiuzhu.web.workcalendar.working_days import Calendar


def _division(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return None
    return str(user.division_code)


def alerts_for(user: Any) -> QuerySet[Alert]:
    division = _division(user)
    if division is None:
        return Alert.objects.none()
    return Alert.objects.filter(Q(division_code__startswith=division) | Q(assigned_to=user))


def alert_for(user: Any, pk: int) -> Alert:
    """Raises Http404 outside the jurisdiction."""
    try:
        return (
            alerts_for(user)
            .select_related("household", "person", "assigned_to", "closed_by", "run", "application")
            .get(pk=pk)
        )
    except Alert.DoesNotExist:
        raise Http404 from None


def overdue(queryset: QuerySet[Alert], today: dt.date) -> QuerySet[Alert]:
    """Open alerts past their deadline (the deadline day itself is still in time)."""
    return queryset.filter(status__in=OPEN_STATUSES, due_on__lt=today)


def register_for(user: Any, today: dt.date, *, current: bool = True) -> QuerySet[RegisterEntry]:
    division = _division(user)
    if division is None:
        return RegisterEntry.objects.none()
    found = RegisterEntry.objects.filter(division_code__startswith=division)
    in_register = Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    return found.filter(in_register) if current else found.exclude(in_register)


def runs_for(user: Any) -> QuerySet[DiscoveryRun]:
    division = _division(user)
    if division is None:
        return DiscoveryRun.objects.none()
    return DiscoveryRun.objects.filter(division_code__startswith=division)


def run_for(user: Any, pk: int) -> DiscoveryRun:
    """Raises Http404 outside the jurisdiction."""
    try:
        return runs_for(user).select_related("job", "created_by").get(pk=pk)
    except DiscoveryRun.DoesNotExist:
        raise Http404 from None


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
        rows: ``(category, township_code, signal, status, outcome, raised_on, due_on,
            closed_on)`` per alert (one query, ``values_list``).
        calendar: covering the years of ``raised_on`` to ``closed_on`` (closing time in
            working days, ``Calendar.working_days_between``).
        labels: display labels per dimension and key.
    """
    tables: dict[str, dict[str, StatRow]] = {
        "category": {},
        "township": {},
        "signal": {},
        "all": {},
    }
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for category, township, signal, status, outcome, raised_on, due_on, closed_on in rows:
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
                row.overdue += due_on < today
            elif outcome in ("included", "referred", "dismissed"):
                setattr(row, outcome, getattr(row, outcome) + 1)
            if closed_on is not None:
                days[(dimension, key)].append(calendar.working_days_between(raised_on, closed_on))
    result: dict[str, list[StatRow]] = {}
    for dimension, table in tables.items():
        for key, row in table.items():
            closed = days.get((dimension, key))
            row.median_days = statistics.median(closed) if closed else None
        result[dimension] = sorted(table.values(), key=lambda r: (-r.total, r.key))
    return result
