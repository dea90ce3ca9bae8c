"""Granting entitlements: the entitlement an approval creates (``create_from_decision``, from
the first paid month at the confirmed amount) and the review class and first periodic review it
starts with (Art. 31).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.rules.system import ENGINE_VERSION
from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases import clock
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core.programs import Program
from jiuzhu.web.entitlements import params
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ReviewClass,
    Status,
    VersionBasis,
)
from jiuzhu.web.months import (
    add_months_to_date,
    age_on,
    first_day,
)
from jiuzhu.web.registry.models import Household


def create_from_decision(user: Any, application: Application) -> Entitlement | None:
    """The entitlement an approval grants: from the first paid month, at the confirmed monthly
    amount (Art. 21: paid from the month after the decision). Called inside the confirmation's
    transaction; None for a rejection or a program without a monthly amount.
    """
    if application.stage != Stage.APPROVED or not application.monthly_amount:
        return None
    latest = application.assessments.first()
    entitlement = Entitlement.objects.create(
        number=f"E{application.number}",
        program=application.program,
        household=application.household,
        person=application.applicant if application.program == Program.TEKUN else None,
        application=application,
        division_code=application.division_code,
        status=Status.ACTIVE,
        start_month=application.first_paid_month,
        review_class=(review_class := _review_class(application)),
        # Due from the start, so the entitlement page and the review queue show it at once.
        next_review_due=first_review_due(application.first_paid_month, review_class),
    )
    EntitlementVersion.objects.create(
        entitlement=entitlement,
        number=1,
        valid_from=application.first_paid_month,
        monthly_amount=application.monthly_amount,
        basis=VersionBasis.DECISION,
        reason=application.decision_reasons,
        engine_version=ENGINE_VERSION,
        parameter_digest=latest.parameter_digest if latest else "",
        created_by=user,
    )
    record(
        user,
        "entitlements.create",
        entitlement,
        amount=application.monthly_amount,
        start=application.first_paid_month,
    )
    return entitlement


def first_review_due(start_month: str, review_class: str) -> dt.date:
    """The first periodic review: ``REVIEW_MONTHS`` of the class after the first paid month
    (Art. 31)."""
    start = first_day(start_month)
    rule = (
        params.REVIEW_MONTHS[review_class].at(start) or params.REVIEW_MONTHS[review_class].values[0]
    )
    return add_months_to_date(start, rule.value)


def _review_class(application: Application) -> str:
    """Every 6 months where a member may work (adults of working age), every 12 otherwise
    (Art. 31: households whose finances change little: the elderly, the severely disabled)."""
    return review_class_for(application.household, clock.today())


def review_class_for(household: Household, today: dt.date) -> str:
    """The household's review class on ``today`` (Art. 31): ``unstable`` (every 6 months) where a
    current member is 18–59 and not severely disabled (grade 1–2), ``stable`` (12) otherwise."""
    members = household.memberships.filter(valid_to__isnull=True).select_related("person")
    for membership in members:
        age = age_on(membership.person.birth_date, today)
        severe = membership.person.disability_grade in (1, 2)
        if 18 <= age < 60 and not severe:
            return ReviewClass.UNSTABLE
    return ReviewClass.STABLE


__all__ = [
    "create_from_decision",
    "first_review_due",
    "review_class_for",
]
