"""The checker's flag on a dibao amount above standard × members × (1 + the largest rate)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from jiuzhu.batch.pipelines.payroll import ceiling


def test_households_above_the_ceiling_are_flagged() -> None:
    amounts = pl.DataFrame(
        [(1, 200_000), (2, 200_001), (3, 120_000)], ceiling.AMOUNTS, orient="row"
    )
    members = pl.DataFrame([(1, 2), (2, 2)], ceiling.MEMBERS, orient="row")
    areas = pl.DataFrame([(1, "urban"), (2, "urban"), (3, "unknown")], ceiling.AREAS, orient="row")
    flagged = ceiling.above_ceiling(
        amounts, members, areas, {"urban": 80_000, "rural": 60_000}, Decimal("0.25")
    )
    # 80,000 × 2 × 1.25 = 200,000 fen; household 3 has no members (one) and the largest standard.
    assert flagged.rows() == [(2, 200_001, 200_000), (3, 120_000, 100_000)]
