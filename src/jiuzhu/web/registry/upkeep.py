"""Registry upkeep: the counter's and the caseworker's changes to households and members.

Register a household with its applicant; add, edit, move in and out, record a death, a prison
sentence or a declaration of missing; change the applicant; edit the household's facts; merge a
duplicate person. Each action checks the permission (role and jurisdiction), validates, writes
in one transaction, keeps the change as an audit event with the values before and after (the
record's version history, shown on the household page), recomputes what depends on membership
(the per-capita floor area) and sends ``signals.household_changed`` so that an open
application is marked for reassessment and an entitlement in force gets its check task.

Membership is effective-dated (最低生活保障审核确认办法 Art. 7: 共同生活的家庭成员): an event on
day D ends a membership with ``valid_to`` = D − 1 (the last day as a member) or starts one with
``valid_from`` = D. Living apart for a reason the rules exclude (prison, compulsory drug
rehabilitation, declared missing) keeps the membership and records the reason and the date, which
the rules' ``excluded_by_absence`` reads.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.feeds import ids
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.core.clock import today as _today
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.forms import Cleaned, id_error
from jiuzhu.web.core.locks import lock
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.actions import record_id_conversion
from jiuzhu.web.registry.models import Household, Membership, Person
from jiuzhu.web.registry.numbering import household_number
from jiuzhu.web.registry.signals import household_changed

APPLICANT_RELATIONS = frozenset({"01", "02"})
"""本人 and 户主: the applicant, exactly one per household."""

PERSON_FIELDS = (
    "resident_id",
    "name",
    "birth_date",
    "hukou_tianjin",
    "disability_category",
    "disability_grade",
    "serious_illness",
    "special_outpatient_disease",
    "student_level",
    "self_care",
    "work_capacity",
    "marital_status",
    "employment",
    "unable_to_live_independently",
    "chooses_orphan_support",
    "father_situation",
    "father_situation_since",
    "father_situation_until",
    "mother_situation",
    "mother_situation_since",
    "mother_situation_until",
)
"""What a member edit may change (``sex`` follows the ID number)."""

HOUSEHOLD_FIELDS = (
    "address",
    "division_code",
    "area_type",
    "homes",
    "floor_area",
    "vehicles",
    "disability_mobility_vehicles",
    "non_residential_property",
    "non_essential_luxury_goods",
    "self_funded_study_abroad",
    "business_capital",
    "rigid_medical_expenditure",
    "rigid_education_expenditure",
    "rigid_disaster_expenditure",
    "rigid_accident_expenditure",
    "single_parent_family",
    "family_planning_special_support",
    "has_no_children",
    "district_designated_hardship",
)
"""What a household edit may change."""

ABSENCES = frozenset({"prison", "compulsory_drug_rehabilitation", "declared_missing"})
"""Reasons for living apart that leave a person out of the household (Art. 7)."""


def _require(user: Staff, household: Household) -> None:
    reason = _("登记信息由村（居）协理员、乡镇（街道）经办人或区民政局人员维护")
    require(user, "registry.change", household, reason=reason)


def _announce(
    user: Staff,
    household: Household,
    change: str,
    on: dt.date,
    description: str,
    event_id: int,
    person: Person | None = None,
) -> None:
    household_changed.send(
        sender=Household,
        household=household,
        user=user,
        change=change,
        on=on,
        person=person,
        description=description,
        event_id=event_id,
    )


def _not_future(on: dt.date, field: str = "on") -> None:
    if on > _today():
        raise ValidationError({field: _("日期不能晚于今天")})


def _person_errors(person: Person) -> dict[str, str]:
    """Rules a person's record must keep (besides the model's own)."""
    errors: dict[str, str] = {}
    if person.resident_id[6:14] != person.birth_date.strftime("%Y%m%d"):
        errors["birth_date"] = _("出生日期与身份证号不一致")
    if person.disability_category != "none" and not person.disability_grade:
        errors["disability_grade"] = _("请填写残疾等级")
    if person.disability_category == "none" and person.disability_grade:
        errors["disability_grade"] = _("无残疾时不填等级")
    return errors


def hold_resident_id(resident_id: str) -> None:
    """Take the lock of an ID number until the transaction ends: two clerks registering or
    adding the same person at the same instant take turns, and the second then finds the
    first's membership (a refusal naming the household) instead of a duplicate person or a
    server error. Call first in the transaction."""
    lock(f"person:{resident_id}")


def stored_id(data: Cleaned) -> str | None:
    """Put ``data["resident_id"]`` in the form the registry stores (GB 11643,
    ``jiuzhu.feeds.ids.normalise``; a form's ``ResidentIdField`` gives it so already, a direct
    caller may pass a 15-digit number). Returns the 15-digit number converted, by the form or
    here, for ``record_id_conversion`` once the person is saved.

    Raises:
        ValidationError: not a valid ID (the message in the user's language).
    """
    typed = data["resident_id"]
    try:
        number = ids.normalise(typed, _today())
    except ids.InvalidIdError as exc:
        raise ValidationError({"resident_id": id_error(exc)}) from None
    data["resident_id"] = number.number
    return number.converted_from or getattr(typed, "converted_from", None)


def _holder_of(resident_id: str, exclude: Person | None = None) -> Membership | None:
    """The membership in force of the person with this ID, if any."""
    found = Membership.objects.filter(
        sealed_match("person__resident_id", resident_id), valid_to__isnull=True
    ).select_related("household", "person")
    if exclude is not None:
        found = found.exclude(person=exclude)
    return found.first()


def _already_member_error(membership: Membership, user: Staff) -> ValidationError:
    """An ID that is already a current member somewhere: say where, as far as the user may see."""
    household = membership.household
    if user.has_perm("registry.view", household):
        text = _(
            "该身份证号已是家庭 %(number)s 的成员（%(name)s），不能重复登记；请在该家庭办理"
        ) % {
            "number": household.number,
            "name": membership.person.name,
        }
    else:
        text = _("该身份证号已是其他乡镇（街道）家庭的成员，须先由该地办理迁出")
    return ValidationError({"resident_id": text})


def recompute_floor_area(household: Household) -> None:
    """Per-capita floor area = total floor area / members in force (two decimals, half up). A
    household imported with a per-capita value only keeps its total from that value the first
    time its membership changes, so the figure is never left stale."""
    members = household.memberships.filter(valid_to__isnull=True).count()
    if household.floor_area is None:
        return
    per_capita = (
        (Decimal(household.floor_area) / members).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if members
        else None
    )
    if per_capita != household.per_capita_floor_area:
        household.per_capita_floor_area = per_capita
        household.save(update_fields=["per_capita_floor_area", "updated_at"])


def _keep_total_area(household: Household) -> None:
    """Before a membership change: derive the total from an imported per-capita figure."""
    if household.floor_area is None and household.per_capita_floor_area is not None:
        members = household.memberships.filter(valid_to__isnull=True).count()
        household.floor_area = Decimal(household.per_capita_floor_area) * max(members, 1)
        household.save(update_fields=["floor_area", "updated_at"])


def _new_person(data: Cleaned) -> Person:
    number = data["resident_id"]
    person = Person(sex="1" if int(number[16]) % 2 else "2")
    for field in PERSON_FIELDS:
        if field in data:
            setattr(person, field, data[field])
    errors = _person_errors(person)
    if errors:
        raise ValidationError(errors)
    person.full_clean()
    person.save()
    return person


def register_household(
    user: Staff,
    *,
    household: Cleaned,
    applicant: Cleaned,
    on: dt.date | None = None,
) -> Household:
    """Register a household at the counter with its applicant (本人) as first member.

    ``household``: ``division_code`` (a community of the user's jurisdiction), ``address``,
    ``area_type`` and optionally the facts of ``HOUSEHOLD_FIELDS``; ``applicant``: the person's
    fields (``resident_id``, ``name``, ``birth_date`` …).

    Raises:
        NotPermitted: the division is outside the user's jurisdiction or the role may not;
        ValidationError: the applicant is already a current member of a household (the message
            names it where the user may see it), or a value the rules or the model refuse.
    """
    on = on or _today()
    applicant = dict(applicant)
    legacy = stored_id(applicant)
    division = household.get("division_code", "")
    if len(division) != 12 or not division.isdigit():
        raise ValidationError({"division_code": _("请选择村（居）")})
    probe = Household(division_code=division, township_code=division[:9])
    _require(user, probe)
    with transaction.atomic():
        hold_resident_id(applicant["resident_id"])
        existing = _holder_of(applicant["resident_id"])
        if existing is not None:
            raise _already_member_error(existing, user)
        created = Household(
            number=household_number(), division_code=division, township_code=division[:9]
        )
        for field in HOUSEHOLD_FIELDS:
            if field in household:
                setattr(created, field, household[field])
        created.full_clean()
        created.save()
        person = Person.objects.filter(
            sealed_match("resident_id", applicant["resident_id"])
        ).first()
        if person is None:
            person = _new_person(applicant)
            if legacy:
                record_id_conversion(user, person, legacy, created)
        Membership.objects.create(household=created, person=person, relation="01", valid_from=on)
        recompute_floor_area(created)
        description = recorded("登记新家庭，申请人 %(name)s", name=person.name)
        event = record(
            user,
            "registry.register_household",
            created,
            after=snapshot(created, ["number", "division_code", "address", "area_type"]),
            applicant=person.name,
        )
        _announce(user, created, "registered", on, description, event.pk, person)
    return created


def update_member(
    user: Staff, membership: Membership, *, relation: str | None = None, **changes: Any
) -> Person:
    """Edit a member's facts (``PERSON_FIELDS``) and relation to the applicant. The change is
    kept with its values before and after; an open application is marked for reassessment and
    an entitlement in force gets a check task.

    Raises:
        NotPermitted; ValidationError: an ID already used by another person, a birth date that
            does not match the ID, a disability without grade, a second applicant.
    """
    household = membership.household
    _require(user, household)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能修改的项目：%(fields)s") % {"fields": "、".join(sorted(unknown))}
        )
    legacy = stored_id(changes) if "resident_id" in changes else None
    with transaction.atomic():
        if "resident_id" in changes:
            hold_resident_id(changes["resident_id"])
        person = Person.objects.select_for_update().get(pk=membership.person_id)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        before = {**snapshot(person, list(PERSON_FIELDS)), "relation": membership.relation}
        number = changes.get("resident_id", person.resident_id)
        if (
            number != person.resident_id
            and Person.objects.filter(sealed_match("resident_id", number))
            .exclude(pk=person.pk)
            .exists()
        ):
            raise ValidationError(
                {"resident_id": _("该身份证号已登记为另一人；如为同一人，请使用“合并重复人员”")}
            )
        for field, value in changes.items():
            setattr(person, field, value)
        person.sex = "1" if int(person.resident_id[16]) % 2 else "2"
        errors = _person_errors(person)
        if relation is not None and relation != membership.relation:
            if relation in APPLICANT_RELATIONS or membership.relation in APPLICANT_RELATIONS:
                errors["relation"] = _("申请人（本人）的变更请使用“更换申请人”")
            membership.relation = relation
        if errors:
            raise ValidationError(errors)
        person.full_clean()
        person.save()
        membership.full_clean()
        membership.save()
        if legacy and person.resident_id != before["resident_id"]:
            record_id_conversion(user, person, legacy, household)
        after = {**snapshot(person, list(PERSON_FIELDS)), "relation": membership.relation}
        if before == after:
            return person
        event = record(
            user,
            "registry.update_member",
            person,
            division_code=household.division_code,
            # An audit event never holds an ID in clear.
            before={**before, "resident_id": mask_id(str(before["resident_id"]))},
            after={**after, "resident_id": mask_id(person.resident_id)},
        )
        description = recorded("修改成员 %(name)s 的登记信息", name=person.name)
        _announce(user, household, "member_facts", _today(), description, event.pk, person)
    return person


def update_household(user: Staff, household: Household, **changes: Any) -> Household:
    """Edit the household's facts (``HOUSEHOLD_FIELDS``): housing units and floor area, vehicles,
    business capital, medical and education spending (fen, last 12 months), the categories.
    A new division must stay within the user's jurisdiction. The per-capita floor area is
    recomputed.

    Raises:
        NotPermitted; ValidationError: a value the model refuses, a division outside the
            jurisdiction.
    """
    _require(user, household)
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能修改的项目：%(fields)s") % {"fields": "、".join(sorted(unknown))}
        )
    division = changes.get("division_code", household.division_code)
    if len(division) != 12 or not user.covers(division):
        raise ValidationError({"division_code": _("只能选择本辖区的村（居）")})
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        before = snapshot(household, list(HOUSEHOLD_FIELDS))
        for field, value in changes.items():
            setattr(household, field, value)
        household.township_code = household.division_code[:9]
        household.full_clean()
        household.save()
        recompute_floor_area(household)
        after = snapshot(household, list(HOUSEHOLD_FIELDS))
        if before == after:
            return household
        event = record(user, "registry.update_household", household, before=before, after=after)
        description = recorded("修改家庭 %(number)s 的登记信息", number=household.number)
        _announce(user, household, "household_facts", _today(), description, event.pk)
    return household
