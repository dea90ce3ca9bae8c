"""The application state machine and its statutory deadlines.

Stages and moves (最低生活保障审核确认办法 Art. 10–22; 特困人员认定办法 Art. 13–17):

    awaiting_materials ──complete──▶ accepted ──verify──▶ home_visit ──visit──▶ township_review
    township_review ──approve──▶ public_notice ──close (after 7 days)──▶ district_confirmation
    township_review ──reject──▶ district_confirmation
    public_notice ──objection──▶ objection_review ──resolve──▶ township_review
    district_confirmation ──confirm (a second person)──▶ approved | rejected
    any open stage ──terminate──▶ terminated

Deadlines, in working days (``jiuzhu.web.workcalendar``), each a dated number of the rules'
procedure tree (``jiuzhu.rules.procedure``, ``procedure.application.*``):

- investigation starts within 3 of acceptance (Art. 15);
- the whole procedure within 30 of acceptance, 45 when extended for special reasons, 20 where
  confirmation is delegated to the township (Art. 22 and the 2022 notice);
- tekun: investigation within 15 of acceptance, confirmation within 15 of the district's
  receipt (特困人员认定办法 Art. 13, 16); dibao: the district decides within 10 (Art. 20);
- a rejection is notified in writing within 3 of the decision (Art. 21).

A deadline that reaches a year without a calendar has no date ("缺 2027 年日历"): it is neither
overdue nor due soon, and the application's other deadlines keep theirs.

The public notice lasts 7 calendar days (Art. 19) and ends on a working day
(``workcalendar.periods.NOTICE_END``: 民法典 第二百零三条 by analogy, confidence low); while the
calendar of its last day's year is missing the notice cannot be closed (its end may still move).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jiuzhu.rules import registry
from jiuzhu.rules.procedure import PREFIX, PUBLIC_NOTICE_DAYS, WORKING_CHOICE, rule
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core.months import add_months, month_of
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.transitions import Move, Refused, Text, Workflow
from jiuzhu.web.core.users import Staff
from jiuzhu.web.workcalendar.periods import NOTICE_END, NoticePeriod, notice_period
from jiuzhu.web.workcalendar.working_days import Calendar, load_calendar, missing_text

OPEN = frozenset(
    {
        Stage.AWAITING_MATERIALS,
        Stage.ACCEPTED,
        Stage.HOME_VISIT,
        Stage.TOWNSHIP_REVIEW,
        Stage.PUBLIC_NOTICE,
        Stage.OBJECTION_REVIEW,
        Stage.DISTRICT_CONFIRMATION,
    }
)

APPLICATION_STEPS = PREFIX + "application."
DECISION = "decision_working_days"
DECISION_EXTENDED = "decision_extended_working_days"
DECISION_DELEGATED = "decision_delegated_working_days"
DUE_SOON_WORKING_DAYS = WORKING_CHOICE + "application_due_soon_working_days"
"""The procedure's numbers of an application (``jiuzhu.rules.procedure``)."""
NOTICE_BASIS = _("《最低生活保障审核确认办法》第十九条")
"""The text that sets the notice's length (the tekun procedure has the same: 《特困人员认定办法》
第十五条)."""

TransitionError = Refused
"""A move the workflow does not allow now (nothing changes); the message says why."""


def notice_days(posted: dt.date) -> int:
    """公示期为7天 (Art. 19): the calendar days of the public notice posted on ``posted``
    (``procedure.application.public_notice_days``), ending on a working day (``notice_period``)."""
    return rule(PUBLIC_NOTICE_DAYS).number(posted)


def _authorised(application: Application, user: Staff, today: dt.date) -> Text | None:
    if not registry.program(application.program).means_tested:
        return None  # no economic check: nothing to authorise
    if not application.authorisation_signed:
        return _("未签署家庭经济状况核对授权书，不能核对")
    return None


def _notice_over(application: Application, user: Staff, today: dt.date) -> Text | None:
    end = application.notice_ends_on
    if end is None or today <= end:
        start = application.notice_starts_on or today
        return _("公示期未满%(days)s天（%(end)s 结束），期满后才能结束公示") % {
            "days": notice_days(start),
            "end": end.isoformat() if end else "—",
        }
    period = notice_period_of(application)
    if period is not None and not period.final:
        return _("%(missing)s：公示期满日可能顺延，录入该年日历后才能结束公示") % {
            "missing": period.missing
        }
    return None


def notice_rule(application: Application) -> str:
    """What the application's page says about its public notice: 7 calendar days (Art. 19)
    and the end on a non-working day (``NOTICE_END``, with its source and confidence); empty
    before the notice."""
    start = application.notice_starts_on
    if start is None:
        return ""
    return NOTICE_END.explanation(start, notice_days(start), str(NOTICE_BASIS))


