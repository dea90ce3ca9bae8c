"""Months as ``YYYY-MM`` text (they sort as time) and calendar-month arithmetic: the one
definition the rules, the pipelines and the platform share.

Deadlines the law states in months (the review cycle of 《最低生活保障审核确认办法》（民发〔2021〕57号）
第三十一条, the check within 3 months of a death) are calendar months: the same day of the month
``n`` months on, or the month's last day when it is shorter (31 January + 1 month = 28/29
February).
"""

from __future__ import annotations

import calendar
import datetime as dt


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
    """The ``YYYY-MM`` month ``n`` months after ``month`` (before it when ``n`` < 0).

    Raises:
        ValueError: not a ``YYYY-MM`` month.
    """
    start = first_day(month)
    index = start.year * 12 + start.month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months_to_date(day: dt.date, n: int) -> dt.date:
    """The date ``n`` calendar months after ``day`` (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_month(text: str) -> bool:
    """Whether ``text`` is a valid ``YYYY-MM`` month."""
    if len(text) != 7 or text[4] != "-":
        return False
    try:
        first_day(text)
    except ValueError:
        return False
    return True
