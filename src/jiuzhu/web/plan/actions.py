"""Keeping the plan registers: a facility added or corrected, an inspection recorded, a
counselling place added or corrected. Each action checks ``plan.manage`` on the record (its
township, before and after a move), validates, and writes in one audited transaction.

Raises (every action): PermissionDenied — not a district officer or the township's caseworker;
ValidationError — naming the field and the rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.reference import baodi_divisions
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.core import clock
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.plan.models import (
    CounsellingPoint,
    Facility,
    Inspection,
    Kind,
    Medical,
    Outcome,
    Status,
    Venue,
)

MAX_BEDS = 5000
"""A typo guard: no single facility in the district has 5,000 beds."""

FACILITY_FIELDS = (
    "division_code",
    "name",
    "kind",
    "operator",
    "beds",
    "medical",
    "medical_partner",
    "medical_start",
    "medical_end",
    "opened_on",
    "status",
    "closed_on",
)
POINT_FIELDS = ("division_code", "venue", "name", "provider", "started_on", "ended_on")


def townships() -> dict[str, str]:
    """Baodi's townships (9-digit code → name)."""
    return {c: d.name for c, d in sorted(baodi_divisions().items()) if d.level == "township"}


def _text(values: dict[str, Any], name: str) -> str:
    return str(values.get(name) or "").strip()


def _medical_errors(values: dict[str, Any]) -> dict[str, str]:
    """An agreement names its medical institution and a term ending after it starts; the
    other arrangements keep no partner or end."""
    errors: dict[str, str] = {}
    medical, start, end = values["medical"], values["medical_start"], values["medical_end"]
    if medical not in Medical.values:
        errors["medical"] = _("请选择医疗卫生服务方式")
    elif medical == Medical.AGREEMENT:
        if not values["medical_partner"]:
            errors["medical_partner"] = _("签约的，请填写签约医疗机构名称")
        if start is None or end is None:
            errors["medical_end"] = _("签约的，请填写协议起止日期")
        elif end <= start:
            errors["medical_end"] = _("协议到期日期应晚于起始日期")
    else:
        values["medical_partner"], values["medical_end"] = "", None
        if medical == Medical.NONE:
            values["medical_start"] = None
    return errors


def _status_errors(values: dict[str, Any]) -> dict[str, str]:
    """Opened by today; a closed facility closed between its opening and today (an operating one
    keeps no closing day)."""
    errors: dict[str, str] = {}
    today = clock.today()
    opened = values["opened_on"]
    if not isinstance(opened, dt.date) or opened > today:
        errors["opened_on"] = _("请填写开业日期（不晚于今天）")
    if values["status"] == Status.CLOSED:
        closed = values["closed_on"]
        if not isinstance(closed, dt.date) or closed > today:
            errors["closed_on"] = _("已停业的，请填写停业日期（不晚于今天）")
        elif isinstance(opened, dt.date) and closed < opened:
            errors["closed_on"] = _("停业日期不能早于开业日期")
    elif values["status"] == Status.OPERATING:
        values["closed_on"] = None
    else:
        errors["status"] = _("请选择运营状态")
    return errors


def _facility_values(values: dict[str, Any]) -> dict[str, Any]:
    """The facility's fields, cleaned (texts trimmed), or ValidationError naming each bad one."""
    clean = {name: values.get(name) for name in FACILITY_FIELDS}
    for name in ("division_code", "name", "operator", "medical_partner", "kind", "status"):
        clean[name] = _text(values, name)
    errors: dict[str, str] = {}
    if clean["division_code"] not in townships():
        errors["division_code"] = _("请选择宝坻区的乡镇（街道）")
    if not clean["name"]:
        errors["name"] = _("请填写名称")
    if not clean["operator"]:
        errors["operator"] = _("请填写运营方")
    if clean["kind"] not in Kind.values:
        errors["kind"] = _("请选择类别")
    beds = clean["beds"]
    if not isinstance(beds, int) or isinstance(beds, bool) or not 0 <= beds <= MAX_BEDS:
        errors["beds"] = _("床位数应为 0 至 %(max)s 之间的整数") % {"max": MAX_BEDS}
    errors |= _medical_errors(clean)
    errors |= _status_errors(clean)
    if errors:
        raise ValidationError(errors)
    return clean


