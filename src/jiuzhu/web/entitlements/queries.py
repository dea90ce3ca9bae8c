"""Reading entitlements, their tasks and standard-change runs, always within the user's
jurisdiction (deny by default: another township's record answers 404 like a missing one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.rules.procedure import DUE_SOON_DAYS, rule
from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.parameters import parameter_label
from jiuzhu.web.core.periods import in_force, last_month, never_in_force
from jiuzhu.web.core.transitions import join_labels
from jiuzhu.web.core.users import Staff
from jiuzhu.web.core.workitems import WorkItem, WorkList
from jiuzhu.web.entitlements.models import (
    PAYABLE,
    Entitlement,
    EntitlementVersion,
    ReviewTask,
    RunStatus,
    StandardChangeRun,
    Status,
    TaskStatus,
)
from jiuzhu.web.entitlements.workflow import ENTITLEMENT, TASK
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.workcalendar.working_days import covered_years, first_missing_year, missing_text


def due_soon_days(today: dt.date) -> int:
    """A task due within this many days of ``today`` is marked due soon (a working choice,
    ``procedure.working_choice.due_soon_days``)."""
    return rule(DUE_SOON_DAYS).number(today)


def _division(user: Staff) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return None
    return str(user.division_code)


def entitlements_for(user: Staff) -> QuerySet[Entitlement]:
    division = _division(user)
    if division is None:
        return Entitlement.objects.none()
    return Entitlement.objects.filter(division_code__startswith=division)


def entitlement_for(user: Staff, pk: int) -> Entitlement:
    """Raises Http404 outside the jurisdiction."""
    return get_within(
        entitlements_for(user).select_related("household", "person", "application"), pk
    )


def tasks_for(user: Staff) -> QuerySet[ReviewTask]:
    division = _division(user)
    if division is None:
        return ReviewTask.objects.none()
    return ReviewTask.objects.filter(division_code__startswith=division)


def task_for(user: Staff, pk: int) -> ReviewTask:
    """Raises Http404 outside the jurisdiction."""
    return get_within(
        tasks_for(user).select_related("entitlement", "entitlement__household", "person"), pk
    )


def runs_for(user: Staff) -> QuerySet[StandardChangeRun]:
    """Runs whose scope the user's jurisdiction covers (a district run is seen by district
    users; a township user sees none of them)."""
    division = _division(user)
    if division is None:
        return StandardChangeRun.objects.none()
    return StandardChangeRun.objects.filter(division_code__startswith=division)


def run_for(user: Staff, pk: int) -> StandardChangeRun:
    """Raises Http404 outside the jurisdiction."""
    return get_within(
        runs_for(user).select_related(
            "created_by", "decided_by", "local_value__entered_by", "local_value__checked_by"
        ),
        pk,
    )


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
    version = in_force(versions, month)
    return version.monthly_amount if version is not None else None


@dataclass(frozen=True)
class TimelineRow:
    """One version as the timeline shows it: ``period`` in words (the last month included,
    never the stored exclusive end) and ``state``: ``in_force`` in ``month``, ``upcoming``
    (starts later), ``ended`` or ``never`` (closed before it began)."""

    version: EntitlementVersion
    period: str
    state: str


def timeline(versions: Iterable[EntitlementVersion], month: str) -> list[TimelineRow]:
    """The versions (in the order given) with their periods read against ``month`` (today's):
    "2025-10 至 2025-10" for a closed one, "2025-11 起" for one still to come, "2025-10 起至今"
    for the open one in force."""
    rows = []
    for version in versions:
        start = version.valid_from
        if never_in_force(version):
            rows.append(TimelineRow(version, _("%(start)s（未执行）") % {"start": start}, "never"))
            continue
        if version.valid_to:
            period = _("%(start)s 至 %(last)s") % {"start": start, "last": last_month(version)}
        elif start > month:
            period = _("%(start)s 起") % {"start": start}
        else:
            period = _("%(start)s 起至今") % {"start": start}
        if start > month:
            state = "upcoming"
        elif version.valid_to and version.valid_to <= month:
            state = "ended"
        else:
            state = "in_force"
        rows.append(TimelineRow(version, period, state))
    return rows


@dataclass
class QueueItem:
    task: ReviewTask
    overdue: bool
    due_soon: bool
    missing: str = ""
    """"缺 2027 年日历" for a task due in working days whose date waits for that year."""


def task_missing(task: ReviewTask, covered: Iterable[int]) -> str:
    """ "缺 2027 年日历" for a task whose due date is unknown for want of a year's calendar
    (``covered``: ``covered_years()``), else ""."""
    if task.due_on is not None or task.due_from is None:
        return ""
    return missing_text(first_missing_year(task.due_from, covered))


def _queue_item(task: ReviewTask, today: dt.date, covered: Iterable[int]) -> QueueItem:
    due, soon = task.due_on, today + dt.timedelta(days=due_soon_days(today))
    if due is None:
        return QueueItem(task, False, False, task_missing(task, covered))
    return QueueItem(task, due < today, today <= due <= soon)


def task_queue(user: Staff, today: dt.date, limit: int = 300) -> list[QueueItem]:
    """The open tasks of the user's jurisdiction, most urgent first (overdue, due within
    ``due_soon_days``, then by due date; those whose date waits for a calendar year last): two
    queries."""
    tasks = (
        tasks_for(user)
        .filter(status=TaskStatus.OPEN)
        .select_related("entitlement", "entitlement__household", "person")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:limit]
    )
    covered = covered_years()
    return [_queue_item(t, today, covered) for t in tasks]


ACTIVE_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.GRADUAL_EXIT, Status.TERMINATION_NOTICE)


def _task_items(user: Staff, today: dt.date, shown: int) -> WorkList:
    """The open review tasks of the user's jurisdiction, the most urgent first."""
    tasks = tasks_for(user).filter(status=TaskStatus.OPEN)
    shown_tasks = tasks.select_related("entitlement", "entitlement__household", "person")
    covered = covered_years()
    queued = [
        _queue_item(t, today, covered)
        for t in shown_tasks.order_by(F("due_on").asc(nulls_last=True), "pk")[:shown]
    ]
    return WorkList(
        kind=str(_("核查任务")),
        items=[
            WorkItem(
                title=f"{i.task.get_kind_display()} · {i.task.entitlement.household.number}"
                + (f" · {i.task.person.name}" if i.task.person else ""),
                url=reverse("entitlements:task", args=[i.task.pk]),
                state=str(i.task.get_status_display()),
                action=str(TASK["complete"].label)
                if TASK.condition_refusal(i.task, "complete", today) is None
                else str(TASK["close"].label),
                due=i.task.due_on,
                overdue=i.overdue,
                due_soon=i.due_soon,
                due_note=i.missing,
            )
            for i in queued
        ],
        total=tasks.count(),
        more_url=reverse("entitlements:tasks"),
    )


