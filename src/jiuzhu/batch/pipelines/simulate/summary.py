"""Per-program summaries of a simulation: caseload, households (or persons) newly eligible and
losing eligibility, monthly cost and average amount, for the baseline and the scenario; and the
distribution of households' gains and losses."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from jiuzhu.batch.pipelines.simulate.decisions import (
    LOSING_ELIGIBILITY,
    NEWLY_ELIGIBLE,
    TOWNSHIP,
    UNDETERMINED,
)
from jiuzhu.rules.engine.entities import HOUSEHOLD
from jiuzhu.rules.registry import Program

MONTHS = 12
"""A year's cost of a monthly program: the month's × 12 (a full year at that caseload)."""

SUMMARY_SCHEMA = {
    "program": pl.String,
    "label": pl.String,
    "label_en": pl.String,
    "entity": pl.String,
    "option": pl.Boolean,
    "monthly": pl.Boolean,
    "rows": pl.Int64,
    "baseline_caseload": pl.Int64,
    "scenario_caseload": pl.Int64,
    "newly_eligible": pl.Int64,
    "losing_eligibility": pl.Int64,
    "undetermined": pl.Int64,
    "baseline_cost": pl.Int64,
    "scenario_cost": pl.Int64,
    "cost_difference": pl.Int64,
    "baseline_average": pl.Int64,
    "scenario_average": pl.Int64,
}
"""The summary's columns (``TOWNSHIP`` second when broken down by township):

- ``monthly``: the program pays every month (its cost is a month's), not once (its cost is one
  payment to each case);
- ``rows``: households (household programs) or persons (person programs) simulated;
- ``*_caseload``: those whose status holds; ``newly_eligible`` / ``losing_eligibility``: status
  false in the baseline and true in the scenario, or the reverse; ``undetermined``: either
  status unknown;
- ``*_cost``: monthly total in fen of the amounts paid (eligible rows); null for a status-only
  program. An ``option`` program's cost is an alternative to another program's, never to be
  added to a total;
