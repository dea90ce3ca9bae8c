"""Suspending and resuming payment (``suspend``, ``resume``): a suspended entitlement is not
payable until resumed at its current version.
"""

from __future__ import annotations

from django.db import transaction

from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.writes import _check, _event, _locked, _reason
from jiuzhu.web.entitlements.models import (
    Entitlement,
    Status,
)


def suspend(user: Staff, entitlement: Entitlement, *, reason: str) -> Entitlement:
    """Suspend payment (暂停发放), e.g. while a review cannot reach the household. A suspended
    entitlement is not payable (``PAYABLE``) until resumed.

    Raises:
        PermissionDenied; ValidationError: no reason, or not active.
    """
    reason = _reason(reason)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "suspend")
        before = entitlement.status
        entitlement.status = Status.SUSPENDED
        _event(user, entitlement, "suspend", before, reason)
    return entitlement


def resume(user: Staff, entitlement: Entitlement, *, reason: str) -> Entitlement:
    """Resume a suspended entitlement at its current version (payable again).

    Raises:
        PermissionDenied; ValidationError: no reason, or not suspended.
    """
    reason = _reason(reason)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "resume")
        before = entitlement.status
        entitlement.status = Status.ACTIVE
        _event(user, entitlement, "resume", before, reason)
    return entitlement


__all__ = [
    "resume",
    "suspend",
]
