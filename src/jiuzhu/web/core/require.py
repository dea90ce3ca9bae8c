"""Permission checks that raise: the one way an action refuses a user who lacks a permission.

A move of a transition table is checked by its ``Workflow`` (``core.transitions``), which says
why in words; ``require`` serves the actions outside a table (an import, a run, an export).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.functional import Promise

from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import Staff


def require(
    user: Staff | None,
    permission: str,
    obj: models.Model | None = None,
    *,
    reason: str | Promise = "",
) -> None:
    """Return if ``user`` (None: the system, which may do anything) has ``permission`` on
    ``obj`` (on the whole platform when ``obj`` is None).

    Raises:
        NotPermitted: the user lacks it and ``reason`` says who may;
        PermissionDenied: the user lacks it (the permission's name is the message).
    """
    if user is None or user.has_perm(permission, obj):
        return
    if reason:
        raise NotPermitted(reason)
    raise PermissionDenied(permission)
