"""Checks opened when the registry changes a household with an entitlement in force.

A member's death opens the death check (within 3 months of the death, 2022 notice); any other
change (a member's facts, a move in or out, living apart, the household's housing, vehicles or
spending, a new declaration) opens one change check (家庭变化报告核查) that later changes join
while it is open. The check reassesses the household when a caseworker completes it; nothing
changes the entitlement by itself (DESIGN.md §6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.core.clock import today
from jiuzhu.web.entitlements import params
from jiuzhu.web.entitlements.actions import death_check_due, open_task
from jiuzhu.web.entitlements.models import Entitlement, ReviewTask, TaskKind, TaskStatus
from jiuzhu.web.entitlements.workflow import REVIEWED
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.registry.signals import household_changed

IGNORED = frozenset({"registered"})
"""Changes that cannot concern an entitlement (a household just registered has none)."""


@receiver(household_changed, dispatch_uid="entitlements.registry_checks")
def open_checks(
    sender: Any,
    *,
    household: Household,
    user: Any,
    change: str,
    on: dt.date,
    person: Person | None,
    description: str,
    event_id: int,
    **kwargs: Any,
) -> None:
    if change in IGNORED:
        return
    entitlements = Entitlement.objects.select_for_update().filter(
        household=household, status__in=REVIEWED
    )
    for entitlement in entitlements:
        if change == "died" and person is not None:
            open_task(
                user,
                entitlement,
                TaskKind.DEATH_CHECK,
                f"person:{person.pk}",
                death_check_due(on),
                due_rule=recorded(params.DEATH_CHECK_MONTHS.label),
                reason=description,
                person=person,
            )
            continue
        _change_check(user, entitlement, description, event_id)


def _change_check(user: Any, entitlement: Entitlement, description: str, event_id: int) -> None:
    """One open change check per entitlement: a later change adds its line to it."""
    waiting = (
        ReviewTask.objects.select_for_update()
        .filter(
            entitlement=entitlement,
            kind=TaskKind.CHANGE_REPORT,
            status=TaskStatus.OPEN,
            key__startswith="registry:",
        )
        .first()
    )
    if waiting is not None:
        waiting.reason = f"{waiting.reason}\n{description}".strip()
        waiting.save(update_fields=["reason"])
        return
    open_task(
        user,
        entitlement,
        TaskKind.CHANGE_REPORT,
        f"registry:{event_id}",
        today() + dt.timedelta(days=params.CHANGE_CHECK_DAYS),
        due_rule=recorded(
            "登记信息变更后%(days)s日内核查（工作安排，无法定期限）",
            days=params.CHANGE_CHECK_DAYS,
        ),
        reason=description,
    )
