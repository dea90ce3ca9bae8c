"""The transition tables of an entitlement and of its review tasks (动态管理).

Entitlement (最低生活保障审核确认办法 Art. 30–34; 特困人员认定办法 Art. 24–26)::

    active ⇄ suspended                       (suspend / resume: the township)
    active ──gradual exit──▶ gradual_exit    (dibao, the deciding level)
    active|suspended ──terminate──▶ (ends from next month)          dibao and near-dibao
    active|suspended ──notice (7 days)──▶ termination_notice ──conclude──▶ (ends)   tekun
    termination_notice ──cancel──▶ active

A decided end (``terminated_on``) keeps the status payable until the end month comes. Review
task: open ──complete (reassess) | close (note)──▶ done.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiuzhu.rules.procedure import GRADUAL_EXIT, TERMINATION_NOTICE_DAYS, rule
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.transitions import Guard, Move, Text, Workflow
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.models import Entitlement, ReviewTask, Status, TaskKind, TaskStatus
from jiuzhu.web.workcalendar.periods import NOTICE_END, NoticePeriod, notice_period
from jiuzhu.web.workcalendar.working_days import load_calendar

REVIEWED = frozenset({Status.ACTIVE, Status.SUSPENDED})
"""Statuses in which the household is reviewed and may be reassessed."""
LIVE = frozenset(Status) - {Status.TERMINATED}
REASSESSED_TASKS = frozenset(
    {
        TaskKind.PERIODIC_REVIEW,
        TaskKind.DEATH_CHECK,
        TaskKind.CHANGE_REPORT,
        TaskKind.STANDARD_CHANGE,
        # An adverse discovery alert (a vehicle, a property …): the verified household is
        # reassessed by a person; the alert itself never changes the entitlement.
        TaskKind.DISCOVERY_CHECK,
    }
)


def _not_decided(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
    if entitlement.terminated_on is not None:
        return _("已作出终止决定，自 %(month)s 起停发") % {"month": entitlement.end_month}
    return None


def _program(*programs: str) -> Guard:
    def guard(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
        if entitlement.program not in programs:
            return _("该项操作不适用于%(program)s") % {"program": entitlement.get_program_display()}
        return _not_decided(entitlement, user, today)

    return guard


def _not_program(program: str, reason: Text) -> Guard:
    def guard(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
        if entitlement.program == program:
            return reason
        return _not_decided(entitlement, user, today)

    return guard


def _gradual_exit(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
    if rule(GRADUAL_EXIT).at(today) is None:
        return _("渐退期政策在此日期尚未实施")
    return _program(Program.DIBAO)(entitlement, user, today)


def _sanction_open(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
    if not entitlement.sanctions.filter(to_month="").exists():
        return _("没有正在执行的减发")
    return _not_decided(entitlement, user, today)


def _notice_over(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
    end = entitlement.notice_ends_on
    if end is None or today <= end:
        days = _termination_notice_days(entitlement.notice_starts_on or today)
        return _("公示期未满%(days)s天（%(end)s 结束）") % {
            "days": days,
            "end": end.isoformat() if end else "—",
        }
    period = termination_notice_of(entitlement)
    if period is not None and not period.final:
        return _("%(missing)s：公示期满日可能顺延，录入该年日历后才能终止") % {
            "missing": period.missing
        }
    if entitlement.tasks.filter(
        kind=TaskKind.TERMINATION_OBJECTION, status=TaskStatus.OPEN
    ).exists():
        return _("尚有异议未处理完毕")
    return None


TERMINATION_NOTICE_BASIS = _("《特困人员认定办法》第二十六条")
"""The text that sets the termination notice's length (``procedure.tekun_termination.notice_days``)."""


def termination_notice(posted: dt.date) -> NoticePeriod:
    """The notice of a tekun termination posted on ``posted``: the days in force then
    (``procedure.tekun_termination.notice_days``, 7), the end moved to a working day
    (``workcalendar.periods.NOTICE_END``). Two queries."""
    days = _termination_notice_days(posted)
    end = posted + dt.timedelta(days=days)
    return notice_period(posted, days, load_calendar(range(posted.year, end.year + 2)))


def termination_notice_of(entitlement: Entitlement) -> NoticePeriod | None:
    """The entitlement's termination notice as the calendar now gives it (None without one):
    ``NoticePeriod.final`` is false while its last day's year has no calendar."""
    start = entitlement.notice_starts_on
    return None if start is None else termination_notice(start)


def termination_notice_rule(entitlement: Entitlement) -> str:
    """What the entitlement's page says about its termination notice (days, basis, and the
    end on a non-working day with its source and confidence); empty without a notice."""
    start = entitlement.notice_starts_on
    if start is None:
        return ""
    days = _termination_notice_days(start)
    return NOTICE_END.explanation(start, days, str(TERMINATION_NOTICE_BASIS))


def _termination_notice_days(posted: dt.date) -> int:
    return rule(TERMINATION_NOTICE_DAYS).number(posted)


