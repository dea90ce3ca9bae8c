"""Small-cell suppression (小数值抑制) of a statistical table before it leaves the platform.

A table is a grid of cells, each holding one or more counts (households, persons, cases) and
amounts. A count of 1 to ``THRESHOLD`` − 1 could point at a family a reader knows, so its cell is
hidden (primary suppression). A hidden cell must not be recoverable from the totals printed
beside it: along every line that sums to a printed total (a row with its 合计 column, a column
with its 合计 row), a hidden cell never stands alone, and a line whose hidden cells are all
below 2 × ``THRESHOLD`` − 1 also hides its smallest cell of that size if it has one
(complementary suppression) — a known sum of small cells could pin them (two cells of 1 to 4
summing to 2 are both 1; a hidden 1 and 5 summing to 6 are pinned too, a 5 being no small cell).
The rule is applied line by line until no line needs another cell; an attacker solving the
whole table as a system of equations is not modelled beyond its rows and columns.

No Django here: the statistics pages (``jiuzhu.web.statistics``) and any export call it on
plain lists. docs/statistics.md states the rule for readers of the tables.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import Enum

THRESHOLD = 5
"""Counts from 1 to ``THRESHOLD`` − 1 (1–4 persons, households or cases) are suppressed in
anything exported; 0 is shown (no one to identify)."""


class Mark(Enum):
    """Why a cell is hidden (``SHOWN``: it is not)."""

    SHOWN = "shown"
    PRIMARY = "primary"
    """A count of the cell is small."""
    COMPLEMENTARY = "complementary"
    """Hidden so that a small cell of its row or column cannot be recovered from the total."""


Cell = tuple[int, int]


def suppress(
    counts: Sequence[Sequence[Sequence[int]]],
    *,
    row_totals: bool,
    column_totals: bool,
    threshold: int = THRESHOLD,
    forced: Collection[tuple[int, int]] = (),
) -> list[list[Mark]]:
    """The mark of every cell of a table.

    Args:
        counts: ``counts[r][c]`` — the counts of cell (r, c) (one value per count measure, any
            order); the grid includes its totals: the last column when ``row_totals`` (each
            row's sum), the last row when ``column_totals`` (each column's sum).
        row_totals: each row sums to its last cell (a line to protect).
        column_totals: each column sums to its last cell.
        threshold: the smallest count shown (``THRESHOLD``).
        forced: cells to hide whatever their size (``(row, column)``): cells that another
            published table shows too and hides (the same figures must not be shown there).

    Returns:
        ``marks[r][c]``, the same shape as ``counts``.

    Raises:
        ValueError: rows of unequal length.
    """
    width = len(counts[0]) if counts else 0
    if any(len(row) != width for row in counts):
        raise ValueError("a table's rows must be of equal length")
    size = {
        (r, c): min(values, default=0)
        for r, row in enumerate(counts)
        for c, values in enumerate(row)
    }
    marks = {
        (r, c): Mark.PRIMARY
        for r, row in enumerate(counts)
        for c, values in enumerate(row)
        if any(0 < v < threshold for v in values)
    }
    for pinned in forced:
        marks.setdefault(pinned, Mark.COMPLEMENTARY)
    lines: list[list[Cell]] = []
    if row_totals:
        lines += [[(r, c) for c in range(width)] for r in range(len(counts))]
    if column_totals:
        lines += [[(r, c) for r in range(len(counts))] for c in range(width)]
    while True:
        extra = [cell for line in lines if (cell := _complement(line, marks, size, threshold))]
        if not extra:
            break
        # One cell per round: a cell added for one line may already protect the next.
        marks[extra[0]] = Mark.COMPLEMENTARY
    return [[marks.get((r, c), Mark.SHOWN) for c in range(width)] for r in range(len(counts))]


def _complement(
    line: list[Cell], marks: dict[Cell, Mark], size: dict[Cell, int], threshold: int
) -> Cell | None:
    """The cell ``line`` must hide next, or None.

    A reader knows a small hidden cell lies in 1 … threshold − 1 and any other hidden cell
    outside it, so a partner just above the threshold can pin both (a 1 and a 5 hiding a sum of
    6): a partner is chosen among the cells of 2 × threshold − 1 or more first, then of
    ``threshold`` or more, then any non-zero one. A lone hidden cell needs a partner; hidden
    cells that are all below 2 × threshold − 1 need one of that size if the line has one, or
    else one of ``threshold`` or more (two hidden 4s of a total of 8 hide the total too)."""
    hidden = [cell for cell in line if cell in marks]
    if not hidden:
        return None
    safe = 2 * threshold - 1
    shown = [cell for cell in line if cell not in marks and size[cell] > 0]
    if len(hidden) == 1:
        pool = (
            [c for c in shown if size[c] >= safe]
            or [c for c in shown if size[c] >= threshold]
            or shown
        )
    elif not any(size[cell] >= safe for cell in hidden):
        pool = [c for c in shown if size[c] >= safe] or [c for c in shown if size[c] >= threshold]
    else:
        return None
    return min(pool, key=lambda cell: (size[cell], cell)) if pool else None
