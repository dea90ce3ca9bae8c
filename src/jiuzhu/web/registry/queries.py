"""Reading the registry, always within the user's jurisdiction (deny by default)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from jiuzhu.web.registry.models import Household, Membership


def mask_id(resident_id: str) -> str:
    """120224********123X: the address code and the last four characters (DESIGN.md §9)."""
    if len(resident_id) == 18:
        return resident_id[:6] + "*" * 8 + resident_id[14:]
    return "*" * len(resident_id)


def mask_name(name: str) -> str:
    """张*三 / 张*: the surname and, for three or more characters, the last character."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def households_for(user: Any) -> QuerySet[Household]:
    """Households in the user's jurisdiction (none for a user without one)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "division_code", ""):
        return Household.objects.none()
    return Household.objects.filter(division_code__startswith=user.division_code)


def current_members() -> Prefetch[str]:
    """The memberships in force now, with their persons (one query for a page of households)."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(valid_to__isnull=True)
        .select_related("person")
        .order_by("relation", "person_id"),
        to_attr="current_memberships",
    )


def household_for(user: Any, pk: int) -> Household:
    """One household of the user's jurisdiction, with its current members.

    Raises:
        Http404: no such household in the jurisdiction (another township's household is
            indistinguishable from a missing one).
    """
    try:
        return households_for(user).prefetch_related(current_members()).get(pk=pk)
    except Household.DoesNotExist:
        raise Http404 from None


_ID_LIKE = re.compile(r"^[0-9０-９]{6,17}[0-9Xx０-９]?$")


def search(user: Any, text: str) -> QuerySet[Household]:
    """Households of the jurisdiction matching a name, an ID number (whole, or its last
    4–6 characters), a household number or part of an address."""
    text = text.strip()
    households = households_for(user)
    if not text:
        return households.none()
    if _ID_LIKE.match(text):
        normalised = text.upper()
        condition = (
            Q(memberships__person__resident_id=normalised)
            if len(normalised) == 18
            else Q(memberships__person__resident_id__endswith=normalised)
        )
    else:
        condition = (
            Q(memberships__person__name__contains=text)
            | Q(number__iexact=text)
            | Q(address__contains=text)
        )
    return households.filter(condition, memberships__valid_to__isnull=True).distinct()
