"""Small-cell suppression: a small cell never stands alone on a line with a printed total, and
a line of small hidden cells also hides a large one (so their sum cannot pin them)."""

from __future__ import annotations

import itertools

import pytest

from jiuzhu.batch.suppression import THRESHOLD, Mark, suppress

S, P, C = Mark.SHOWN, Mark.PRIMARY, Mark.COMPLEMENTARY


def _with_totals(grid: list[list[int]]) -> list[list[list[int]]]:
    """``grid`` with a 合计 column and a 合计 row, each cell a one-count list."""
    rows = [[*row, sum(row)] for row in grid]
    rows.append([sum(col) for col in zip(*rows, strict=True)])
    return [[[v] for v in row] for row in rows]


def _hidden(marks: list[list[Mark]]) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(marks) for c, m in enumerate(row) if m is not S}


def _recoverable(grid: list[list[list[int]]], marks: list[list[Mark]]) -> set[tuple[int, int]]:
    """Hidden cells a reader pins from one line: the line's hidden sum and each hidden cell's
    range (small: 1..4, other: 0 or ≥ 5) leave it a single value."""
    values = {(r, c): cell[0] for r, row in enumerate(grid) for c, cell in enumerate(row)}
    height, width = len(grid), len(grid[0])
    lines = [[(r, c) for c in range(width)] for r in range(height)]
    lines += [[(r, c) for r in range(height)] for c in range(width)]
    pinned = set()
    for line in lines:
        *parts, total = line
        hidden = [cell for cell in line if marks[cell[0]][cell[1]] is not S]
        if not hidden:
            continue
        known = sum(values[c] for c in parts if c not in hidden)
        ranges = {
            cell: range(1, THRESHOLD)
            if marks[cell[0]][cell[1]] is P
            else [0, *range(THRESHOLD, 45)]
            for cell in hidden
        }
        solutions = []
        for combo in itertools.product(*(ranges[c] for c in hidden)):
            chosen = dict(zip(hidden, combo, strict=True))
            total_value = chosen.get(total, values[total])
            if known + sum(chosen.get(c, 0) for c in parts if c in hidden) == total_value:
                solutions.append(chosen)
        for cell in hidden:
            if len({s[cell] for s in solutions}) == 1:
                pinned.add(cell)
    return pinned


def test_one_small_cell_gets_a_partner_in_its_row_and_column() -> None:
    grid = _with_totals([[3, 20, 30], [12, 40, 50], [15, 8, 60]])
    marks = suppress(grid, row_totals=True, column_totals=True)
    assert marks[0][0] is P
    hidden = _hidden(marks)
    # Row 0 and column 0 each hide a second cell: the smallest large one (12 in the column,
    # 20 in the row), and so on until no line has a lone hidden cell.
    assert (1, 0) in hidden and (0, 1) in hidden
    assert sum(1 for c in hidden if c[0] == 0) >= 2
    assert sum(1 for c in hidden if c[1] == 0) >= 2
    for r, row in enumerate(marks):
        assert sum(m is not S for m in row) != 1, r
    for c in range(len(marks[0])):
        assert sum(marks[r][c] is not S for r in range(len(marks))) != 1, c
    assert not _recoverable(grid, marks)


def test_totals_are_kept() -> None:
    grid = _with_totals([[3, 20], [12, 40]])
    marks = suppress(grid, row_totals=True, column_totals=True)
    assert marks[-1][-1] is S
    assert grid[-1][-1] == [75]


def test_two_small_cells_whose_sum_pins_them_hide_a_large_one() -> None:
    # 1 + 1 = 2 with both hidden would say each is 1.
    grid = _with_totals([[1, 1, 30]])[:1]
    marks = suppress(grid, row_totals=True, column_totals=False)
    assert marks[0][:2] == [P, P]
    assert marks[0][2] is C
    assert not _recoverable(
        _with_totals([[1, 1, 30], [6, 7, 8]]),
        suppress(_with_totals([[1, 1, 30], [6, 7, 8]]), row_totals=True, column_totals=True),
    )


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_leave_nothing_recoverable(seed: int) -> None:
    import random

    rng = random.Random(seed)
    grid = _with_totals(
        [[rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 13]) for _ in range(3)] for _ in range(3)]
    )
    marks = suppress(grid, row_totals=True, column_totals=True)
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if 0 < cell[0] < THRESHOLD:
                assert marks[r][c] is not S
    assert not _recoverable(grid, marks)


def test_zero_is_shown_and_never_a_partner() -> None:
    grid = _with_totals([[2, 0, 9], [7, 0, 9]])
    marks = suppress(grid, row_totals=True, column_totals=True)
    assert all(marks[r][1] is S for r in range(3))


def test_a_table_without_totals_hides_only_its_small_cells() -> None:
    marks = suppress([[[3], [9]], [[12], [2]]], row_totals=False, column_totals=False)
    assert marks == [[P, S], [S, P]]


def test_rows_must_be_equal() -> None:
    with pytest.raises(ValueError, match="equal length"):
        suppress([[[1]], [[1], [2]]], row_totals=True, column_totals=False)
