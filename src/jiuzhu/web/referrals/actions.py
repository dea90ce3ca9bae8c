"""Referring a member to legal aid or judicial assistance: the rules decide, on the day, whether
the economic-hardship check is waived (《中华人民共和国法律援助法》第四十二条) from the household's
register and what the caseworker records; the referral and its letter keep the result."""

from __future__ import annotations

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.rules.engine.explain import explain_household, fill
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.referrals.models import Kind, Referral
from jiuzhu.web.registry.frames import engine_frames, with_inputs
from jiuzhu.web.registry.models import Household, Person

FACTS = ("assistance_certified", "no_fixed_livelihood", "migrant_worker_claim")
"""What the caseworker records for the rules (their inputs of the same names)."""


def _decide(
    household: Household, person: Person, kind: str, facts: dict[str, bool]
) -> tuple[bool | None, str]:
    """The rules' decision for ``person`` today: waived or not (None: undetermined), and the
    reasons as people read them."""
    system = rules_system()
    frames = engine_frames(system, [household.pk], clock.today(), public_keys=True)
    values = {"referral": kind, **facts}
    frames = with_inputs(
        system,
        frames,
        {name: pl.lit(value, dtype=system.variables[name].dtype) for name, value in values.items()},
        str(person.resident_id),
    )
    explanation = explain_household(system, frames, household.number)
    for part in explanation.programs:
        if part.program.name == "legal_aid" and part.subject == str(person.resident_id):
            # The reasons' sentences, as the letter states them (Chinese, the record's language).
            texts = [fill(r.message, part.values, system.variables, False) for r in part.reasons]
            return part.status, "；".join(texts)
    return None, ""


def refer(
    user: Staff,
    household: Household,
    person: Person,
    *,
    kind: str,
    matter: str,
    receiving_body: str,
    assistance_certified: bool = False,
    no_fixed_livelihood: bool = False,
    migrant_worker_claim: bool = False,
) -> Referral:
    """Refer a current member of ``household`` to legal aid or judicial assistance, with the
    rules' decision on the economic-hardship check.

    Raises:
        PermissionDenied; ValidationError: not a current member, an unknown kind, no matter
            or receiving body.
    """
    require(user, "referrals.refer", household)
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("请选择转介事项")
    if not matter.strip():
        errors["matter"] = _("请写明需要帮助的事项")
    if not receiving_body.strip():
        errors["receiving_body"] = _("请写明接收机构（法律援助中心、人民法院或人民检察院）")
    if not household.memberships.filter(person=person, valid_to__isnull=True).exists():
        errors["person"] = _("该人员不是本家庭的现有成员")
    if errors:
        raise ValidationError(errors)
    facts = {
        "assistance_certified": assistance_certified,
        "no_fixed_livelihood": no_fixed_livelihood,
        "migrant_worker_claim": migrant_worker_claim,
    }
    waived, reasons = _decide(household, person, kind, facts)
    with transaction.atomic():
        referral = Referral.objects.create(
            household=household,
            person=person,
            division_code=household.division_code,
            kind=kind,
            matter=matter.strip(),
            receiving_body=receiving_body.strip(),
            check_waived=waived,
            reasons=reasons,
            referred_on=clock.today(),
            created_by=user,
            **facts,
        )
        record(user, "referrals.refer", referral, kind=kind, waived=waived)
    return referral
