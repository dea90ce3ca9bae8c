"""Months as ``YYYY-MM`` text (DESIGN.md §9: they sort as time), calendar-month arithmetic, and
the web's ages and anniversaries (through ``jiuzhu.rules.ages``), shared by the workflow,
verification, entitlements, payments, discovery and documents.

Deadlines the rules state in months (the review cycle of Art. 31, 3 months after a death) are
calendar months: the same day of the month ``n`` months on, or the month's last day when it is
shorter (31 January + 1 month = 28/29 February).
"""

from __future__ import annotations

import calendar
import datetime as dt

from jiuzhu.rules import load_system
from jiuzhu.rules.ages import (
    LEAP_DAY_PARAMETER,
    LeapDayRule,
    anniversary,
    completed_years,
    leap_day_rule,
)


def month_of(day: dt.date) -> str:
    """``YYYY-MM`` of ``day``."""
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> dt.date:
    """The first day of a ``YYYY-MM`` month.

    Raises:
        ValueError: not a ``YYYY-MM`` month.
    """
    year, number = month.split("-")
    return dt.date(int(year), int(number), 1)


def add_months(month: str, n: int) -> str:
    """The ``YYYY-MM`` month ``n`` months after ``month`` (before it when ``n`` < 0)."""
    start = first_day(month)
    index = start.year * 12 + start.month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months_to_date(day: dt.date, n: int) -> dt.date:
    """The date ``n`` calendar months after ``day`` (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` on (``years`` may be negative): the same day, or for
    29 February in a common year the day the rules' ``household.leap_day_birthday`` gives
    (28 February, 民法典 第二百零二条; ``jiuzhu.rules.ages``, the one place ages and
    anniversaries are computed)."""
    target = dt.date(day.year + years, 2, 28)
    return anniversary(day, years, _leap_day(target))


def age_on(born: dt.date, on: dt.date) -> int:
    """The age (周岁, completed years) on ``on`` of a person born on ``born``
    (``jiuzhu.rules.ages.completed_years`` with the leap-day rule in force on ``on``)."""
    return completed_years(born, on, _leap_day(on))


def _leap_day(on: dt.date) -> LeapDayRule:
    """The rules' leap-day rule in force on ``on``. A day before the parameter's first value
    (2016-04-01, where the rules start) takes that first value: it is itself the Civil Code's
    convention carried back to a time no text settled, as its reference says."""
    parameters = load_system("tianjin").parameters
    first = parameters[LEAP_DAY_PARAMETER].first
    return leap_day_rule(parameters, max(on, first))


def is_month(text: str) -> bool:
    """Whether ``text`` is a valid ``YYYY-MM`` month."""
    if len(text) != 7 or text[4] != "-":
        return False
    try:
        first_day(text)
    except ValueError:
        return False
    return True
