"""Ending entitlements (动态管理; 最低生活保障审核确认办法 Art. 32–33, 特困人员认定办法 Art. 24–26;
numbers and sources in ``jiuzhu.rules.procedure``):

- **gradual exit** (``start_gradual_exit``, Art. 33): the amount continues ``GRADUAL_EXIT_MONTHS``
  months after the decision, then the entitlement ends;
- **termination**: tekun with a 7-day public notice and the stop from the following month
  (``start_termination_notice``, ``record_termination_objection``, ``cancel_termination``,
  ``conclude_termination``; 特困人员认定办法 Art. 26) and a follow-up task for dibao or temporary
  assistance; dibao and near-dibao with a written notice and reasons (``terminate``, Art. 32).

A decided termination sets ``end_month`` (the first month not paid) and keeps a payable status
until that month comes; ``scheduled.finalise_terminations`` then marks it terminated.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.procedure import GRADUAL_EXIT, OBJECTION_WORKING_DAYS, DatedValue, rule
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.core import clock
from jiuzhu.web.core.months import (
    add_months,
    add_years,
    first_day,
    month_of,
)
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.reviews import _finish_task, open_task
from jiuzhu.web.entitlements.actions.writes import (
    _add_version,
    _check,
    _event,
    _locked,
    _reason,
    latest_version,
)
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementEvent,
    ReviewTask,
    Status,
    TaskKind,
    TaskOutcome,
    TaskStatus,
    TerminationGrounds,
    VersionBasis,
)
from jiuzhu.web.entitlements.workflow import termination_notice
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.workcalendar import working_days

# --- gradual exit ----------------------------------------------------------------------------


def gradual_exit_rule(on: dt.date) -> DatedValue | None:
    """The gradual-exit period in force on ``on`` (None before Tianjin adopted it, 2024)."""
    return rule(GRADUAL_EXIT).at(on)


def start_gradual_exit(
    user: Staff, entitlement: Entitlement, *, reason: str, task: ReviewTask | None = None
) -> Entitlement:
    """Give a dibao household whose income rose above the standard after a member found work a
    gradual exit (渐退, 最低生活保障审核确认办法 Art. 33): its current amount is paid for the
    ``GRADUAL_EXIT_MONTHS`` months after this one (6 from 2024-01-01, confidence low), then the
    entitlement ends (``end_month`` = ``gradual_exit_until``). The months are recorded as a
    version (basis ``gradual_exit``) closed at the end.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: not dibao, not active, no
            reason, or no gradual exit in force today.
    """
    reason = _reason(reason)
    today = clock.today()
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "gradual_exit")
        rule = gradual_exit_rule(today)
        assert rule is not None  # the move's guard refuses a day without a gradual exit
        latest = latest_version(entitlement)
        start = next_month(today)
        until = add_months(start, rule.whole)
        _add_version(
            user,
            entitlement,
            amount=latest.monthly_amount if latest else 0,
            valid_from=start,
            valid_to=until,
            basis=VersionBasis.GRADUAL_EXIT,
            reason=recorded(
                "渐退期 %(months)s 个月（%(start)s 至 %(until)s 前）：%(reason)s",
                months=rule.value,
                start=start,
                until=until,
                reason=reason,
            ),
            parameter_digest=latest.parameter_digest if latest else "",
        )
        before = entitlement.status
        entitlement.status = Status.GRADUAL_EXIT
        entitlement.gradual_exit_until = until
        entitlement.end_month = until
        entitlement.termination_grounds = TerminationGrounds.GRADUAL_EXIT_END
        entitlement.termination_reason = reason
        entitlement.terminated_on = today
        _event(
            user,
            entitlement,
            "gradual_exit",
            before,
            reason,
            until=until,
            months=rule.value,
            confidence=rule.confidence,
        )
        if task is not None:
            _finish_task(user, task, TaskOutcome.GRADUAL_EXIT, reason)
    return entitlement


# --- termination -----------------------------------------------------------------------------


def start_termination_notice(
    user: Staff,
    entitlement: Entitlement,
    *,
    grounds: str,
    reason: str,
    task: ReviewTask | None = None,
) -> Entitlement:
    """Publish a proposed tekun termination for 7 days in the community (特困人员认定办法
    Art. 26), ending on a working day (``workflow.termination_notice``). Support continues
    during the notice.

    Raises:
        PermissionDenied; ValidationError: not tekun, not active or suspended, unknown grounds,
            no reason.
    """
    reason = _reason(reason)
    if grounds not in TerminationGrounds.values:
        raise ValidationError({"grounds": _("请选择终止原因")})
    today = clock.today()
    # 7 calendar days ending on a working day (provisional while its year's calendar is
    # missing: counted again when the year is entered, and not concluded before).
    notice = termination_notice(today)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "notice")
        before = entitlement.status
        entitlement.status = Status.TERMINATION_NOTICE
        entitlement.termination_grounds = grounds
        entitlement.termination_reason = reason
        entitlement.termination_proposed_on = entitlement.termination_proposed_on or today
        entitlement.notice_starts_on = notice.starts_on
        entitlement.notice_ends_on = notice.ends_on
        _event(user, entitlement, "termination_notice", before, reason, grounds=grounds)
        if task is None and grounds == TerminationGrounds.AGE:
            # The notice is what the age check asked for (Art. 24): it is done.
            task = entitlement.tasks.filter(kind=TaskKind.TEKUN_AGE, status=TaskStatus.OPEN).first()
        if task is not None:
            _finish_task(user, task, TaskOutcome.TERMINATION_PROPOSED, reason)
    return entitlement


def record_termination_objection(
    user: Staff, entitlement: Entitlement, *, content: str, received_on: dt.date
) -> ReviewTask:
    """An objection to a tekun termination notice: it is investigated and decided within 15
    working days (counted with the holiday calendar; unknown while the year it reaches has no
    calendar, and counted when it is entered); the termination cannot be concluded while the
    task is open.

    Raises:
        PermissionDenied; ValidationError: no content, not in notice, a date outside the notice.
    """
    content = _reason(content, "content")
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "objection")
        if not (
            entitlement.notice_starts_on
            and entitlement.notice_ends_on
            and entitlement.notice_starts_on <= received_on <= entitlement.notice_ends_on
        ):
            raise ValidationError({"received_on": _("异议应在公示期内提出")})
        objection = rule(OBJECTION_WORKING_DAYS)
        days = objection.number(received_on)
        earlier = entitlement.tasks.filter(kind=TaskKind.TERMINATION_OBJECTION).count()
        task = open_task(
            user,
            entitlement,
            TaskKind.TERMINATION_OBJECTION,
            f"objection:{earlier + 1}",
            working_days.due(received_on, days).on,
            due_from=received_on,
            due_working_days=days,
            due_rule=objection.label,
            reason=content,
        )
        EntitlementEvent.objects.create(
            entitlement=entitlement,
            user=user,
            action="termination_objection",
            from_status=entitlement.status,
            to_status=entitlement.status,
            note=content,
        )
    return task


def cancel_termination(user: Staff, entitlement: Entitlement, *, reason: str) -> Entitlement:
    """Withdraw a termination notice or proposal (an objection was upheld, or the
    investigation found the household still eligible): back to normal payment; open objection
    tasks are closed.

    Raises:
        PermissionDenied; ValidationError: no reason, nothing to cancel.
    """
    reason = _reason(reason)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "cancel")
        before = entitlement.status
        if entitlement.status == Status.TERMINATION_NOTICE:
            entitlement.status = Status.ACTIVE
        entitlement.termination_grounds = ""
        entitlement.termination_reason = ""
        entitlement.termination_proposed_on = None
        entitlement.notice_starts_on = None
        entitlement.notice_ends_on = None
        _event(user, entitlement, "cancel_termination", before, reason)
        for task in entitlement.tasks.filter(
            kind=TaskKind.TERMINATION_OBJECTION, status=TaskStatus.OPEN
        ):
            _finish_task(user, task, TaskOutcome.CLOSED, reason)
    return entitlement


def conclude_termination(user: Staff, entitlement: Entitlement, *, note: str = "") -> Entitlement:
    """End a tekun entitlement after its 7-day notice ran without an open objection: support
    stops from the following month (Art. 26). For a minor who turned 18 (Art. 24) support runs
    to the month of the 18th birthday at least, so the stop is the later of the month after
    today and the month after the birthday. A follow-up task checks dibao or temporary
    assistance for the person, due by the first month without support.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: not in notice, the notice has
            not run 7 days, or an objection is still open.
    """
    today = clock.today()
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "conclude")
        end = next_month(today)
        if entitlement.termination_grounds == TerminationGrounds.AGE and entitlement.person:
            end = max(end, month_after_age_limit(entitlement.person.birth_date, today))
        _end(user, entitlement, end, note or entitlement.termination_reason, today)
        open_task(
            user,
            entitlement,
            TaskKind.FOLLOW_UP,
            "follow_up",
            first_day(end),
            due_rule=recorded("特困供养终止后，于停发前核查是否符合低保或临时救助"),
            reason=recorded(
                "特困人员救助供养终止（%(grounds)s），核查低保或临时救助",
                grounds=TerminationGrounds(entitlement.termination_grounds).label
                if entitlement.termination_grounds
                else "",
            ),
            person=entitlement.person,
        )
    return entitlement


def month_after_age_limit(
    birth_date: dt.date, on: dt.date, system: RuleSystem | None = None
) -> str:
    """The first month after the month a tekun minor reaches the age limit (18 in Tianjin:
    ``tekun.minor_age_limit``; 特困人员认定办法 Art. 24: support continues until 18)."""
    return add_months(month_of(add_years(birth_date, age_limit(on, system))), 1)


def age_limit(on: dt.date, system: RuleSystem | None = None) -> int:
    """The tekun minor age limit in force on ``on`` (years; the rules engine's
    ``tekun.minor_age_limit``: 16 nationally, 18 in Tianjin since the 2021 measures)."""
    value = (system or rules_system()).parameters["tekun.minor_age_limit"].at(on).value
    if not isinstance(value, int):
        raise ValueError(f"tekun.minor_age_limit is {value!r} on {on}")
    return value


def terminate(
    user: Staff,
    entitlement: Entitlement,
    *,
    grounds: str,
    reason: str,
    notice_issued_on: dt.date,
) -> Entitlement:
    """End a dibao or near-dibao entitlement with a written notice giving the reasons
    (最低生活保障审核确认办法 Art. 32): payment stops from the following month.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: tekun (ends by notice), already
            ended, unknown grounds, no reasons, a notice date in the future.
    """
    reason = _reason(reason)
    if grounds not in TerminationGrounds.values:
        raise ValidationError({"grounds": _("请选择终止原因")})
    today = clock.today()
    if notice_issued_on > today:
        raise ValidationError({"notice_issued_on": _("送达日期不能晚于今天")})
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "terminate")
        entitlement.termination_grounds = grounds
        entitlement.notice_issued_on = notice_issued_on
        _end(user, entitlement, next_month(today), reason, today)
    return entitlement


def _end(user: Staff, entitlement: Entitlement, end: str, reason: str, today: dt.date) -> None:
    """Decide the end: ``end_month`` is the first month not paid. The status stays payable until
    that month comes (``scheduled.finalise_terminations``), unless it has come already."""
    before = entitlement.status
    entitlement.end_month = end
    entitlement.terminated_on = today
    entitlement.termination_reason = reason
    if entitlement.status == Status.TERMINATION_NOTICE:
        entitlement.status = Status.ACTIVE
    if end <= month_of(today):
        entitlement.status = Status.TERMINATED
    latest = latest_version(entitlement)
    if latest is not None and (not latest.valid_to or latest.valid_to > end):
        latest.valid_to = max(end, latest.valid_from)
        latest.save(update_fields=["valid_to"])
    _event(user, entitlement, "terminate", before, reason, end_month=end)


__all__ = [
    "age_limit",
    "cancel_termination",
    "conclude_termination",
    "gradual_exit_rule",
    "month_after_age_limit",
    "record_termination_objection",
    "start_gradual_exit",
    "start_termination_notice",
    "terminate",
]
