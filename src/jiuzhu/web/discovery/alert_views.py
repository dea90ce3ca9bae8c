"""The alert page and its steps: the explanation and the evidence, what the alert waits for and
who acts next (``workflow.ALERT.next_step``), and the forms of the moves the user may make now
(``forms_allowed``): assign, home visit, outcome, the application an inclusion asks for.

Views validate a form and call one action; a refused step re-renders the page with the reason
on the form (status 400) and writes nothing; a step the user may not take redirects to the page
with the reason. Every read is filtered to the user's jurisdiction (another township's alert
answers 404).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.reference import division
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core import clock
from jiuzhu.web.core.forms import Cleaned, Data
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors, post_only
from jiuzhu.web.discovery import actions
from jiuzhu.web.discovery.catalogue import signal_labels
from jiuzhu.web.discovery.evidence import evidence_sections
from jiuzhu.web.discovery.forms import AssignForm, LinkForm, OutcomeForm, VisitForm
from jiuzhu.web.discovery.models import Alert, AlertStatus, Outcome
from jiuzhu.web.discovery.queries import alert_for, missing_deadline
from jiuzhu.web.discovery.workflow import ALERT
from jiuzhu.web.entitlements.models import ReviewTask, TaskKind
from jiuzhu.web.workcalendar.working_days import covered_years


def explanation(alert: Alert) -> str:
    """The alert's explanation in the UI language (Chinese when no English was written)."""
    english = (get_language() or "").startswith("en")
    return (
        alert.explanation_en if english and alert.explanation_en else alert.explanation_zh
    ) or ""


def township_name(code: str) -> str:
    found = division(code) if code else None
    return found.name if found else code


def _staff_for(alert: Alert) -> list[tuple[int, str]]:
    users = User.objects.filter(
        role__in=actions.HANDLERS, is_active=True, division_code__startswith=alert.division_code
    ).order_by("division_code", "username")
    return [(u.pk, f"{u}（{u.get_role_display()}）") for u in users]


def _candidates(alert: Alert) -> list[Application]:
    """The household's applications of the program the alert's inclusion asks for (the most
    recent first), which may be linked to close it."""
    if alert.household_id is None or not alert.program:
        return []
    return list(
        Application.objects.filter(household_id=alert.household_id, program=alert.program)
        .exclude(stage=Stage.TERMINATED)
        .order_by("-created_at", "-pk")[:20]
    )


def _applications(alert: Alert) -> list[Application]:
    """The application linked to the alert, else the household's applications since the alert
    was raised."""
    if alert.application is not None:
        return [alert.application]
    if alert.household is None:
        return []
    return list(
        alert.household.applications.filter(created_at__date__gte=alert.raised_on).order_by(
            "-created_at"
        )[:20]
    )


def _form(
    step: str, alert: Alert, data: Data = None, request: HttpRequest | None = None
) -> forms.Form:
    """The form of ``step`` for the alert, bound to ``data`` when given."""
    if step == "assign":
        return AssignForm(data, staff=_staff_for(alert))
    if step == "visit":
        name = getattr(request.user, "full_name", "") if request else ""
        return VisitForm(data, initial={"visited_on": clock.today(), "staff_1": name})
    if step == "conclude":
        return OutcomeForm(data, initial={"program": _named_program(alert)})
    choices = [
        (a.pk, f"{a.number} · {a.get_stage_display()}（{a.created_at:%Y-%m-%d}）")
        for a in _candidates(alert)
    ]
    return LinkForm(data, applications=choices)


def _named_program(alert: Alert) -> str:
    """The program the alert's record names (an eligible-but-not-receiving check's: dibao for
    an unclaimed household, children in hardship for a child without the allowance), offered
    first when the household is included; "" if none, or one no longer applied for."""
    record = alert.evidence.get("record") if isinstance(alert.evidence, dict) else None
    program = record.get("program") if isinstance(record, dict) else None
    return program if isinstance(program, str) and program in Program.values else ""


def _context(request: HttpRequest, alert: Alert, **bound: forms.Form) -> dict[str, object]:
    today = clock.today()
    allowed = ALERT.forms_allowed(request.user, alert, today)
    tasks = list(
        ReviewTask.objects.filter(kind=TaskKind.DISCOVERY_CHECK, key=f"alert:{alert.pk}")
        .select_related("entitlement")
        .order_by("pk")
    )
    deadline = alert.deadline
    covered = covered_years() if deadline is None and alert.is_open else frozenset()
    return {
        "alert": alert,
        "label": signal_labels().get(alert.signal) or _("已停用的预警信号"),
        "explanation": explanation(alert),
        "evidence": evidence_sections(alert),
        # A department record matched by ID carries another name: the caseworker checks it.
        "name_mismatch": bool((alert.evidence or {}).get("names")),
        "visits": list(alert.visits.select_related("recorded_by")),
        "tasks": tasks,
        "applications": _applications(alert),
        "deadline": deadline,
        "due_missing": missing_deadline(alert, covered) if alert.is_open else "",
        "overdue": deadline is not None and deadline < today,
        "today": today,
        "township": township_name(alert.township_code),
        "next": ALERT.next_step(request.user, alert, today),
        "apply_url": _apply_url(request, alert) if allowed.get("link") else "",
        # The assign form's title is the move it makes now: assign, or reassign.
        "assign_label": ALERT["assign" if alert.status == AlertStatus.OPEN else "reassign"].label,
        "allowed": allowed,
        "forms": {
            step: bound.get(step) or _form(step, alert, request=request)
            for step in ("assign", "visit", "conclude", "link")
            if allowed.get(step) or step in bound
        },
    }


