"""Expression helpers shared by the programs."""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.ages import (
    LEAP_DAY_PARAMETER,
    completed_years_expr,
    completed_years_on_expr,
    is_leap_day_rule,
)
from jiuzhu.rules.engine.formula import Formula
from jiuzhu.rules.engine.parameters import Resolved


def completed_years(f: Formula, start: pl.Expr, on: pl.Expr | None = None) -> pl.Expr:
    """Whole years from ``start`` to ``on`` as Int32 (an age: the anniversary counts on the day
    itself), with the 29 February rule in force (``household.leap_day_birthday``;
    ``jiuzhu.rules.ages``) on ``on``, an expression holding an assessment date — by default
    each row's own. Null where the rule is unknown."""
    single = f.single_date if on is None else None

    def build(rule: Resolved) -> pl.Expr:
        if not is_leap_day_rule(rule):
            return pl.lit(None, pl.Int32)
        if single is not None:
            return completed_years_on_expr(start, single, rule)  # one date: looked up
        return completed_years_expr(start, f.date if on is None else on, rule)

    return f.params(build, LEAP_DAY_PARAMETER, on=on)


def when_decided(decision: pl.Expr, then: pl.Expr, otherwise: pl.Expr | int = 0) -> pl.Expr:
    """``then`` where ``decision`` is true, ``otherwise`` where false, and null where the decision
    is undetermined (a plain ``when`` would treat null as false and pay 0 silently)."""
    return pl.when(decision.is_null()).then(None).when(decision).then(then).otherwise(otherwise)


def completed_months(start: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole months from the date ``start`` to the date ``on`` (Int32): a month is complete on
    the same day of the month, or on the last day of a shorter month (31 January → 28 February
    is one month). Null where either is null."""
    months = (on.dt.year() - start.dt.year()).cast(pl.Int32) * 12 + (
        on.dt.month().cast(pl.Int32) - start.dt.month().cast(pl.Int32)
    )
    # ``days_in_month`` reads the calendar; ``month_end().dt.day()`` built a date first (twice
    # the time over 2.5 million rows).
    short = (on.dt.day() < start.dt.day()) & (on.dt.day() < on.dt.days_in_month())
    return months - short.cast(pl.Int32)
