"""Writing the audit trail (called by every other app's actions, inside their transaction)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

from django.db import models

from jiuzhu.web.audit.models import AuditEvent


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values as JSON-ready data (for ``before``/``after``)."""
    data: dict[str, Any] = {}
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
    user: Any,
    action: str,
    instance: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    division_code: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append an audit event for ``instance`` (or the given type and id)."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        division_code = division_code or str(
            getattr(instance, "division_code", "")
            or getattr(getattr(instance, "household", None), "division_code", "")
        )
    changed_before, changed_after = before, after
    if before is not None and after is not None:
        # Keep only what changed: the history reads as a list of edits.
        keys = [k for k in after if before.get(k) != after.get(k)]
        changed_before = {k: before.get(k) for k in keys}
        changed_after = {k: after.get(k) for k in keys}
    return AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        division_code=division_code,
        before=dict(changed_before) if changed_before is not None else None,
        after=dict(changed_after) if changed_after is not None else None,
        detail=dict(detail),
    )
