"""Working days with the Chinese holiday calendar (jiuzhu.web.workcalendar).

Expected dates were worked out by hand from chinesecalendar 1.11's data, which follows the State
Council notices: 2025 国庆节/中秋节 off 10-01…10-08 with 调休上班 on Sunday 09-28 and Saturday
10-11; 2025 春节 off 01-28…02-04 with 调休上班 on Sunday 01-26 and Saturday 02-08; 2026 元旦
off 01-01…01-03 with 调休上班 on Sunday 01-04.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core import checks as django_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.web.workcalendar import checks
from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear, Source
from jiuzhu.web.workcalendar.seed import seed_from_chinesecalendar, supported_years
from jiuzhu.web.workcalendar.working_days import (
    Calendar,
    CalendarMissingError,
    add_working_days,
    load_calendar,
    working_days_between,
)

pytestmark = pytest.mark.django_db


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.fixture
def calendar_2025() -> Calendar:
    seed_from_chinesecalendar([2025])
    return load_calendar([2025])


# Seeding ---------------------------------------------------------------------------------------


def test_package_covers_2004_to_at_least_2026() -> None:
    covered = supported_years()
    assert covered[0] == 2004
    assert covered[-1] >= 2026


def test_seeding_2025_national_day_and_make_up_weekends(calendar_2025: Calendar) -> None:
    for day in _days(date(2025, 10, 1), date(2025, 10, 8)):
        assert not calendar_2025.is_working_day(day), day
    assert calendar_2025.is_working_day(date(2025, 9, 28))  # Sunday, 调休上班
    assert calendar_2025.is_working_day(date(2025, 10, 11))  # Saturday, 调休上班
    assert not calendar_2025.is_working_day(date(2025, 10, 12))  # ordinary Sunday
    assert calendar_2025.is_working_day(date(2025, 10, 9))  # ordinary Thursday

    names = dict(
        CalendarDay.objects.filter(date__range=(date(2025, 9, 28), date(2025, 10, 11))).values_list(
            "date", "name"
        )
    )
    assert names == {
        date(2025, 9, 28): "调休上班（国庆节）",
        date(2025, 10, 1): "国庆节",
        date(2025, 10, 2): "国庆节",
        date(2025, 10, 3): "国庆节",
        # 10-04 and 10-05 are a weekend anyway: not stored.
        date(2025, 10, 6): "中秋节",
        date(2025, 10, 7): "国庆节（调休）",
        date(2025, 10, 8): "国庆节（调休）",
        date(2025, 10, 11): "调休上班（国庆节）",
    }
    assert set(CalendarDay.objects.values_list("source", flat=True)) == {Source.CHINESECALENDAR}
    year = CalendarYear.objects.get(year=2025)
    assert year.complete
    assert year.source == Source.CHINESECALENDAR
    assert year.seeded_at is not None


def test_seeded_2025_agrees_with_chinesecalendar_every_day(calendar_2025: Calendar) -> None:
    for day in _days(date(2025, 1, 1), date(2025, 12, 31)):
        assert calendar_2025.is_working_day(day) == chinese_calendar.is_workday(day), day


def test_only_exceptions_to_monday_friday_are_stored(calendar_2025: Calendar) -> None:
    for row in CalendarDay.objects.all():
        assert row.is_working_day == (row.date.weekday() >= 5), row


def test_reseeding_is_idempotent() -> None:
    seed_from_chinesecalendar([2025])
    before = list(CalendarDay.objects.values_list("date", "is_working_day", "name"))
    assert seed_from_chinesecalendar([2025]) == [2025]
    assert list(CalendarDay.objects.values_list("date", "is_working_day", "name")) == before


def test_reseeding_fixes_and_removes_stale_seeded_rows() -> None:
    seed_from_chinesecalendar([2025])
    CalendarDay.objects.filter(date=date(2025, 10, 1)).update(is_working_day=True, name="错")
    CalendarDay.objects.create(
        date=date(2025, 3, 3), is_working_day=False, name="旧数据", source=Source.CHINESECALENDAR
    )
    seed_from_chinesecalendar([2025])
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "国庆节"
    assert not CalendarDay.objects.get(date=date(2025, 10, 1)).is_working_day
    assert not CalendarDay.objects.filter(date=date(2025, 3, 3)).exists()


def test_administrator_rows_survive_reseeding() -> None:
    seed_from_chinesecalendar([2025])
    # A local correction of a seeded day, and an extra day off the package does not know.
    CalendarDay.objects.filter(date=date(2025, 10, 8)).update(
        is_working_day=True, name="本地调整", source=Source.ADMINISTRATOR
    )
    CalendarDay.objects.create(
        date=date(2025, 3, 3), is_working_day=False, name="临时休息", source=Source.ADMINISTRATOR
    )
    seed_from_chinesecalendar([2025])

    corrected = CalendarDay.objects.get(date=date(2025, 10, 8))
    assert (corrected.is_working_day, corrected.name, corrected.source) == (
        True,
        "本地调整",
        Source.ADMINISTRATOR,
    )
    assert CalendarDay.objects.get(date=date(2025, 3, 3)).name == "临时休息"
    calendar = load_calendar([2025])
    assert calendar.is_working_day(date(2025, 10, 8))
    assert not calendar.is_working_day(date(2025, 3, 3))


def test_administrator_year_keeps_its_complete_flag() -> None:
    CalendarYear.objects.create(year=2025, complete=False, source=Source.ADMINISTRATOR)
    seed_from_chinesecalendar([2025])
    assert not CalendarYear.objects.get(year=2025).complete
    with pytest.raises(CalendarMissingError):
        load_calendar([2025]).is_working_day(date(2025, 6, 3))


def test_seeding_an_unsupported_year_is_refused_before_writing() -> None:
    with pytest.raises(ValueError, match="2099"):
        seed_from_chinesecalendar([2025, 2099])
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()


def test_seed_calendar_command() -> None:
    out = StringIO()
    call_command("seed_calendar", "--year", "2025", "--year", "2026", stdout=out)
    assert "2025、2026" in out.getvalue()
    assert set(CalendarYear.objects.values_list("year", flat=True)) == {2025, 2026}
    with pytest.raises(CommandError, match="2099"):
        call_command("seed_calendar", "--year", "2099")


# Counting --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, date(2025, 9, 28)),  # Sunday 调休上班 counts
        (2, date(2025, 9, 29)),
        (3, date(2025, 9, 30)),
        (4, date(2025, 10, 9)),  # 10-01…10-08 skipped
        (5, date(2025, 10, 10)),
        (6, date(2025, 10, 11)),  # Saturday 调休上班
        (7, date(2025, 10, 13)),
    ],
)
def test_add_working_days_across_national_day(
    calendar_2025: Calendar, n: int, expected: date
) -> None:
    friday = date(2025, 9, 26)
    assert calendar_2025.add_working_days(friday, n) == expected
    assert add_working_days(friday, n) == expected
    assert calendar_2025.working_days_between(friday, expected) == n


def test_deadline_across_spring_festival(calendar_2025: Calendar) -> None:
    # Accepted Monday 2025-01-20; "within 10 working days": 01-21…01-24, Sunday 01-26 (调休),
    # 01-27, then 01-28…02-04 off, 02-05…02-07, Saturday 02-08 (调休) is the 10th.
    accepted_on = date(2025, 1, 20)
    assert calendar_2025.add_working_days(accepted_on, 10) == date(2025, 2, 8)
    assert calendar_2025.add_working_days(accepted_on, 11) == date(2025, 2, 10)
    assert working_days_between(accepted_on, date(2025, 2, 4)) == 6


def test_deadline_across_new_year_needs_both_years() -> None:
    seed_from_chinesecalendar([2025])
    thursday = date(2025, 12, 25)
    with pytest.raises(CalendarMissingError) as missing:
        add_working_days(thursday, 10)
    assert missing.value.years == (2026,)

    seed_from_chinesecalendar([2026])
    # 12-26, 12-29…12-31, 01-01…01-03 off, Sunday 01-04 (调休), 01-05…01-09.
    assert add_working_days(thursday, 10) == date(2026, 1, 9)
    assert working_days_between(thursday, date(2026, 1, 9)) == 10


def test_zero_working_days_is_the_start_even_on_a_holiday(
    calendar_2025: Calendar, django_assert_num_queries
) -> None:
    assert calendar_2025.add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)
    with django_assert_num_queries(0):
        assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)
    assert calendar_2025.working_days_between(date(2025, 10, 1), date(2025, 10, 1)) == 0


def test_negative_working_days_are_refused(calendar_2025: Calendar) -> None:
    with pytest.raises(ValueError, match="-1"):
        calendar_2025.add_working_days(date(2025, 10, 1), -1)


def test_working_days_between(calendar_2025: Calendar) -> None:
    assert calendar_2025.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert calendar_2025.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    # Start on a holiday: counting starts the next day all the same.
    assert calendar_2025.working_days_between(date(2025, 10, 4), date(2025, 10, 13)) == 4
    # End before start: minus the working days from end (excluded) to start (included).
    assert calendar_2025.working_days_between(date(2025, 10, 13), date(2025, 9, 26)) == -7


def test_add_and_between_are_inverse_over_2025() -> None:
    seed_from_chinesecalendar([2025, 2026])
    calendar = load_calendar([2025, 2026])

    @settings(max_examples=300, deadline=None)
    @given(
        start=st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
        n=st.integers(min_value=0, max_value=60),
    )
    def inverse(start: date, n: int) -> None:
        end = calendar.add_working_days(start, n)
        assert calendar.working_days_between(start, end) == n
        assert calendar.working_days_between(end, start) == -n
        if n:
            assert calendar.is_working_day(end)
            # No earlier day reaches n: the day before the deadline has only n - 1.
            assert calendar.working_days_between(start, end - timedelta(days=1)) == n - 1

    inverse()


def test_a_datetime_counts_as_its_beijing_date(calendar_2025: Calendar) -> None:
    """Issue 10: a datetime given to the calendar missed the holiday table (its key is a date)
    and was taken for its own time zone's date. It now counts as its Beijing date."""
    utc, beijing = UTC, ZoneInfo("Asia/Shanghai")
    national_day = datetime(2025, 10, 1, 9, 0, tzinfo=beijing)
    assert not calendar_2025.is_working_day(national_day)
    naive = datetime(2025, 10, 1, 9, 0)  # noqa: DTZ001 — a naive datetime is read as Beijing time
    assert not calendar_2025.is_working_day(naive)
    # 17:00 UTC on 30 September is 01:00 on 1 October in Beijing: a holiday.
    assert not calendar_2025.is_working_day(datetime(2025, 9, 30, 17, 0, tzinfo=utc))
    assert calendar_2025.is_working_day(datetime(2025, 9, 30, 15, 0, tzinfo=utc))
    assert calendar_2025.is_working_day(datetime(2025, 9, 28, 10, 0, tzinfo=beijing))  # 调休
    late_evening = datetime(2025, 9, 30, 20, 0, tzinfo=utc)  # 1 October in Beijing
    assert calendar_2025.add_working_days(late_evening, 1) == date(2025, 10, 9)
    assert add_working_days(late_evening, 1) == date(2025, 10, 9)
    assert calendar_2025.working_days_between(date(2025, 9, 30), late_evening) == 0
    assert working_days_between(datetime(2025, 9, 29, 12, 0, tzinfo=beijing), late_evening) == 1
    assert calendar_2025.due(national_day, 1).on == date(2025, 10, 9)


