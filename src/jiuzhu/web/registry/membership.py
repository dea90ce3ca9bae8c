"""Who belongs to a household, over time: members added or moving in, moving out, dying, living
apart in prison or declared missing and coming back, a new applicant, a duplicate person merged.

The same rules as ``registry.upkeep`` (permission, one transaction, the audit event with the
values before and after, ``household_changed`` sent, the per-capita floor area recomputed). Dates
are the day the event took effect, never after today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.core.choices import label_of
from jiuzhu.web.core.clock import today as _today
from jiuzhu.web.core.fields import companions, sealed_match
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.actions import record_id_conversion
from jiuzhu.web.registry.models import Asset, Household, Income, Membership, Person
from jiuzhu.web.registry.upkeep import (
    ABSENCES,
    APPLICANT_RELATIONS,
    _already_member_error,
    _announce,
    _holder_of,
    _keep_total_area,
    _new_person,
    _not_future,
    _require,
    hold_resident_id,
    recompute_floor_area,
    stored_id,
)


def _ending(membership: Membership, on: dt.date) -> dt.date:
    """The last day as a member for an event on ``on`` (never before the membership began)."""
    return max(on - dt.timedelta(days=1), membership.valid_from)


def add_member(
    user: Staff,
    household: Household,
    *,
    relation: str,
    on: dt.date | None = None,
    **data: Any,
) -> Person:
    """Add a member from ``on`` (default today): a person new to the registry (``data`` holds
    the person's fields), or one already registered who is not a member anywhere now (moving in
    from elsewhere; the registered facts are kept and ``data`` may update the name).

    Raises:
        NotPermitted; ValidationError: the ID is a current member of a household (named where
            the user may see it), a second applicant, a future date, a value the model refuses.
    """
    _require(user, household)
    on = on or _today()
    _not_future(on)
    if relation in APPLICANT_RELATIONS:
        raise ValidationError(
            {"relation": _("该家庭已有申请人（本人），请选择新成员与申请人的关系")}
        )
    legacy = stored_id(data)
    with transaction.atomic():
        # Two requests adding the same person (two clerks, a double click) take turns: the
        # second finds the first's membership and is told where the person belongs now.
        hold_resident_id(data["resident_id"])
        household = Household.objects.select_for_update().get(pk=household.pk)
        current = _holder_of(data["resident_id"])
        if current is not None:
            raise _already_member_error(current, user)
        _keep_total_area(household)
        person = Person.objects.filter(sealed_match("resident_id", data["resident_id"])).first()
        moved_in = person is not None
        if person is None:
            person = _new_person(data)
            if legacy:
                record_id_conversion(user, person, legacy, household)
        membership = Membership(
            household=household, person=person, relation=relation, valid_from=on
        )
        membership.full_clean()
        membership.save()
        recompute_floor_area(household)
        event = record(
            user,
            "registry.move_in" if moved_in else "registry.add_member",
            person,
            division_code=household.division_code,
            after={
                **snapshot(
                    person, ["name", "birth_date", "disability_category", "disability_grade"]
                ),
                "relation": relation,
                "valid_from": on.isoformat(),
            },
        )
        description = recorded(
            "%(name)s 自 %(date)s 起为家庭成员（%(relation)s）",
            name=person.name,
            date=on.isoformat(),
            relation=label_of("relation", relation),
        )
        change = "moved_in" if moved_in else "member_added"
        _announce(user, household, change, on, description, event.pk, person)
    return person


def _locked_membership(membership: Membership) -> Membership:
    found = (
        Membership.objects.select_for_update()
        .select_related("household", "person")
        .get(pk=membership.pk)
    )
    if found.valid_to is not None:
        raise ValidationError(_("该成员已不在本家庭"))
    return found


def _refuse_applicant(membership: Membership, what: str) -> None:
    others = Membership.objects.filter(
        household_id=membership.household_id, valid_to__isnull=True
    ).exclude(pk=membership.pk)
    if membership.relation in APPLICANT_RELATIONS and others.exists():
        raise ValidationError(
            _("%(name)s 是申请人：请先“更换申请人”，再登记%(what)s")
            % {"name": membership.person.name, "what": what}
        )


def move_out(user: Staff, membership: Membership, *, on: dt.date, reason: str) -> Membership:
    """A member leaves the household on ``on`` (moved away, married out, …).

    Raises:
        NotPermitted; ValidationError: no reason, a future date or one before the membership,
            the applicant while others remain (change the applicant first), not a member now.
    """
    _require(user, membership.household)
    _not_future(on)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明迁出原因")})
    with transaction.atomic():
        membership = _locked_membership(membership)
        if on < membership.valid_from:
            raise ValidationError({"on": _("迁出日期不能早于成为家庭成员的日期")})
        _refuse_applicant(membership, _("迁出"))
        _keep_total_area(membership.household)
        membership.valid_to = _ending(membership, on)
        membership.save(update_fields=["valid_to"])
        recompute_floor_area(membership.household)
        event = record(
            user,
            "registry.move_out",
            membership.person,
            division_code=membership.household.division_code,
            before={"valid_to": None},
            after={"valid_to": membership.valid_to.isoformat()},
            reason=reason,
        )
        description = recorded(
            "%(name)s 于 %(date)s 迁出：%(reason)s",
            name=membership.person.name,
            date=on.isoformat(),
            reason=reason,
        )
        _announce(
            user, membership.household, "moved_out", on, description, event.pk, membership.person
        )
    return membership


def record_death(user: Staff, membership: Membership, *, died_on: dt.date) -> Person:
    """A member died on ``died_on``: the person's death date is recorded and the membership
    ends. An entitlement in force gets its death check (within 3 months, 2022 notice).

    Raises:
        NotPermitted; ValidationError: a future date or one before the person's birth, the
            applicant while others remain (change the applicant first), not a member now.
    """
    _require(user, membership.household)
    _not_future(died_on, "died_on")
    with transaction.atomic():
        membership = _locked_membership(membership)
        person = membership.person
        if died_on < person.birth_date:
            raise ValidationError({"died_on": _("死亡日期不能早于出生日期")})
        _refuse_applicant(membership, _("死亡"))
        _keep_total_area(membership.household)
        person.died_on = died_on
        person.save(update_fields=["died_on", "updated_at"])
        membership.valid_to = _ending(membership, died_on)
        membership.save(update_fields=["valid_to"])
        recompute_floor_area(membership.household)
        event = record(
            user,
            "registry.death",
            person,
            division_code=membership.household.division_code,
            before={"died_on": None},
            after={"died_on": died_on.isoformat()},
        )
        description = recorded(
            "%(name)s 于 %(date)s 死亡", name=person.name, date=died_on.isoformat()
        )
        _announce(user, membership.household, "died", died_on, description, event.pk, person)
    return person


def record_absence(
    user: Staff, membership: Membership, *, reason: str, since: dt.date, note: str = ""
) -> Membership:
    """A member lives apart for a reason the rules exclude (serving a prison sentence,
    compulsory drug rehabilitation, declared missing) since ``since``: the membership stays, the
    rules leave the person out (最低生活保障审核确认办法 Art. 7).

    Raises:
        NotPermitted; ValidationError: an unknown reason, a future date, not a member now.
    """
    _require(user, membership.household)
    _not_future(since, "since")
    if reason not in ABSENCES:
        raise ValidationError({"reason": _("请选择离家原因")})
    with transaction.atomic():
        membership = _locked_membership(membership)
        before = snapshot(membership, ["absence_reason", "absent_since"])
        membership.absence_reason = reason
        membership.absent_since = since
        membership.full_clean()
        membership.save(update_fields=["absence_reason", "absent_since"])
        event = record(
            user,
            "registry.absence",
            membership.person,
            division_code=membership.household.division_code,
            before=before,
            after=snapshot(membership, ["absence_reason", "absent_since"]),
            note=note,
        )
        description = recorded(
            "%(name)s 自 %(date)s 起%(reason)s",
            name=membership.person.name,
            date=since.isoformat(),
            reason=label_of("absence_reason", reason),
        )
        _announce(
            user, membership.household, "absent", since, description, event.pk, membership.person
        )
    return membership


def end_absence(user: Staff, membership: Membership, *, on: dt.date) -> Membership:
    """A member who lived apart (released, found) lives with the household again from ``on``.

    Raises:
        NotPermitted; ValidationError: not living apart, a future date.
    """
    _require(user, membership.household)
    _not_future(on)
    with transaction.atomic():
        membership = _locked_membership(membership)
        if membership.absence_reason == "none":
            raise ValidationError(_("该成员没有离家记录"))
        before = snapshot(membership, ["absence_reason", "absent_since"])
        membership.absence_reason = "none"
        membership.absent_since = None
        membership.save(update_fields=["absence_reason", "absent_since"])
        event = record(
            user,
            "registry.return",
            membership.person,
            division_code=membership.household.division_code,
            before=before,
            after=snapshot(membership, ["absence_reason", "absent_since"]),
            on=on.isoformat(),
        )
        description = recorded(
            "%(name)s 自 %(date)s 起回家共同生活", name=membership.person.name, date=on.isoformat()
        )
        _announce(
            user, membership.household, "returned", on, description, event.pk, membership.person
        )
    return membership


def change_applicant(
    user: Staff, household: Household, *, applicant: Membership, relations: dict[int, str]
) -> Household:
    """Make another current member the applicant (本人), e.g. after the applicant died or moved
    out. Relations are relative to the applicant (GB/T 4761), so ``relations`` gives every other
    current member's relation to the new applicant (membership pk → code).

    Raises:
        NotPermitted; ValidationError: the new applicant is not a current member, a member
            without a relation, or a relation that is again 本人/户主.
    """
    _require(user, household)
    with transaction.atomic():
        current = list(
            Membership.objects.select_for_update()
            .filter(household=household, valid_to__isnull=True)
            .select_related("person")
        )
        if applicant.pk not in {m.pk for m in current}:
            raise ValidationError({"applicant": _("新申请人须是本家庭现有成员")})
        errors = {}
        for membership in current:
            if membership.pk == applicant.pk:
                continue
            code = relations.get(membership.pk, "")
            if not code or code in APPLICANT_RELATIONS:
                errors[f"relation_{membership.pk}"] = _("请选择与新申请人的关系")
        if errors:
            raise ValidationError(errors)
        before = {m.person.name: m.get_relation_display() for m in current}
        for membership in current:
            membership.relation = (
                "01" if membership.pk == applicant.pk else relations[membership.pk]
            )
            membership.save(update_fields=["relation"])
        after = {m.person.name: label_of("relation", m.relation) for m in current}
        event = record(
            user,
            "registry.change_applicant",
            household,
            before={"relations": before},
            after={"relations": after},
        )
        name = next(m.person.name for m in current if m.pk == applicant.pk)
        description = recorded("申请人变更为 %(name)s", name=name)
        _announce(user, household, "applicant_changed", _today(), description, event.pk)
    return household


def merge_persons(user: Staff, keep: Person, duplicate: Person, *, reason: str) -> Person:
    """Merge a person registered twice into one: everything recorded for ``duplicate`` (its
    memberships, incomes, assets, obligors, applications, entitlements, accounts, alerts …)
    moves to ``keep`` and the duplicate record is removed; the audit keeps its data. Where both
    hold the same declared or verified item, ``keep``'s stays and the duplicate's is dropped
    (listed in the audit).

    Raises:
        NotPermitted: either person outside the user's jurisdiction;
        ValidationError: the same person, no reason, or both current members of two households
            (move one out first).
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("请选择两个不同的人员"))
    if not reason.strip():
        raise ValidationError({"reason": _("请写明合并理由")})
    households = list(
        Household.objects.filter(
            memberships__person__in=[keep, duplicate], memberships__valid_to__isnull=True
        ).distinct()
    )
    for household in households:
        _require(user, household)
    if len(households) > 1:
        raise ValidationError(_("两人分别是两个家庭的现有成员，请先办理其中一人迁出"))
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
        dropped = _merge_rows(keep, duplicate)
        # The audit keeps the duplicate's facts, its ID number masked like everywhere else (and
        # none of its companions, the keyed hashes and the tail: the mask shows the tail).
        facts = snapshot(duplicate)
        derived = {f.name for f in companions(Person, ["resident_id"])}
        data = {
            **{k: v for k, v in facts.items() if k not in derived},
            "resident_id": mask_id(duplicate.resident_id),
        }
        duplicate.delete()
        home = households[0] if households else None
        event = record(
            user,
            "registry.merge_persons",
            keep,
            division_code=home.division_code if home else "",
            before={"duplicate": data},
            after={"kept": mask_id(keep.resident_id)},
            dropped=dropped,
            reason=reason,
        )
        if home is not None:
            description = recorded(
                "合并重复登记的人员 %(name)s：%(reason)s", name=keep.name, reason=reason
            )
            _announce(user, home, "merged", _today(), description, event.pk, keep)
    return keep