def _in_notice(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
    start, end = entitlement.notice_starts_on, entitlement.notice_ends_on
    if start is None or end is None or not start <= today <= end:
        return _("异议应在公示期内提出")
    return None


def _cancellable(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
    if entitlement.terminated_on is not None or not (
        entitlement.status == Status.TERMINATION_NOTICE or entitlement.termination_proposed_on
    ):
        return _("没有可撤销的终止公示或拟终止")
    return None


def _proposed(entitlement: Entitlement, user: Staff, today: dt.date) -> Text | None:
    if entitlement.termination_proposed_on is None:
        return _("没有拟终止")
    return _not_decided(entitlement, user, today)


def _entitlement_due(entitlement: Entitlement, today: dt.date) -> dt.date | None:
    if entitlement.status == Status.TERMINATION_NOTICE:
        return entitlement.notice_ends_on
    if entitlement.status in REVIEWED:
        return entitlement.next_review_due
    return None


def _entitlement_state(entitlement: Entitlement) -> str:
    label = str(entitlement.get_status_display())
    if entitlement.termination_proposed_on and entitlement.terminated_on is None:
        return str(_("%(status)s（拟终止，待决定）") % {"status": label})
    if entitlement.terminated_on is not None and entitlement.status != Status.TERMINATED:
        return str(
            _("%(status)s（已决定自 %(month)s 起停发）")
            % {"status": label, "month": entitlement.end_month}
        )
    return label


ENTITLEMENT = Workflow(
    [
        Move(
            "suspend",
            frozenset({Status.ACTIVE}),
            "entitlements.manage",
            _("暂停发放"),
            target=Status.SUSPENDED,
            main=False,
            guard=_not_decided,
        ),
        Move(
            "resume",
            frozenset({Status.SUSPENDED}),
            "entitlements.manage",
            _("恢复发放"),
            target=Status.ACTIVE,
            guard=_not_decided,
        ),
        Move(
            "change_report",
            REVIEWED,
            "entitlements.manage",
            _("家庭变化报告"),
            main=False,
            guard=_not_decided,
        ),
        Move("death", LIVE, "entitlements.manage", _("登记成员死亡"), main=False),
        Move(
            "sanction",
            frozenset({Status.ACTIVE}),
            "entitlements.decide",
            _("拒绝就业减发"),
            main=False,
            guard=_program(Program.DIBAO),
        ),
        Move(
            "lift_sanction",
            LIVE,
            "entitlements.decide",
            _("解除减发"),
            main=False,
            guard=_sanction_open,
        ),
        Move(
            "gradual_exit",
            frozenset({Status.ACTIVE}),
            "entitlements.decide",
            _("转入渐退期"),
            target=Status.GRADUAL_EXIT,
            main=False,
            guard=_gradual_exit,
        ),
        Move(
            "decide_termination",
            REVIEWED,
            "entitlements.decide",
            _("决定是否终止"),
            guard=_proposed,
            form="terminate",
            waits=False,
        ),
        Move(
            "notice",
            REVIEWED,
            "entitlements.manage",
            _("终止公示（7天）"),
            target=Status.TERMINATION_NOTICE,
            main=False,
            guard=_program(Program.TEKUN),
        ),
        Move(
            "objection",
            frozenset({Status.TERMINATION_NOTICE}),
            "entitlements.manage",
            _("登记公示异议"),
            main=False,
            guard=_in_notice,
        ),
        Move(
            "conclude",
            frozenset({Status.TERMINATION_NOTICE}),
            "entitlements.decide",
            _("公示期满终止供养"),
            guard=_notice_over,
        ),
        Move(
            "cancel",
            frozenset({Status.ACTIVE, Status.SUSPENDED, Status.TERMINATION_NOTICE}),
            "entitlements.decide",
            _("撤销终止"),
            main=False,
            guard=_cancellable,
        ),
        Move(
            "terminate",
            REVIEWED,
            "entitlements.decide",
            _("终止救助"),
            main=False,
            guard=_not_program(Program.TEKUN, _("特困人员终止须先公示7天")),
        ),
    ],
    state=lambda entitlement: entitlement.status,
    state_label=_entitlement_state,
    due=_entitlement_due,
)
"""The entitlement's transition table: actions check their move here on the locked row; the
page offers the moves ``allowed`` and shows ``next_step``."""


def _reassessable(task: ReviewTask, user: Staff, today: dt.date) -> Text | None:
    if task.kind not in REASSESSED_TASKS:
        return _("该任务不需重新核算，请直接办结")
    entitlement = task.entitlement
    if entitlement.status not in REVIEWED:
        return _("待遇处于“%(status)s”状态，不能重新核算；请直接办结任务") % {
            "status": entitlement.get_status_display()
        }
    return None


TASK = Workflow(
    [
        Move(
            "complete",
            frozenset({TaskStatus.OPEN}),
            "entitlements.manage",
            _("重新核算并完成核查"),
            target=TaskStatus.DONE,
            guard=_reassessable,
        ),
        Move(
            "close",
            frozenset({TaskStatus.OPEN}),
            "entitlements.manage",
            _("办结"),
            target=TaskStatus.DONE,
        ),
    ],
    state=lambda task: task.status,
    state_label=lambda task: str(task.get_status_display()),
    due=lambda task, today: task.due_on if task.status == TaskStatus.OPEN else None,
)
"""A review task's transition table (the task page and ``reviews.complete_review`` /
``close_task`` ask it)."""
