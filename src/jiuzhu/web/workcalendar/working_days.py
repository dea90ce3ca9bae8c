"""Counting statutory deadlines in working days (工作日) with the Chinese holiday calendar.

Convention. A period "within N working days of acceptance" (受理之日起 N 个工作日内) ends on
``add_working_days(accepted_on, N)``: the day of acceptance itself is not counted and counting
starts on the next day (民法典 第二百零一条), and the last day of the period is always a working
day, so the end never falls on a holiday (第二百零三条). ``working_days_between(accepted_on, day)``
is the inverse: the number of working days of the period used up by ``day``.

A year is used only when the table has a complete ``CalendarYear`` for it. A computation that
reaches any other year raises ``CalendarMissingError``; it never falls back to Monday–Friday,
which would put deadlines on 国庆节 and miss the 调休 working Saturdays.

A missing year affects only the deadlines that reach it: ``Calendar.due`` answers a ``Due``
that holds either the date or the missing year, shown as "缺 2027 年日历" (``missing_text``),
so one case whose deadline runs into next year does not blank the others.

Every function takes a ``date`` or a ``datetime``; a datetime counts as its Beijing date
(``beijing_date``: an aware one converted to Asia/Shanghai, a naive one read as Beijing time),
never as the date of another time zone nor as a key that misses the holiday table.

A page that computes many deadlines loads the calendar once (``load_calendar``: two queries,
whatever the number of years) and calls the ``Calendar`` methods, which do no query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext

from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear

_ONE_DAY = timedelta(days=1)
BEIJING = ZoneInfo("Asia/Shanghai")

Day = date | datetime
"""A day given as a date or as a datetime (its Beijing date is meant)."""


def beijing_date(value: Day) -> date:
    """The Beijing (Asia/Shanghai) date of ``value``.

    A ``date`` is returned as it is; an aware ``datetime`` is converted to Beijing time first
    (23:30 UTC on 30 September is 1 October in Beijing); a naive ``datetime`` is taken to be
    Beijing time already (the platform's ``TIME_ZONE``).
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(BEIJING)
        return value.date()
    return value


def missing_text(year: int) -> str:
    """What a deadline shows when its year has no calendar: "缺 2027 年日历"."""
    return gettext("缺 %(year)s 年日历") % {"year": year}


def missing_warning(years: Iterable[int]) -> str:
    """The note a list shows when some of its deadlines wait for a year's calendar."""
    listed = "、".join(str(year) for year in sorted(set(years)))
    return gettext(
        "缺 %(years)s 年日历：到期日落在该年的期限暂不显示日期，"
        "请系统管理员按国务院办公厅的放假通知录入该年日历。"
    ) % {"years": listed}


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline counted in working days: its date, or the year whose calendar it needs.

    Exactly one of ``on`` and ``missing_year`` is set. A deadline whose date is unknown is
    neither overdue nor due soon: it waits for the year's calendar (``missing_text``).
    """

    on: date | None
    missing_year: int | None = None

    @property
    def text(self) -> str:
        """The date (YYYY-MM-DD) or "缺 2027 年日历"."""
        if self.on is not None:
            return self.on.isoformat()
        return missing_text(self.missing_year or 0)


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

    def is_working_day(self, day: Day) -> bool:
        """Whether ``day`` (its Beijing date) is a working day.

        Raises ``CalendarMissingError`` when ``day.year`` is not covered.
        """
        day = beijing_date(day)
        if day.year not in self.years:
            raise CalendarMissingError([day.year])
        status = self.exceptions.get(day)
        if status is None:
            return day.weekday() < 5  # Monday = 0 … Friday = 4
        return status

    def add_working_days(self, start: Day, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        ``n == 0`` returns ``start`` unchanged (even on a holiday). The result of ``n >= 1`` is
        always a working day. Deadline convention: "within N working days of acceptance" ends on
        ``add_working_days(accepted_on, N)``.

        Raises ``ValueError`` when ``n < 0`` and ``CalendarMissingError`` when the count reaches
        a year that is not covered.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0 working days, got {n}")
        day = beijing_date(start)
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def due(self, start: Day, n: int) -> Due:
        """``add_working_days(start, n)`` as a ``Due``: the date, or the first year the count
        reaches without a calendar (never raises ``CalendarMissingError``)."""
        try:
            return Due(self.add_working_days(start, n))
        except CalendarMissingError as exc:
            return Due(None, exc.years[0])

    def next_working_day(self, day: Day) -> date:
        """``day`` itself if it is a working day, else the first working day after it.

        Raises ``CalendarMissingError`` when the search reaches a year that is not covered.
        """
        day = beijing_date(day)
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def working_days_between(self, start: Day, end: Day) -> int:
        """Number of working days after ``start`` up to and including ``end``.

        Inverse of ``add_working_days``: ``working_days_between(d, add_working_days(d, n)) == n``.
        When ``end`` is before ``start`` the result is negative:
        ``-working_days_between(end, start)`` (e.g. the working days left before a deadline).

        Raises ``CalendarMissingError`` when a day counted is in a year that is not covered.
        """
        start, end = beijing_date(start), beijing_date(end)
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


def covered_years() -> frozenset[int]:
    """The years with a complete calendar (one query)."""
    return frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))


def first_missing_year(start: Day, covered: Iterable[int]) -> int:
    """The first year from ``start``'s on that is not in ``covered``: the year a stored
    deadline counted from ``start`` waits for when its date is unknown."""
    year = beijing_date(start).year
    years = set(covered)
    while year in years:
        year += 1
    return year


def reaching(start_field: str, due_field: str, years: Iterable[int]) -> Q:
    """A filter for stored deadlines (``due_field``, counted from ``start_field``) that a change
    of the calendar of ``years`` may move: counted from no later than the last of the years, and
    unknown or falling no earlier than the first of them."""
    listed = sorted(set(years))
    low, high = date(listed[0], 1, 1), date(listed[-1], 12, 31)
    return Q(**{f"{start_field}__lte": high}) & (
        Q(**{f"{due_field}__isnull": True}) | Q(**{f"{due_field}__gte": low})
    )


def calendar_for(starts: Iterable[Day], years: Iterable[int] = ()) -> Calendar:
    """The calendar for deadlines counted from ``starts`` (and reaching ``years``): every year
    from the earliest start to the year after the latest of both (two queries)."""
    found = [beijing_date(day).year for day in starts] + list(years)
    if not found:
        return Calendar(years=frozenset())
    return load_calendar(range(min(found), max(found) + 2))


def add_working_days(start: Day, n: int) -> date:
    """The ``n``-th working day after ``start``, loading the calendar (two queries).

    See ``Calendar.add_working_days``. Every complete year from ``start.year`` on is loaded,
    since the years a count reaches are not known in advance (the table holds a few dozen rows
    a year, so this is cheap). Raises ``ValueError`` when ``n < 0`` and
    ``CalendarMissingError`` when the count reaches a year without a complete calendar.
    """
    start = beijing_date(start)
    if n == 0:
        return start
    return _load(Q(year__gte=start.year)).add_working_days(start, n)


def due(start: Day, n: int) -> Due:
    """``Calendar.due`` with the calendar loaded from ``start``'s year on (two queries)."""
    start = beijing_date(start)
    return _load(Q(year__gte=start.year)).due(start, n)


def working_days_between(start: Day, end: Day) -> int:
    """Working days after ``start`` up to and including ``end``, loading the calendar.

    See ``Calendar.working_days_between`` (negative when ``end < start``). Raises
    ``CalendarMissingError`` when a counted day is in a year without a complete calendar.
    """
    start, end = beijing_date(start), beijing_date(end)
    low, high = min(start, end), max(start, end)
    return load_calendar(range(low.year, high.year + 1)).working_days_between(start, end)
