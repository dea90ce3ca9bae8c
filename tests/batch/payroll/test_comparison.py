"""This month against last month, per household and township (fen)."""

from __future__ import annotations

import polars as pl

from jiuzhu.batch.pipelines.payroll import compare, household_sums
from jiuzhu.batch.pipelines.payroll.comparison import PAYMENTS


def _sums(*rows: tuple[object, ...]) -> pl.DataFrame:
    return household_sums(pl.DataFrame(list(rows), schema=PAYMENTS, orient="row"))


def test_new_stopped_changed_and_same_households_and_township_totals() -> None:
    this = _sums(
        (1, "120115001001", 50_000, 50_000, None, None),
        (2, "120115001002", 43_500, 40_000, 3_500, None),
        (4, "120115002001", 30_000, 30_000, None, None),
    )
    last = _sums(
        (1, "120115001001", 50_000, 50_000, None, None),
        (2, "120115001002", 40_000, 40_000, None, None),
        (3, "120115002002", 20_000, 20_000, None, None),
    )
    compared = compare(this, last)
    changes = dict(compared.households.select("household_id", "change").iter_rows())
    assert changes == {1: "same", 2: "changed", 3: "stopped", 4: "new"}
    assert compared.counts() == {"changed": 1, "new": 1, "stopped": 1, "same": 1}
    towns = compared.by_township()
    assert towns["120115001"]["diff"] == 3_500
    assert towns["120115002"] == {
        "this": 30_000,
        "last": 20_000,
        "households_this": 1,
        "households_last": 1,
        "diff": 10_000,
    }


def test_without_a_previous_run_every_household_is_new() -> None:
    compared = compare(_sums((1, "120115001001", 50_000, 50_000, None, None)), None)
    assert compared.counts()["new"] == 1
    assert compared.by_township()["120115001"]["households_last"] == 0