- ``*_average``: cost // caseload, fen per month rounded down; null without a caseload.
"""


def summarise(
    comparison: pl.DataFrame, programs: Sequence[Program], *, by_township: bool = False
) -> pl.DataFrame:
    """The ``SUMMARY_SCHEMA`` rows of a ``decisions.compare`` frame, one per program in registry
    order (and per township, sorted, when ``by_township``: the comparison must then carry
    ``TOWNSHIP``).

    Raises:
        polars.exceptions.ColumnNotFoundError: ``by_township`` without a township column.
    """
    groups = ["program", TOWNSHIP] if by_township else ["program"]
    counted = (
        comparison.group_by(groups)
        .agg(
            pl.len().cast(pl.Int64).alias("rows"),
            pl.col("baseline_status")
            .fill_null(False)
            .sum()
            .cast(pl.Int64)
            .alias("baseline_caseload"),
            pl.col("scenario_status")
            .fill_null(False)
            .sum()
            .cast(pl.Int64)
            .alias("scenario_caseload"),
            *[
                (pl.col("transition") == name).sum().cast(pl.Int64).alias(name)
                for name in (NEWLY_ELIGIBLE, LOSING_ELIGIBILITY, UNDETERMINED)
            ],
            pl.col("baseline_paid").sum().cast(pl.Int64).alias("baseline_cost"),
            pl.col("scenario_paid").sum().cast(pl.Int64).alias("scenario_cost"),
        )
        .with_columns(pl.col(group).cast(pl.String) for group in groups)
    )
    described = pl.DataFrame(
        {
            "program": [p.name for p in programs],
            "label": [p.label for p in programs],
            "label_en": [p.label_en for p in programs],
            "entity": [p.entity.name for p in programs],
            "option": [p.option for p in programs],
            "monthly": [p.monthly for p in programs],
            "has_amount": [p.amount is not None for p in programs],
            "order": list(range(len(programs))),
        }
    )
    cost = {
        side: pl.when(pl.col("has_amount")).then(pl.col(f"{side}_cost")).otherwise(None)
        for side in ("baseline", "scenario")
    }
    average = {
        side: pl.when(pl.col(f"{side}_caseload") > 0)
        .then(pl.col(f"{side}_cost") // pl.col(f"{side}_caseload"))
        .otherwise(None)
        for side in ("baseline", "scenario")
    }
    return (
        described.join(counted, on="program", how="inner")
        .with_columns(
            cost["baseline"].alias("baseline_cost"), cost["scenario"].alias("scenario_cost")
        )
        .with_columns(
            (pl.col("scenario_cost") - pl.col("baseline_cost")).alias("cost_difference"),
            average["baseline"].alias("baseline_average"),
            average["scenario"].alias("scenario_average"),
        )
        .sort(["order", TOWNSHIP] if by_township else ["order"])
        .select(
            "program",
            *([TOWNSHIP] if by_township else []),
            *[name for name in SUMMARY_SCHEMA if name != "program"],
        )
        .cast(SUMMARY_SCHEMA)  # type: ignore[arg-type]
    )


BANDS: tuple[tuple[str, str, str, int | None, int | None], ...] = (
    ("loss_over_200", "减少200元以上", "loses over 200 yuan", None, -20_000),
    ("loss_50_200", "减少50–200元", "loses 50–200 yuan", -20_000, -5_000),
    ("loss_up_to_50", "减少50元以内", "loses up to 50 yuan", -5_000, 0),
    ("unchanged", "不变", "unchanged", 0, 1),
    ("gain_up_to_50", "增加50元以内", "gains up to 50 yuan", 1, 5_001),
    ("gain_50_200", "增加50–200元", "gains 50–200 yuan", 5_001, 20_001),
    ("gain_over_200", "增加200元以上", "gains over 200 yuan", 20_001, None),
)
"""The bands of a household's monthly change (fen): name, labels, and the half-open range
``[low, high)`` of the change (None: unbounded). A change of exactly 50 yuan, either way, is in
the band up to 50; one of exactly 200 in the band of 50–200."""

DISTRIBUTION_SCHEMA = {
    "band": pl.String,
    "label": pl.String,
    "label_en": pl.String,
    "households": pl.Int64,
    "difference": pl.Int64,
}
"""``distribution``'s columns: the band, its labels, the households in it and the sum of their
monthly changes (fen); one row per band of ``BANDS`` in order, then ``undetermined``."""


def distribution(comparison: pl.DataFrame, programs: Sequence[Program]) -> pl.DataFrame:
    """Households by how much their monthly assistance changes in the scenario: the sum of the
    differences of the programs paid monthly with an amount (options aside, as alternatives to
    another program's amount), banded by ``BANDS``; a household with any of those decisions
    undetermined on either side is counted ``undetermined`` (its change is not known).

    Returns: ``DISTRIBUTION_SCHEMA``, every band present (0 households where none falls in it,
    its ``difference`` then null).
    """
    counted = [p.name for p in programs if p.monthly and p.amount and not p.option]
    rows = comparison.filter(pl.col("program").is_in(counted))
    # Only households with a row that changed (or is unknown) need summing: every other one is
    # unchanged. Over a million households most rows are 0 → 0.
    per_household = (
        rows.filter(pl.col("difference").is_null() | (pl.col("difference") != 0))
        .group_by(HOUSEHOLD.key)
        .agg(
            pl.col("difference").sum().alias("difference"),
            pl.col("difference").is_null().any().alias("unknown"),
        )
    )
    untouched = _households(rows, programs) - per_household.height
    band = pl.lit("undetermined")
    for name, _label, _label_en, low, high in reversed(BANDS):
        inside = pl.lit(True)
        if low is not None:
            inside = inside & (pl.col("difference") >= low)
        if high is not None:
            inside = inside & (pl.col("difference") < high)
        band = pl.when(~pl.col("unknown") & inside).then(pl.lit(name)).otherwise(band)
    totals = (
        per_household.with_columns(band.alias("band"))
        .group_by("band")
        .agg(pl.len().alias("households"), pl.col("difference").sum())
        .with_columns(
            pl.when(pl.col("band") == "undetermined")
            .then(pl.lit(None, pl.Int64))
            .otherwise(pl.col("difference"))
            .alias("difference")
        )
    )
    described = pl.DataFrame(
        {
            "band": [b[0] for b in BANDS] + ["undetermined"],
            "label": [b[1] for b in BANDS] + ["待定"],
            "label_en": [b[2] for b in BANDS] + ["undetermined"],
            "order": list(range(len(BANDS) + 1)),
        }
    )
    return (
        described.join(totals, on="band", how="left")
        .with_columns(
            pl.col("households").fill_null(0)
            + pl.when(pl.col("band") == "unchanged").then(untouched).otherwise(0),
            pl.when((pl.col("band") == "unchanged") & (untouched > 0))
            .then(pl.col("difference").fill_null(0))
            .otherwise(pl.col("difference")),
        )
        .sort("order")
        .select(list(DISTRIBUTION_SCHEMA))
        .cast(DISTRIBUTION_SCHEMA)  # type: ignore[arg-type]
    )


def _households(rows: pl.DataFrame, programs: Sequence[Program]) -> int:
    """The households among ``rows``: the rows of a household program (one per household), or
    the distinct households when every program counted is decided per person."""
    for program in programs:
        if program.entity == HOUSEHOLD:
            found = rows.filter(pl.col("program") == program.name).height
            if found:
                return found
    return rows[HOUSEHOLD.key].n_unique()


def program_label(label: str, option: bool, monthly: bool) -> str:
    """A program's label as a summary shows it: an option marked 备选 (an alternative to
    another program's amount), a program paid once marked 一次性 (its cost is one payment a
    case, not a month's)."""
    return label + ("（备选）" if option else "" if monthly else "（一次性）")