def _merge_rows(keep: Person, duplicate: Person) -> list[str]:
    """Point every row that refers to ``duplicate`` at ``keep``; drop the duplicate's rows that
    would repeat one of ``keep``'s (one income per component and source, one asset per source,
    one membership per household in force). Returns what was dropped, for the audit."""
    dropped: list[str] = []
    for income in Income.objects.filter(person=duplicate):
        if Income.objects.filter(
            person=keep, component=income.component, source=income.source
        ).exists():
            dropped.append(f"income:{income.component}:{income.source}:{income.monthly_amount}")
            income.delete()
    for asset in Asset.objects.filter(person=duplicate):
        if Asset.objects.filter(person=keep, source=asset.source).exists():
            dropped.append(f"asset:{asset.source}:{asset.amount}")
            asset.delete()
    kept_households = set(
        Membership.objects.filter(person=keep, valid_to__isnull=True).values_list(
            "household_id", flat=True
        )
    )
    for membership in Membership.objects.filter(
        Q(person=duplicate) & Q(valid_to__isnull=True) & Q(household_id__in=kept_households)
    ):
        dropped.append(f"membership:{membership.household_id}")
        membership.delete()
    # Every reverse relation, the hidden ones (related_name="+") included: a review task or a
    # sanction that names the duplicate must follow the person too.
    reverse: list[Any] = [
        f
        for f in Person._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]
    for relation in reverse:
        model = relation.related_model
        field = relation.field.name
        try:
            with transaction.atomic():
                model._default_manager.filter(**{field: duplicate}).update(**{field: keep})
        except IntegrityError as exc:
            raise ValidationError(
                _("两人的%(what)s记录冲突，不能自动合并，请先处理其中一人的记录")
                % {"what": model._meta.verbose_name}
            ) from exc
    return dropped
