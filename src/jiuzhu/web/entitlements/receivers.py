"""Checks opened when the registry changes a household with an entitlement in force; dates
counted in working days counted again when the holiday table changes (``recount_deadlines``).

A member's death opens the death check (within 3 months of the death, 2022 notice); any other
change (a member's facts, a move in or out, living apart, the household's housing, vehicles or
spending, a new declaration) opens one change check (家庭变化报告核查) that later changes join
while it is open. The check reassesses the household when a caseworker completes it; nothing
changes the entitlement by itself (DESIGN.md §6).
"""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.dispatch import receiver

from jiuzhu.rules.procedure import CHANGE_CHECK_DAYS, DEATH_CHECK, rule
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.cases.models import Application
from jiuzhu.web.cases.signals import decision_confirmed
from jiuzhu.web.core.clock import today
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.granting import create_from_decision
from jiuzhu.web.entitlements.actions.reviews import death_check_due, open_task
from jiuzhu.web.entitlements.models import Entitlement, ReviewTask, Status, TaskKind, TaskStatus
from jiuzhu.web.entitlements.workflow import REVIEWED, termination_notice
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.registry.signals import household_changed
from jiuzhu.web.workcalendar.signals import calendar_changed
from jiuzhu.web.workcalendar.working_days import calendar_for, reaching


@receiver(decision_confirmed, dispatch_uid="entitlements.grant")
def grant(
    sender: type[models.Model],
    *,
    user: Staff,
    application: Application,
    approved: bool,
    **kwargs: object,
) -> None:
    """An approval confirmed grants its entitlement (in the confirmation's transaction)."""
    if approved:
        create_from_decision(user, application)


IGNORED = frozenset({"registered"})
"""Changes that cannot concern an entitlement (a household just registered has none)."""


@receiver(household_changed, dispatch_uid="entitlements.registry_checks")
def open_checks(
    sender: type[models.Model],
    *,
    household: Household,
    user: Staff,
    change: str,
    on: dt.date,
    person: Person | None,
    description: str,
    event_id: int,
    **kwargs: object,
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
                due_rule=recorded(rule(DEATH_CHECK).label),
                reason=description,
                person=person,
            )
            continue
        _change_check(user, entitlement, description, event_id)


def _change_check(user: Staff, entitlement: Entitlement, description: str, event_id: int) -> None:
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
    days = rule(CHANGE_CHECK_DAYS).number(today())
    open_task(
        user,
        entitlement,
        TaskKind.CHANGE_REPORT,
        f"registry:{event_id}",
        today() + dt.timedelta(days=days),
        due_rule=recorded("登记信息变更后%(days)s日内核查（工作安排，无法定期限）", days=days),
        reason=description,
    )


@receiver(calendar_changed, dispatch_uid="entitlements.recount_deadlines")
def recount_deadlines(
    sender: type[models.Model], *, years: tuple[int, ...], user: Staff, **kwargs: object
) -> int:
    """A calendar year entered or corrected (``workcalendar.signals``): the open tasks due in
    working days (``due_from``, ``due_working_days``) and the running termination notices whose
    end may fall in it are counted again — a date found where it was unknown, a date moved where
    the table was wrong. One audit event; returns how many dates changed."""
    with transaction.atomic():
        tasks = list(
            ReviewTask.objects.select_for_update()
            .filter(status=TaskStatus.OPEN, due_working_days__isnull=False, due_from__isnull=False)
            .filter(reaching("due_from", "due_on", years))
            .only("pk", "due_from", "due_working_days", "due_on")
        )
        calendar = calendar_for([t.due_from for t in tasks if t.due_from], years)
        moved_tasks = []
        for task in tasks:
            assert task.due_from is not None and task.due_working_days is not None
            found = calendar.due(task.due_from, task.due_working_days).on
            if found != task.due_on:
                task.due_on = found
                moved_tasks.append(task)
        ReviewTask.objects.bulk_update(moved_tasks, ["due_on"])
        notices = list(
            Entitlement.objects.select_for_update()
            .filter(status=Status.TERMINATION_NOTICE, notice_starts_on__isnull=False)
            .filter(reaching("notice_starts_on", "notice_ends_on", years))
            .only("pk", "notice_starts_on", "notice_ends_on")
        )
        moved_notices = []
        for entitlement in notices:
            assert entitlement.notice_starts_on is not None
            end = termination_notice(entitlement.notice_starts_on).ends_on
            if end != entitlement.notice_ends_on:
                entitlement.notice_ends_on = end
                moved_notices.append(entitlement)
        Entitlement.objects.bulk_update(moved_notices, ["notice_ends_on"])
        changed = len(moved_tasks) + len(moved_notices)
        if changed:
            record(
                user,
                "entitlements.recount_deadlines",
                object_type="entitlements.reviewtask",
                years=sorted(years),
                recounted=changed,
            )
    return changed
