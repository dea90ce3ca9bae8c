"""Alerts' deadlines counted again when the holiday table changes (workcalendar.signals); alerts
closed by the application they asked for, and the low-income register following a decision
(cases.signals)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.dispatch import receiver

from jiuzhu.web.cases.models import Application
from jiuzhu.web.cases.signals import application_registered, decision_confirmed
from jiuzhu.web.core.users import Staff
from jiuzhu.web.discovery.actions import link_application, link_registered, refresh_register
from jiuzhu.web.discovery.actions.deadlines import recount_deadlines
from jiuzhu.web.workcalendar.signals import calendar_changed


@receiver(calendar_changed, dispatch_uid="discovery.recount_deadlines")
def recount(
    sender: type[models.Model], *, years: tuple[int, ...], user: Staff, **kwargs: object
) -> None:
    recount_deadlines(user, years)


@receiver(application_registered, dispatch_uid="discovery.link_alerts")
def link_alerts(
    sender: type[models.Model],
    *,
    user: Staff,
    application: Application,
    alert: int | None,
    **kwargs: object,
) -> None:
    """Close the alert the application was opened from, then any alert waiting for this
    household's application of this program, though not opened from it."""
    if alert is not None:
        link_application(user, alert, application)
    link_registered(user, application)


@receiver(decision_confirmed, dispatch_uid="discovery.follow_decision")
def follow_decision(
    sender: type[models.Model], *, application: Application, today: dt.date, **kwargs: object
) -> None:
    """The low-income population register follows the decision (recipient, rigid-expenditure
    member or, after a rejection, monitored for a year): a few queries for one household."""
    refresh_register(None, households=[application.household_id], today=today)
