"""This month's payroll against last month's, per household and township: who is new, who
stopped, whose amount changed (the checker's view before 复核; 最低生活保障审核确认办法
（民发〔2021〕57号）第二十五条、第二十六条). Money is integer fen (Int64)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from jiuzhu.batch.pipelines.payroll.plan import ARREARS, RECOVERY, REGULAR

PAYMENTS = pl.Schema(
    {
        "household_id": pl.Int64,
        "division_code": pl.String,
        "total": pl.Int64,
        "regular": pl.Int64,
        "arrears": pl.Int64,
        "recovery": pl.Int64,
    }
)
"""A run's payments summed per household and division code: ``total`` and by kind (fen;
null for a kind the household has none of)."""

CHANGES = ("changed", "new", "stopped", "same")
"""The values of ``change`` (a household's amount this month against last month)."""


def household_sums(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (``PAYMENTS``) summed per household (fen; nulls as 0). A household with two
    entitlements (two tekun persons) under two division codes is rare; it is summed under the
    smaller code."""
    return rows.group_by("household_id").agg(
        pl.col("division_code").min(),
        *[pl.col(c).fill_null(0).sum() for c in ("total", REGULAR, ARREARS, RECOVERY)],
    )


@dataclass
class Comparison:
    """``households``: household_id, division_code, regular, arrears, recovery, this, last,
    diff (fen), change (one of ``CHANGES``); ``townships``: township (9-digit code), this,
    last, diff (fen), households_this, households_last."""

    households: pl.DataFrame
    townships: pl.DataFrame

    def counts(self) -> dict[str, int]:
        """How many households of each ``change``."""
        counts = dict(self.households.group_by("change").len().iter_rows())
        return {change: counts.get(change, 0) for change in CHANGES}

    def by_township(self) -> dict[str, dict[str, Any]]:
        """The townships' row, keyed by township code."""
        return {
            row["township"]: {k: v for k, v in row.items() if k != "township"}
            for row in self.townships.iter_rows(named=True)
        }


def compare(this: pl.DataFrame, last: pl.DataFrame | None) -> Comparison:
    """This month's household sums against last month's (both ``household_sums``; ``last``
    None when there was no run last month: every household is then new, and no township had
    households last month)."""
    previous = (last if last is not None else pl.DataFrame(schema=PAYMENTS)).select(
        "household_id",
        pl.col("division_code").alias("last_division"),
        pl.col("total").alias("last"),
    )
    households = (
        this.join(previous, on="household_id", how="full", coalesce=True)
        .with_columns(
            division_code=pl.coalesce("division_code", "last_division"),
            this=pl.col("total").fill_null(0),
            last=pl.col("last").fill_null(0),
            change=pl.when(pl.col("total").is_null())
            .then(pl.lit("stopped"))
            .when(pl.col("last").is_null())
            .then(pl.lit("new"))
            .when(pl.col("total") != pl.col("last"))
            .then(pl.lit("changed"))
            .otherwise(pl.lit("same")),
        )
        .with_columns(diff=pl.col("this") - pl.col("last"))
        .drop("last_division", "total")
    )
    if last is None:
        households = households.with_columns(change=pl.lit("new"))
    townships = (
        households.with_columns(township=pl.col("division_code").str.slice(0, 9))
        .group_by("township")
        .agg(
            pl.col("this").sum(),
            pl.col("last").sum(),
            (pl.col("change") != "stopped").sum().alias("households_this"),
            (pl.col("change") != "new").sum().alias("households_last")
            if last is not None
            else pl.lit(0, pl.UInt32).alias("households_last"),
        )
        .with_columns(diff=pl.col("this") - pl.col("last"))
        .sort("township")
    )
    return Comparison(households=households, townships=townships)
