"""Workflow pages: the workbench queue, applications, each statutory step, the public notice
list and the decision notice. Views validate forms and call actions (the one write path)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.rules import registry
from jiuzhu.web.audit.actions import list_export_audit
from jiuzhu.web.cases import actions, inputs
from jiuzhu.web.cases.assessment import offers_single_person_unit, program_result, unit_members
from jiuzhu.web.cases.exports import application_export, application_rows
from jiuzhu.web.cases.forms import (
    ApplicationForm,
    HomeVisitForm,
    MaterialsForm,
    NoteForm,
    NoticeIssuedForm,
    ObjectionForm,
    OpinionForm,
    ProposalForm,
    ReasonForm,
    ResolveObjectionForm,
)
from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.cases.queries import application_for, applications_for
from jiuzhu.web.cases.signals import application_registered
from jiuzhu.web.cases.workflow import (
    APPLICATION,
    deadlines,
    notice_period_of,
    notice_rule,
    years_needed,
)
from jiuzhu.web.core import clock
from jiuzhu.web.core.choices import code_choices
from jiuzhu.web.core.exports import whole_ids, xlsx_response
from jiuzhu.web.core.forms import Cleaned
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import add_errors, post_only, report_errors
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.registry.queries import community_name, household_for
from jiuzhu.web.verification.queries import verification_report
from jiuzhu.web.workcalendar.working_days import load_calendar, missing_warning

PAGE_SIZE = 25


def _listed(request: HttpRequest) -> tuple[str, QuerySet[Application]]:
    """The list's stage filter (``?stage=``; anything else: every stage) and the applications
    of the jurisdiction it keeps."""
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied
    stage = request.GET.get("stage", "")
    found = applications_for(staff(request))
    if stage in Stage.values:
        return stage, found.filter(stage=stage)
    return "", found


def application_list_view(request: HttpRequest) -> HttpResponse:
    stage, found = _listed(request)
    page = Paginator(
        found.select_related("household", "applicant").order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request, "cases/list.html", {"page": page, "stage": stage, "stages": Stage.choices}
    )


def export_view(request: HttpRequest) -> HttpResponseBase:
    """The applications the list shows for its filter, every page of them, as xlsx (audited)."""
    stage, found = _listed(request)
    user = staff(request)
    filters = {str(_("环节")): str(Stage(stage).label)} if stage else {}
    export = application_export(filters, whole=whole_ids(request))
    return xlsx_response(
        request,
        export,
        application_rows(export, found),
        list_export_audit(user, "cases.export_applications", "cases.application", export),
    )


def _prefill(
    request: HttpRequest, household: Household, members: list[tuple[int, str]]
) -> dict[str, object]:
    """Initial values from the query string (``?program=dibao&applicant=<person pk>``), e.g.
    when an alert concluded "included in assistance" opens the application; values that are not
    a program or a current member are ignored. A funeral claim opened from a member's recorded
    death (``&decedent=<person pk>&status=<status at death>``) has the decedent's facts filled
    in; the program's own inputs may be given by name (``&medical_own_costs=2500``)."""
    initial: dict[str, object] = {}
    program = request.GET.get("program", "")
    if program in Program.values:
        initial["program"] = program
    applicant = request.GET.get("applicant", "")
    if applicant.isdigit() and int(applicant) in {pk for pk, _label in members}:
        initial["applicant"] = int(applicant)
    decedent = request.GET.get("decedent", "")
    if decedent.isdigit():
        person = Person.objects.filter(
            pk=int(decedent), memberships__household=household, died_on__isnull=False
        ).first()
        if person is not None:
            initial["decedent_died_on"] = person.died_on
    status = request.GET.get("status", "")
    if status in {code for code, _label in code_choices("status_at_death")}:
        initial["decedent_status"] = status
    # The program's own inputs an alert gives (a settlement's own costs): checked on submit.
    for var in inputs.variables(program) if program in Program.values else ():
        value = request.GET.get(var.name, "")
        if value and len(value) <= 40:
            initial[var.name] = value
    return initial