def alert_view(request: HttpRequest, pk: int) -> HttpResponse:
    alert = alert_for(staff(request), pk)
    if not request.user.has_perm("discovery.view", alert):
        raise PermissionDenied
    return render(request, "discovery/alert.html", _context(request, alert))


def _assign(request: HttpRequest, alert: Alert, data: Cleaned) -> str:
    assignee = User.objects.filter(pk=data["assignee"]).first()
    if assignee is None:
        raise ValidationError({"assignee": _("该人员不能处理预警")})
    actions.assign(staff(request), alert, assignee)
    return _("已分派给 %(name)s") % {"name": assignee}


def _visit(request: HttpRequest, alert: Alert, data: Cleaned) -> str:
    actions.record_visit(
        staff(request),
        alert,
        visited_on=data["visited_on"],
        staff=[data["staff_1"], data["staff_2"], data["staff_3"]],
        findings=data["findings"],
    )
    return _("已记录入户核实情况")


def _conclude(request: HttpRequest, alert: Alert, data: Cleaned) -> str:
    alert = actions.conclude(
        staff(request),
        alert,
        outcome=data["outcome"],
        note=data["note"],
        program=data["program"],
        referred_to=data["referred_to"],
    )
    if alert.status == AlertStatus.AWAITING_APPLICATION:
        return _("已记录处理结果：纳入救助（%(program)s），待受理申请后办结") % {
            "program": alert.get_program_display()
        }
    return _("预警已办结：%(outcome)s") % {"outcome": alert.get_outcome_display()}


def _link(request: HttpRequest, alert: Alert, data: Cleaned) -> str:
    application = next((a for a in _candidates(alert) if a.pk == data["application"]), None)
    if application is None:
        raise ValidationError({"application": _("请选择该家庭的救助申请")})
    actions.link(staff(request), alert, application)
    return _("已关联救助申请 %(number)s，预警已办结") % {"number": application.number}


STEPS: dict[str, Callable[[HttpRequest, Alert, Cleaned], str]] = {
    "assign": _assign,
    "visit": _visit,
    "conclude": _conclude,
    "link": _link,
}


@post_only("discovery:alert", pk="pk")
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of an alert (``STEPS``). A refused step re-renders the page with the reason on
    the form (status 400) and writes nothing."""
    if step not in STEPS:
        raise Http404
    alert = alert_for(staff(request), pk)
    form: forms.Form = _form(step, alert, request.POST)
    if form.is_valid():
        try:
            done = STEPS[step](request, alert, form.cleaned_data)
        except NotPermitted as exc:
            messages.error(request, str(exc))
            return redirect("discovery:alert", pk=alert.pk)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            alert.refresh_from_db()
            if step == "conclude":
                return _after_inclusion(request, alert)
            return redirect("discovery:alert", pk=alert.pk)
    return render(
        request, "discovery/alert.html", _context(request, alert, **{step: form}), status=400
    )


def _apply_url(request: HttpRequest, alert: Alert) -> str:
    """The new-application page prefilled with the household, the program and the applicant
    the inclusion asks for, when the user takes applications for the household ("" if not)."""
    if alert.household is None or not request.user.has_perm("cases.apply", alert.household):
        return ""
    prefill = actions.prefill_for(alert)
    query = {"program": prefill.program, "alert": str(alert.pk)}
    if prefill.applicant:
        query["applicant"] = str(prefill.applicant)
    query |= _application_inputs(alert, prefill.program)
    url = reverse("cases:new_application", args=[prefill.household_pk])
    return f"{url}?{urlencode(query)}"


SETTLEMENT_INPUTS = {"MEDICAL_AID_UNSETTLED": ("medical_assistance", "medical_own_costs")}
"""An alert whose source record is a settlement: the program it opens and its input that takes
the settlement's own costs (``out_of_pocket``, fen)."""


def _application_inputs(alert: Alert, program: str) -> dict[str, str]:
    """Inputs of the application the alert's record gives (the medical settlement's own costs,
    in yuan as the form takes them)."""
    wanted = SETTLEMENT_INPUTS.get(alert.signal)
    record = alert.evidence.get("record") if isinstance(alert.evidence, dict) else None
    if wanted is None or wanted[0] != program or not isinstance(record, dict):
        return {}
    own = record.get("out_of_pocket")
    if not isinstance(own, int) or isinstance(own, bool) or own <= 0:
        return {}
    return {wanted[1]: format_yuan(own).replace(",", "")}


def _after_inclusion(request: HttpRequest, alert: Alert) -> HttpResponse:
    """After an inclusion, the new-application page prefilled (``_apply_url``) when the user
    takes applications there; otherwise back to the alert."""
    if alert.outcome != Outcome.INCLUDED:
        return redirect("discovery:alert", pk=alert.pk)
    url = _apply_url(request, alert)
    if not url:
        messages.info(request, _("请由村（居）协理员或乡镇经办人受理该家庭的救助申请"))
        return redirect("discovery:alert", pk=alert.pk)
    return redirect(url)
