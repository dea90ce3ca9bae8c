"""Reading stays: the user's jurisdiction, a search by description for people without
documents, and the workbench's stays past their usual length."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.reference import division
from jiuzhu.web.core.users import Staff
from jiuzhu.web.core.workitems import WorkItem, WorkList
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import registered_in_district
from jiuzhu.web.relief.models import Stay, StayStatus

SHOWN = 20


def stays_for(user: Staff) -> QuerySet[Stay]:
    """The stays found in the user's jurisdiction."""
    division = str(getattr(user, "division_code", "") or "")
    if not division:
        return Stay.objects.none()
    return Stay.objects.filter(division_code__startswith=division)


def search(user: Staff, text: str) -> QuerySet[Stay]:
    """Stays whose name, description or place holds every word of ``text`` (a description
    such as 左手疤痕 灰色外套 finds a person without documents)."""
    found = stays_for(user)
    for word in text.split():
        found = found.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(found_at__icontains=word)
        )
    return found.order_by("-arrived_on", "-pk")


def work_items(user: Staff, today: dt.date) -> WorkList:
    """People still at the station, the longest past their usual stay first."""
    if not user.has_perm("relief.record"):
        return WorkList(kind=str(_("流浪乞讨人员救助")))
    staying = stays_for(user).filter(status=StayStatus.STAYING).order_by("leave_due_on", "pk")
    items = [
        WorkItem(
            title=f"{stay} · {stay.found_at}",
            url=reverse("relief:stay", args=[stay.pk]),
            state=str(stay.get_status_display()),
            action=str(_("联系亲属、安排返乡或安置")),
            due=stay.leave_due_on,
            overdue=stay.leave_due_on < today,
            due_soon=today <= stay.leave_due_on <= today + dt.timedelta(days=2),
            note=stay.extension_reason,
        )
        for stay in staying[:SHOWN]
    ]
    return WorkList(
        kind=str(_("流浪乞讨人员救助")),
        items=items,
        total=staying.count(),
        more_url=reverse("relief:list"),
    )


@dataclass(frozen=True)
class Registered:
    """Where the person of a stay is registered in the district: the household (None when it
    is outside the user's jurisdiction: only its township is named) and the township."""

    household: Household | None
    township: str


def registered(user: Staff, stay: Stay) -> Registered | None:
    """The district household the stay's person belongs to now, found by their ID number (None:
    no ID, or not registered in the district — another district's or province's resident)."""
    if not stay.resident_id:
        return None
    membership = registered_in_district(stay.resident_id)
    if membership is None:
        return None
    household = membership.household
    found = division(household.township_code)
    township = found.name if found else household.township_code
    return Registered(household if user.covers(household.division_code) else None, township)
