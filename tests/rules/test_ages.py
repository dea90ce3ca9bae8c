"""Ages and anniversaries (jiuzhu.rules.ages): properties of the one age function, the
29 February rule on both sides, and the scalar and vectorised forms agreeing."""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jiuzhu.rules import load_system
from jiuzhu.rules.ages import (
    LEAP_DAY_RULES,
    LeapDayRule,
    age_on,
    anniversary,
    anniversary_expr,
    birthday,
    completed_years,
    completed_years_expr,
    completed_years_on_expr,
    leap_day_rule,
)
from jiuzhu.rules.programs.common import completed_months

SYSTEM = load_system("tianjin")
DATES = st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31))
RULES = st.sampled_from(LEAP_DAY_RULES)
LEAP_BIRTHS = st.integers(1904, 2096).filter(calendar.isleap).map(lambda y: dt.date(y, 2, 29))


def naive_age(born: dt.date, on: dt.date) -> int:
    """The textbook formula, right for every birthday but 29 February."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@settings(max_examples=300)
@given(born=DATES, first=DATES, second=DATES, rule=RULES)
def test_age_never_decreases_with_the_date(
    born: dt.date, first: dt.date, second: dt.date, rule: LeapDayRule
) -> None:
    early, late = sorted((first, second))
    assert completed_years(born, early, rule) <= completed_years(born, late, rule)


@settings(max_examples=300)
@given(born=DATES.filter(lambda d: (d.month, d.day) != (2, 29)), on=DATES, rule=RULES)
def test_age_is_the_naive_one_for_every_birthday_but_29_february(
    born: dt.date, on: dt.date, rule: LeapDayRule
) -> None:
    assert completed_years(born, on, rule) == naive_age(born, on)


@settings(max_examples=300)
@given(born=DATES, on=DATES, rule=RULES)
def test_age_rises_by_one_exactly_on_each_anniversary(
    born: dt.date, on: dt.date, rule: LeapDayRule
) -> None:
    """The day before an anniversary the age is one less than on it; no other day changes it."""
    if on == dt.date.min:
        return
    rises = completed_years(born, on, rule) - completed_years(born, on - dt.timedelta(1), rule)
    years = completed_years(born, on, rule)
    assert rises == (1 if on == anniversary(born, years, rule) else 0)


@given(born=LEAP_BIRTHS, years=st.integers(1, 100))
def test_29_february_in_a_common_year_on_28_february_or_1_march(born: dt.date, years: int) -> None:
    year = born.year + years
    feb28, mar1 = dt.date(year, 2, 28), dt.date(year, 3, 1)
    before = dt.date(year, 2, 27)
    if calendar.isleap(year):
        for rule in LEAP_DAY_RULES:
            assert completed_years(born, feb28, rule) == years - 1
            assert completed_years(born, dt.date(year, 2, 29), rule) == years
            assert anniversary(born, years, rule) == dt.date(year, 2, 29)
        return
    assert completed_years(born, before, "february_28") == years - 1
    assert completed_years(born, feb28, "february_28") == years
    assert anniversary(born, years, "february_28") == feb28
    assert completed_years(born, feb28, "march_1") == years - 1
    assert completed_years(born, mar1, "march_1") == years
    assert anniversary(born, years, "march_1") == mar1


def _frame(pairs: list[tuple[dt.date, dt.date]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"born": [b for b, _ in pairs], "on": [o for _, o in pairs]},
        schema={"born": pl.Date, "on": pl.Date},
    )


@settings(max_examples=60)
@given(
    pairs=st.lists(st.tuples(st.one_of(DATES, LEAP_BIRTHS), DATES), min_size=1, max_size=40),
    rule=RULES,
    years=st.integers(-80, 80),
)
def test_the_vectorised_forms_agree_with_the_scalar_ones(
    pairs: list[tuple[dt.date, dt.date]], rule: LeapDayRule, years: int
) -> None:
    frame = _frame(pairs).select(
        completed_years_expr(pl.col("born"), pl.col("on"), rule).alias("age"),
        anniversary_expr(pl.col("born"), years, rule).alias("anniversary"),
        anniversary_expr(pl.col("born"), pl.lit(years), rule).alias("same"),
    )
    assert frame["age"].to_list() == [completed_years(b, o, rule) for b, o in pairs]
    expected = [anniversary(b, years, rule) for b, _ in pairs]
    assert frame["anniversary"].to_list() == expected
    assert frame["same"].to_list() == expected


ANY_DAY = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))


@given(
    births=st.lists(st.one_of(st.none(), ANY_DAY, DATES, LEAP_BIRTHS), min_size=1, max_size=60),
    on=st.one_of(DATES, LEAP_BIRTHS, ANY_DAY),
    rule=RULES,
)
def test_the_age_on_one_date_is_looked_up_exactly(
    births: list[dt.date | None], on: dt.date, rule: LeapDayRule
) -> None:
    """The single-date form (a table of one 400-year cycle) gives what the computed form gives,
    for births in and far outside the cycle before ``on``, and null for none."""
    born = pl.DataFrame({"born": births}, schema={"born": pl.Date})
    looked_up = born.select(completed_years_on_expr(pl.col("born"), on, rule)).to_series()
    computed = born.select(completed_years_expr(pl.col("born"), pl.lit(on), rule)).to_series()
    assert looked_up.dtype == pl.Int32
    assert looked_up.to_list() == computed.to_list()
    assert looked_up.to_list() == [
        None if b is None else completed_years(b, on, rule) for b in births
    ]


def test_nulls_stay_null() -> None:
    frame = pl.DataFrame(
        {"born": [None, dt.date(2000, 1, 1)], "on": [dt.date(2020, 1, 1), None]},
        schema={"born": pl.Date, "on": pl.Date},
    ).select(completed_years_expr(pl.col("born"), pl.col("on"), "february_28").alias("age"))
    assert frame["age"].to_list() == [None, None]


def test_the_rule_in_force_is_28_february_with_its_source() -> None:
    parameter = SYSTEM.parameters["household.leap_day_birthday"]
    assert leap_day_rule(SYSTEM.parameters, dt.date(2026, 2, 28)) == "february_28"
    latest = parameter.at(dt.date(2026, 2, 28))
    assert "民法典" in latest.reference and "第二百零二条" in latest.reference
    assert latest.confidence == "medium"
    born = dt.date(2008, 2, 29)
    assert age_on(born, dt.date(2026, 2, 27), SYSTEM.parameters) == 17
    assert age_on(born, dt.date(2026, 2, 28), SYSTEM.parameters) == 18
    assert birthday(born, 18, SYSTEM.parameters) == dt.date(2026, 2, 28)


def test_an_unknown_rule_is_an_error_not_a_guess() -> None:
    tree = SYSTEM.parameters.with_overrides({"household.leap_day_birthday": "unknown"})
    with pytest.raises(ValueError, match="leap_day_birthday"):
        leap_day_rule(tree, dt.date(2026, 2, 28))


def _age_in_rules(born: dt.date, on: dt.date, overrides: dict[str, object] | None = None) -> int:
    system = SYSTEM.with_parameters(overrides or {})
    households = pl.DataFrame(
        {"household_id": ["H"], "assessment_date": [on], "area_type": ["urban"]}
    )
    persons = pl.DataFrame(
        {"person_id": ["P"], "household_id": ["H"], "birth_date": [born], "relation": ["01"]}
    )
    result = system.simulate(households, persons, outputs=["age"])
    value: int = result.persons["age"][0]
    return value


def test_the_rules_age_follows_the_parameter() -> None:
    born = dt.date(2008, 2, 29)
    assert _age_in_rules(born, dt.date(2026, 2, 28)) == 18
    march = {"household.leap_day_birthday": "march_1"}
    assert _age_in_rules(born, dt.date(2026, 2, 28), march) == 17
    assert _age_in_rules(born, dt.date(2026, 3, 1), march) == 18


def _months_by_hand(start: dt.date, on: dt.date) -> int:
    """Whole months from ``start`` to ``on``, counted one month after another: a month is
    complete on the same day of the month, or on the last day of a shorter month."""
    months = 0
    while True:
        year, month = divmod(start.month + months, 12)
        nxt = dt.date(
            start.year + year,
            month + 1,
            min(start.day, calendar.monthrange(start.year + year, month + 1)[1]),
        )
        if nxt > on:
            return months
        months += 1


@given(
    st.dates(dt.date(1950, 1, 1), dt.date(2030, 12, 31)),
    st.integers(0, 3000),
)
# Around the end of a shorter month: a day before its last, its last, and a leap February.
@example(dt.date(2025, 1, 31), 27)
@example(dt.date(2025, 1, 31), 28)
@example(dt.date(2024, 1, 30), 29)
@example(dt.date(2025, 3, 31), 29)
@example(dt.date(2025, 3, 31), 30)
def test_completed_months_count_month_by_month(start: dt.date, days: int) -> None:
    on = start + dt.timedelta(days=days)
    frame = pl.DataFrame({"start": [start, None], "on": [on, on]})
    counted = frame.select(completed_months(pl.col("start"), pl.col("on"))).to_series()
    assert counted.to_list() == [_months_by_hand(start, on), None]
