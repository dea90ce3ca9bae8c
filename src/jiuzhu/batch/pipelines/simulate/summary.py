"""Per-program summaries of a simulation: caseload, households (or persons) newly eligible and
losing eligibility, monthly cost and average amount, for the baseline and the scenario."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from jiuzhu.batch.pipelines.simulate.decisions import (
    LOSING_ELIGIBILITY,
    NEWLY_ELIGIBLE,
    TOWNSHIP,
    UNDETERMINED,
)
from jiuzhu.rules.registry import Program

SUMMARY_SCHEMA = {
    "program": pl.String,
    "label": pl.String,
    "label_en": pl.String,
    "entity": pl.String,
    "option": pl.Boolean,
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
    counted = comparison.group_by(groups).agg(
        pl.len().cast(pl.Int64).alias("rows"),
        pl.col("baseline_status").fill_null(False).sum().cast(pl.Int64).alias("baseline_caseload"),
        pl.col("scenario_status").fill_null(False).sum().cast(pl.Int64).alias("scenario_caseload"),
        *[
            (pl.col("transition") == name).sum().cast(pl.Int64).alias(name)
            for name in (NEWLY_ELIGIBLE, LOSING_ELIGIBILITY, UNDETERMINED)
        ],
        pl.col("baseline_paid").sum().cast(pl.Int64).alias("baseline_cost"),
        pl.col("scenario_paid").sum().cast(pl.Int64).alias("scenario_cost"),
    )
    described = pl.DataFrame(
        {
            "program": [p.name for p in programs],
            "label": [p.label for p in programs],
            "label_en": [p.label_en for p in programs],
            "entity": [p.entity.name for p in programs],
            "option": [p.option for p in programs],
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
