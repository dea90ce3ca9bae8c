"""The entitlement write path's shared steps: the permission check, the transition table on
the row-locked entitlement, the event and audit record of a status change, a required reason, and
new versions (each change a new version, audited).

Every entitlement action follows the cases pattern: it checks the user's permission on the
entitlement (role and jurisdiction), re-reads the entitlement under a row lock, writes in one
transaction, and records an ``EntitlementEvent`` (status changes and decisions) and an audit
event. A refused action writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiuzhu.rules.system import ENGINE_VERSION
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementEvent,
    EntitlementVersion,
)
from jiuzhu.web.entitlements.workflow import ENTITLEMENT

BATCH = 2_000
"""Rows per bulk write (and per ``IN (…)`` list) of the batch actions."""


# --- helpers ---------------------------------------------------------------------------------


def _check(user: Staff, entitlement: Entitlement, move: str) -> None:
    """The entitlement's transition table on the locked row (raises ``Refused`` or
    ``NotPermitted`` with the reason)."""
    ENTITLEMENT.check(user, entitlement, move, clock.today())


def _locked(entitlement: Entitlement) -> Entitlement:
    """The entitlement re-read under a row lock (two clerks acting at once act once)."""
    return Entitlement.objects.select_for_update().get(pk=entitlement.pk)


def _event(
    user: Staff,
    entitlement: Entitlement,
    action: str,
    before: str,
    note: str = "",
    **detail: Any,
) -> None:
    """Save the entitlement and record the event and the audit event."""
    entitlement.save()
    EntitlementEvent.objects.create(
        entitlement=entitlement,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        from_status=before,
        to_status=entitlement.status,
        note=note,
    )
    record(
        user,
        f"entitlements.{action}",
        entitlement,
        before={"status": before},
        after={"status": entitlement.status},
        note=note,
        **detail,
    )


def _reason(text: str, field: str = "reason") -> str:
    if not text.strip():
        raise ValidationError({field: _("请写明理由")})
    return text.strip()


def latest_version(entitlement: Entitlement) -> EntitlementVersion | None:
    """The entitlement's latest version (the highest number)."""
    return entitlement.versions.order_by("-number").first()


def _add_version(
    user: Staff,
    entitlement: Entitlement,
    *,
    amount: int,
    valid_from: str,
    basis: str,
    reason: str,
    parameter_digest: str = "",
    valid_to: str = "",
) -> EntitlementVersion:
    """Close the latest version at ``valid_from`` and open the next (call inside the
    transaction, the entitlement locked). Amount in fen per month.

    Raises:
        ValidationError: ``valid_from`` is not after the latest version's start (one version per
            start month: a version is never overwritten).
    """
    latest = latest_version(entitlement)
    if latest is not None and valid_from <= latest.valid_from:
        raise ValidationError(
            _("新版本须晚于当前版本的起始月份 %(month)s（同一月份只能有一个版本）")
            % {"month": latest.valid_from}
        )
    if latest is not None and (not latest.valid_to or latest.valid_to > valid_from):
        latest.valid_to = valid_from
        latest.save(update_fields=["valid_to"])
    version = EntitlementVersion.objects.create(
        entitlement=entitlement,
        number=(latest.number if latest else 0) + 1,
        valid_from=valid_from,
        valid_to=valid_to,
        monthly_amount=amount,
        basis=basis,
        reason=reason,
        engine_version=ENGINE_VERSION,
        parameter_digest=parameter_digest,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record(
        user,
        "entitlements.version",
        entitlement,
        before={"amount": latest.monthly_amount if latest else None},
        after={"amount": amount},
        basis=basis,
        valid_from=valid_from,
        version=version.number,
    )
    return version


__all__ = [
    "BATCH",
    "latest_version",
]