def test_seeded_years_record_the_state_council_notice() -> None:
    """The notice each seeded year transcribes: its number where a copy of the notice showing
    it was found, the publication date of the gov.cn page the package cites; blank, never
    guessed, otherwise."""
    seed_from_chinesecalendar([2012, 2026])
    recent = CalendarYear.objects.get(year=2026)
    assert recent.notice_number == "国办发明电〔2025〕7号"
    assert recent.notice_published_on == date(2025, 11, 4)
    assert recent.notice_url.startswith("https://www.gov.cn/")
    older = CalendarYear.objects.get(year=2012)
    assert older.notice_number == "" and older.notice_published_on == date(2011, 12, 6)
    # An administrator's correction is kept by a later seeding.
    CalendarYear.objects.filter(year=2012).update(
        notice_number="（管理员核对）", source=Source.ADMINISTRATOR
    )
    seed_from_chinesecalendar([2012])
    assert CalendarYear.objects.get(year=2012).notice_number == "（管理员核对）"


def test_a_missing_year_leaves_only_the_deadlines_that_reach_it_unknown() -> None:
    seed_from_chinesecalendar([2026])
    calendar = load_calendar([2026, 2027])
    assert calendar.due(date(2026, 12, 1), 3).on == date(2026, 12, 4)
    unknown = calendar.due(date(2026, 12, 30), 3)
    assert unknown.on is None and unknown.missing_year == 2027
    assert unknown.text == "缺 2027 年日历"