def work_items(user: Staff, today: dt.date, shown: int = 20) -> list[WorkList]:
    """What waits for this user in dynamic management, for the workbench: open review tasks
    (for those who manage entitlements), entitlements waiting for a decision (a proposed
    termination, a termination notice that has ended), and standard changes to approve (never
    by the person who started them). A few bounded queries."""
    division = _division(user)
    if division is None:
        return []
    lists = []
    if user.has_perm("entitlements.manage", ReviewTask(division_code=division)):
        lists.append(_task_items(user, today, shown))
    probe = Entitlement(division_code=division)
    if user.has_perm("entitlements.decide", probe):
        waiting = (
            entitlements_for(user)
            .filter(terminated_on__isnull=True)
            .filter(
                Q(
                    termination_proposed_on__isnull=False,
                    status__in=(Status.ACTIVE, Status.SUSPENDED),
                )
                | Q(status=Status.TERMINATION_NOTICE, notice_ends_on__lt=today)
            )
            .select_related("household")
            .order_by("termination_proposed_on", "pk")
        )
        items = []
        for entitlement in waiting[:shown]:
            ready, _waiting = ENTITLEMENT.work(user, entitlement, today)
            items.append(
                WorkItem(
                    title=f"{entitlement.number} · {entitlement.household.number} · "
                    f"{entitlement.get_program_display()}",
                    url=reverse("entitlements:detail", args=[entitlement.pk]),
                    state=ENTITLEMENT.state_label(entitlement),
                    action=join_labels(m.label for m in ready),
                    due=entitlement.notice_ends_on,
                )
            )
        lists.append(
            WorkList(
                kind=str(_("待决定的救助待遇")),
                items=items,
                total=waiting.count(),
                more_url=reverse("entitlements:list"),
            )
        )
    if user.has_perm(
        "entitlements.approve_standard_change", StandardChangeRun(division_code=division)
    ):
        runs = runs_for(user).filter(status=RunStatus.PROPOSED).exclude(created_by=user)
        system = rules_system()
        lists.append(
            WorkList(
                kind=str(_("待审批的标准调整")),
                items=[
                    WorkItem(
                        title=f"{parameter_label(system, run.parameter_path)} · "
                        f"{run.effective_month}",
                        url=reverse("entitlements:run", args=[run.pk]),
                        state=str(run.get_status_display()),
                        action=str(_("审批")),
                    )
                    for run in runs[:shown]
                ],
                total=runs.count(),
                more_url=reverse("entitlements:runs"),
            )
        )
    return lists
