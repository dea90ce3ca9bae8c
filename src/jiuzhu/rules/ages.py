"""Ages and anniversaries (周岁, 满 N 年): the one place where they are computed.

Every age milestone of the platform — the rules' ``age``, the years a religious professional has
lived apart, a tekun obligor's age, discovery's "turns 18 this month", the entitlements' age
limits and review classes, the ages printed on documents — goes through these functions, so a
person born on 29 February reaches an age on the same day everywhere.

Convention. A person is ``n`` (满 n 周岁) from the ``n``-th anniversary of the birth on, the
anniversary day itself included. The anniversary is the same month and day ``n`` years later.
For a birth on 29 February and a common year there is no such day: the parameter
``household.leap_day_birthday`` (``LEAP_DAY_PARAMETER``) says whether the anniversary is then
28 February or 1 March. Its value, source and confidence are in the rules' YAML
(``policies/tianjin/household/leap_day_birthday.yaml``): 《中华人民共和国民法典》第二百零二条 makes
the month's last day the end of a period counted in years when the due month has no
corresponding day, hence 28 February.

The scalar functions take ``datetime.date`` values (a ``datetime`` is a ``date`` too: give the
Beijing date, the caller's business); the ``*_expr`` functions build Polars expressions over
``Date`` columns, for the vectorised rules and batches. Both follow the same arithmetic and are
tested against each other.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from typing import Final, Literal, TypeGuard, get_args

import numpy as np
import polars as pl

from jiuzhu.rules.engine.parameters import ParameterTree

LeapDayRule = Literal["february_28", "march_1"]
"""Where the anniversary of a 29 February birth falls in a common year."""

LEAP_DAY_RULES: Final[tuple[LeapDayRule, ...]] = get_args(LeapDayRule)

LEAP_DAY_PARAMETER: Final = "household.leap_day_birthday"
"""The rules' parameter holding the ``LeapDayRule`` in force (a code of ``leap_day_birthday``)."""

ADULT_AGE_PARAMETER: Final = "household.adult_age"
"""The age of majority (18, 《中华人民共和国民法典》第十七条): under it a person is a minor."""

ELDERLY_AGE_PARAMETER: Final = "household.elderly_age"
"""The age from which a person is elderly (60, 《中华人民共和国老年人权益保障法》第二条)."""


def is_leap_day_rule(value: object) -> TypeGuard[LeapDayRule]:
    """Whether ``value`` is one of ``LEAP_DAY_RULES``."""
    return isinstance(value, str) and value in LEAP_DAY_RULES


def anniversary(born: dt.date, years: int, leap_day: LeapDayRule) -> dt.date:
    """The ``years``-th anniversary of ``born`` (``years`` may be negative or zero).

    The same month and day ``years`` later; for 29 February in a common year, 28 February or
    1 March as ``leap_day`` says.

    Raises:
        ValueError: the result is outside the years ``datetime.date`` can hold.
    """
    year = born.year + years
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28) if leap_day == "february_28" else dt.date(year, 3, 1)
    return born.replace(year=year)


def completed_years(born: dt.date, on: dt.date, leap_day: LeapDayRule) -> int:
    """Whole years from ``born`` to ``on``: the age on ``on``, the anniversary counting on the
    day itself (0 before the first anniversary, negative before ``born``)."""
    years = on.year - born.year
    if on < _in_year(born, on.year, leap_day):
        years -= 1
    return years


def _in_year(born: dt.date, year: int, leap_day: LeapDayRule) -> dt.date:
    """``born``'s anniversary in ``year`` (for years ``datetime.date`` can hold)."""
    return anniversary(born, year - born.year, leap_day)


def leap_day_rule(parameters: ParameterTree, on: dt.date) -> LeapDayRule:
    """The ``LeapDayRule`` in force on ``on`` (``household.leap_day_birthday``).

    Raises:
        ParameterNotDefinedError: ``on`` is before the parameter's first value.
        ValueError: the value in force is not a known rule (an ``unknown`` marker, say).
    """
    value = parameters[LEAP_DAY_PARAMETER].at(on).value
    if not is_leap_day_rule(value):
        raise ValueError(f"{LEAP_DAY_PARAMETER} is {value!r} on {on}: not one of {LEAP_DAY_RULES}")
    return value


def _years(parameters: ParameterTree, path: str, on: dt.date) -> int:
    value = parameters[path].at(on).value
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{path} is {value!r} on {on}: not a number of years")
    return value


def adult_age(parameters: ParameterTree, on: dt.date) -> int:
    """The age of majority in force on ``on`` (``household.adult_age``, years): the one
    definition of a minor (under it) for the rules (variable ``minor``), discovery and web.

    Raises:
        ParameterNotDefinedError: ``on`` is before the parameter's first value.
        ValueError: the value in force is unknown.
    """
    return _years(parameters, ADULT_AGE_PARAMETER, on)


def elderly_age(parameters: ParameterTree, on: dt.date) -> int:
    """The age from which a person is elderly on ``on`` (``household.elderly_age``, years): the
    one definition for the rules (variable ``elderly``), discovery and web.

    Raises:
        ParameterNotDefinedError, ValueError: as ``adult_age``.
    """
    return _years(parameters, ELDERLY_AGE_PARAMETER, on)


def is_minor(born: dt.date, on: dt.date, parameters: ParameterTree) -> bool:
    """Whether a person born on ``born`` is a minor on ``on`` (under ``adult_age``).

    Raises:
        ParameterNotDefinedError, ValueError: as ``adult_age`` and ``leap_day_rule``.
    """
    return age_on(born, on, parameters) < adult_age(parameters, on)