def notice_period_of(application: Application) -> NoticePeriod | None:
    """The application's public notice as the calendar now gives it (None before the notice):
    ``NoticePeriod.final`` is false while its last day's year has no calendar. Two queries."""
    start = application.notice_starts_on
    return None if start is None else public_notice(start)


def public_notice(posted: dt.date) -> NoticePeriod:
    """The public notice of an application posted on ``posted`` (7 days, Art. 19; the end moved
    to a working day, ``NOTICE_END``). Two queries."""
    days = notice_days(posted)
    end = posted + dt.timedelta(days=days)
    return notice_period(posted, days, load_calendar(range(posted.year, end.year + 2)))


def _in_notice(application: Application, user: Staff, today: dt.date) -> Text | None:
    start, end = application.notice_starts_on, application.notice_ends_on
    if start is None or end is None or not start <= today <= end:
        return _("异议应在公示期内提出")
    return None


def _not_proposed(application: Application, user: Staff, today: dt.date) -> Text | None:
    if application.proposed_outcome:
        return _("已有拟确认意见（%(name)s 提出），待另一人审核确认") % {
            "name": application.proposed_by
        }
    return None


def _proposed(application: Application, user: Staff, today: dt.date) -> Text | None:
    if not application.proposed_outcome or application.proposed_by_id is None:
        return _("尚无拟确认意见")
    return None


def _proposed_and_checked(application: Application, user: Staff, today: dt.date) -> Text | None:
    reason = _proposed(application, user, today)
    if reason is None and application.spot_check_selected and not application.spot_check_note:
        return _("该特困申请已被抽查，须先记录抽查核实情况")
    return reason


def _not_the_proposer(application: Application, user: Staff, today: dt.date) -> Text | None:
    if user is not None and application.proposed_by_id == user.pk:
        return _("拟确认人不能确认自己的意见（审核与确认分离）")
    return None


def _checker_note(application: Application) -> Text | None:
    if application.proposed_by_id is None:
        return None
    return _("确认人不能是提出拟确认意见的 %(name)s") % {"name": application.proposed_by}


def _spot_check_due(application: Application, user: Staff, today: dt.date) -> Text | None:
    if not application.spot_check_selected:
        return _("该申请未被抽中抽查")
    if application.spot_check_note:
        return _("已记录抽查核实情况")
    return None


def _notice_not_issued(application: Application, user: Staff, today: dt.date) -> Text | None:
    if application.notice_issued_on is not None:
        return _("决定通知书已送达")
    return None


def _not_extended(application: Application, user: Staff, today: dt.date) -> Text | None:
    if application.extended:
        return _("已延长过办理期限")
    return None


def _assessment_current(application: Application, user: Staff, today: dt.date) -> Text | None:
    if application.reassessment_due:
        return _("评估后家庭登记信息有变更，须先重新评估")
    return None


def _reassessment_due(application: Application, user: Staff, today: dt.date) -> Text | None:
    if not application.reassessment_due:
        return _("评估后登记信息没有变更")
    return None


def _proposable(application: Application, user: Staff, today: dt.date) -> Text | None:
    return _assessment_current(application, user, today) or _not_proposed(application, user, today)


def _confirmable(application: Application, user: Staff, today: dt.date) -> Text | None:
    return _assessment_current(application, user, today) or _proposed_and_checked(
        application, user, today
    )


def _due(application: Application, today: dt.date) -> dt.date | None:
    found = deadlines(application, load_calendar(years_needed(application)))
    return min((d.due for d in found if not d.done and d.due is not None), default=None)


