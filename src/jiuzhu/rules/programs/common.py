"""Expression helpers shared by the programs."""

from __future__ import annotations

import polars as pl


def completed_years(start: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years from ``start`` to ``on`` (age on a date: a birthday counts on the day itself)."""
    before_anniversary = (on.dt.month().cast(pl.Int32) * 100 + on.dt.day().cast(pl.Int32)) < (
        start.dt.month().cast(pl.Int32) * 100 + start.dt.day().cast(pl.Int32)
    )
    return (on.dt.year() - start.dt.year() - before_anniversary.cast(pl.Int32)).cast(pl.Int32)


def when_decided(decision: pl.Expr, then: pl.Expr, otherwise: pl.Expr | int = 0) -> pl.Expr:
    """``then`` where ``decision`` is true, ``otherwise`` where false, and null where the decision
    is undetermined (a plain ``when`` would treat null as false and pay 0 silently)."""
    return pl.when(decision.is_null()).then(None).when(decision).then(then).otherwise(otherwise)