# Missing years ---------------------------------------------------------------------------------


def test_unseeded_year_raises_with_the_year_in_the_message() -> None:
    seed_from_chinesecalendar([2025])
    with pytest.raises(CalendarMissingError, match="2099") as missing:
        add_working_days(date(2099, 3, 2), 5)
    assert missing.value.years == (2099,)
    with pytest.raises(CalendarMissingError, match="2099"):
        working_days_between(date(2099, 3, 2), date(2099, 3, 9))
    with pytest.raises(CalendarMissingError, match="2099"):
        load_calendar([2025, 2099]).is_working_day(date(2099, 3, 2))


def test_a_year_not_passed_to_load_calendar_raises() -> None:
    seed_from_chinesecalendar([2025, 2026])
    calendar = load_calendar([2025])
    assert calendar.years == frozenset({2025})
    with pytest.raises(CalendarMissingError, match="2026"):
        calendar.add_working_days(date(2025, 12, 25), 10)


def test_incomplete_year_is_not_used() -> None:
    seed_from_chinesecalendar([2025])
    CalendarYear.objects.filter(year=2025).update(complete=False)
    with pytest.raises(CalendarMissingError, match="2025"):
        add_working_days(date(2025, 9, 26), 3)


# Queries ---------------------------------------------------------------------------------------


