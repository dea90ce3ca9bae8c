"""The workbench and the help pages. Each app says what waits for the user
(``work_items(user, today)`` in its ``queries``); the workbench lists them, most urgent first
within each kind, and never decides by itself what a role does."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiuzhu.web.accounts.models import Role
from jiuzhu.web.cases import queries as cases
from jiuzhu.web.core.clock import today as _today
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.workitems import WorkList
from jiuzhu.web.discovery import queries as discovery
from jiuzhu.web.documents import queries as documents
from jiuzhu.web.entitlements import queries as entitlements
from jiuzhu.web.payments import queries as payments
from jiuzhu.web.relief import queries as relief
from jiuzhu.web.workbench import scenarios

PROVIDERS = (
    lambda user, today: [cases.work_items(user, today)],
    lambda user, today: [discovery.work_items(user, today)],
    lambda user, today: [documents.work_items(user, today)],
    entitlements.work_items,
    payments.work_items,
    lambda user, today: [relief.work_items(user, today)],
    scenarios.work_items,
)
"""Who may have work for a user: each returns the user's work lists (empty ones are hidden)."""


def work_lists(user: Staff) -> list[WorkList]:
    """Every non-empty work list of the user, lists with overdue items first."""
    today = _today()
    found = [work for provider in PROVIDERS for work in provider(user, today) if work.total]
    return sorted(found, key=lambda work: (-work.overdue, -work.due_soon))


def workbench_view(request: HttpRequest) -> HttpResponse:
    """My work: every pending item for my role in my jurisdiction, overdue and due soon first."""
    if not request.user.has_perm("cases.view"):
        raise PermissionDenied
    lists = work_lists(staff(request))
    return render(
        request,
        "workbench/home.html",
        {
            "lists": lists,
            "today": _today(),
            "total": sum(work.total for work in lists),
            "overdue": sum(work.overdue for work in lists),
            "soon": sum(work.due_soon for work in lists),
        },
    )


HELP_ROLES = tuple(Role)


def help_view(request: HttpRequest) -> HttpResponse:
    """How each role works in the platform: the user's own role first, the others below."""
    role = getattr(request.user, "role", "")
    ordered = sorted(HELP_ROLES, key=lambda r: r != role)
    return render(
        request,
        "workbench/help.html",
        {"roles": [(r, f"workbench/help/{r.value}.html") for r in ordered], "mine": role},
    )
