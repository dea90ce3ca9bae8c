"""Entitlement pages: the list, an entitlement's versions and tasks with the actions the user may
take, the review task queue, a task with its reassessment, and the standard-change runs. Views
validate forms and call actions (the one write path); every read is filtered to the user's
jurisdiction (another township's record answers 404)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.rules.engine.errors import InvalidInputError, ParameterNotDefinedError
from jiuzhu.rules.procedure import GRADUAL_EXIT, rule
from jiuzhu.web.audit.actions import list_export_audit
from jiuzhu.web.core import clock
from jiuzhu.web.core.exports import form_filters, whole_ids, xlsx_response
from jiuzhu.web.core.forms import Cleaned, Data
from jiuzhu.web.core.months import month_of
from jiuzhu.web.core.parameters import parameter_label, value_text
from jiuzhu.web.core.periods import in_force, upcoming
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import post_only, report_errors
from jiuzhu.web.entitlements import scheduled
from jiuzhu.web.entitlements.actions import (
    employment,
    reassessment,
    reviews,
    standard_change_runs,
    suspension,
    termination,
)
from jiuzhu.web.entitlements.confidence import LABELS as CONFIDENCE_LABELS
from jiuzhu.web.entitlements.exports import entitlement_export, entitlement_rows
from jiuzhu.web.entitlements.forms import (
    ChangeReportForm,
    DeathForm,
    FilterForm,
    LiftSanctionForm,
    NoteForm,
    ObjectionForm,
    ReasonForm,
    ReviewForm,
    SanctionForm,
    StandardChangeForm,
    TerminateForm,
    TerminationNoticeForm,
)
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ItemOutcome,
    ReviewTask,
    RunStatus,
    StandardChangeRun,
    TaskKind,
    TaskStatus,
)
from jiuzhu.web.entitlements.queries import (
    due_soon_days,
    entitlement_for,
    entitlements_for,
    run_for,
    runs_for,
    task_for,
    task_missing,
    task_queue,
    timeline,
)
from jiuzhu.web.entitlements.workflow import (
    ENTITLEMENT,
    TASK,
    termination_notice_of,
    termination_notice_rule,
)
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.models import Person
from jiuzhu.web.registry.queries import status_at_death
from jiuzhu.web.workcalendar.working_days import covered_years

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

PAGE_SIZE = 25
ITEMS_PAGE_SIZE = 100
MAIN_PARAMETERS = ("dibao.standard", "tekun.basic_standard", "tekun.care_standard")
"""Offered first on the standard-change form: the standards most often adjusted."""


def _view(request: HttpRequest, obj: models.Model | None = None) -> None:
    if not request.user.has_perm("entitlements.view", obj):
        raise PermissionDenied


# --- list and detail -------------------------------------------------------------------------


def _listed(request: HttpRequest) -> tuple[FilterForm, QuerySet[Entitlement]]:
    """The list's filter form (``?program=&status=``) and the entitlements of the
    jurisdiction it keeps (all of them for an invalid filter)."""
    _view(request)
    form = FilterForm(request.GET or None)
    found = entitlements_for(staff(request))
    if form.is_valid():
        program, status = form.cleaned_data["program"], form.cleaned_data["status"]
        if program:
            found = found.filter(program=program)
        if status:
            found = found.filter(status=status)
    return form, found


def entitlement_list_view(request: HttpRequest) -> HttpResponse:
    """Entitlements of the jurisdiction, filtered by program and status, with the amount in
    force this month and a change still to come (a fixed number of queries per page)."""
    form, found = _listed(request)
    program = status = ""
    if form.is_valid():
        program, status = form.cleaned_data["program"], form.cleaned_data["status"]
    found = found.select_related("household", "person").prefetch_related(
        Prefetch(
            "versions",
            queryset=EntitlementVersion.objects.order_by("-number"),
            to_attr="ordered_versions",
        )
    )
    page = Paginator(found.order_by("-start_month", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    month = month_of(clock.today())
    for entitlement in page:
        versions = entitlement.ordered_versions  # type: ignore[attr-defined]
        entitlement.current = in_force(versions, month)  # type: ignore[attr-defined]
        entitlement.upcoming = upcoming(versions, month)  # type: ignore[attr-defined]
    return render(
        request,
        "entitlements/list.html",
        {
            "page": page,
            "form": form,
            "program": program,
            "status": status,
            "query": f"program={program}&status={status}",
        },
    )


def export_view(request: HttpRequest) -> HttpResponseBase:
    """The entitlements the list shows for its filters, every page of them, as xlsx
    (audited)."""
    form, found = _listed(request)
    user = staff(request)
    export = entitlement_export(form_filters(form), whole=whole_ids(request))
    return xlsx_response(
        request,
        export,
        entitlement_rows(export, found),
        list_export_audit(user, "entitlements.export", "entitlements.entitlement", export),
    )


def _members(entitlement: Entitlement) -> list[tuple[int, str]]:
    return [
        (m.person_id, f"{m.person.name}（{m.get_relation_display()}）")
        for m in entitlement.household.memberships.filter(valid_to__isnull=True)
        .select_related("person")
        .order_by("relation", "person_id")
    ]


def _with_missing(tasks: Iterable[ReviewTask]) -> list[ReviewTask]:
    """The tasks, each with ``due_missing`` ("缺 2027 年日历" where its date waits for a year)."""
    found = list(tasks)
    covered = covered_years() if any(t.due_on is None for t in found) else frozenset()
    for task in found:
        task.due_missing = task_missing(task, covered)  # type: ignore[attr-defined]
    return found


def _context(request: HttpRequest, entitlement: Entitlement, **forms_: object) -> dict[str, object]:
    user = request.user
    today = clock.today()
    members = _members(entitlement)
    gradual = rule(GRADUAL_EXIT).at(today)
    month = month_of(today)
    versions = list(entitlement.versions.select_related("created_by").order_by("-number"))
    return {
        "entitlement": entitlement,
        "versions": timeline(versions, month),
        "current": in_force(versions, month),
        "upcoming": upcoming(versions, month),
        "tasks": _with_missing(
            entitlement.tasks.select_related("person", "completed_by").order_by(
                "-status", F("due_on").asc(nulls_last=True)
            )
        ),
        "notice_rule": termination_notice_rule(entitlement),
        "notice_period": termination_notice_of(entitlement),
        "events": entitlement.events.select_related("user")[:50],
        "reports": entitlement.change_reports.select_related("recorded_by", "version"),
        "sanctions": entitlement.sanctions.select_related("person"),
        "allowed": ENTITLEMENT.forms_allowed(user, entitlement, today),
        "next": ENTITLEMENT.next_step(user, entitlement, today),
        "today": today,
        "gradual_exit": gradual,
        "gradual_exit_rule": rule(GRADUAL_EXIT),
        "confidence_labels": CONFIDENCE_LABELS,
        "forms": {
            "suspend": ReasonForm(),
            "resume": ReasonForm(),
            "change_report": ChangeReportForm(initial={"effective_on": today}),
            "death": DeathForm(members=members, initial={"died_on": today}),
            "sanction": SanctionForm(members=members),
            "lift_sanction": LiftSanctionForm(members=members),
            "gradual_exit": ReasonForm(),
            "notice": TerminationNoticeForm(),
            "objection": ObjectionForm(initial={"received_on": today}),
            "conclude": NoteForm(),
            "cancel": ReasonForm(),
            "terminate": TerminateForm(initial={"notice_issued_on": today}),
            **forms_,
        },
    }


def entitlement_view(request: HttpRequest, pk: int) -> HttpResponse:
    entitlement = entitlement_for(staff(request), pk)
    _view(request, entitlement)
    return render(request, "entitlements/detail.html", _context(request, entitlement))


Step = Callable[[Staff, Entitlement, Cleaned], object]


def _person(entitlement: Entitlement, person_id: int) -> Person:
    membership = (
        entitlement.household.memberships.filter(person_id=person_id)
        .select_related("person")
        .first()
    )
    if membership is None:
        raise ValidationError({"person": _("该人员不是本家庭成员")})
    return membership.person


STEPS: dict[str, tuple[type[forms.Form], Step, _StrPromise | str]] = {
    # Messages are lazy: the dict is built at import, the message shown in the user's language.
    "suspend": (
        ReasonForm,
        lambda u, e, d: suspension.suspend(u, e, reason=d["reason"]),
        gettext_lazy("已暂停发放"),
    ),
    "resume": (
        ReasonForm,
        lambda u, e, d: suspension.resume(u, e, reason=d["reason"]),
        gettext_lazy("已恢复发放"),
    ),
    "change_report": (
        ChangeReportForm,
        lambda u, e, d: reviews.report_change(u, e, **d),
        gettext_lazy("已登记家庭变化报告并重新核算"),
    ),
    "death": (
        DeathForm,
        lambda u, e, d: reviews.register_death(
            u, e, person=_person(e, d["person"]), died_on=d["died_on"], note=d["note"]
        ),
        gettext_lazy("已登记成员死亡，生成3个月内的核查任务"),
    ),
    "sanction": (
        SanctionForm,
        lambda u, e, d: employment.apply_employment_sanction(
            u,
            e,
            person=_person(e, d["person"]),
            refusals=d["refusals"],
            good_reason=d["good_reason"],
            share_percent=d["share_percent"],
            note=d["note"],
        ),
        gettext_lazy("已减发该成员本人份额，自下月起执行"),
    ),
    "lift_sanction": (
        LiftSanctionForm,
        lambda u, e, d: employment.lift_employment_sanction(
            u, e, person=_person(e, d["person"]), reason=d["reason"]
        ),
        gettext_lazy("已解除减发，自下月起按重新核算的金额发放"),
    ),
    "gradual_exit": (
        ReasonForm,
        lambda u, e, d: termination.start_gradual_exit(u, e, reason=d["reason"]),
        gettext_lazy("已转入渐退期"),
    ),
    "notice": (
        TerminationNoticeForm,
        lambda u, e, d: termination.start_termination_notice(u, e, **d),
        gettext_lazy("已启动终止公示（7天）"),
    ),
    "objection": (
        ObjectionForm,
        lambda u, e, d: termination.record_termination_objection(u, e, **d),
        gettext_lazy("已登记异议，15个工作日内核查决定"),
    ),
    "conclude": (
        NoteForm,
        lambda u, e, d: termination.conclude_termination(u, e, note=d["note"]),
        gettext_lazy("已终止供养，自下月起停发，并生成低保或临时救助衔接任务"),
    ),
    "cancel": (
        ReasonForm,
        lambda u, e, d: termination.cancel_termination(u, e, reason=d["reason"]),
        gettext_lazy("已撤销终止"),
    ),
    "terminate": (
        TerminateForm,
        lambda u, e, d: termination.terminate(u, e, **d),
        gettext_lazy("已终止，自下月起停发"),
    ),
}


def _form(step: str, data: Data, entitlement: Entitlement) -> forms.Form:
    form_class = STEPS[step][0]
    if issubclass(form_class, (DeathForm, SanctionForm, LiftSanctionForm)):
        return form_class(data, members=_members(entitlement))
    return form_class(data)


@post_only("entitlements:detail", pk="pk")
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Carry out one action on an entitlement. A refused action re-renders the page with the
    messages on the fields; nothing is written."""
    if step not in STEPS:
        raise Http404
    entitlement = entitlement_for(staff(request), pk)
    _view(request, entitlement)
    _form_class, run, done = STEPS[step]
    form = _form(step, request.POST, entitlement)
    if form.is_valid():
        try:
            run(staff(request), entitlement, form.cleaned_data)
        except ValidationError as exc:
            report_errors(request, form, exc)
        else:
            messages.success(request, done)
            return redirect("entitlements:detail", pk=pk)
    entitlement.refresh_from_db()
    return render(
        request,
        "entitlements/detail.html",
        _context(request, entitlement, **{step: form}),
        status=400,
    )


