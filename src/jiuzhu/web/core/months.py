"""Months and ages for the web apps: the month arithmetic of ``jiuzhu.rules.months`` (one
definition for the rules, the pipelines and the platform) and ages and anniversaries with the
leap-day rule in force (``jiuzhu.rules.ages``), shared by the workflow, verification,
entitlements, payments, discovery and documents.
"""

from __future__ import annotations

import datetime as dt

from jiuzhu.rules import load_system
from jiuzhu.rules.ages import (
    LEAP_DAY_PARAMETER,
    LeapDayRule,
    anniversary,
    completed_years,
    leap_day_rule,
)
from jiuzhu.rules.months import (
    add_months,
    add_months_to_date,
    first_day,
    is_month,
    month_of,
)


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


__all__ = [
    "add_months",
    "add_months_to_date",
    "add_years",
    "age_on",
    "first_day",
    "is_month",
    "month_of",
]