def save_facility(
    user: Staff, facility: Facility | None = None, *, demo: bool = False, **values: Any
) -> Facility:
    """Add a facility (``facility`` None) or correct one: every field of ``FACILITY_FIELDS``
    (``beds`` a count; dates ``datetime.date``; ``medical`` a ``models.Medical``). ``demo``
    marks a new record as the demo's fictitious data."""
    clean = _facility_values(values)
    require(user, "plan.manage", Facility(division_code=clean["division_code"]))
    if facility is not None:
        require(user, "plan.manage", facility)
    with transaction.atomic():
        if facility is None:
            facility = Facility.objects.create(
                created_by=user, demo=demo, changed_on=clock.today(), **clean
            )
            after = snapshot(facility, [*clean, "demo"])
            record(user, "plan.add_facility", facility, after=after)
            return facility
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        before = snapshot(facility, [*clean])
        for name, value in clean.items():
            setattr(facility, name, value)
        facility.changed_on = clock.today()
        facility.save()
        record(
            user,
            "plan.change_facility",
            facility,
            before=before,
            after=snapshot(facility, [*clean]),
        )
    return facility


def record_inspection(
    user: Staff,
    facility: Facility,
    *,
    inspected_on: dt.date,
    inspector: str,
    outcome: str,
    findings: str = "",
) -> Inspection:
    """Record an inspection of ``facility`` (on a day from its opening to today); anything but
    a pass states what was found."""
    require(user, "plan.manage", facility)
    errors: dict[str, str] = {}
    if not facility.opened_on <= inspected_on <= clock.today():
        errors["inspected_on"] = _("检查日期应在开业日期和今天之间")
    if not inspector.strip():
        errors["inspector"] = _("请填写检查人员或单位")
    if outcome not in Outcome.values:
        errors["outcome"] = _("请选择检查结果")
    elif outcome != Outcome.PASSED and not findings.strip():
        errors["findings"] = _("需整改或不合格的，请写明发现的问题")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            facility=facility,
            inspected_on=inspected_on,
            inspector=inspector.strip(),
            outcome=outcome,
            findings=findings.strip(),
            recorded_by=user,
        )
        record(
            user,
            "plan.inspect",
            facility,
            inspection=inspection.pk,
            inspected_on=str(inspected_on),
            outcome=outcome,
        )
    return inspection


def _point_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = {name: values.get(name) for name in POINT_FIELDS}
    for name in ("division_code", "venue", "name", "provider"):
        clean[name] = _text(values, name)
    errors: dict[str, str] = {}
    if clean["venue"] == Venue.MARRIAGE_REGISTRY:
        clean["division_code"] = DISTRICT_CODE
    elif clean["venue"] == Venue.TOWNSHIP:
        if clean["division_code"] not in townships():
            errors["division_code"] = _("乡镇（街道）服务站点请选择所在乡镇（街道）")
    else:
        errors["venue"] = _("请选择服务场所类别")
    if not clean["name"]:
        errors["name"] = _("请填写服务场所名称")
    started, ended = clean["started_on"], clean["ended_on"]
    if not isinstance(started, dt.date) or started > clock.today():
        errors["started_on"] = _("请填写开展服务起始日期（不晚于今天）")
    elif ended is not None and (ended < started or ended > clock.today()):
        errors["ended_on"] = _("停止服务日期应在起始日期和今天之间")
    if errors:
        raise ValidationError(errors)
    return clean


def save_point(
    user: Staff, point: CounsellingPoint | None = None, *, demo: bool = False, **values: Any
) -> CounsellingPoint:
    """Add a counselling place (``point`` None) or correct one: ``POINT_FIELDS`` (the marriage
    registry's division is the district's, whatever is given). ``demo`` marks a new record as
    the demo's fictitious data."""
    clean = _point_values(values)
    require(user, "plan.manage", CounsellingPoint(division_code=clean["division_code"]))
    if point is not None:
        require(user, "plan.manage", point)
    with transaction.atomic():
        if point is None:
            point = CounsellingPoint.objects.create(
                created_by=user, demo=demo, changed_on=clock.today(), **clean
            )
            after = snapshot(point, [*clean, "demo"])
            record(user, "plan.add_counselling", point, after=after)
            return point
        point = CounsellingPoint.objects.select_for_update().get(pk=point.pk)
        before = snapshot(point, [*clean])
        for name, value in clean.items():
            setattr(point, name, value)
        point.changed_on = clock.today()
        point.save()
        record(
            user, "plan.change_counselling", point, before=before, after=snapshot(point, [*clean])
        )
    return point
