"""The application state machine and its statutory deadlines.

Stages and moves (最低生活保障审核确认办法 Art. 10–22; 特困人员认定办法 Art. 13–17):

    awaiting_materials ──complete──▶ accepted ──verify──▶ home_visit ──visit──▶ township_review
    township_review ──approve──▶ public_notice ──close (after 7 days)──▶ district_confirmation
    township_review ──reject──▶ district_confirmation
    public_notice ──objection──▶ objection_review ──resolve──▶ township_review
    district_confirmation ──confirm (a second person)──▶ approved | rejected
    any open stage ──terminate──▶ terminated

Deadlines, in working days (``jiuzhu.web.workcalendar``):

- investigation starts within 3 of acceptance (Art. 15);
- the whole procedure within 30 of acceptance, 45 when extended for special reasons, 20 where
  confirmation is delegated to the township (Art. 22 and the 2022 notice);
- tekun: investigation within 15 of acceptance, confirmation within 15 of the district's
  receipt (特困人员认定办法 Art. 13, 16); dibao: the district decides within 10 (Art. 20);
- a rejection is notified in writing within 3 of the decision (Art. 21).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.models import Application, Program, Stage
from jiuzhu.web.months import add_months, month_of
from jiuzhu.web.workcalendar.working_days import Calendar

TRANSITIONS: dict[tuple[str, str], str] = {
    (Stage.AWAITING_MATERIALS, "complete_materials"): Stage.ACCEPTED,
    (Stage.ACCEPTED, "verify"): Stage.HOME_VISIT,
    (Stage.HOME_VISIT, "home_visit"): Stage.TOWNSHIP_REVIEW,
    (Stage.TOWNSHIP_REVIEW, "approve"): Stage.PUBLIC_NOTICE,
    (Stage.TOWNSHIP_REVIEW, "reject"): Stage.DISTRICT_CONFIRMATION,
    (Stage.PUBLIC_NOTICE, "objection"): Stage.OBJECTION_REVIEW,
    (Stage.OBJECTION_REVIEW, "resolve_objection"): Stage.TOWNSHIP_REVIEW,
    (Stage.PUBLIC_NOTICE, "close_notice"): Stage.DISTRICT_CONFIRMATION,
    (Stage.DISTRICT_CONFIRMATION, "confirm_approve"): Stage.APPROVED,
    (Stage.DISTRICT_CONFIRMATION, "confirm_reject"): Stage.REJECTED,
}
TERMINABLE = frozenset(
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
NOTICE_DAYS = 7
"""公示期为7天 (Art. 19): seven calendar days."""


class TransitionError(Exception):
    """A move the workflow does not allow from the application's stage (nothing changes)."""


def next_stage(application: Application, action: str) -> str:
    """The stage ``action`` leads to from the application's stage.

    Raises:
        TransitionError: not allowed from this stage.
    """
    if action == "terminate" and application.stage in TERMINABLE:
        return Stage.TERMINATED
    try:
        return TRANSITIONS[(application.stage, action)]
    except KeyError:
        raise TransitionError(
            _("“%(stage)s”环节不能执行该操作") % {"stage": application.get_stage_display()}
        ) from None


def overall_limit(application: Application) -> int:
    """Working days allowed from acceptance to the decision."""
    if application.extended:
        return 45
    if settings.JIUZHU.get("CONFIRMATION_DELEGATED_TO_TOWNSHIP"):
        return 20
    return 30


@dataclass(frozen=True)
class Deadline:
    """One statutory deadline of an application."""

    label: str
    due: dt.date
    done: bool

    def overdue(self, today: dt.date) -> bool:
        return not self.done and today > self.due

    def due_soon(self, today: dt.date, calendar: Calendar, within: int = 3) -> bool:
        return (
            not self.done
            and not self.overdue(today)
            and (self.due <= calendar.add_working_days(today, within))
        )


def deadlines(application: Application, calendar: Calendar) -> list[Deadline]:
    """The deadlines that apply to the application now.

    Raises:
        CalendarMissingError: a deadline falls in a year the holiday table does not cover.
    """
    if application.accepted_on is None:
        return []
    accepted = application.accepted_on
    stage = application.stage
    decided = stage in (Stage.APPROVED, Stage.REJECTED, Stage.TERMINATED)
    investigated = stage not in (Stage.ACCEPTED, Stage.HOME_VISIT)
    result = [
        Deadline(
            str(_("启动调查（受理后3个工作日）")),
            calendar.add_working_days(accepted, 3),
            stage != Stage.ACCEPTED,
        ),
        Deadline(
            str(_("办结（受理后%(days)s个工作日）") % {"days": overall_limit(application)}),
            calendar.add_working_days(accepted, overall_limit(application)),
            decided,
        ),
    ]
    if application.program == Program.TEKUN:
        result.append(
            Deadline(
                str(_("特困调查（受理后15个工作日）")),
                calendar.add_working_days(accepted, 15),
                investigated,
            )
        )
    if application.district_received_on is not None:
        days = 15 if application.program == Program.TEKUN else 10
        result.append(
            Deadline(
                str(_("区级审核确认（收到材料后%(days)s个工作日）") % {"days": days}),
                calendar.add_working_days(application.district_received_on, days),
                decided,
            )
        )
    if stage == Stage.REJECTED and application.decided_on is not None:
        result.append(
            Deadline(
                str(_("书面告知不予确认理由（决定后3个工作日）")),
                calendar.add_working_days(application.decided_on, 3),
                application.notice_issued_on is not None,
            )
        )
    return result


def years_needed(application: Application) -> set[int]:
    """Calendar years a deadline computation may touch (the acceptance year and the next)."""
    start = application.accepted_on or application.created_at.date()
    return {start.year, start.year + 1}


def next_month(day: dt.date) -> str:
    """``YYYY-MM`` of the month after ``day``: payment starts the month after the decision
    (Art. 21: 从作出确认同意决定之日下月起发放)."""
    return add_months(month_of(day), 1)