def new_application_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = household_for(staff(request), household_pk)
    if not request.user.has_perm("cases.apply", household):
        raise PermissionDenied
    members = [
        (m.person_id, f"{m.person.name}（{m.get_relation_display()}）")
        for m in household.current_memberships  # type: ignore[attr-defined]
    ]
    form = ApplicationForm(
        request.POST or None, members=members, initial=_prefill(request, household, members)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        applicant = next(
            m.person
            for m in household.current_memberships  # type: ignore[attr-defined]
            if m.person_id == data["applicant"]
        )
        try:
            application = actions.submit_application(
                staff(request),
                household,
                program=data["program"],
                applicant=applicant,
                channel=data["channel"],
                materials=data["materials"],
                relative_of_staff=data["relative_of_staff"],
                relative_note=data["relative_note"],
                accept_incomplete=data["register_incomplete"],
                inputs=form.program_inputs(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            alert = request.GET.get("alert", "")
            # The alert the page was opened from, and any alert waiting for this household's
            # application of this program, close (discovery's receiver).
            application_registered.send(
                Application,
                user=request.user,
                application=application,
                alert=int(alert) if alert.isdigit() else None,
            )
            if application.missing_materials:
                messages.warning(
                    request,
                    _("材料不全，已一次性告知缺少：%(list)s")
                    % {"list": "、".join(str(MATERIALS[m]) for m in application.missing_materials)},
                )
            else:
                messages.success(request, _("已受理，申请编号 %(n)s") % {"n": application.number})
            return redirect("cases:application", pk=application.pk)
    return render(request, "cases/new.html", {"household": household, "form": form})


def application_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for(staff(request), pk)
    if not request.user.has_perm("cases.view", application):
        raise PermissionDenied
    return render(request, "cases/application.html", _context(request, application))


def _context(request: HttpRequest, application: Application, **forms_: object) -> dict[str, object]:
    user = staff(request)
    today = clock.today()
    found_deadlines = deadlines(
        application, load_calendar(years_needed(application) | {today.year, today.year + 1})
    )
    missing = {d.missing_year for d in found_deadlines if d.missing_year and not d.done}
    calendar_warning = missing_warning(missing) if missing else ""
    latest = application.assessments.first()
    allowed = APPLICATION.forms_allowed(user, application, today)
    unit = unit_members(application, latest)
    offered = offers_single_person_unit(latest)
    default_amount = actions.default_amount(application)
    report = (
        verification_report(user, application) if application.verification_runs.exists() else None
    )
    return {
        "application": application,
        "published": registry.program(application.program).public_notice,
        "paid_once": not registry.program(application.program).monthly,
        "inputs": inputs.shown(application.program, application.program_inputs),
        "deadlines": found_deadlines,
        "calendar_warning": calendar_warning,
        "notice_period": notice_period_of(application),
        "notice_rule": notice_rule(application),
        "today": today,
        "latest": latest,
        "result": program_result(latest, application) if latest else None,
        "unit": unit,
        "covered": sum(member.covered for member in unit),
        # Temporary assistance handled where the emergency happened: the household's page is
        # its own township's, and only the township it is registered in is named here.
        "household_shown": user.covers(application.household.division_code),
        "home_township": community_name(application.household.township_code),
        "can_apply": user.has_perm("cases.apply", application.household),
        "events": application.events.select_related("user"),
        "visits": application.home_visits.all(),
        "objections": application.objections.all(),
        "open_objection": application.objections.filter(resolved_on__isnull=True).first(),
        "allowed": allowed,
        "next": APPLICATION.next_step(user, application, today),
        "single_person_offered": offered,
        "report": report,
        "missing": [MATERIALS[m] for m in application.missing_materials],
        "forms": {
            "materials": MaterialsForm(missing=application.missing_materials),
            "home_visit": HomeVisitForm(initial={"visited_on": today}),
            "opinion": OpinionForm(),
            "objection": ObjectionForm(initial={"received_on": today}),
            "resolve": ResolveObjectionForm(),
            "propose": ProposalForm(
                initial={"monthly_amount": f"{default_amount / 100:.2f}" if default_amount else ""},
                once=not registry.program(application.program).monthly,
            ),
            "spot_check": NoteForm(),
            "notice": NoticeIssuedForm(initial={"issued_on": today}),
            "extend": ReasonForm(),
            "terminate": ReasonForm(),
            "return_proposal": ReasonForm(),
            **forms_,
        },
    }


Step = Callable[[Staff, Application, Cleaned], object]


def _objection_step(user: Staff, application: Application, data: Cleaned) -> object:
    objection = application.objections.filter(resolved_on__isnull=True).first()
    if objection is None:
        raise ValidationError(_("没有待处理的异议"))
    return actions.resolve_objection(user, objection, **data)


STEPS: dict[str, tuple[type[forms.Form] | None, Step, str]] = {
    "materials": (
        MaterialsForm,
        lambda u, a, d: actions.complete_materials(u, a, d["materials"]),
        _("材料已补齐，已受理"),
    ),
    "verify": (None, lambda u, a, d: actions.verify(u, a), _("已完成核对并评估")),
    "reassess": (None, lambda u, a, d: actions.reassess(u, a), _("已按变更后的登记信息重新评估")),
    "home_visit": (
        HomeVisitForm,
        lambda u, a, d: actions.record_home_visit(
            u,
            a,
            visited_on=d["visited_on"],
            staff=[d["staff_1"], d["staff_2"], d.get("staff_3", "")],
            findings=d["findings"],
            applicant_signed=d["applicant_signed"],
            living_conditions_match=d["living_conditions_match"],
        ),
        _("已记录入户调查"),
    ),
    "opinion": (
        OpinionForm,
        lambda u, a, d: actions.give_township_opinion(u, a, **d),
        _("已提出审核意见"),
    ),
    "objection": (
        ObjectionForm,
        lambda u, a, d: actions.record_objection(u, a, **d),
        _("已登记异议，转入复核"),
    ),
    "resolve": (ResolveObjectionForm, _objection_step, _("已记录异议处理结果")),
    "close_notice": (
        None,
        lambda u, a, d: actions.close_public_notice(u, a),
        _("公示期满，已报送区级审核确认"),
    ),
    "propose": (
        ProposalForm,
        lambda u, a, d: actions.propose_decision(u, a, **d),
        _("已提出拟确认意见，待另一人确认"),
    ),
    "spot_check": (
        NoteForm,
        lambda u, a, d: actions.record_spot_check(u, a, note=d["note"]),
        _("已记录抽查核实情况"),
    ),
    "confirm": (None, lambda u, a, d: actions.confirm_decision(u, a), _("已作出确认决定")),
    "return_proposal": (
        ReasonForm,
        lambda u, a, d: actions.return_proposal(u, a, reason=d["reason"]),
        _("已退回拟确认意见"),
    ),
    "notice": (
        NoticeIssuedForm,
        lambda u, a, d: actions.issue_decision_notice(u, a, **d),
        _("已记录决定通知书送达"),
    ),
    "extend": (
        ReasonForm,
        lambda u, a, d: actions.extend_deadline(u, a, reason=d["reason"]),
        _("已延长至45个工作日"),
    ),
    "terminate": (
        ReasonForm,
        lambda u, a, d: actions.terminate(u, a, reason=d["reason"]),
        _("已终止办理"),
    ),
}


@post_only("cases:application", pk="pk")
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Carry out one workflow step. A refused step re-renders the page with the messages on the
    fields; nothing is written."""
    if step not in STEPS:
        raise Http404
    application = application_for(staff(request), pk)
    form_class, run, done = STEPS[step]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return render(
            request,
            "cases/application.html",
            _context(request, application, **{step: form}),
            status=400,
        )
    try:
        result = run(staff(request), application, form.cleaned_data if form else {})
    except ValidationError as exc:
        report_errors(request, form, exc)
        return render(
            request,
            "cases/application.html",
            _context(request, application, **({step: form} if form else {})),
            status=400,
        )
    if step == "materials" and (missing := getattr(result, "missing_materials", None)):
        messages.warning(
            request,
            _("已记录补交的材料，仍缺少：%(list)s")
            % {"list": "、".join(str(MATERIALS[m]) for m in missing)},
        )
    else:
        messages.success(request, done)
    return redirect("cases:application", pk=pk)
