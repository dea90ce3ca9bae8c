"""Writing the audit trail (called by every other app's actions, inside their transaction).

The audit app sits below the apps whose actions it records: it reads their models only through
the app registry (``apps.get_model``), never by import.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.queries import Filters
from jiuzhu.web.core.exports import ListExport
from jiuzhu.web.core.users import Staff, Visitor


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, object]:
    """The instance's concrete field values as JSON-ready data (for ``before``/``after``)."""
    data: dict[str, object] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = str(value)
        data[field.name] = value
    return data


def record(
    user: Visitor | None,
    action: str,
    instance: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    division_code: str = "",
    household: models.Model | int | None = None,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    **detail: object,
) -> AuditEvent:
    """Append an audit event for ``instance`` (or the given type and id).

    ``household`` (a household or its pk) is the household the event concerns; when not given
    it is derived from the object (``household_of``) so that the log's household filter finds
    the event. ``before``/``after`` keep only the keys whose values changed.
    """
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        division_code = division_code or str(
            getattr(instance, "division_code", "")
            or getattr(getattr(instance, "household", None), "division_code", "")
        )
    if household is None:
        found = instance if instance is not None else _instance(object_type, object_id)
        household_id = household_of(found) if found is not None else None
    else:
        household_id = household if isinstance(household, int) else household.pk
    changed_before, changed_after = before, after
    if before is not None and after is not None:
        # Keep only what changed: the history reads as a list of edits.
        keys = [k for k in after if before.get(k) != after.get(k)]
        changed_before = {k: before.get(k) for k in keys}
        changed_after = {k: after.get(k) for k in keys}
    return AuditEvent.objects.create(
        user=user if isinstance(user, Staff) and user.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        division_code=division_code,
        household_id=household_id,
        before=dict(changed_before) if changed_before is not None else None,
        after=dict(changed_after) if changed_after is not None else None,
        detail=dict(detail),
    )


def _instance(object_type: str, object_id: str) -> models.Model | None:
    """The record an event names by type and id (None: no such model or row)."""
    if "." not in object_type or not object_id.isdigit():
        return None
    try:
        model = apps.get_model(object_type)
    except LookupError:
        return None
    return model._default_manager.filter(pk=int(object_id)).first()


def household_of(instance: models.Model) -> int | None:
    """The pk of the household an object belongs to, or None.

    A household is its own; an object with a ``household`` (an application, an entitlement, a
    bank account, a payment, an alert) gives it; one with an ``application`` or an
    ``entitlement`` (a verification run, a recovery, a task) gives theirs; a person gives the
    household of the current membership, or of the latest one for a person who has just moved
    out or died (the event still belongs to that household's history).
    """
    label = instance._meta.label_lower
    if label == "registry.household":
        return int(instance.pk)
    names = {f.name for f in instance._meta.concrete_fields}
    if "household" in names:
        return getattr(instance, "household_id", None)
    for relation in ("application", "entitlement"):
        if relation in names:
            related = getattr(instance, relation)
            return getattr(related, "household_id", None) if related is not None else None
    if label == "registry.person":
        return person_household(int(instance.pk))
    if "person" in names and getattr(instance, "person_id", None) is not None:
        return person_household(instance.person_id)  # type: ignore[attr-defined]
    return None


def person_household(person_id: int) -> int | None:
    """The household of the person's current membership, else of the latest one."""
    membership = apps.get_model("registry", "Membership")
    found = (
        membership.objects.filter(person_id=person_id)
        .order_by(models.F("valid_to").desc(nulls_first=True), "-valid_from", "-pk")
        .values_list("household_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def record_export(user: Staff, filters: Filters, rows: int) -> AuditEvent:
    """Record that ``user`` exported ``rows`` events of the log with ``filters`` (the export of
    the trail is itself part of the trail).

    Raises:
        PermissionDenied: the user may not read the log.
    """
    if not user.has_perm("audit.view"):
        raise PermissionDenied("audit.view")
    chosen: dict[str, Any] = {
        "filter_user": filters.user_id,
        "filter_action": filters.action,
        "filter_object_type": filters.object_type,
        "filter_object": filters.object_id,
        "filter_household": filters.household_id,
        "filter_from": filters.date_from.isoformat() if filters.date_from else None,
        "filter_to": filters.date_to.isoformat() if filters.date_to else None,
    }
    return record(
        user,
        "audit.export",
        division_code=user.division_code,
        household=filters.household_id,
        rows=rows,
        **{key: value for key, value in chosen.items() if value not in (None, "")},
    )


def client_address(request: HttpRequest) -> str:
    """The address the request came from (``REMOTE_ADDR``: the proxy's, behind one)."""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def record_denied(
    user: Visitor | None,
    request: HttpRequest,
    *,
    status: int,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    division_code: str = "",
) -> AuditEvent:
    """Record that ``user`` was refused ``request`` (``status`` 403, or 404 for a record of
    another jurisdiction: ``object_type``, ``object_id`` and its ``division_code``). See
    ``audit.middleware``."""
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))[:200]
    return record(
        user,
        "audit.access_denied",
        object_type=object_type,
        object_id=object_id,
        division_code=division_code or str(getattr(user, "division_code", "")),
        status=status,
        method=request.method or "",
        path=request.path[:300],
        reason=reason[:300],
        client=client_address(request),
        forwarded_for=forwarded,
        user_division=str(getattr(user, "division_code", "")),
    )


def list_export_audit(
    user: Staff, action: str, object_type: str, export: ListExport
) -> Callable[[int], AuditEvent]:
    """What a list's xlsx export (``core.exports.xlsx_response``) calls once its file is
    written: records ``action`` on the user's jurisdiction's ``object_type`` records with the
    rows written, the filters and whether ID numbers went out whole."""
    return lambda rows: record(
        user,
        action,
        object_type=object_type,
        division_code=user.division_code,
        rows=rows,
        filters=export.filters,
        unmasked=export.whole_ids,
    )
