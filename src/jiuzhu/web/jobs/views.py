"""Job pages: the list with a start button, a status fragment the pages poll (htmx), and a
batch assessment's result list with its xlsx download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.programs import program_choices
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import post_only
from jiuzhu.web.jobs import actions, results
from jiuzhu.web.jobs.forms import ResultFilterForm
from jiuzhu.web.jobs.models import Job, Result
from jiuzhu.web.jobs.queries import assessed, job_for, jobs_for, totals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def job_list_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied
    return render(
        request,
        "jobs/list.html",
        {
            "jobs": jobs_for(request.user)[:50],
            "can_import": request.user.has_perm("verification.import_feeds"),
            "can_assess": not getattr(request.user, "is_auditor", True),
        },
    )


def job_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied
    return render(request, "jobs/_status.html", {"job": job_for(request.user, pk)})


def _assessment(request: HttpRequest, pk: int) -> Job:
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied
    job = job_for(request.user, pk)
    if job.kind != Job.Kind.BATCH_ASSESSMENT:
        raise Http404
    return job


def job_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch assessment: its progress, then every assessed household with each program's
    result, amount and main reason, filtered by a program's result, 50 a page."""
    job = _assessment(request, pk)
    form = ResultFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    program = form.cleaned_data.get("program", "") if valid and form.is_bound else ""
    result = form.cleaned_data.get("result", "") if valid and form.is_bound else ""
    page = Paginator(assessed(job, program, result), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = totals(job)
    programs = program_choices()
    return render(
        request,
        "jobs/detail.html",
        {
            "job": job,
            "form": form,
            "page": page,
            "rows": list(results.present(page.object_list)) if valid else [],
            "summary": [
                (code, label, [(r, counts[code].get(r, 0)) for r in Result.values])
                for code, label in programs
            ],
            "invalid": counts["invalid"]["count"],
            "programs": programs,
            "results": Result.choices,
            "query": query.urlencode(),
        },
        status=200 if valid else 400,
    )


def job_workbook_view(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """Every result row of the job (those of the filter, if one is given) as xlsx."""
    job = _assessment(request, pk)
    form = ResultFilterForm(request.GET)
    if not form.is_valid():
        return redirect("jobs:detail", pk=job.pk)
    rows = assessed(job, form.cleaned_data.get("program", ""), form.cleaned_data.get("result", ""))
    record(request.user, "jobs.export_results", job, division_code=job.division_code)
    return FileResponse(
        results.workbook(rows),
        as_attachment=True,
        filename=f"batch-assessment-{job.pk}.xlsx",
        content_type=XLSX,
    )


@post_only("jobs:list")
def start_view(request: HttpRequest, kind: str) -> HttpResponse:
    """Start a job; a batch assessment opens its page, where its result list will appear."""
    if kind == Job.Kind.FEED_IMPORT:
        actions.start_feed_import(staff(request))
        messages.success(request, _("任务已提交，正在后台运行"))
        return redirect("jobs:list")
    if kind == Job.Kind.BATCH_ASSESSMENT:
        job = actions.start_batch_assessment(staff(request), clock.today())
        messages.success(request, _("任务已提交，正在后台运行"))
        return redirect("jobs:detail", pk=job.pk)
    raise Http404
