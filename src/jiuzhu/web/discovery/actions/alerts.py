"""The alert workflow: assign, home visit, outcome, and the application an inclusion asks for.

Each action re-reads the alert under a row lock, asks the transition table
(``discovery.workflow.ALERT``) whether the user may make the move now — a refusal says why
(``Refused``: the stage or a condition; ``NotPermitted``: who may) — validates the input, writes
in one transaction and records an audit event. A refused action writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core import clock
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.users import Staff
from jiuzhu.web.discovery.models import (
    Alert,
    AlertStatus,
    AlertVisit,
    Department,
    Outcome,
)
from jiuzhu.web.discovery.workflow import ALERT, APPLICATION_WORKING_DAYS, outcome_move
from jiuzhu.web.registry.models import Membership
from jiuzhu.web.workcalendar.working_days import due

HANDLERS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.TOWNSHIP_CASEWORKER,
        Role.TOWNSHIP_HEAD,
        Role.DISTRICT_OFFICER,
        Role.DISTRICT_DIRECTOR,
    }
)
"""Roles an alert may be assigned to (never an auditor or an administrator)."""
MINIMUM_VISITORS = 2
"""A home visit is made by at least two staff, like an application's (最低生活保障审核确认办法
(民发〔2021〕57号) 第十六条: 每组调查人员不得少于2人)."""
_FIELDS = ["status", "assigned_to", "outcome", "program", "referred_to", "application"]


def _locked(alert: Alert) -> Alert:
    return (
        Alert.objects.select_for_update(of=("self",)).select_related("household").get(pk=alert.pk)
    )


def _check(user: Staff, alert: Alert, move: str) -> str:
    """The stage ``move`` leads to (the alert's own if it stays); raises the table's refusal."""
    return ALERT.check(user, alert, move, clock.today()) or alert.status


def assign(user: Staff, alert: Alert, assignee: User) -> Alert:
    """Assign the alert to a staff member of its owning division (a user whose jurisdiction
    lies inside the alert's division, in a role that handles alerts); an alert already assigned,
    visited or awaiting its application is reassigned, its stage unchanged.

    Raises:
        Refused: the alert is closed; NotPermitted: the user may not assign it;
        ValidationError: the assignee is outside the alert's division or may not handle alerts.
    """
    with transaction.atomic():
        alert = _locked(alert)
        move = "assign" if alert.status == AlertStatus.OPEN else "reassign"
        target = _check(user, alert, move)
        if assignee.role not in HANDLERS or not assignee.is_active:
            raise ValidationError({"assignee": _("该人员不能处理预警")})
        if not assignee.division_code.startswith(alert.division_code):
            raise ValidationError({"assignee": _("只能分派给预警责任区划内的工作人员")})
        before = snapshot(alert, ["assigned_to", "status"])
        alert.assigned_to = assignee
        alert.assigned_on = clock.today()
        alert.status = target
        alert.save(update_fields=["assigned_to", "assigned_on", "status"])
        record(
            user,
            "discovery.assign",
            alert,
            before=before,
            after=snapshot(alert, ["assigned_to", "status"]),
        )
    return alert


def _visitors(staff: Sequence[str]) -> list[str]:
    """The visiting staff, at least two different people.

    Raises:
        ValidationError: on ``staff_2``, fewer than two names or a name given twice.
    """
    names = [name.strip() for name in staff if name and name.strip()]
    if len(set(names)) < len(names):
        raise ValidationError({"staff_2": _("核实人员不能重复")})
    if len(names) < MINIMUM_VISITORS:
        raise ValidationError({"staff_2": _("入户核实人员不得少于2人")})
    return names


def record_visit(
    user: Staff,
    alert: Alert,
    *,
    visited_on: dt.date,
    staff: Sequence[str],
    findings: str,
) -> AlertVisit:
    """Record a home visit (入户核实) of the alert: the date, the visiting staff (at least two,
    ``MINIMUM_VISITORS``) and what they found. The first visit moves the alert to "visited";
    a further one before the outcome adds to the record.

    Raises:
        Refused: the alert has an outcome already; NotPermitted: the user may not handle it;
        ValidationError: fewer than two distinct staff, no findings, a date in the future or
            before the alert.
    """
    with transaction.atomic():
        alert = _locked(alert)
        target = _check(user, alert, "revisit" if alert.status == AlertStatus.VISITED else "visit")
        names = _visitors(staff)
        findings = (findings or "").strip()
        if not findings:
            raise ValidationError({"findings": _("请填写核实情况")})
        if visited_on > clock.today():
            raise ValidationError({"visited_on": _("核实日期不能晚于今天")})
        if visited_on < alert.raised_on:
            raise ValidationError({"visited_on": _("核实日期不能早于预警日期")})
        visit = AlertVisit.objects.create(
            alert=alert, visited_on=visited_on, staff=names, findings=findings, recorded_by=user
        )
        before = alert.status
        alert.status = target
        alert.save(update_fields=["status"])
        record(
            user,
            "discovery.visit",
            alert,
            before={"status": before},
            after={"status": alert.status},
            visited_on=visited_on.isoformat(),
            staff=names,
        )
    return visit


def _validate_outcome(outcome: str, note: str, program: str, referred_to: str) -> None:
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择处理结果")})
    if outcome == Outcome.DISMISSED and not note:
        raise ValidationError({"note": _("不予处理须说明理由")})
    if outcome == Outcome.INCLUDED and program not in Program.values:
        raise ValidationError({"program": _("请选择纳入的救助项目")})
    if outcome == Outcome.REFERRED and referred_to not in Department.values:
        raise ValidationError({"referred_to": _("请选择转介部门")})


def conclude(
    user: Staff,
    alert: Alert,
    *,
    outcome: str,
    note: str = "",
    program: str = "",
    referred_to: str = "",
) -> Alert:
    """Record the outcome of a visited alert:

    - ``included`` (纳入救助): the household is to apply for ``program``; the alert stays open,
      awaiting that application, due ``APPLICATION_WORKING_DAYS`` working days from today, and
      closes when it is registered (``link``); the alert itself registers nothing;
    - ``referred`` (转介): to another department ``referred_to`` (``Department``), with a note;
      the alert closes;
    - ``dismissed`` (不予处理): with the reason (required); the alert closes.

    An outcome never changes an entitlement.

    Raises:
        Refused: no home visit yet, an outcome already, or an inclusion for an alert without a
            registered household; NotPermitted: the user may not handle the alert;
        ValidationError: a dismissal without a reason, an inclusion without a program, or a
            referral without a department.
    """
    note = (note or "").strip()
    _validate_outcome(outcome, note, program, referred_to)
    today = clock.today()
    with transaction.atomic():
        alert = _locked(alert)
        target = _check(user, alert, outcome_move(outcome))
        before = snapshot(alert, ["status", "outcome"])
        alert.status = target
        alert.outcome = outcome
        alert.outcome_note = note
        alert.program = program if outcome == Outcome.INCLUDED else ""
        alert.referred_to = referred_to if outcome == Outcome.REFERRED else ""
        alert.concluded_on, alert.concluded_by = today, user
        if target == AlertStatus.AWAITING_APPLICATION:
            # Unknown (null) while the year it reaches has no calendar: counted when entered.
            alert.application_due_on = due(today, APPLICATION_WORKING_DAYS).on
        else:
            alert.closed_on, alert.closed_by = today, user
        alert.save()
        record(
            user,
            "discovery.conclude",
            alert,
            before=before,
            after=snapshot(alert, ["status", "outcome"]),
            program=alert.program,
            referred_to=alert.referred_to,
            note=note,
        )
    return alert


def link(user: Staff, alert: Alert, application: Application) -> Alert:
    """Link the application registered for an alert concluded "included in assistance" and
    close the alert (一户一条救助链: the alert leads to its application, the application page
    reaches the alert through ``application.alerts``).

    Raises:
        Refused: the alert is not awaiting an application; NotPermitted: the user does not take
            applications for the household; ValidationError: the application is of another
            household or program, or was terminated.
    """
    with transaction.atomic():
        alert = _locked(alert)
        target = _check(user, alert, "link_application")
        if application.household_id != alert.household_id:
            raise ValidationError({"application": _("该申请不是预警所涉家庭的申请")})
        if application.program != alert.program:
            raise ValidationError(
                {
                    "application": _("该申请的救助项目（%(found)s）与纳入的项目（%(wanted)s）不符")
                    % {
                        "found": application.get_program_display(),
                        "wanted": alert.get_program_display(),
                    }
                }
            )
        if application.stage == Stage.TERMINATED:
            raise ValidationError({"application": _("该申请已终止办理")})
        before = snapshot(alert, _FIELDS)
        alert.application = application
        alert.status = target
        alert.closed_on, alert.closed_by = clock.today(), user
        alert.save(update_fields=["application", "status", "closed_on", "closed_by"])
        record(
            user,
            "discovery.link_application",
            alert,
            before=before,
            after=snapshot(alert, _FIELDS),
        )
    return alert


def link_application(user: Staff, alert_pk: int, application: Application) -> Alert | None:
    """After ``application`` was registered from an alert's prefilled page (``?alert=<pk>``):
    link it to that alert and close the alert (``link``). Returns the alert, or None when the
    pk names no alert the user can see, or the link is refused (another household or program,
    the alert not awaiting an application) — the application stands either way."""
    alert = Alert.objects.filter(pk=alert_pk).first()
    if alert is None or not user.has_perm("discovery.view", alert):
        return None
    try:
        return link(user, alert, application)
    except (ValidationError, PermissionDenied):
        return None


def link_registered(user: Staff, application: Application) -> list[Alert]:
    """Link ``application`` to every alert awaiting an application of its program for its
    household that the user may close (``link``), e.g. after any registration at the counter,
    not only one opened from the alert. Returns the alerts closed."""
    waiting = Alert.objects.filter(
        status=AlertStatus.AWAITING_APPLICATION,
        household_id=application.household_id,
        program=application.program,
    ).order_by("pk")
    closed = []
    for alert in waiting:
        try:
            closed.append(link(user, alert, application))
        except (ValidationError, PermissionDenied):
            continue
    return closed


@dataclass
class Prefill:
    """What the new-application page is opened with after an inclusion."""

    household_pk: int
    program: str
    applicant: int | None = None


def prefill_for(alert: Alert) -> Prefill:
    """The application an ``included`` alert asks for: its household, program and, as the
    applicant, the person the alert is about when a current member (else the household's
    applicant)."""
    assert alert.household_id is not None
    members = dict(
        Membership.objects.filter(
            household_id=alert.household_id, valid_to__isnull=True
        ).values_list("person_id", "relation")
    )
    applicant = (
        alert.person_id
        if alert.person_id in members
        else next((pk for pk, relation in members.items() if relation in ("01", "02")), None)
    )
    return Prefill(alert.household_id, alert.program, applicant)
