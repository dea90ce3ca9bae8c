"""Reading the audit trail, always within the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.users import Visitor


def events_for(user: Visitor) -> QuerySet[AuditEvent]:
    """The events of the user's jurisdiction, newest first (none without one)."""
    division = getattr(user, "division_code", "")
    if not division:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(division_code__startswith=division)


def users_for(user: Visitor) -> QuerySet[User]:
    """The users who act in the viewer's jurisdiction: those inside it and those above it (a
    district officer acts on a township's records), by name."""
    division = getattr(user, "division_code", "")
    model = get_user_model()
    if not division:
        return model.objects.none()
    # The divisions above: the district (6 digits) and the township (9) of a community (12).
    above = [division[:n] for n in (6, 9) if n < len(division)]
    return model.objects.filter(
        Q(division_code__startswith=division) | Q(division_code__in=above)
    ).order_by("full_name", "username")


@dataclass(frozen=True)
class Filters:
    """What a user asked the log for (every part optional)."""

    user_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    household_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _start_of(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered(user: Visitor, filters: Filters) -> QuerySet[AuditEvent]:
    """The jurisdiction's events that match ``filters`` (dates are whole Asia/Shanghai days,
    both inclusive), newest first, with their users."""
    events = events_for(user).select_related("user")
    if filters.user_id is not None:
        events = events.filter(user_id=filters.user_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.household_id is not None:
        events = events.filter(household_id=filters.household_id)
    if filters.date_from is not None:
        events = events.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to is not None and filters.date_to < dt.date.max:
        events = events.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return events
