"""Seeding the holiday table from the ``chinesecalendar`` package (module ``chinese_calendar``).

The package transcribes the State Council's yearly 放假安排 notices; the years it covers are
those of its ``holidays`` table (``supported_years()``: 2004–2026 in version 1.11). A year the
State Council publishes before the package does is entered by an administrator in the admin.

Each seeded year also records the notice it transcribes (``NOTICES``): the address the package's
source cites for the year, the publication date read from that gov.cn address, and the 文号
where a copy of the notice showing it was found (2020–2026). Everything else is left blank and
shows as unknown: no number is guessed. An administrator may complete or correct them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.db import transaction
from django.utils import timezone

from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear, Source
from jiuzhu.web.workcalendar.signals import calendar_changed


@dataclass(frozen=True)
class Notice:
    """The State Council notice of a year's holiday arrangement (blank: unknown)."""

    number: str = ""
    published: date | None = None
    url: str = ""
    note: str = ""


_GOV = "http://www.gov.cn/"
NOTICES: dict[int, Notice] = {
    2026: Notice(
        "国办发明电〔2025〕7号",
        date(2025, 11, 4),
        "https://www.gov.cn/zhengce/content/202511/content_7047090.htm",
    ),
    2025: Notice(
        "国办发明电〔2024〕12号",
        date(2024, 11, 12),
        "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
    ),
    2024: Notice(
        "国办发明电〔2023〕7号",
        date(2023, 10, 25),
        "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
    ),
    2023: Notice(
        "国办发明电〔2022〕16号",
        date(2022, 12, 8),
        _GOV + "zhengce/content/2022-12/08/content_5730844.htm",
    ),
    2022: Notice(
        "国办发明电〔2021〕11号",
        date(2021, 10, 25),
        _GOV + "zhengce/content/2021-10/25/content_5644835.htm",
    ),
    2021: Notice(
        "国办发明电〔2020〕27号",
        date(2020, 11, 25),
        _GOV + "zhengce/content/2020-11/25/content_5564127.htm",
    ),
    2020: Notice(
        "国办发明电〔2019〕16号",
        date(2019, 11, 21),
        _GOV + "zhengce/content/2019-11/21/content_5454164.htm",
        "春节假期延长至2月2日：国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号，"
        "2020-01-27）",
    ),
    2019: Notice(
        "",
        date(2018, 12, 6),
        _GOV + "xinwen/2018-12/06/content_5346287.htm",
        "劳动节放假于2019-03-22另行调整（"
        + _GOV
        + "zhengce/content/2019-03/22/content_5375877.htm）",
    ),
    2018: Notice("", date(2017, 11, 30), _GOV + "zhengce/content/2017-11/30/content_5243579.htm"),
    2017: Notice("", date(2016, 12, 1), _GOV + "zhengce/content/2016-12/01/content_5141603.htm"),
    2016: Notice("", date(2015, 12, 10), _GOV + "zhengce/content/2015-12/10/content_10394.htm"),
    2015: Notice(
        "",
        date(2014, 12, 16),
        _GOV + "zhengce/content/2014-12/16/content_9302.htm",
        "9月3日至5日抗战胜利70周年纪念日调休放假另有通知（"
        + _GOV
        + "zhengce/content/2015-05/13/content_9742.htm）",
    ),
    2014: Notice("", date(2013, 12, 11), _GOV + "zwgk/2013-12/11/content_2546204.htm"),
    2013: Notice("", date(2012, 12, 10), _GOV + "zwgk/2012-12/10/content_2286598.htm"),
    2012: Notice("", date(2011, 12, 6), _GOV + "zwgk/2011-12/06/content_2012097.htm"),
    2011: Notice("", date(2010, 12, 10), _GOV + "zwgk/2010-12/10/content_1762643.htm"),
    2010: Notice("", date(2009, 12, 8), _GOV + "zwgk/2009-12/08/content_1482691.htm"),
    2009: Notice("", date(2008, 12, 10), _GOV + "zwgk/2008-12/10/content_1174014.htm"),
    2008: Notice("", date(2007, 12, 18), _GOV + "zwgk/2007-12/18/content_837184.htm"),
    2007: Notice("", date(2006, 12, 18), _GOV + "fwxx/sh/2006-12/18/content_471877.htm"),
    2006: Notice("", date(2005, 12, 22), _GOV + "jrzg/2005-12/22/content_133837.htm"),
}
"""The notice behind each year the package covers, as far as known (2004 and 2005: nothing;
the package cites no gov.cn page for them)."""

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

    notice = NOTICES.get(year, Notice())
    facts = {
        "complete": True,
        "notice_number": notice.number,
        "notice_published_on": notice.published,
        "notice_url": notice.url,
        "notice_note": notice.note,
    }
    calendar_year, made = CalendarYear.objects.get_or_create(
        year=year, defaults={**facts, "source": Source.CHINESECALENDAR, "seeded_at": now}
    )
    completed = made
    if not made and calendar_year.source == Source.CHINESECALENDAR:
        completed = not calendar_year.complete
        for name, value in facts.items():
            setattr(calendar_year, name, value)
        calendar_year.seeded_at = now
        calendar_year.save(update_fields=[*facts, "seeded_at"])
    if calendar_year.complete and (created or changed or stale or completed):
        # Deadlines stored before the year was there, or from its earlier days, are counted
        # again (signals.py).
        calendar_changed.send(sender=CalendarYear, years=(year,), user=None)