# --- tasks -----------------------------------------------------------------------------------


def task_queue_view(request: HttpRequest) -> HttpResponse:
    """Open review tasks of the jurisdiction, overdue and due soon first."""
    _view(request)
    today = clock.today()
    items = task_queue(staff(request), today)
    return render(
        request,
        "entitlements/tasks.html",
        {
            "items": items,
            "overdue": sum(i.overdue for i in items),
            "soon": sum(i.due_soon for i in items),
            "today": today,
            "due_soon_days": due_soon_days(today),
            "may_schedule": request.user.has_perm("entitlements.schedule"),
        },
    )


@post_only("entitlements:tasks")
def run_checks_view(request: HttpRequest) -> HttpResponse:
    """Run the daily checks for the user's jurisdiction now (district roles)."""
    if not request.user.has_perm("entitlements.schedule"):
        raise PermissionDenied
    division = str(getattr(request.user, "division_code", ""))
    counts = scheduled.run_daily_checks(staff(request), division_code=division)
    messages.success(
        request,
        _(
            "已生成定期核查任务 %(reviews)s 件、死亡核查 %(deaths)s 件、特困年满18周岁核查 "
            "%(tekun_minors)s 件；到期终止 %(terminated)s 件"
        )
        % counts,
    )
    return redirect("entitlements:tasks")


