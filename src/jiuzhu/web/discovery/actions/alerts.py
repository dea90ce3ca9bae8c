"""The alert workflow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.cases import clock
from jiuzhu.web.cases.models import Application, Program
from jiuzhu.web.discovery.actions.common import require
from jiuzhu.web.discovery.models import (
    Alert,
    AlertStatus,
    AlertVisit,
    Department,
    Outcome,
)
from jiuzhu.web.registry.models import Membership

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


# --- the alert workflow ----------------------------------------------------------------------


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    return value


def assign(user: Any, alert: Alert, assignee: User) -> Alert:
    """Assign an open alert to a staff member of its owning division (a user whose
    jurisdiction lies inside the alert's division, in a role that handles alerts).

    Raises:
        PermissionDenied: the user may not assign this alert; ValidationError: the assignee is
            outside the alert's division or may not handle alerts, or the alert is closed.
    """
    require(user, "discovery.assign", alert)
    if assignee.role not in HANDLERS or not assignee.is_active:
        raise ValidationError({"assignee": _("该人员不能处理预警")})
    if not assignee.division_code.startswith(alert.division_code):
        raise ValidationError({"assignee": _("只能分派给预警责任区划内的工作人员")})
    with transaction.atomic():
        alert = _locked(alert)
        if not alert.is_open:
            raise ValidationError(_("预警已办结"))
        before = snapshot(alert, ["assigned_to", "status"])
        alert.assigned_to = assignee
        alert.assigned_on = clock.today()
        if alert.status == AlertStatus.OPEN:
            alert.status = AlertStatus.ASSIGNED
        alert.save(update_fields=["assigned_to", "assigned_on", "status"])
        record(
            user,
            "discovery.assign",
            alert,
            before=before,
            after=snapshot(alert, ["assigned_to", "status"]),
        )
    return alert


def record_visit(
    user: Any,
    alert: Alert,
    *,
    visited_on: dt.date,
    staff: list[str],
    findings: str,
) -> AlertVisit:
    """Record the home visit (入户核实) of an open alert: the date, the visiting staff and what
    they found.

    Raises:
        PermissionDenied; ValidationError: no staff or findings, a date in the future or before
            the alert, or the alert is closed.
    """
    require(user, "discovery.handle", alert)
    names = [name.strip() for name in staff if name and name.strip()]
    if not names:
        raise ValidationError({"staff": _("请填写核实人员")})
    findings = _text(findings, "findings", _("请填写核实情况"))
    if visited_on > clock.today():
        raise ValidationError({"visited_on": _("核实日期不能晚于今天")})
    with transaction.atomic():
        alert = _locked(alert)
        if not alert.is_open:
            raise ValidationError(_("预警已办结"))
        if visited_on < alert.raised_on:
            raise ValidationError({"visited_on": _("核实日期不能早于预警日期")})
        visit = AlertVisit.objects.create(
            alert=alert, visited_on=visited_on, staff=names, findings=findings, recorded_by=user
        )
        alert.status = AlertStatus.VISITED
        alert.save(update_fields=["status"])
        record(user, "discovery.visit", alert, visited_on=visited_on.isoformat(), staff=names)
    return visit


def conclude(
    user: Any,
    alert: Alert,
    *,
    outcome: str,
    note: str = "",
    program: str = "",
    referred_to: str = "",
) -> Alert:
    """Close an alert after its home visit with an outcome:

    - ``included`` (纳入救助): the household should apply for ``program``; the application is
      then taken at the counter, prefilled (the alert itself opens nothing by writing);
    - ``referred`` (转介): to another department ``referred_to`` (``Department``), with a note;
    - ``dismissed`` (不予处理): with the reason (required).

    An outcome never changes an entitlement.

    Raises:
        PermissionDenied; ValidationError: no home visit yet, the alert is closed, a dismissal
            without a reason, an inclusion without a program or household, a referral without a
            department.
    """
    require(user, "discovery.handle", alert)
    note = (note or "").strip()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择处理结果")})
    if outcome == Outcome.DISMISSED and not note:
        raise ValidationError({"note": _("不予处理须说明理由")})
    if outcome == Outcome.INCLUDED and program not in Program.values:
        raise ValidationError({"program": _("请选择纳入的救助项目")})
    if outcome == Outcome.INCLUDED and alert.household_id is None:
        raise ValidationError(_("预警没有对应的登记家庭，请先在家庭档案中登记"))
    if outcome == Outcome.REFERRED and referred_to not in Department.values:
        raise ValidationError({"referred_to": _("请选择转介部门")})
    with transaction.atomic():
        alert = _locked(alert)
        if not alert.is_open:
            raise ValidationError(_("预警已办结"))
        if not alert.visits.exists():
            raise ValidationError(_("请先记录入户核实情况"))
        before = snapshot(alert, ["status", "outcome"])
        alert.status = AlertStatus.CLOSED
        alert.outcome = outcome
        alert.outcome_note = note
        alert.program = program if outcome == Outcome.INCLUDED else ""
        alert.referred_to = referred_to if outcome == Outcome.REFERRED else ""
        alert.closed_on = clock.today()
        alert.closed_by = user
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


def link_application(user: Any, alert_pk: int, application: Application) -> Alert | None:
    """Record that ``application`` was taken because of an alert concluded "included in
    assistance" (一户一条救助链: the alert leads to its application). Returns the alert, or None
    when the pk names no such alert of the user's jurisdiction for the application's household
    (the application stands; only the link is not made). An alert links one application."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .filter(
                pk=alert_pk,
                outcome=Outcome.INCLUDED,
                household_id=application.household_id,
                application__isnull=True,
            )
            .first()
        )
        if alert is None or not user.has_perm("discovery.view", alert):
            return None
        alert.application = application
        alert.save(update_fields=["application"])
        record(user, "discovery.link_application", alert, after={"application": application.pk})
    return alert


@dataclass
class Prefill:
    """What the new-application page is opened with after an inclusion."""

    household_pk: int
    program: str
    applicant: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


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
