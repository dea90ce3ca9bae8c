"""Creating and changing entitlements (each change a new version, audited)."""

from __future__ import annotations

from typing import Any

from jiuzhu.rules.system import ENGINE_VERSION
from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.models import Application, Program, Stage
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ReviewClass,
    Status,
    VersionBasis,
)


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
        review_class=_review_class(application),
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


def _review_class(application: Application) -> str:
    """Every 6 months where a member may work (adults of working age), every 12 otherwise
    (Art. 31: households whose finances change little: the elderly, the severely disabled)."""
    from jiuzhu.web.cases import clock  # noqa: PLC0415

    today = clock.today()
    members = application.household.memberships.filter(valid_to__isnull=True).select_related(
        "person"
    )
    for membership in members:
        born = membership.person.birth_date
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        severe = membership.person.disability_grade in (1, 2)
        if 18 <= age < 60 and not severe:
            return ReviewClass.UNSTABLE
    return ReviewClass.STABLE


__all__ = ["create_from_decision"]
