"""The month table and the township table of one program are suppressed as one: the last month's
row and the townships' 合计 are the same figures (the review of issue 14 found a small township
recoverable from the two sheets of one export)."""

from __future__ import annotations

import polars as pl

from jiuzhu.batch.suppression import Mark
from jiuzhu.web.statistics.figures import SCHEMA
from jiuzhu.web.statistics.tables import SPEC_BY_KEY, build, link


def frame(rows: list[tuple[str, str, int, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(m, t, "near_dibao", "", h, p, 0, a) for m, t, h, p, a in rows],
        schema=SCHEMA,
        orient="row",
    )


def test_a_hidden_total_is_hidden_in_the_last_month_too() -> None:
    """Township A 3 households, B 7: A is hidden, and B or the 合计 with it; without the link
    the month table showed the last month's 10 households, giving A away."""
    months = ["2025-09", "2025-10"]
    data = frame(
        [
            ("2025-09", "A", 20, 40, 20_000),
            ("2025-10", "A", 3, 6, 3_000),
            ("2025-10", "B", 7, 14, 7_000),
        ]
    )
    spec = SPEC_BY_KEY["near_dibao"]
    by_month = build(data, spec, months, months, "month")
    by_township = build(
        data.filter(pl.col("month") == "2025-10"), spec, ["A", "B"], ["A", "B"], "township"
    )
    assert by_township.total is not None
    assert by_township.rows[0].marks[0] is Mark.PRIMARY
    link(by_month, by_township)
    last, total = by_month.rows[-1].marks[0], by_township.total.marks[0]
    assert (last is Mark.SHOWN) == (total is Mark.SHOWN)
    # B and the 合计 both shown would give A away.
    shown = [row.marks[0] is Mark.SHOWN for row in by_township.all_rows]
    assert not (shown[1] and shown[2])
    assert by_month.rows[0].marks[0] is Mark.SHOWN  # September is untouched