APPLICATION = Workflow(
    [
        Move(
            "complete_materials",
            frozenset({Stage.AWAITING_MATERIALS}),
            "cases.apply",
            _("补交材料"),
            target=Stage.ACCEPTED,
            form="materials",
        ),
        Move(
            "verify",
            frozenset({Stage.ACCEPTED}),
            "cases.verify",
            _("发起核对"),
            target=Stage.HOME_VISIT,
            guard=_authorised,
        ),
        Move(
            "home_visit",
            frozenset({Stage.HOME_VISIT}),
            "cases.home_visit",
            _("记录入户调查"),
            target=Stage.TOWNSHIP_REVIEW,
        ),
        Move(
            "reassess",
            frozenset(
                {
                    Stage.HOME_VISIT,
                    Stage.TOWNSHIP_REVIEW,
                    Stage.PUBLIC_NOTICE,
                    Stage.OBJECTION_REVIEW,
                    Stage.DISTRICT_CONFIRMATION,
                }
            ),
            "cases.verify",
            _("重新评估"),
            guard=_reassessment_due,
            waits=False,
        ),
        Move(
            "approve",
            frozenset({Stage.TOWNSHIP_REVIEW}),
            "cases.township_opinion",
            _("提出审核意见"),
            target=Stage.PUBLIC_NOTICE,
            form="opinion",
            guard=_assessment_current,
        ),
        Move(
            "approve_unpublished",
            frozenset({Stage.TOWNSHIP_REVIEW}),
            "cases.township_opinion",
            _("提出审核意见"),
            target=Stage.DISTRICT_CONFIRMATION,
            form="opinion",
            listed=False,
            guard=_assessment_current,
        ),
        Move(
            "reject",
            frozenset({Stage.TOWNSHIP_REVIEW}),
            "cases.township_opinion",
            _("提出审核意见"),
            target=Stage.DISTRICT_CONFIRMATION,
            form="opinion",
            listed=False,
            guard=_assessment_current,
        ),
        Move(
            "close_notice",
            frozenset({Stage.PUBLIC_NOTICE}),
            "cases.public_notice",
            _("结束公示并报送"),
            target=Stage.DISTRICT_CONFIRMATION,
            guard=_notice_over,
        ),
        Move(
            "objection",
            frozenset({Stage.PUBLIC_NOTICE}),
            "cases.objection",
            _("登记公示异议"),
            target=Stage.OBJECTION_REVIEW,
            main=False,
            guard=_in_notice,
        ),
        Move(
            "resolve_objection",
            frozenset({Stage.OBJECTION_REVIEW}),
            "cases.objection",
            _("记录异议处理结果"),
            target=Stage.TOWNSHIP_REVIEW,
            form="resolve",
        ),
        Move(
            "spot_check",
            frozenset({Stage.DISTRICT_CONFIRMATION}),
            "cases.confirm",
            _("记录抽查核实情况"),
            guard=_spot_check_due,
            waits=False,
        ),
        Move(
            "propose",
            frozenset({Stage.DISTRICT_CONFIRMATION}),
            "cases.propose_confirmation",
            _("提出拟确认意见"),
            guard=_proposable,
        ),
        Move(
            "confirm_approve",
            frozenset({Stage.DISTRICT_CONFIRMATION}),
            "cases.confirm",
            _("审核确认"),
            target=Stage.APPROVED,
            guard=_confirmable,
            person_guard=_not_the_proposer,
            actor_note=_checker_note,
            form="confirm",
        ),
        Move(
            "confirm_reject",
            frozenset({Stage.DISTRICT_CONFIRMATION}),
            "cases.confirm",
            _("审核确认"),
            target=Stage.REJECTED,
            guard=_confirmable,
            person_guard=_not_the_proposer,
            form="confirm",
            listed=False,
        ),
        Move(
            "return_proposal",
            frozenset({Stage.DISTRICT_CONFIRMATION}),
            "cases.confirm",
            _("退回拟确认意见"),
            main=False,
            guard=_proposed,
            person_guard=_not_the_proposer,
        ),
        Move(
            "notice",
            frozenset({Stage.APPROVED, Stage.REJECTED}),
            "cases.notify",
            _("记录决定通知书送达"),
            guard=_notice_not_issued,
            waits=False,
        ),
        Move(
            "extend",
            frozenset({Stage.ACCEPTED, Stage.HOME_VISIT, Stage.TOWNSHIP_REVIEW}),
            "cases.manage",
            _("延长办理期限"),
            main=False,
            guard=_not_extended,
        ),
        Move("terminate", OPEN, "cases.manage", _("终止办理"), target=Stage.TERMINATED, main=False),
    ],
    state=lambda application: application.stage,
    state_label=lambda application: str(application.get_stage_display()),
    due=_due,
)
"""The application's transition table: every action checks its move here on the locked row,
the page offers the moves ``allowed`` and shows ``next_step``."""


def next_stage(application: Application, action: str) -> str:
    """The stage ``action`` leads to from the application's stage (its own if it stays).

    Raises:
        TransitionError: not allowed from this stage.
    """
    reason = APPLICATION.state_refusal(application, action)
    if reason:
        raise TransitionError(reason)
    return APPLICATION[action].target or application.stage


def overall_limit(application: Application) -> int:
    """Working days allowed from acceptance to the decision (Art. 22: 30, 45 when extended for
    special reasons, 20 where confirmation is delegated to the township), as in force on the
    day of acceptance."""
    on = application.accepted_on or application.created_at.date()
    if application.extended:
        return _days(DECISION_EXTENDED, on)
    if settings.JIUZHU.get("CONFIRMATION_DELEGATED_TO_TOWNSHIP"):
        return _days(DECISION_DELEGATED, on)
    return _days(DECISION, on)