def test_load_once_then_compute_without_queries(django_assert_num_queries) -> None:
    seed_from_chinesecalendar([2025, 2026])
    starts = [date(2025, 1, 2) + timedelta(days=3 * i) for i in range(100)]
    with django_assert_num_queries(2):
        calendar = load_calendar({start.year for start in starts} | {2026})
        deadlines = [calendar.add_working_days(start, 20) for start in starts]
        elapsed = [calendar.working_days_between(start, date(2025, 12, 31)) for start in starts]
    assert len(deadlines) == len(elapsed) == 100
    assert calendar.add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)


def test_module_functions_load_in_two_queries(django_assert_num_queries) -> None:
    seed_from_chinesecalendar([2025])
    with django_assert_num_queries(2):
        add_working_days(date(2025, 9, 26), 3)
    with django_assert_num_queries(2):
        working_days_between(date(2025, 9, 26), date(2025, 10, 9))


# System check ----------------------------------------------------------------------------------


@pytest.fixture
def in_mid_2025(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2025, 6, 1))


def test_check_is_registered() -> None:
    assert checks.check_calendar_years in django_checks.registry.registry.get_checks()


def test_check_warns_when_this_year_and_next_are_not_seeded(in_mid_2025: None) -> None:
    [warning] = checks.check_calendar_years()
    assert warning.id == "workcalendar.W001"
    assert isinstance(warning, django_checks.Warning)
    assert "2025" in warning.msg
    assert "2026" in warning.msg


def test_check_warns_for_next_year_only(in_mid_2025: None) -> None:
    seed_from_chinesecalendar([2025])
    [warning] = checks.check_calendar_years()
    assert warning.id == "workcalendar.W001"
    assert "2026" in warning.msg
    assert "2025" not in warning.msg


def test_check_is_quiet_when_covered(in_mid_2025: None) -> None:
    seed_from_chinesecalendar([2025, 2026])
    assert checks.check_calendar_years() == []


def test_check_is_quiet_before_migrations(
    in_mid_2025: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])
    assert checks.check_calendar_years() == []


# Admin -----------------------------------------------------------------------------------------


def test_admin_saves_are_administrator_rows(rf) -> None:
    from django.contrib import admin

    model_admin = admin.site.get_model_admin(CalendarDay)
    day = CalendarDay(date=date(2027, 10, 1), is_working_day=False, name="国庆节")
    model_admin.save_model(rf.post("/"), day, form=None, change=False)
    assert CalendarDay.objects.get(date=date(2027, 10, 1)).source == Source.ADMINISTRATOR
    assert admin.site.is_registered(CalendarYear)
