"""Reading applications within the user's jurisdiction, with their deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.web.cases.models import OPEN_STAGES, Application
from jiuzhu.web.cases.workflow import APPLICATION, Deadline, deadline_starts, deadlines
from jiuzhu.web.core import clock
from jiuzhu.web.core.fields import sealed_fields
from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.transitions import Move, join_labels
from jiuzhu.web.core.users import Staff
from jiuzhu.web.core.workitems import WorkItem, WorkList
from jiuzhu.web.registry.models import Person
from jiuzhu.web.workcalendar.working_days import calendar_for, missing_text, missing_warning


def applications_for(user: Staff) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return Application.objects.none()
    return Application.objects.filter(division_code__startswith=user.division_code)


def application_for(user: Staff, pk: int) -> Application:
    """Raises Http404 outside the jurisdiction (indistinguishable from a missing one)."""
    return get_within(
        applications_for(user).select_related(
            "household", "applicant", "created_by", "proposed_by", "decided_by"
        ),
        pk,
    )


@dataclass
class QueueItem:
    application: Application
    deadlines: list[Deadline]
    overdue: bool
    due_soon: bool
    next_due: dt.date | None
    moves: list[Move] = field(default_factory=list)
    waiting: str = ""
    missing: str = ""
    """"缺 2027 年日历" when an open deadline has no date for want of that year's calendar."""


@dataclass
class Queue:
    items: list[QueueItem]
    calendar_warning: str = ""


def queue(user: Staff, limit: int = 200) -> Queue:
    """The user's tasks: open applications waiting for a move this user may make (the
    transition table's main moves, their conditions and maker–checker rules), most urgent first
    (overdue, then due soon, then by next deadline). One query for applications and two for
    the calendar, whatever the number of applications. A deadline that reaches a year without
    a calendar shows "缺 2027 年日历" (``QueueItem.missing``, and the queue's warning); the
    other deadlines, of the same application or of others, keep their dates."""
    today = clock.today()
    acting = APPLICATION.acting(user, Application(division_code=getattr(user, "division_code", "")))
    candidates = (
        applications_for(user)
        .filter(stage__in=list(acting))
        .select_related("applicant", "proposed_by")
        # The applicant's name is shown: its sealed fields would be opened for nothing (a
        # quarter of the workbench's time on a full township).
        .defer(*(f"applicant__{name}" for name in sealed_fields(Person)))
        .order_by("accepted_on", "pk")[: limit * 2]
    )
    applications, work = [], {}
    for application in candidates:
        ready, waiting = APPLICATION.work(user, application, today)
        if ready or waiting:
            applications.append(application)
            work[application.pk] = (
                ready,
                _("；").join(f"{m.label}{_('：')}{r}" for m, r in waiting),
            )
        if len(applications) >= limit:
            break
    calendar = calendar_for(
        [day for application in applications for day in deadline_starts(application)],
        [today.year],
    )
    items = []
    missing: set[int] = set()
    for application in applications:
        found = deadlines(application, calendar)
        open_ = [d for d in found if not d.done]
        # A deadline in a year without a calendar has no date; the others keep theirs.
        unknown = [d.missing_year for d in open_ if d.missing_year is not None]
        missing.update(unknown)
        items.append(
            QueueItem(
                application,
                found,
                any(d.overdue(today) for d in found),
                any(d.due_soon(today, calendar) for d in found),
                min((d.due for d in open_ if d.due is not None), default=None),
                *work[application.pk],
                missing=missing_text(min(unknown)) if unknown else "",
            )
        )
    warning = missing_warning(missing) if missing else ""
    items.sort(
        key=lambda i: (not i.overdue, not i.due_soon, i.next_due or dt.date.max, i.application.pk)
    )
    return Queue(items, warning)


def open_applications(user: Staff) -> QuerySet[Application]:
    return applications_for(user).filter(stage__in=OPEN_STAGES)


def work_items(user: Staff, today: dt.date, shown: int = 20) -> WorkList:
    """Applications waiting for this user's move, for the workbench: the most urgent first."""
    found = queue(user)
    items = [
        WorkItem(
            title=f"{i.application.number} · {i.application.applicant.name} · "
            f"{i.application.get_program_display()}",
            url=reverse("cases:application", args=[i.application.pk]),
            state=str(i.application.get_stage_display()),
            action=join_labels(m.label for m in i.moves) or i.waiting,
            due=i.next_due,
            overdue=i.overdue,
            due_soon=i.due_soon,
            due_note=i.missing,
            note="；".join(
                note
                for note in (
                    str(_("备案")) if i.application.separately_registered else "",
                    str(_("已先行救助，须按期补齐手续")) if i.application.fast_path else "",
                    i.waiting if i.moves else "",
                )
                if note
            ),
        )
        for i in found.items[:shown]
    ]
    return WorkList(
        kind=str(_("救助申请")),
        items=items,
        total=len(found.items),
        more_url=reverse("cases:application_list"),
        warning=found.calendar_warning,
    )
