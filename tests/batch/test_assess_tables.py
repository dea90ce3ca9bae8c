"""The output tables of ``assess`` do not depend on how the engine sliced the batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from jiuzhu.batch.inputs import read_input
from jiuzhu.batch.pipelines.assess import CONTEXT_COLUMNS, household_table
from jiuzhu.rules import load_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "baodi_example.xlsx"
SYSTEM = load_system("tianjin")


def _table(slice_households: int | None) -> pl.DataFrame:
    data = read_input(EXAMPLE, SYSTEM, dt.date(2025, 10, 15))
    result = SYSTEM.simulate(
        data.frames["household"],
        data.frames["person"],
        keep=list(CONTEXT_COLUMNS),
        trace="household",
        chunk_households=slice_households,
    )
    return household_table(result, data)


def test_the_household_table_is_the_same_however_the_batch_is_sliced() -> None:
    # Sliced, the input columns (division_code, the date) are cut where the engine's slices end
    # before they join the engine's columns.
    whole, sliced = _table(None), _table(4)
    assert sliced.height == 21 and "division_code" in sliced.columns
    assert_frame_equal(whole, sliced)