def age_on(born: dt.date, on: dt.date, parameters: ParameterTree) -> int:
    """The age (completed years) on ``on``, with the leap-day rule in force on ``on``.

    Raises:
        ParameterNotDefinedError, ValueError: as ``leap_day_rule``.
    """
    return completed_years(born, on, leap_day_rule(parameters, on))


def birthday(born: dt.date, years: int, parameters: ParameterTree) -> dt.date:
    """The day ``born`` reaches ``years`` (``anniversary``), with the leap-day rule in force on
    28 February of that year (the earliest day it can fall on when the rule matters).

    Raises:
        ParameterNotDefinedError, ValueError: as ``leap_day_rule``.
    """
    rule = leap_day_rule(parameters, dt.date(born.year + years, 2, 28))
    return anniversary(born, years, rule)


# --- vectorised --------------------------------------------------------------------------------


def _is_leap_year(year: pl.Expr) -> pl.Expr:
    return ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)


def _month_day(day: pl.Expr) -> pl.Expr:
    """``month * 100 + day`` as Int32 (0229 for 29 February)."""
    return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)


def anniversary_expr(born: pl.Expr, years: pl.Expr | int, leap_day: LeapDayRule) -> pl.Expr:
    """``anniversary`` over a ``Date`` expression (null where ``born`` or ``years`` is null)."""
    year = born.dt.year().cast(pl.Int32) + (
        years.cast(pl.Int32) if isinstance(years, pl.Expr) else pl.lit(years, pl.Int32)
    )
    shifted = (born.dt.month() == 2) & (born.dt.day() == 29) & ~_is_leap_year(year)
    if leap_day == "february_28":
        month, day = pl.lit(2), pl.lit(28)
    else:
        month, day = pl.lit(3), pl.lit(1)
    return pl.date(
        year,
        pl.when(shifted).then(month).otherwise(born.dt.month()),
        pl.when(shifted).then(day).otherwise(born.dt.day()),
    )


def completed_years_expr(born: pl.Expr, on: pl.Expr, leap_day: LeapDayRule) -> pl.Expr:
    """``completed_years`` over ``Date`` expressions, as Int32 (null where either is null)."""
    anniversary_day = _month_day(born)
    # In a common year a 29 February birth has its anniversary on 0228 or 0301; comparing
    # month-days with 0301 is the same as with 0229, since no common-year day lies between.
    if leap_day == "february_28":
        anniversary_day = (
            pl.when((anniversary_day == 229) & ~_is_leap_year(on.dt.year().cast(pl.Int32)))
            .then(pl.lit(228, pl.Int32))
            .otherwise(anniversary_day)
        )
    before = _month_day(on) < anniversary_day
    return (
        on.dt.year().cast(pl.Int32) - born.dt.year().cast(pl.Int32) - before.cast(pl.Int32)
    ).cast(pl.Int32)


GREGORIAN_CYCLE_DAYS: Final = 146_097
"""Days in 400 Gregorian years: dates that far apart share month, day and leap pattern."""
_EPOCH: Final = dt.date(1970, 1, 1)  # day 0 of Polars' ``Date`` (days since the Unix epoch)


def completed_years_on_expr(born: pl.Expr, on: dt.date, leap_day: LeapDayRule) -> pl.Expr:
    """``completed_years_expr`` for one date ``on`` (a batch's single assessment date), as
    Int32, null where ``born`` is null: the same arithmetic, looked up instead of computed.

    Extracting year, month and day from 2.5 million dates was the rules' costliest step (about
    0.12 s); the ages on ``on`` of one 400-year cycle of births (``GREGORIAN_CYCLE_DAYS``) are
    computed once, each birth's is read from that table by its day number (about 0.01 s), and a
    birth ``q`` cycles before that window is ``400 × q`` years older (the calendar repeats: same
    month-day, same leap years)."""
    table = _ages_in_cycle(on, leap_day)
    start = (
        (on - _EPOCH).days - GREGORIAN_CYCLE_DAYS + 1
    )  # the window's first day; it ends on ``on``

    def ages(column: pl.Series) -> pl.Series:
        days = column.to_physical()
        offset = days.fill_null(start).to_numpy().astype(np.int64) - start
        if bool(((offset >= 0) & (offset < GREGORIAN_CYCLE_DAYS)).all()):
            found = table[offset]
        else:
            cycles = offset // GREGORIAN_CYCLE_DAYS
            found = table[offset - cycles * GREGORIAN_CYCLE_DAYS] - cycles * 400
        result = pl.Series(column.name, found, dtype=pl.Int32)
        if days.null_count():
            result = pl.select(pl.when(days.is_null()).then(None).otherwise(result)).to_series()
        return result

    return born.map_batches(ages, return_dtype=pl.Int32, is_elementwise=True)


@functools.lru_cache(maxsize=16)
def _ages_in_cycle(on: dt.date, leap_day: LeapDayRule) -> np.ndarray:
    """The completed years on ``on`` of each birth day of the cycle ending on ``on`` (Int32)."""
    first = np.datetime64(on, "D") - (GREGORIAN_CYCLE_DAYS - 1)
    days = first + np.arange(GREGORIAN_CYCLE_DAYS)
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int32) + 1970
    month_day = (months.astype(np.int32) % 12 + 1) * 100 + (days - months).astype(np.int32) + 1
    if leap_day == "february_28" and not calendar.isleap(on.year):
        month_day = np.where(month_day == 229, 228, month_day)
    before = (on.month * 100 + on.day) < month_day
    ages: np.ndarray = (on.year - year - before).astype(np.int32)
    return ages