def task_view(request: HttpRequest, pk: int, **forms_: object) -> HttpResponse:
    """A task with the reassessment its completion would apply (computed now, not saved)."""
    task = task_for(staff(request), pk)
    _view(request, task.entitlement)
    entitlement = task.entitlement
    preview = None
    preview_error = ""
    today = clock.today()
    allowed = TASK.forms_allowed(request.user, task, today)
    reassessing = TASK.condition_refusal(task, "complete", today) is None and (
        task.status == TaskStatus.OPEN
    )
    if (
        reassessing
        and task.kind == TaskKind.DEATH_CHECK
        and task.person_id
        and task.person_id == entitlement.person_id
    ):
        # The supported person died: completing proposes the end, there is nothing to assess.
        reassessing_note = _("供养人员已死亡：完成核查将提出终止（死亡）。")
        messages.info(request, reassessing_note)
    elif reassessing:
        try:
            deceased = (
                (task.person_id,) if task.person_id and task.kind == TaskKind.DEATH_CHECK else ()
            )
            preview = reassessment.reassess(entitlement, clock.today(), exclude_persons=deceased)
        except (ParameterNotDefinedError, InvalidInputError) as exc:
            preview_error = str(exc)
    return render(
        request,
        "entitlements/task.html",
        {
            "task": task,
            "due_missing": task_missing(task, covered_years()) if task.due_on is None else "",
            "entitlement": entitlement,
            "preview": preview,
            "preview_error": preview_error,
            "may_complete": allowed["complete"],
            "may_close": allowed["close"],
            "next": TASK.next_step(request.user, task, today),
            "forms": {"complete": ReviewForm(), "close": NoteForm(), **forms_},
            "today": today,
            "funeral_claim": _funeral_claim(request, task),
        },
        status=400 if forms_ else 200,
    )


