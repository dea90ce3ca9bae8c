"""The audit log for auditors and directors: every event in their jurisdiction, newest first."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiuzhu.web.audit.labels import ACTIONS
from jiuzhu.web.audit.models import AuditEvent


def audit_log_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("audit.view"):
        raise PermissionDenied
    division = getattr(request.user, "division_code", "")
    events = AuditEvent.objects.filter(division_code__startswith=division).select_related("user")
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {"page": page, "action": action, "actions": sorted(ACTIONS.items())},
    )
