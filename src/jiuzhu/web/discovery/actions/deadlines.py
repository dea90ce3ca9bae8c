"""Counting alerts' deadlines again when the holiday table changes (``calendar_changed``).

An alert written while the year its deadline reaches had no calendar keeps its deadline unknown
(null, "缺 2027 年日历"); one written from a table later corrected keeps a wrong date. When an
administrator enters, completes or corrects a year (or ``seed_calendar`` seeds it), every open
alert whose deadline may reach that year is counted again: the visit and outcome from
``raised_on`` (``deadline_working_days``), an awaited application from ``concluded_on``
(``workflow.APPLICATION_WORKING_DAYS``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.users import Staff
from jiuzhu.web.discovery.actions.common import BATCH
from jiuzhu.web.discovery.models import OPEN_STATUSES, Alert, AlertStatus
from jiuzhu.web.discovery.workflow import APPLICATION_WORKING_DAYS
from jiuzhu.web.workcalendar.working_days import calendar_for, reaching


def recount_deadlines(user: Staff, years: Iterable[int]) -> int:
    """Count again the deadlines of the open alerts that may reach ``years`` and store the ones
    that changed (a date found, a date moved, or a date unknown again). One audit event.

    Returns:
        The number of alerts whose deadline changed.
    """
    years = sorted(set(years))
    if not years:
        return 0
    with transaction.atomic():
        visits = list(
            Alert.objects.select_for_update()
            .filter(status__in=OPEN_STATUSES - {AlertStatus.AWAITING_APPLICATION})
            .filter(reaching("raised_on", "due_on", years))
            .only("pk", "raised_on", "deadline_working_days", "due_on")
        )
        awaiting = list(
            Alert.objects.select_for_update()
            .filter(status=AlertStatus.AWAITING_APPLICATION, concluded_on__isnull=False)
            .filter(reaching("concluded_on", "application_due_on", years))
            .only("pk", "concluded_on", "application_due_on")
        )
        starts = [a.raised_on for a in visits] + [
            a.concluded_on for a in awaiting if a.concluded_on
        ]
        calendar = calendar_for(starts, years)
        moved = []
        for alert in visits:
            due = calendar.due(alert.raised_on, alert.deadline_working_days).on
            if due != alert.due_on:
                alert.due_on = due
                moved.append(alert)
        Alert.objects.bulk_update(moved, ["due_on"], batch_size=BATCH)
        waiting = []
        for alert in awaiting:
            assert alert.concluded_on is not None
            due = calendar.due(alert.concluded_on, APPLICATION_WORKING_DAYS).on
            if due != alert.application_due_on:
                alert.application_due_on = due
                waiting.append(alert)
        Alert.objects.bulk_update(waiting, ["application_due_on"], batch_size=BATCH)
        changed = len(moved) + len(waiting)
        if changed:
            record(
                user,
                "discovery.recount_deadlines",
                object_type="discovery.alert",
                years=years,
                recounted=changed,
            )
    return changed
