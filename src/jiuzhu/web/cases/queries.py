"""Reading applications within the user's jurisdiction, with their deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jiuzhu.web.accounts.models import Role
from jiuzhu.web.cases import clock
from jiuzhu.web.cases.models import OPEN_STAGES, Application, Stage
from jiuzhu.web.cases.workflow import Deadline, deadlines
from jiuzhu.web.workcalendar.working_days import CalendarMissingError, load_calendar


def applications_for(user: Any) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return Application.objects.none()
    return Application.objects.filter(division_code__startswith=user.division_code)


def application_for(user: Any, pk: int) -> Application:
    """Raises Http404 outside the jurisdiction (indistinguishable from a missing one)."""
    try:
        return (
            applications_for(user)
            .select_related("household", "applicant", "created_by", "proposed_by", "decided_by")
            .get(pk=pk)
        )
    except Application.DoesNotExist:
        raise Http404 from None


STAGES_OF_ROLE = {
    Role.COMMUNITY_WORKER: {Stage.AWAITING_MATERIALS, Stage.HOME_VISIT},
    Role.TOWNSHIP_CASEWORKER: {
        Stage.AWAITING_MATERIALS,
        Stage.ACCEPTED,
        Stage.HOME_VISIT,
        Stage.TOWNSHIP_REVIEW,
        Stage.PUBLIC_NOTICE,
        Stage.OBJECTION_REVIEW,
    },
    Role.TOWNSHIP_HEAD: {Stage.TOWNSHIP_REVIEW},
    Role.DISTRICT_OFFICER: {Stage.DISTRICT_CONFIRMATION},
    Role.DISTRICT_DIRECTOR: {Stage.DISTRICT_CONFIRMATION},
}


@dataclass
class QueueItem:
    application: Application
    deadlines: list[Deadline]
    overdue: bool
    due_soon: bool
    next_due: dt.date | None


@dataclass
class Queue:
    items: list[QueueItem]
    calendar_warning: str = ""


def queue(user: Any, limit: int = 200) -> Queue:
    """The user's tasks: open applications at the stages their role acts on, most urgent first
    (overdue, then due soon, then by next deadline). One query for applications and two for
    the calendar, whatever the number of applications."""
    role: Any = getattr(user, "role", "")
    stages = STAGES_OF_ROLE.get(role, set())
    applications = list(
        applications_for(user)
        .filter(stage__in=stages)
        .select_related("household", "applicant")
        .order_by("accepted_on", "pk")[:limit]
    )
    today = clock.today()
    warning = ""
    try:
        calendar = load_calendar(
            {
                today.year,
                today.year + 1,
                *(a.accepted_on.year for a in applications if a.accepted_on),
            }
        )
        items = []
        for application in applications:
            found = deadlines(application, calendar)
            open_ = [d for d in found if not d.done]
            items.append(
                QueueItem(
                    application,
                    found,
                    any(d.overdue(today) for d in found),
                    any(d.due_soon(today, calendar) for d in found),
                    min((d.due for d in open_), default=None),
                )
            )
    except CalendarMissingError as exc:
        warning = str(exc)
        items = [QueueItem(a, [], False, False, None) for a in applications]
    items.sort(
        key=lambda i: (not i.overdue, not i.due_soon, i.next_due or dt.date.max, i.application.pk)
    )
    return Queue(items, warning)


def open_applications(user: Any) -> QuerySet[Application]:
    return applications_for(user).filter(stage__in=OPEN_STAGES)