def _funeral_claim(request: HttpRequest, task: ReviewTask) -> str:
    """For a member's death: the funeral claim's application form, the decedent and their
    status at death filled in (empty if the user may not take applications)."""
    entitlement = task.entitlement
    if task.kind != TaskKind.DEATH_CHECK or not task.person_id:
        return ""
    if not request.user.has_perm("cases.apply", entitlement.household):
        return ""
    # The month of death: the death feed registers it before the task opens; a task whose
    # person has no date of death yet reads today's entitlements.
    died = task.person.died_on if task.person is not None else None
    status = status_at_death(
        task.person_id, died or clock.today(), entitlement.household.entitlements.all()
    )
    query = urlencode({"program": "funeral", "decedent": task.person_id, "status": status})
    return f"{reverse('cases:new_application', args=[entitlement.household_id])}?{query}"


@post_only("entitlements:task", pk="pk")
def task_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Complete a task by reassessment (``complete``) or close it with a note (``close``)."""
    if step not in ("complete", "close"):
        raise Http404
    task = task_for(staff(request), pk)
    _view(request, task.entitlement)
    form: forms.Form = ReviewForm(request.POST) if step == "complete" else NoteForm(request.POST)
    if form.is_valid():
        try:
            if step == "complete":
                done = reviews.complete_review(staff(request), task, note=form.cleaned_data["note"])
                messages.success(
                    request, _("核查已完成：%(outcome)s") % {"outcome": done.get_outcome_display()}
                )
            else:
                reviews.close_task(staff(request), task, note=form.cleaned_data["note"])
                messages.success(request, _("任务已办结"))
            return redirect("entitlements:detail", pk=task.entitlement_id)
        except ValidationError as exc:
            report_errors(request, form, exc)
    return task_view(request, pk, **{step: form})


# --- standard change -------------------------------------------------------------------------


def _parameters() -> list[tuple[str, str]]:
    system = rules_system()
    ordered = [p for p in MAIN_PARAMETERS if p in system.parameters] + sorted(
        p.path for p in system.parameters if p.path not in MAIN_PARAMETERS
    )
    return [(path, parameter_label(system, path)) for path in ordered]


def _reference(run: StandardChangeRun) -> str:
    """The source of the run's new value in the reader's language: for the district's own
    value its kind, document and the two officers by name (the rules' stored text mixes both
    languages and login names); a published value's legal reference as recorded."""
    value = run.local_value
    if value is None:
        return run.parameter_reference
    number = _("（%(n)s）") % {"n": value.document_number} if value.document_number else ""
    text = (
        _("本地调整：%(document)s%(number)s；录入 %(maker)s，复核 %(checker)s")
        if value.adopted
        else _("本地值：%(document)s%(number)s；录入 %(maker)s，复核 %(checker)s")
    )
    return text % {
        "document": value.document,
        "number": number,
        "maker": value.entered_by,
        "checker": value.checked_by or "—",
    }


