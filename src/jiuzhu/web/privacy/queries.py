"""Reads of the privacy app."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.web.registry.models import Household, Membership


def members(household: Household) -> QuerySet[Membership]:
    """Every membership of the household, current ones first (a former member may ask for
    their copy too)."""
    return household.memberships.select_related("person").order_by(
        "valid_to", "relation", "person_id"
    )
