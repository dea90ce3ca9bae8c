"""The checker's flag on an amount above the most a dibao household can be paid: the month's
standard × its current members × (1 + the largest category supplement rate)
(最低生活保障审核确认办法（民发〔2021〕57号）第二十三条、第二十七条). A flag, never a cut.
Money is integer fen (Int64)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import polars as pl

AMOUNTS = pl.Schema({"household_id": pl.Int64, "amount": pl.Int64})
"""Each household's regular amount this month (fen)."""
MEMBERS = pl.Schema({"household_id": pl.Int64, "members": pl.Int64})
"""Each household's current members (a household without any counts as one)."""
AREAS = pl.Schema({"household_id": pl.Int64, "area_type": pl.String})
"""Each household's area type (the key of the standard: ``urban``, ``rural``)."""
FLAGGED = pl.Schema({"household_id": pl.Int64, "amount": pl.Int64, "ceiling": pl.Int64})


def above_ceiling(
    amounts: pl.DataFrame,
    members: pl.DataFrame,
    areas: pl.DataFrame,
    standard: Mapping[str, int],
    max_supplement_rate: Decimal,
) -> pl.DataFrame:
    """The households (``FLAGGED``) whose ``amount`` exceeds ``ceiling`` = ``standard`` of their
    area type (fen per person and month; an unknown area type takes the largest) × members ×
    (1 + ``max_supplement_rate``), rounded to the fen."""
    factor = float(1 + max_supplement_rate)
    by_area = areas.with_columns(
        standard=pl.col("area_type").replace_strict(
            dict(standard), default=max(standard.values()), return_dtype=pl.Int64
        )
    )
    return (
        amounts.join(members, on="household_id", how="left")
        .join(by_area, on="household_id", how="left")
        .with_columns(
            ceiling=(pl.col("standard") * pl.col("members").fill_null(1) * factor)
            .round(0)
            .cast(pl.Int64)
        )
        .filter(pl.col("amount") > pl.col("ceiling"))
        .select(list(FLAGGED))
    )
