"""Amounts over months: a chain of periods, each valid from a ``YYYY-MM`` month (inclusive) to
another (exclusive; blank: open), as entitlement versions are stored.

An approved change may start after today (a standard raised from next month), so "the monthly
amount" is the one in force in the month asked for, never simply the newest; the change to come
is shown beside it. Registry and entitlements both read amounts this way, so it lives here
(the registry may not import the entitlements app).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from jiuzhu.web.core.months import add_months


class Period(Protocol):
    valid_from: str
    valid_to: str
    monthly_amount: int


P = TypeVar("P", bound=Period)


def in_force(periods: Iterable[P], month: str) -> P | None:
    """The period covering ``month`` (``YYYY-MM``), or None."""
    for period in periods:
        if period.valid_from <= month and (not period.valid_to or month < period.valid_to):
            return period
    return None


def never_in_force(period: Period) -> bool:
    """A period closed before it began (superseded, or ended by a termination, from its first
    month): it covers no month at all."""
    return bool(period.valid_to) and period.valid_to <= period.valid_from


def upcoming(periods: Iterable[P], month: str) -> P | None:
    """The earliest period starting after ``month`` that will be in force (the next change),
    or None."""
    later = [p for p in periods if p.valid_from > month and not never_in_force(p)]
    return min(later, key=lambda p: p.valid_from, default=None)


def last_month(period: Period) -> str:
    """The last month a closed period covers (its exclusive end's month before); blank for an
    open period."""
    return add_months(period.valid_to, -1) if period.valid_to else ""
