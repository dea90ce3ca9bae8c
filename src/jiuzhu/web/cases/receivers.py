"""An open application whose household changes after its assessment waits for a reassessment;
a public notice running when the holiday table changes has its end counted again.

The assessment (and the amount a notice publishes or a decision confirms) rests on the registry
as it was; when a member's facts, the membership or the declaration change later, the
application is marked, the change is written in its history, and the township opinion, the
proposal and the confirmation wait until the caseworker reassesses (``actions.reassess``).
"""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.dispatch import receiver

from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.models import Application, ApplicationEvent, Stage
from jiuzhu.web.cases.workflow import public_notice
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.registry.signals import household_changed
from jiuzhu.web.workcalendar.signals import calendar_changed
from jiuzhu.web.workcalendar.working_days import reaching

ASSESSED = frozenset(
    {
        Stage.HOME_VISIT,
        Stage.TOWNSHIP_REVIEW,
        Stage.PUBLIC_NOTICE,
        Stage.OBJECTION_REVIEW,
        Stage.DISTRICT_CONFIRMATION,
    }
)
"""Open stages that already rest on an assessment (verification assessed the household)."""


@receiver(household_changed, dispatch_uid="cases.reassessment_due")
def mark_for_reassessment(
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
    for application in Application.objects.select_for_update().filter(
        household=household, stage__in=ASSESSED
    ):
        application.reassessment_due = True
        note = application.reassessment_note
        application.reassessment_note = f"{note}\n{description}".strip() if note else description
        application.save(update_fields=["reassessment_due", "reassessment_note", "updated_at"])
        ApplicationEvent.objects.create(
            application=application,
            user=user,
            action="registry_changed",
            from_stage=application.stage,
            to_stage=application.stage,
            note=description,
        )
        record(user, "cases.reassessment_due", application, change=change, registry_event=event_id)


@receiver(calendar_changed, dispatch_uid="cases.recount_notice_ends")
def recount_notice_ends(
    sender: type[models.Model], *, years: tuple[int, ...], user: Staff, **kwargs: object
) -> int:
    """A calendar year entered or corrected (``workcalendar.signals``): the public notices
    running whose end may fall in it are counted again (7 days, ended on a working day,
    ``workflow.public_notice``), so a notice posted before the year's calendar existed gets its
    final end and can be closed. One audit event; returns the number of notices moved."""
    with transaction.atomic():
        running = list(
            Application.objects.select_for_update()
            .filter(stage=Stage.PUBLIC_NOTICE)
            .filter(reaching("notice_starts_on", "notice_ends_on", years))
            .only("pk", "notice_starts_on", "notice_ends_on")
        )
        moved = []
        for application in running:
            assert application.notice_starts_on is not None
            end = public_notice(application.notice_starts_on).ends_on
            if end != application.notice_ends_on:
                application.notice_ends_on = end
                moved.append(application)
        Application.objects.bulk_update(moved, ["notice_ends_on"])
        if moved:
            record(
                user,
                "cases.recount_notice_ends",
                object_type="cases.application",
                years=sorted(years),
                recounted=len(moved),
            )
        return len(moved)
