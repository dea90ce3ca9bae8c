"""A log-in ends after a spell without any request (``JIUZHU_IDLE_MINUTES``, default 30) and at
the end of the working day (``JIUZHU_DAY_END``, default 20:00 Beijing time): a log-in started
before the day end ends at it, one started after it ends at the next day's. It never lasts
longer than ``SESSION_COOKIE_AGE`` (8 hours), whichever comes first.

The session keeps when the log-in started and when the user was last seen (seconds since the
epoch); a session that has neither (made before this control existed) has expired. On expiry
the session is emptied, the expiry is an audit event, and the user lands on the log-in page,
which says why (``?expired=idle`` or ``?expired=day_end``); an htmx request gets an
``HX-Redirect`` there instead of a fragment. Time is ``core.clock.now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url

from jiuzhu.web.accounts.actions import record_session_expired
from jiuzhu.web.accounts.models import User
from jiuzhu.web.core import clock

BEIJING = ZoneInfo("Asia/Shanghai")
STARTED = "jiuzhu_login_started"
SEEN = "jiuzhu_login_seen"
SEEN_GRANULARITY = 60
"""Seconds: the last-seen time is saved at most once a minute (one session write a minute,
not one a request); the idle limit is kept to within that minute."""

IDLE, DAY_END = "idle", "day_end"
REASONS = (IDLE, DAY_END)


def start(request: HttpRequest) -> None:
    """Start the clocks of a log-in (called when the user logs in)."""
    moment = clock.now().timestamp()
    request.session[STARTED] = moment
    request.session[SEEN] = moment


def day_end(started: dt.datetime) -> dt.datetime:
    """When a log-in started at ``started`` ends at the latest: the first day end (Beijing
    time) after it, or ``SESSION_COOKIE_AGE`` seconds after it if that is sooner."""
    hours, minutes = (int(part) for part in str(settings.JIUZHU_DAY_END).split(":"))
    local = started.astimezone(BEIJING)
    end = dt.datetime.combine(local.date(), dt.time(hours, minutes), tzinfo=BEIJING)
    if local >= end:
        end += dt.timedelta(days=1)
    return min(end, started + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))


def expired(request: HttpRequest) -> str | None:
    """Why the request's log-in has ended (``idle`` or ``day_end``), or None while it lasts.
    A lasting log-in's last-seen time moves to now."""
    started, seen = request.session.get(STARTED), request.session.get(SEEN)
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return DAY_END  # no clock: a session older than this control
    now = clock.now()
    if now >= day_end(dt.datetime.fromtimestamp(started, dt.UTC)):
        return DAY_END
    if now.timestamp() - seen >= settings.JIUZHU_IDLE_MINUTES * 60:
        return IDLE
    if now.timestamp() - seen >= SEEN_GRANULARITY:
        request.session[SEEN] = now.timestamp()
    return None


def login_url(reason: str, request: HttpRequest) -> str:
    """The log-in page saying why the log-in ended, back to this page after a GET."""
    query = {"expired": reason}
    if request.method == "GET" and not _htmx(request):
        query["next"] = request.get_full_path()
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode(query)}"


class SessionExpiryMiddleware:
    """Ends an expired log-in before the view runs (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            reason = expired(request)
            if reason is not None:
                return self._end(request, user, reason)
        return self.get_response(request)

    def _end(self, request: HttpRequest, user: User, reason: str) -> HttpResponse:
        record_session_expired(request, user, reason)
        # Not ``auth.logout``: the user did not log out (that event would say so).
        request.session.flush()
        request.user = AnonymousUser()
        target = login_url(reason, request)
        if _htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


def _htmx(request: HttpRequest) -> bool:
    """An htmx request (read from the header: django-htmx's middleware runs later)."""
    return request.headers.get("HX-Request") == "true"