def run_list_view(request: HttpRequest) -> HttpResponse:
    """Standard-change runs of the jurisdiction, and the form to start one (district)."""
    _view(request)
    may_start = request.user.has_perm("entitlements.standard_change")
    form = StandardChangeForm(request.POST or None, parameters=_parameters())
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = standard_change_runs.start_standard_change(
                    staff(request), **form.cleaned_data
                )
            except ValidationError as exc:
                report_errors(request, form, exc)
            except ParameterNotDefinedError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("已重算 %(n)s 件待遇，%(c)s 件金额变化，待另一人审批")
                    % {"n": run.checked, "c": run.changed},
                )
                return redirect("entitlements:run", pk=run.pk)
    runs = list(runs_for(staff(request)).select_related("created_by", "decided_by")[:50])
    system = rules_system()
    for listed in runs:
        listed.label = parameter_label(system, listed.parameter_path)  # type: ignore[attr-defined]
    return render(
        request,
        "entitlements/runs.html",
        {"runs": runs, "form": form, "may_start": may_start},
        status=400 if request.method == "POST" else 200,
    )


def run_view(request: HttpRequest, pk: int, **forms_: object) -> HttpResponse:
    """A run's differences (paginated, by outcome), its totals by township and program, and
    the approval (a second district user)."""
    run = run_for(staff(request), pk)
    _view(request, run)
    outcome = request.GET.get("outcome", "")
    items = run.items.select_related("entitlement", "entitlement__household")
    if outcome in ItemOutcome.values:
        items = items.filter(outcome=outcome)
    page = Paginator(items, ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    system = rules_system()
    may_decide = (
        run.status == RunStatus.PROPOSED
        and request.user.has_perm("entitlements.approve_standard_change", run)
        and run.created_by_id != request.user.pk
    )
    return render(
        request,
        "entitlements/run.html",
        {
            "run": run,
            "page": page,
            "outcome": outcome,
            "outcomes": ItemOutcome.choices,
            "may_decide": may_decide,
            "difference": run.total_after - run.total_before,
            "label": parameter_label(system, run.parameter_path),
            # The stored label is in the starter's language; the reader's is the program's.
            "totals": [{**t, "program_label": Program.label(t["program"])} for t in run.totals],
            "reference": _reference(run),
            "confidence": CONFIDENCE_LABELS.get(run.parameter_confidence, _("未知")),
            "new_value": value_text(
                system,
                run.parameter_path,
                (run.parameter_value or {}).get("value"),
                in_fen=True,
            ),
            "forms": {"approve": _optional_note(), "discard": NoteForm(), **forms_},
        },
        status=400 if forms_ else 200,
    )


def _optional_note() -> NoteForm:
    """The approval's note form: the note is optional (the browser must not demand it)."""
    form = NoteForm()
    form.fields["note"].required = False
    return form


@post_only("entitlements:run", pk="pk")
def run_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in ("approve", "discard"):
        raise Http404
    run = run_for(staff(request), pk)
    _view(request, run)
    form = NoteForm(request.POST)
    if step == "approve":
        form.fields["note"].required = False
    if form.is_valid():
        try:
            if step == "approve":
                run = standard_change_runs.approve_standard_change(
                    staff(request), run, note=form.cleaned_data["note"]
                )
                messages.success(
                    request,
                    _("已批准：生成新版本 %(a)s 件，另有 %(s)s 件因已变更未适用")
                    % {"a": run.applied, "s": run.skipped},
                )
            else:
                standard_change_runs.discard_standard_change(
                    staff(request), run, note=form.cleaned_data["note"]
                )
                messages.success(request, _("已作废该重算"))
            return redirect("entitlements:run", pk=pk)
        except ValidationError as exc:
            report_errors(request, form, exc)
    return run_view(request, pk, **{step: form})


__all__ = [
    "entitlement_list_view",
    "entitlement_view",
    "run_list_view",
    "run_view",
    "task_queue_view",
    "task_view",
]
