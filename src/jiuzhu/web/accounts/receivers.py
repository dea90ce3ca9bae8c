"""Django's and axes' authentication signals, turned into audit events (``accounts.actions``)
and the start of a log-in's clock (``accounts.expiry``).

A failed attempt reaches two receivers: this module's (the audit event) and axes' (its
counter, which may lock the username and the address and then sends ``user_locked_out``). The
two run in either order; what axes has done so far is read from the request's ``axes_*``
attributes: ``axes_failures_since_start`` stays None on an attempt refused because a lockout
was already in force (axes counts nothing then), and is the count on an attempt it counted.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from jiuzhu.web.accounts import actions, expiry
from jiuzhu.web.accounts.models import User


@receiver(user_logged_in, dispatch_uid="jiuzhu.accounts.logged_in")
def logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    request = request if request is not None else HttpRequest()
    if hasattr(request, "session"):
        expiry.start(request)
    actions.record_login(request, user)


@receiver(user_logged_out, dispatch_uid="jiuzhu.accounts.logged_out")
def logged_out(
    sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if isinstance(user, User):
        actions.record_logout(request if request is not None else HttpRequest(), user)


@receiver(user_login_failed, dispatch_uid="jiuzhu.accounts.login_failed")
def login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django replaces the password in ``credentials`` by stars; only the username is kept.
    username = str(credentials.get("username") or "")
    request = request if request is not None else HttpRequest()
    refused_while_locked = bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )
    actions.record_login_failed(request, username, locked=refused_while_locked)


@receiver(user_locked_out, dispatch_uid="jiuzhu.accounts.locked_out")
def locked_out(sender: object, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return  # an attempt during a lockout (recorded as a failed attempt), not a new lockout
    actions.record_lockout(request, username or "", int(failures))
