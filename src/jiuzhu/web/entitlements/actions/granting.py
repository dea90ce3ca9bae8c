"""Granting entitlements: the entitlement an approval creates (``create_from_decision``, from
the first paid month at the confirmed amount) and the review class and first periodic review it
starts with (Art. 31).
"""

from __future__ import annotations

import datetime as dt

from jiuzhu.rules import registry
from jiuzhu.rules.ages import adult_age, elderly_age
from jiuzhu.rules.procedure import review_cycle
from jiuzhu.rules.system import ENGINE_VERSION
from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core import clock
from jiuzhu.web.core.months import (
    add_months_to_date,
    age_on,
    first_day,
)
from jiuzhu.web.core.programs import per_person
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ReviewClass,
    Status,
    VersionBasis,
)
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.models import Household


def create_from_decision(user: Staff, application: Application) -> Entitlement | None:
    """The entitlement an approval grants: from the first paid month, at the confirmed monthly
    amount (Art. 21: paid from the month after the decision). Called inside the confirmation's
    transaction; None for a rejection or a program without a monthly amount.
    """
    if application.stage != Stage.APPROVED or not application.monthly_amount:
        return None
    if not registry.program(application.program).monthly:
        return None  # paid once (temporary assistance): a one-off payment, not an entitlement
    latest = application.assessments.first()
    entitlement = Entitlement.objects.create(
        number=f"E{application.number}",
        program=application.program,
        household=application.household,
        person=application.applicant if per_person(application.program) else None,
        application=application,
        division_code=application.division_code,
        status=Status.ACTIVE,
        start_month=application.first_paid_month,
        review_class=(review_class := _review_class(application)),
        # Due from the start, so the entitlement page and the review queue show it at once.
        next_review_due=first_review_due(
            application.program, application.first_paid_month, review_class
        ),
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


def first_review_due(program: str, start_month: str, review_class: str) -> dt.date:
    """The first periodic review: the program's review cycle for the class (``review_cycle``,
    months) after the first paid month (《最低生活保障审核确认办法》第三十一条)."""
    start = first_day(start_month)
    return add_months_to_date(start, review_cycle(program, review_class).number(start))


def _review_class(application: Application) -> str:
    """Every 6 months where a member may work (adults of working age), every 12 otherwise
    (Art. 31: households whose finances change little: the elderly, the severely disabled)."""
    return review_class_for(application.household, clock.today())


REVIEW_DISABILITY_GRADES = (1, 2)
"""A member with a certificate of grade 1 or 2 (GB/T 26341-2010: 极重度, 重度) does not make the
household's income unstable for the review class. Not the rules' 重度残疾人 (``severely_disabled``,
《最低生活保障审核确认办法》第八条, which adds grade 3 intellectual or mental)."""


def review_class_for(household: Household, today: dt.date) -> str:
    """The household's review class on ``today`` (《最低生活保障审核确认办法》第三十一条):
    ``unstable`` (every 6 months) where a current member is an adult not yet elderly
    (``jiuzhu.rules.ages.adult_age`` to ``elderly_age``: 18–59) and has no certificate of a
    ``REVIEW_DISABILITY_GRADES`` grade, ``stable`` (12) otherwise."""
    parameters = rules_system().parameters
    adult, elderly = adult_age(parameters, today), elderly_age(parameters, today)
    members = household.memberships.filter(valid_to__isnull=True).select_related("person")
    for membership in members:
        age = age_on(membership.person.birth_date, today)
        severe = membership.person.disability_grade in REVIEW_DISABILITY_GRADES
        if adult <= age < elderly and not severe:
            return ReviewClass.UNSTABLE
    return ReviewClass.STABLE


__all__ = [
    "create_from_decision",
    "first_review_due",
    "review_class_for",
]
