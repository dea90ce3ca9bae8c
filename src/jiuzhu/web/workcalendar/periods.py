"""Public notice periods (公示期) counted in calendar days, and where they end.

The rule. 《最低生活保障审核确认办法》第十九条 and 《特困人员认定办法》第十五条 set the public
notice of an application at 7 days, and 《特困人员认定办法》第二十六条 the notice of a tekun
termination at 7 days: calendar days, not working days. The day the notice is posted is not
counted, so a notice posted on day D runs to D + 7 (《中华人民共和国民法典》第二百零一条).

Neither text says what happens when the last day is a public holiday or a rest day. The one
text found that does is the Civil Code's general rule for periods, 第二百零三条: "期间的最后一日是
法定休假日的，以法定休假日结束的次日为期间的最后一日" — it governs civil-law periods and applies
to others only by analogy (第二百零四条 lets other law provide otherwise). No social-assistance
text, national or Tianjin, was found either way. The platform follows it: an end on a day that
is not a working day moves to the next working day of the holiday table (weekends, holidays and
调休 as published), so residents keep every day of the period to object at the office. The
confidence is low and every page that shows a notice says so (``NOTICE_END.explanation``).

``NOTICE_END`` holds the rule as a dated parameter (the value in force on the day a notice is
posted applies to it): a change of the rule, or a text found that settles it, is a new dated
value here, not a code change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext

from jiuzhu.web.workcalendar.working_days import (
    Calendar,
    CalendarMissingError,
    Day,
    beijing_date,
    missing_text,
)

CIVIL_CODE_203 = (
    "《中华人民共和国民法典》第二百零三条：期间的最后一日是法定休假日的，"
    "以法定休假日结束的次日为期间的最后一日"
)


@dataclass(frozen=True)
class NoticeEndValue:
    """One dated value of the rule: whether an end on a non-working day moves to the next
    working day (``moves``), from ``start`` until the next value."""

    start: dt.date
    moves: bool
    reference: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class NoticeEndRule:
    """Where a notice counted in calendar days ends when its last day is not a working day."""

    name: str
    values: tuple[NoticeEndValue, ...]

    def at(self, day: dt.date) -> NoticeEndValue:
        """The value in force on ``day`` (the first value before it: the notices the platform
        holds were all posted under the same rule, a period rule older than the platform)."""
        found = self.values[0]
        for value in self.values:
            if value.start <= day:
                found = value
        return found

    def explanation(self, day: dt.date, days: int, basis: str) -> str:
        """What a page says about a ``days``-day notice posted on ``day`` under ``basis`` (the
        text that sets its length), in the user's language."""
        value = self.at(day)
        period = gettext("公示期%(days)s天（%(basis)s），自公示次日起按自然日计算。") % {
            "days": days,
            "basis": basis,
        }
        if not value.moves:
            return period + gettext("期满日为节假日或休息日的不顺延。")
        moved = gettext(
            "期满日为节假日或休息日的，顺延至其后第一个工作日（参照《中华人民共和国民法典》第二百零三条；"
            "《最低生活保障审核确认办法》和《特困人员认定办法》对此未作规定，依据不足，待核实）。"
        )
        return period + moved


NOTICE_END = NoticeEndRule(
    "public_notice_end_on_rest_day",
    (
        NoticeEndValue(
            dt.date(1987, 1, 1),
            True,
            "《中华人民共和国民法通则》第一百五十四条：期间的最后一天是星期日或者其他法定休假日的，"
            "以休假日的次日为期间的最后一天",
            "low",
            "民法通则的期间规则，用于公示期是类推；最低生活保障和特困人员认定的规定未提及",
        ),
        NoticeEndValue(
            dt.date(2021, 1, 1),
            True,
            CIVIL_CODE_203,
            "low",
            "民法典的期间规则，用于公示期是类推（第二百零四条：法律另有规定的除外）；"
            "《最低生活保障审核确认办法》第十九条、《特困人员认定办法》第十五条、第二十六条只规定公示期为7天",
        ),
    ),
)
"""The rule for the end of a public notice on a non-working day, with its sources."""


@dataclass(frozen=True)
class NoticePeriod:
    """A notice's first and last day. While the calendar of the last day's year is missing,
    ``ends_on`` is the earliest the notice can end (the ``days``-th day) and ``missing_year``
    says which year it waits for: the end may still move."""

    starts_on: dt.date
    ends_on: dt.date
    missing_year: int | None = None

    @property
    def final(self) -> bool:
        return self.missing_year is None

    @property
    def missing(self) -> str:
        """ "缺 2027 年日历", or nothing when the end is final."""
        return missing_text(self.missing_year) if self.missing_year is not None else ""


def notice_period(posted: Day, days: int, calendar: Calendar) -> NoticePeriod:
    """The notice posted on ``posted`` and lasting ``days`` calendar days: it starts that day
    and ends on the ``days``-th day after it, moved to the next working day when that day is
    not one and ``NOTICE_END`` says so (the value in force on ``posted``).

    ``calendar`` must cover the years the end can reach; a year it lacks leaves the end
    provisional (``NoticePeriod.missing_year``) instead of raising.
    """
    start = beijing_date(posted)
    end = start + dt.timedelta(days=days)
    if not NOTICE_END.at(start).moves:
        return NoticePeriod(start, end)
    try:
        return NoticePeriod(start, calendar.next_working_day(end))
    except CalendarMissingError as exc:
        return NoticePeriod(start, end, exc.years[0])
