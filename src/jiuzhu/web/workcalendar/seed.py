"""Seeding the holiday table from the ``chinesecalendar`` package (module ``chinese_calendar``).

The package transcribes the State Council's yearly 放假安排 notices; the years it covers are
those of its ``holidays`` table (``supported_years()``: 2004–2026 in version 1.11). A year the
State Council publishes before the package does is entered by an administrator in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar
from django.db import transaction
from django.utils import timezone

from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear, Source

# The package's Chinese names are abbreviated ("中秋"); the notices say "中秋节".
_FULL_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def supported_years() -> range:
    """The years the installed ``chinesecalendar`` covers (inclusive of both ends)."""
    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def _chinese_name(english: str | None) -> str:
    """Chinese name of a holiday from the package's English value ("National Day" → "国庆节")."""
    if english is None:
        return ""
    try:
        chinese: str = chinese_calendar.Holiday(english).chinese
    except ValueError:  # a name added to the data but not to the enum: keep it, in English
        return english
    return _FULL_NAMES.get(chinese, chinese)


def exceptions_of_year(year: int) -> dict[date, tuple[bool, str]]:
    """The days of ``year`` whose status differs from Monday–Friday, per ``chinesecalendar``.

    Maps each day to ``(is_working_day, name)``: holidays on weekdays ("国庆节", "国庆节（调休）"
    for a weekday rested in lieu of a worked weekend) and working weekends ("调休上班（国庆节）").
    Raises ``NotImplementedError`` (from the package) for a year it does not cover.
    """
    exceptions: dict[date, tuple[bool, str]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        is_holiday, english = chinese_calendar.get_holiday_detail(day)
        working = not is_holiday
        if working != (day.weekday() < 5):
            holiday = _chinese_name(english)
            if working:
                name = f"调休上班（{holiday}）" if holiday else "调休上班"
            elif chinese_calendar.is_in_lieu(day):
                name = f"{holiday}（调休）"
            else:
                name = holiday
            exceptions[day] = (working, name)
        day += timedelta(days=1)
    return exceptions


def seed_from_chinesecalendar(years: Iterable[int] | None = None) -> list[int]:
    """Insert or update the exceptional days of ``years`` (default: all supported years).

    For each year, in one transaction: adds the days ``exceptions_of_year`` lists, updates
    seeded rows that changed, deletes seeded rows the package no longer lists (a corrected
    release), and marks the ``CalendarYear`` complete. Rows whose source is ``administrator``
    (days and years) are never touched: the administrator's word outlives any re-seeding.

    Returns the seeded years in ascending order. Raises ``ValueError`` naming the unsupported
    years, before writing anything, when a year is outside ``supported_years()``.
    """
    supported = supported_years()
    wanted = sorted(set(supported if years is None else years))
    unsupported = [year for year in wanted if year not in supported]
    if unsupported:
        raise ValueError(
            f"chinesecalendar {chinese_calendar.__version__} has no data for "
            f"{', '.join(map(str, unsupported))} (it covers {supported[0]}–{supported[-1]}); "
            "enter those years in the admin (工作日历) from the State Council's notice"
        )
    for year in wanted:
        _seed_year(year)
    return wanted


@transaction.atomic
def _seed_year(year: int) -> None:
    now = timezone.now()
    expected = exceptions_of_year(year)
    existing = {
        row.date: row
        for row in CalendarDay.objects.filter(
            date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
        )
    }
    created: list[CalendarDay] = []
    changed: list[CalendarDay] = []
    for day, (working, name) in expected.items():
        row = existing.get(day)
        if row is None:
            created.append(
                CalendarDay(
                    date=day, is_working_day=working, name=name, source=Source.CHINESECALENDAR
                )
            )
        elif row.source == Source.CHINESECALENDAR and (row.is_working_day, row.name) != (
            working,
            name,
        ):
            row.is_working_day, row.name, row.updated_at = working, name, now
            changed.append(row)
    stale = [
        row.pk
        for day, row in existing.items()
        if day not in expected and row.source == Source.CHINESECALENDAR
    ]
    CalendarDay.objects.bulk_create(created)
    CalendarDay.objects.bulk_update(changed, ["is_working_day", "name", "updated_at"])
    CalendarDay.objects.filter(pk__in=stale).delete()

    calendar_year, made = CalendarYear.objects.get_or_create(
        year=year,
        defaults={"complete": True, "source": Source.CHINESECALENDAR, "seeded_at": now},
    )
    if not made and calendar_year.source == Source.CHINESECALENDAR:
        calendar_year.complete, calendar_year.seeded_at = True, now
        calendar_year.save(update_fields=["complete", "seeded_at"])
