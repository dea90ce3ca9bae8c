"""The acting user's type.

Every action takes the member of staff who acts as ``user: Staff`` (``Staff | None`` where the
system acts too: a scheduled task, an import at start-up, the demo). ``Staff`` is the project's
user model (``accounts.User``: a role and the division it is exercised in), named here so that
signatures say who acts without each app importing the accounts app's model. A view hands its
action ``staff(request)``; what may be asked by whoever makes a request (the transition tables,
the audit of a refusal) takes a ``Visitor``.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from jiuzhu.web.accounts.models import User

Staff: TypeAlias = User
"""A member of staff: ``role``, ``division_code``, ``full_name`` (``accounts.models.User``)."""

Visitor: TypeAlias = User | AnonymousUser
"""Whoever makes a request: a member of staff, or no one logged in (``request.user``)."""


def staff(request: HttpRequest) -> Staff:
    """The member of staff making ``request``.

    Raises:
        PermissionDenied: no one is logged in (every page but the log-in page requires a
            log-in, ``LoginRequiredMiddleware``, so only a page opened to visitors by mistake).
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
