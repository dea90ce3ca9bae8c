"""Alerts' deadlines counted again when the holiday table changes (workcalendar.signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from jiuzhu.web.discovery.actions.deadlines import recount_deadlines
from jiuzhu.web.workcalendar.signals import calendar_changed


@receiver(calendar_changed, dispatch_uid="discovery.recount_deadlines")
def recount(sender: Any, *, years: tuple[int, ...], user: Any, **kwargs: Any) -> None:
    recount_deadlines(user, years)
