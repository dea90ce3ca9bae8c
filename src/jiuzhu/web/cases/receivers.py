"""An open application whose household changes after its assessment waits for a reassessment.

The assessment (and the amount a notice publishes or a decision confirms) rests on the registry
as it was; when a member's facts, the membership or the declaration change later, the
application is marked, the change is written in its history, and the township opinion, the
proposal and the confirmation wait until the caseworker reassesses (``actions.reassess``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.models import Application, ApplicationEvent, Stage
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.registry.signals import household_changed

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
