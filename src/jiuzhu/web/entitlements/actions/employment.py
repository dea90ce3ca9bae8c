"""The employment sanction (``apply_employment_sanction``, ``lift_employment_sanction``;
社会救助暂行办法 Art. 45, 最低生活保障审核确认办法 Art. 34, case C28): the dibao of a member who
refused suitable job offers without good reason is reduced or stopped — his or her own share only —
and restored when the sanction is lifted.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.core import clock
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.reassessment import _apply_reassessment, reassess
from jiuzhu.web.entitlements.actions.writes import (
    _add_version,
    _check,
    _event,
    _locked,
    latest_version,
)
from jiuzhu.web.entitlements.assessment import (
    member_share,
)
from jiuzhu.web.entitlements.models import (
    EmploymentSanction,
    Entitlement,
    EntitlementEvent,
    EntitlementVersion,
    TerminationGrounds,
    VersionBasis,
)
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.models import Membership, Person

REFUSAL_LIMIT = "dibao.employment_refusal_limit"
"""The rules' parameter: consecutive refusals without good reason that cut the member's share."""


def refusal_limit(on: dt.date, system: RuleSystem | None = None) -> int:
    """The consecutive refusals that cut a member's own dibao on ``on`` (the rules' parameter
    ``dibao.employment_refusal_limit``: 3, 《社会救助暂行办法》第四十五条).

    Raises:
        ValueError: the value in force is not a whole number (unknown).
    """
    system = system or rules_system()
    value = system.parameters[REFUSAL_LIMIT].at(on).value
    if not isinstance(value, int):
        raise ValueError(f"{REFUSAL_LIMIT} is {value!r} on {on}")
    return value


def _check_request(refusals: int, good_reason: bool, share_percent: int, needed: int) -> None:
    if good_reason:
        raise ValidationError({"good_reason": _("有正当理由拒绝的，不得减发")})
    if refusals < needed:
        raise ValidationError(
            {"refusals": _("须连续%(n)s次无正当理由拒绝介绍的工作") % {"n": needed}}
        )
    if not 1 <= share_percent <= 100:
        raise ValidationError({"share_percent": _("减发比例应在1%至100%之间")})


def _counted_members(
    entitlement: Entitlement, person: Person, today: dt.date, month: str, system: RuleSystem | None
) -> int:
    """The members the rules engine counts in the assistance unit today (``unit_members``).

    Raises:
        ValidationError: ``person`` is not a current member, or no member is counted.
    """
    base = reassess(entitlement, today, month=month, system=system)
    if not Membership.objects.filter(
        household_id=entitlement.household_id, person=person, valid_to__isnull=True
    ).exists():
        raise ValidationError({"person": _("该人员不是本家庭现有成员")})
    if base.unit_members <= 0:
        raise ValidationError({"person": _("救助单位没有计入的成员")})
    return base.unit_members


def apply_employment_sanction(
    user: Staff,
    entitlement: Entitlement,
    *,
    person: Person,
    refusals: int,
    good_reason: bool,
    share_percent: int = 100,
    note: str = "",
    system: RuleSystem | None = None,
) -> EmploymentSanction:
    """Record that a member refused suitable job offers from the public employment services
    ``refusals`` times in a row without good reason, and cut his or her **own share** only
    (社会救助暂行办法 第四十五条; 最低生活保障审核确认办法 第三十四条; case C28) from next month.

    The count that cuts and the cut are the rules engine's (``dibao.employment_refusal_limit``,
    ``jiuzhu.rules.programs.dibao.sanction_cut``): the share is the household amount / the members counted in the
    assistance unit (``unit_members`` today), rounded down to the fen; ``share_percent`` of it
    is taken off (100: stopped). C28: 1,635 yuan for 3 members, share 545, stopped → 1,090 from
    next month (a new version, basis ``employment_sanction``).

    Raises:
        PermissionDenied: not a deciding role; ValidationError: fewer refusals than the rule, a
            good reason, not dibao, not active, a person not counted in the unit, a percentage
            outside 1–100, or an open sanction of the same person.
    """
    today = clock.today()
    _check_request(refusals, good_reason, share_percent, refusal_limit(today, system))
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "sanction")
        if entitlement.sanctions.filter(person=person, to_month="").exists():
            raise ValidationError({"person": _("该成员已在减发中")})
        month = next_month(today)
        current = latest_version(entitlement)
        if current is None:
            raise ValidationError(_("待遇没有版本"))
        members = _counted_members(entitlement, person, today, month, system)
        # The share of the amount actually paid, sanctions already in force included: one
        # member's refusal never takes more than his or her own part of what the household gets.
        reduction = member_share(current.monthly_amount, members, share_percent)
        sanction = EmploymentSanction.objects.create(
            entitlement=entitlement,
            person=person,
            refusals=refusals,
            share_percent=share_percent,
            from_month=month,
            reason=note,
            created_by=user,
        )
        reason = recorded(
            "%(name)s 连续%(n)s次无正当理由拒绝介绍的工作：减发本人份额 %(share)s 元"
            "（月救助金 %(amount)s 元 ÷ %(members)s 人 × %(percent)s%%）",
            name=person.name,
            n=refusals,
            share=format_yuan(reduction),
            amount=format_yuan(current.monthly_amount),
            members=members,
            percent=share_percent,
        )
        _add_version(
            user,
            entitlement,
            amount=current.monthly_amount - reduction,
            valid_from=month,
            basis=VersionBasis.EMPLOYMENT_SANCTION,
            reason=reason + (f"；{note}" if note else ""),
            parameter_digest=current.parameter_digest,
        )
        EntitlementEvent.objects.create(
            entitlement=entitlement,
            user=user,
            action="employment_sanction",
            from_status=entitlement.status,
            to_status=entitlement.status,
            note=reason,
        )
    return sanction


def lift_employment_sanction(
    user: Staff,
    entitlement: Entitlement,
    *,
    person: Person,
    reason: str,
    system: RuleSystem | None = None,
) -> tuple[str, EntitlementVersion | None]:
    """End a member's employment sanction from next month — he or she took up work or an offer,
    or a good reason came to light — and restore the household amount: the household is
    reassessed with the rules engine on today's registry data and the sanctions still in force,
    as a review would (社会救助暂行办法 Art. 45; 最低生活保障审核确认办法 Art. 34).

    Returns the outcome (``TaskOutcome``: kept, new version from next month, or a termination
    proposal if the household no longer qualifies) and the new version, if any.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: no reason, no sanction of the
            person in force, or a reassessment that cannot be made (unknown parameters,
            registry data the rules cannot read).
    """
    if not reason.strip():
        raise ValidationError({"reason": _("请填写解除减发的理由")})
    today = clock.today()
    month = next_month(today)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "lift_sanction")
        sanction = (
            entitlement.sanctions.select_for_update()
            .filter(Q(to_month="") | Q(to_month__gt=month), person=person)
            .order_by("-from_month")
            .first()
        )
        if sanction is None:
            raise ValidationError({"person": _("该成员没有执行中的减发")})
        # A sanction that has not begun yet ends before its first month: it never applies.
        sanction.to_month = max(month, sanction.from_month)
        sanction.save(update_fields=["to_month"])
        assessment = reassess(entitlement, today, month=month, system=system)
        note = recorded(
            "解除%(name)s的拒绝就业减发（自 %(month)s 起）：%(reason)s",
            name=person.name,
            month=sanction.to_month,
            reason=reason,
        )
        outcome = _apply_reassessment(
            user,
            entitlement,
            assessment,
            basis=VersionBasis.EMPLOYMENT_SANCTION,
            note=note,
            grounds_if_ineligible=TerminationGrounds.INCOME_ASSETS,
        )
        _event(user, entitlement, "lift_employment_sanction", entitlement.status, note)
    return outcome


__all__ = [
    "apply_employment_sanction",
    "lift_employment_sanction",
]
