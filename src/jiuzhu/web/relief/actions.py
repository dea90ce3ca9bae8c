"""Recording a stay at the rescue station: arrival (voluntary), services and family contact,
and how it ended. Each action checks the permission on the record and writes one audited
transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.rules.procedure import PREFIX, rule
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.relief.models import Service, Stay, StayStatus

STAY_DAYS = PREFIX + "homeless_relief.stay_days"


def admit(
    user: Staff,
    *,
    division_code: str,
    voluntary: bool,
    description: str,
    found_at: str,
    sex: str,
    name: str = "",
    resident_id: str = "",
    apparent_age: int | None = None,
    arrived_on: dt.date | None = None,
) -> Stay:
    """Admit a person who asks for help, due to leave after the usual days.

    Raises:
        PermissionDenied; ValidationError: not voluntary (the station may not take anyone
            against their will), no description or place, a date after today.
    """
    probe = Stay(division_code=division_code)
    require(user, "relief.record", probe)
    errors: dict[str, str] = {}
    if not voluntary:
        errors["voluntary"] = _("救助遵循自愿原则：本人未同意的，不得登记入站")
    if not description.strip():
        errors["description"] = _("请描述体貌特征（便于查找亲属）")
    if not found_at.strip():
        errors["found_at"] = _("请填写发现地点")
    arrived_on = arrived_on or clock.today()
    if arrived_on > clock.today():
        errors["arrived_on"] = _("入站日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    days = rule(STAY_DAYS).number(arrived_on)
    with transaction.atomic():
        stay = Stay.objects.create(
            division_code=division_code,
            name=name.strip(),
            resident_id=resident_id.strip(),
            sex=sex,
            apparent_age=apparent_age,
            description=description.strip(),
            found_at=found_at.strip(),
            arrived_on=arrived_on,
            leave_due_on=arrived_on + dt.timedelta(days=days),
            services=[Service.FOOD, Service.LODGING],
            recorded_by=user,
        )
        record(user, "relief.admit", stay, arrived_on=str(arrived_on))
    return stay


def update(
    user: Staff,
    stay: Stay,
    *,
    services: list[str],
    family_contact: str,
    extension_reason: str = "",
) -> Stay:
    """Record the services given and the contact with family or employer.

    Raises:
        PermissionDenied; ValidationError: an unknown service, or a stay that has ended.
    """
    require(user, "relief.record", stay)
    unknown = sorted(set(services) - set(Service.values))
    if unknown:
        raise ValidationError({"services": _("未知的救助服务")})
    with transaction.atomic():
        stay = Stay.objects.select_for_update().get(pk=stay.pk)
        if stay.status != StayStatus.STAYING:
            raise ValidationError(_("该人员已离站"))
        stay.services = [s for s in Service.values if s in services]
        stay.family_contact = family_contact.strip()
        stay.extension_reason = extension_reason.strip()
        stay.save()
        record(user, "relief.update", stay, services=",".join(stay.services))
    return stay


def end(
    user: Staff,
    stay: Stay,
    *,
    outcome: str,
    left_on: dt.date | None = None,
    destination: str = "",
    ticket: str = "",
    referred_to: str = "",
) -> Stay:
    """End the stay: returned home (the destination and the ticket), resettled by the hukou
    government (the receiving body), or left at will.

    Raises:
        PermissionDenied; ValidationError: an unknown outcome, a return without destination or
            ticket, a resettlement without the receiving body, a date before arrival or after
            today, or a stay that has ended.
    """
    require(user, "relief.record", stay)
    left_on = left_on or clock.today()
    errors: dict[str, str] = {}
    if outcome not in (StayStatus.RETURNED, StayStatus.RESETTLED, StayStatus.LEFT):
        errors["outcome"] = _("请选择离站方式")
    if outcome == StayStatus.RETURNED and not (destination.strip() and ticket.strip()):
        errors["destination"] = _("返乡须填写目的地和乘车凭证")
    if outcome == StayStatus.RESETTLED and not referred_to.strip():
        errors["referred_to"] = _("转户籍地安置须填写接收单位")
    if left_on < stay.arrived_on or left_on > clock.today():
        errors["left_on"] = _("离站日期应在入站日期和今天之间")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stay = Stay.objects.select_for_update().get(pk=stay.pk)
        if stay.status != StayStatus.STAYING:
            raise ValidationError(_("该人员已离站"))
        stay.status, stay.left_on = outcome, left_on
        stay.destination, stay.ticket = destination.strip(), ticket.strip()
        stay.referred_to = referred_to.strip()
        if outcome == StayStatus.RETURNED and Service.TICKET not in stay.services:
            stay.services = [*stay.services, Service.TICKET]
        stay.save()
        record(user, "relief.end", stay, outcome=outcome, left_on=str(left_on))
    return stay
