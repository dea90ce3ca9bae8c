"""Months as ``YYYY-MM`` text (DESIGN.md §9): they sort as time and compare as strings."""

from __future__ import annotations

import datetime as dt

from jiuzhu.web.payments.models import MONTH_PATTERN


def is_month(text: str) -> bool:
    return bool(MONTH_PATTERN.match(text))


def add_months(month: str, count: int) -> str:
    """``add_months("2025-12", 1) == "2026-01"``; ``count`` may be negative."""
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + (number - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def of_date(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)