def _days(name: str, on: dt.date) -> int:
    """The procedural number ``procedure.application.<name>`` in force on ``on``."""
    return rule(APPLICATION_STEPS + name).number(on)


@dataclass(frozen=True)
class Deadline:
    """One statutory deadline of an application: its date, or (``due`` None) the calendar year
    it waits for (``missing_year``, shown as ``missing``: "缺 2027 年日历")."""

    label: str
    due: dt.date | None
    done: bool
    missing_year: int | None = None

    @property
    def missing(self) -> str:
        return missing_text(self.missing_year) if self.missing_year is not None else ""

    def overdue(self, today: dt.date) -> bool:
        """Past its date and not done; never for a deadline whose date is unknown."""
        return not self.done and self.due is not None and today > self.due

    def due_soon(self, today: dt.date, calendar: Calendar, within: int | None = None) -> bool:
        """Due within ``within`` working days from ``today`` (default: the working choice
        ``procedure.working_choice.application_due_soon_working_days``, 3). When those working
        days reach a year without a calendar, every known deadline from today on is within them."""
        if self.done or self.due is None or self.overdue(today):
            return False
        if within is None:
            within = rule(DUE_SOON_WORKING_DAYS).number(today)
        soon = calendar.due(today, within).on
        return soon is None or self.due <= soon


def _deadline(label: str, calendar: Calendar, start: dt.date, days: int, done: bool) -> Deadline:
    found = calendar.due(start, days)
    return Deadline(label, found.on, done, found.missing_year)


def _followup(application: Application) -> list[Deadline]:
    if not application.fast_path or application.followup_due_on is None:
        return []
    done = application.stage in (Stage.APPROVED, Stage.REJECTED, Stage.TERMINATED)
    label = _("先行救助后补齐审核审批手续")
    return [Deadline(str(label), application.followup_due_on, done, None)]


def deadlines(application: Application, calendar: Calendar) -> list[Deadline]:
    """The deadlines that apply to the application now. One that reaches a year ``calendar``
    lacks has no date (``Deadline.missing_year``); the others keep theirs. Help given first
    (先行救助) adds the day its paperwork is to be complete: the decision."""
    followup = _followup(application)
    if application.accepted_on is None:
        return followup
    accepted = application.accepted_on
    stage = application.stage
    decided = stage in (Stage.APPROVED, Stage.REJECTED, Stage.TERMINATED)
    investigated = stage not in (Stage.ACCEPTED, Stage.HOME_VISIT)
    limit = overall_limit(application)
    start_days = _days("investigation_start_working_days", accepted)
    result = [
        _deadline(
            str(_("启动调查（受理后%(days)s个工作日）") % {"days": start_days}),
            calendar,
            accepted,
            start_days,
            stage != Stage.ACCEPTED,
        ),
        _deadline(
            str(_("办结（受理后%(days)s个工作日）") % {"days": limit}),
            calendar,
            accepted,
            limit,
            decided,
        ),
    ]
    if application.program == Program.TEKUN:
        days = _days("tekun_investigation_working_days", accepted)
        result.append(
            _deadline(
                str(_("特困调查（受理后%(days)s个工作日）") % {"days": days}),
                calendar,
                accepted,
                days,
                investigated,
            )
        )
    if application.district_received_on is not None:
        days = _days(
            "tekun_confirmation_working_days"
            if application.program == Program.TEKUN
            else "dibao_confirmation_working_days",
            application.district_received_on,
        )
        result.append(
            _deadline(
                str(_("区级审核确认（收到材料后%(days)s个工作日）") % {"days": days}),
                calendar,
                application.district_received_on,
                days,
                decided,
            )
        )
    result += followup
    if stage == Stage.REJECTED and application.decided_on is not None:
        days = _days("rejection_notice_working_days", application.decided_on)
        result.append(
            _deadline(
                str(_("书面告知不予确认理由（决定后%(days)s个工作日）") % {"days": days}),
                calendar,
                application.decided_on,
                days,
                application.notice_issued_on is not None,
            )
        )
    return result


def deadline_starts(application: Application) -> list[dt.date]:
    """The days the application's deadlines are counted from (acceptance, the district's
    receipt, the decision)."""
    return [
        day
        for day in (
            application.accepted_on,
            application.district_received_on,
            application.decided_on,
        )
        if day is not None
    ]


def years_needed(application: Application) -> set[int]:
    """Calendar years a deadline computation may touch (each start's year and the next)."""
    starts = deadline_starts(application) or [application.created_at.date()]
    return {year for day in starts for year in (day.year, day.year + 1)}


def next_month(day: dt.date) -> str:
    """``YYYY-MM`` of the month after ``day``: payment starts the month after the decision
    (Art. 21: 从作出确认同意决定之日下月起发放)."""
    return add_months(month_of(day), 1)
