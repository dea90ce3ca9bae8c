"""Counting statutory deadlines in working days (工作日) with the Chinese holiday calendar.

Convention. A period "within N working days of acceptance" (受理之日起 N 个工作日内) ends on
``add_working_days(accepted_on, N)``: the day of acceptance itself is not counted and counting
starts on the next day (民法典 第二百零一条), and the last day of the period is always a working
day, so the end never falls on a holiday (第二百零三条). ``working_days_between(accepted_on, day)``
is the inverse: the number of working days of the period used up by ``day``.

A year is used only when the table has a complete ``CalendarYear`` for it. A computation that
reaches any other year raises ``CalendarMissingError``; it never falls back to Monday–Friday,
which would put deadlines on 国庆节 and miss the 调休 working Saturdays.

A page that computes many deadlines loads the calendar once (``load_calendar``: two queries,
whatever the number of years) and calls the ``Calendar`` methods, which do no query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q

from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear

_ONE_DAY = timedelta(days=1)


class CalendarMissingError(Exception):
    """A computation needs a year the loaded calendar does not cover.

    ``years`` holds the missing years. Either the table has no complete ``CalendarYear`` for
    them (seed with ``jiuzhu-web seed_calendar --year YYYY`` or enter the State Council's
    arrangement in the admin and tick 数据完整), or the caller did not pass them to
    ``load_calendar``.
    """

    def __init__(self, years: Iterable[int]) -> None:
        self.years: tuple[int, ...] = tuple(sorted(set(years)))
        listed = "、".join(str(year) for year in self.years)
        super().__init__(
            f"工作日历缺少 {listed} 年的完整数据，无法计算工作日期限 "
            f"(no complete CalendarYear loaded for {listed}: seed it with "
            "`jiuzhu-web seed_calendar --year YYYY` if the chinesecalendar package covers it, "
            "or enter the year in the admin and mark it complete; "
            "or pass the year to load_calendar)"
        )


@dataclass(frozen=True, slots=True)
class Calendar:
    """Working-day status of every date in ``years``; pure, no database access.

    ``exceptions`` maps the dates that differ from Monday–Friday (and administrators'
    overrides) to their working-day status; every other date of a covered year is a working day
    exactly when it is Monday to Friday.
    """

    years: frozenset[int]
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day.

        Raises ``CalendarMissingError`` when ``day.year`` is not covered.
        """
        if day.year not in self.years:
            raise CalendarMissingError([day.year])
        status = self.exceptions.get(day)
        if status is None:
            return day.weekday() < 5  # Monday = 0 … Friday = 4
        return status

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        ``n == 0`` returns ``start`` unchanged (even on a holiday). The result of ``n >= 1`` is
        always a working day. Deadline convention: "within N working days of acceptance" ends on
        ``add_working_days(accepted_on, N)``.

        Raises ``ValueError`` when ``n < 0`` and ``CalendarMissingError`` when the count reaches
        a year that is not covered.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0 working days, got {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days after ``start`` up to and including ``end``.

        Inverse of ``add_working_days``: ``working_days_between(d, add_working_days(d, n)) == n``.
        When ``end`` is before ``start`` the result is negative:
        ``-working_days_between(end, start)`` (e.g. the working days left before a deadline).

        Raises ``CalendarMissingError`` when a day counted is in a year that is not covered.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def _load(years: Q) -> Calendar:
    """The calendar of the complete years matching ``years`` (a filter on ``CalendarYear``)."""
    covered = frozenset(
        CalendarYear.objects.filter(years, complete=True).values_list("year", flat=True)
    )
    if not covered:
        return Calendar(years=covered)
    # One range query over the covered years; the few rows of years in a gap between them
    # (or of incomplete years) are dropped below rather than queried around.
    rows = CalendarDay.objects.filter(
        date__gte=date(min(covered), 1, 1), date__lte=date(max(covered), 12, 31)
    ).values_list("date", "is_working_day")
    exceptions = {day: working for day, working in rows if day.year in covered}
    return Calendar(years=covered, exceptions=exceptions)


def load_calendar(years: Iterable[int]) -> Calendar:
    """Load the calendar of ``years`` in two queries (years, then their exceptional days).

    Years without a complete ``CalendarYear`` are left out rather than refused here: the
    ``Calendar`` raises ``CalendarMissingError`` only if a computation actually reaches them.
    A list page passes every year its deadlines can reach, typically the years of its start
    dates and the year after each (deadlines are at most a few dozen working days).
    """
    return _load(Q(year__in=sorted(set(years))))


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``, loading the calendar (two queries).

    See ``Calendar.add_working_days``. Every complete year from ``start.year`` on is loaded,
    since the years a count reaches are not known in advance (the table holds a few dozen rows
    a year, so this is cheap). Raises ``ValueError`` when ``n < 0`` and
    ``CalendarMissingError`` when the count reaches a year without a complete calendar.
    """
    if n == 0:
        return start
    return _load(Q(year__gte=start.year)).add_working_days(start, n)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``, loading the calendar.

    See ``Calendar.working_days_between`` (negative when ``end < start``). Raises
    ``CalendarMissingError`` when a counted day is in a year without a complete calendar.
    """
    low, high = min(start, end), max(start, end)
    return load_calendar(range(low.year, high.year + 1)).working_days_between(start, end)
