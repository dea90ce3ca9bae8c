"""Job pages: the list with a start button, and a status fragment the page polls (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.web.cases import clock
from jiuzhu.web.jobs import actions
from jiuzhu.web.jobs.models import Job


def _jobs_for(request: HttpRequest) -> QuerySet[Job]:
    """Jobs of the user's jurisdiction (a township sees its own, the district all)."""
    division = getattr(request.user, "division_code", "")
    if not division:
        return Job.objects.none()
    return Job.objects.filter(division_code__startswith=division).select_related("created_by")


def job_list_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied
    return render(
        request,
        "jobs/list.html",
        {
            "jobs": _jobs_for(request)[:50],
            "can_import": request.user.has_perm("registry.import"),
            "can_assess": not getattr(request.user, "is_auditor", True),
        },
    )


def job_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied
    try:
        job = _jobs_for(request).get(pk=pk)
    except Job.DoesNotExist:
        raise Http404 from None
    return render(request, "jobs/_status.html", {"job": job})


@require_POST
def start_view(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == Job.Kind.FEED_IMPORT:
        actions.start_feed_import(request.user)
    elif kind == Job.Kind.BATCH_ASSESSMENT:
        actions.start_batch_assessment(request.user, clock.today())
    else:
        raise Http404
    messages.success(request, _("任务已提交，正在后台运行"))
    return redirect("jobs:list")
