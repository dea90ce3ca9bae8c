"""Reading entitlements, their tasks and standard-change runs, always within the user's
jurisdiction (deny by default: another township's record answers 404 like a missing one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jiuzhu.web.entitlements.models import (
    PAYABLE,
    Entitlement,
    EntitlementVersion,
    ReviewTask,
    StandardChangeRun,
    Status,
    TaskStatus,
)
from jiuzhu.web.entitlements.params import DUE_SOON_DAYS


def _division(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return None
    return str(user.division_code)


def entitlements_for(user: Any) -> QuerySet[Entitlement]:
    division = _division(user)
    if division is None:
        return Entitlement.objects.none()
    return Entitlement.objects.filter(division_code__startswith=division)


def entitlement_for(user: Any, pk: int) -> Entitlement:
    """Raises Http404 outside the jurisdiction."""
    try:
        return (
            entitlements_for(user).select_related("household", "person", "application").get(pk=pk)
        )
    except Entitlement.DoesNotExist:
        raise Http404 from None


def tasks_for(user: Any) -> QuerySet[ReviewTask]:
    division = _division(user)
    if division is None:
        return ReviewTask.objects.none()
    return ReviewTask.objects.filter(division_code__startswith=division)


def task_for(user: Any, pk: int) -> ReviewTask:
    """Raises Http404 outside the jurisdiction."""
    try:
        return (
            tasks_for(user)
            .select_related("entitlement", "entitlement__household", "person")
            .get(pk=pk)
        )
    except ReviewTask.DoesNotExist:
        raise Http404 from None


def runs_for(user: Any) -> QuerySet[StandardChangeRun]:
    """Runs whose scope the user's jurisdiction covers (a district run is seen by district
    users; a township user sees none of them)."""
    division = _division(user)
    if division is None:
        return StandardChangeRun.objects.none()
    return StandardChangeRun.objects.filter(division_code__startswith=division)


def run_for(user: Any, pk: int) -> StandardChangeRun:
    """Raises Http404 outside the jurisdiction."""
    try:
        return runs_for(user).select_related("created_by", "decided_by").get(pk=pk)
    except StandardChangeRun.DoesNotExist:
        raise Http404 from None


def payable_in(entitlement: Entitlement, month: str) -> bool:
    """Whether the entitlement is paid for ``month`` (``YYYY-MM``) as it stands now: its status
    is payable (``PAYABLE``: active, gradual exit, termination notice; not suspended or
    terminated), the month is on or after ``start_month`` and before ``end_month`` (a decided
    termination or the end of a gradual exit)."""
    if entitlement.status not in PAYABLE or month < entitlement.start_month:
        return False
    return not (entitlement.end_month and month >= entitlement.end_month)


def amount_in(versions: Iterable[EntitlementVersion], month: str) -> int | None:
    """The monthly amount (fen) of the version covering ``month``, or None."""
    for version in versions:
        if version.valid_from <= month and (not version.valid_to or month < version.valid_to):
            return version.monthly_amount
    return None


@dataclass
class QueueItem:
    task: ReviewTask
    overdue: bool
    due_soon: bool


def task_queue(user: Any, today: dt.date, limit: int = 300) -> list[QueueItem]:
    """The open tasks of the user's jurisdiction, most urgent first (overdue, due within
    ``DUE_SOON_DAYS``, then by due date): one query."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    tasks = (
        tasks_for(user)
        .filter(status=TaskStatus.OPEN)
        .select_related("entitlement", "entitlement__household", "person")
        .order_by("due_on", "pk")[:limit]
    )
    return [QueueItem(t, t.due_on < today, today <= t.due_on <= soon) for t in tasks]


ACTIVE_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.GRADUAL_EXIT, Status.TERMINATION_NOTICE)
