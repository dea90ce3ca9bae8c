"""The page a locked-out log-in gets (axes' ``AXES_LOCKOUT_CALLABLE``): what happened and when
to try again, in the site's layout, with status 429 (too many requests) — never a bare 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.web.accounts.models import User

USERNAME_KEPT = 150
"""The longest username counted and recorded (Django's ``username`` field; axes' column holds
255): a longer one, which no user has, is cut rather than failing the log-in page."""


def username_tried(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The username of an attempt, as axes counts it (``AXES_USERNAME_CALLABLE``)."""
    given = (credentials or {}).get("username")
    if given is None:
        given = request.POST.get("username", "")
    return str(given)[:USERNAME_KEPT]


def with_failures(users: QuerySet[User]) -> QuerySet[User]:
    """``users`` annotated with their username's failures within the cool-off
    (``login_failures``) and the latest one (``login_failed_at``): a user is locked out while
    ``login_failures`` reaches ``AXES_FAILURE_LIMIT``, until ``login_failed_at`` plus the
    cool-off (the admin's user list shows it)."""
    recent = AccessAttempt.objects.filter(
        username=OuterRef("username"),
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).values("username")
    return users.annotate(
        login_failures=Subquery(recent.annotate(n=Sum("failures_since_start")).values("n")[:1]),
        login_failed_at=Subquery(recent.annotate(at=Max("attempt_time")).values("at")[:1]),
    )


def retry_at(request: HttpRequest, username: str) -> dt.datetime | None:
    """When the lockout of ``username`` or of the request's address ends: the cool-off after
    the latest failure counted against either (None: no failure on record)."""
    cool_off = get_cool_off(request)
    latest = (
        AccessAttempt.objects.filter(
            Q(username=username) | Q(ip_address=get_client_ip_address(request))
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if latest is None or cool_off is None:
        return None
    return latest + cool_off


def locked_out_page(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The locked-out page (see the module docstring)."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    context = {
        "failures": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "retry_at": retry_at(request, username),
    }
    return render(request, "accounts/locked_out.html", context, status=429)
