"""Recording local values: enter (one district officer), check (another) or send back, and the
rules the whole platform then uses (``system``).

A value is checked against the rules when entered and again when checked together with every
value in force (``jiuzhu.rules.engine.local_values``: only an unknown or low-confidence value
may be replaced, by a value the parameter's unit allows), so what is in force always applies.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem, load_system
from jiuzhu.rules.engine.local_values import LocalValue as RulesLocalValue
from jiuzhu.rules.engine.local_values import LocalValuesError
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.localvalues.models import LocalValue, Status

JURISDICTION = "tianjin"
LOG = logging.getLogger(__name__)


def system() -> RuleSystem:
    """The rules with the district's local values in force: what every page, job and action of
    the platform assesses with (one small query to know whether they changed; the rules
    themselves come from ``load_system``, whose cache a program's registration clears)."""
    base = load_system(JURISDICTION)
    stamp = LocalValue.objects.filter(status=Status.IN_FORCE).aggregate(
        count=Count("pk"), last=Max("checked_at")
    )
    if not stamp["count"]:
        return base
    key = (id(base), stamp["count"], stamp["last"])
    cached = _SYSTEMS.get(key)
    if cached is None or cached[0] is not base:
        values = [_to_rules(v) for v in _in_force()]
        _SYSTEMS.clear()  # one version at a time: the values in force now
        _SYSTEMS[key] = cached = (base, _with_values(base, values))
    return cached[1]


def _with_values(base: RuleSystem, values: list[RulesLocalValue]) -> RuleSystem:
    """``base`` with the values in force. Each was checked against the rules when it came into
    force, but a later package may publish a value a recorded one now conflicts with (the
    official notice of a standard the bureau had adopted for the same month): that one is left
    out and logged, rather than every page of the platform failing."""
    try:
        return base.with_local_values(values)
    except LocalValuesError:
        kept: list[RulesLocalValue] = []
        for value in values:
            try:
                base.with_local_values([*kept, value])
            except LocalValuesError as exc:
                LOG.error("local value %s %s left out: %s", value.parameter, value.start, exc)
            else:
                kept.append(value)
        return base.with_local_values(kept)


_SYSTEMS: dict[tuple[int, int, dt.datetime | None], tuple[RuleSystem, RuleSystem]] = {}
"""The rules with the values in force, by the base rules' identity and the values' stamp."""


def _to_rules(value: LocalValue) -> RulesLocalValue:
    """The rules' form of a recorded value (its officers by user name)."""
    return RulesLocalValue(
        parameter=value.parameter,
        start=value.start,
        value=value.value,
        document=value.document,
        entered_by=value.entered_by.get_username(),
        checked_by=value.checked_by.get_username() if value.checked_by else "",
        document_number=value.document_number,
        note=value.note,
        adopted=value.adopted,
    )


def _in_force() -> list[LocalValue]:
    return list(
        LocalValue.objects.filter(status=Status.IN_FORCE).select_related("entered_by", "checked_by")
    )


def _check_rules(candidate: LocalValue, others: list[LocalValue]) -> None:
    """The rules accept ``candidate`` beside ``others`` (raises ValidationError if not)."""
    try:
        load_system(JURISDICTION).with_local_values(
            [*(_to_rules(o) for o in others), _to_rules(candidate)]
        )
    except LocalValuesError as exc:
        raise ValidationError({"value": "；".join(exc.problems)}) from None


def enter(
    user: Staff,
    *,
    parameter: str,
    start: dt.date,
    value: object,
    document: str,
    document_number: str = "",
    note: str = "",
) -> LocalValue:
    """Enter a local value, waiting for another officer's check.

    Raises:
        PermissionDenied; ValidationError: no document, or a value the rules refuse (an
            unknown parameter, a firm value, a value the unit does not allow).
    """
    require(user, "localvalues.enter", LocalValue())
    if not document.strip():
        raise ValidationError({"document": _("请填写依据文件（如统计公报、通知）")})
    entry = LocalValue(
        parameter=parameter.strip(),
        start=start,
        value=value,
        document=document.strip(),
        document_number=document_number.strip(),
        note=note.strip(),
        entered_by=user,
    )
    _check_rules(entry, [])
    with transaction.atomic():
        entry.save()
        record(user, "localvalues.enter", entry, parameter=entry.parameter, start=str(start))
    return entry


def check(user: Staff, entry: LocalValue) -> LocalValue:
    """Check a waiting value: it is in force from now on, for every assessment.

    Raises:
        PermissionDenied: not a district officer, or the one who entered it;
        ValidationError: not waiting, or it no longer applies beside the values in force.
    """
    require(user, "localvalues.check", entry)
    with transaction.atomic():
        entry = LocalValue.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.AWAITING_CHECK:
            raise ValidationError(_("该本地值不在待复核状态"))
        if entry.entered_by_id == user.pk:
            raise ValidationError(_("本地值须由录入人以外的另一人复核"))
        others = [
            v for v in _in_force() if (v.parameter, v.start) != (entry.parameter, entry.start)
        ]
        _check_rules(entry, others)
        LocalValue.objects.filter(
            status=Status.IN_FORCE, parameter=entry.parameter, start=entry.start
        ).update(status=Status.REJECTED, rejection_reason=_("被新的本地值替代"))
        entry.status = Status.IN_FORCE
        entry.checked_by, entry.checked_at = user, timezone.now()
        entry.save()
        record(user, "localvalues.check", entry, parameter=entry.parameter, start=str(entry.start))
    return entry


def reject(user: Staff, entry: LocalValue, *, reason: str) -> LocalValue:
    """Send a waiting value back with the reason.

    Raises:
        PermissionDenied; ValidationError: no reason, or not waiting.
    """
    require(user, "localvalues.check", entry)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明退回理由")})
    with transaction.atomic():
        entry = LocalValue.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.AWAITING_CHECK:
            raise ValidationError(_("该本地值不在待复核状态"))
        entry.status, entry.rejection_reason = Status.REJECTED, reason.strip()
        entry.checked_by, entry.checked_at = user, timezone.now()
        entry.save()
        record(user, "localvalues.reject", entry, parameter=entry.parameter, reason=reason)
    return entry


def adopt(
    maker: Staff,
    checker: Staff,
    *,
    parameter: str,
    start: dt.date,
    value: object,
    document: str,
    document_number: str = "",
    note: str = "",
) -> LocalValue:
    """Record an adopted change (本地调整) in force: a new standard the bureau decided, entered
    by ``maker`` and checked by ``checker`` — an approved scenario's (``scenarios.actions``),
    whose transaction and audit this joins. A value in force for the same parameter and date is
    replaced.

    Raises:
        ValidationError: the same officer twice, or a value the rules refuse (an unknown
            parameter, a unit it breaks, a published value it would rewrite).
    """
    if maker.pk == checker.pk:
        raise ValidationError(_("本地值须由录入人以外的另一人复核"))
    entry = LocalValue(
        parameter=parameter,
        start=start,
        value=value,
        document=document,
        document_number=document_number,
        note=note,
        entered_by=maker,
        checked_by=checker,
        checked_at=timezone.now(),
        status=Status.IN_FORCE,
        adopted=True,
    )
    others = [v for v in _in_force() if (v.parameter, v.start) != (parameter, start)]
    _check_rules(entry, others)
    LocalValue.objects.filter(status=Status.IN_FORCE, parameter=parameter, start=start).update(
        status=Status.REJECTED, rejection_reason=_("被新的本地值替代")
    )
    entry.save()
    record(checker, "localvalues.adopt", entry, parameter=parameter, start=str(start))
    return entry
