"""Household numbers (家庭编号, H + 7 digits): one counter that the counter's registrations and
the imports both advance, so that neither reuses the other's numbers."""

from __future__ import annotations

from django.db.models import Max

from jiuzhu.web.core.models import next_number
from jiuzhu.web.registry.models import Household


def highest_household_number() -> int:
    """The highest H + 7 digits number in the registry (0 for none): where the ``household``
    counter starts when it does not exist yet."""
    top = Household.objects.filter(number__regex=r"^H[0-9]{7}$").aggregate(m=Max("number"))
    return int(top["m"][1:]) if top["m"] else 0


def household_number() -> str:
    """H + 7 digits, the next of the ``household`` counter, which imports advance too."""
    return f"H{next_number('household', highest_household_number):07d}"
