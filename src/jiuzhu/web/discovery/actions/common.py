"""What the discovery actions share: the batch size of bulk writes, the permission check and
the user's scope."""

from __future__ import annotations

from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.core.users import Staff

BATCH = 2_000
"""Rows per bulk write and per ``IN (…)`` list."""


def scope_of(user: Staff | None) -> str:
    """The division code the user acts for (the district for the system)."""
    return str(getattr(user, "division_code", "") or DISTRICT_CODE) if user else DISTRICT_CODE
