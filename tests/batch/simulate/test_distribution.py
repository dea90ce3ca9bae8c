"""The distribution of gains and losses: every household in exactly one band, by the sum of its
monthly programs' changes, computed here independently of the pipeline."""

from __future__ import annotations

import datetime as dt

import polars as pl

from jiuzhu.batch.pipelines.simulate import Scenario, simulate
from jiuzhu.batch.pipelines.simulate.summary import BANDS
from jiuzhu.rules import load_system
from jiuzhu.rules.registry import PROGRAMS
from tests.batch.simulate.test_simulate import frames

SYSTEM = load_system("tianjin")
EFFECTIVE = dt.date(2025, 9, 1)
MONTHLY = [p.name for p in PROGRAMS if p.monthly and p.amount and not p.option]


def _band(change: int) -> str:
    for name, _label, _english, low, high in BANDS:
        if (low is None or change >= low) and (high is None or change < high):
            return name
    raise AssertionError(change)


def test_each_household_is_counted_once_in_its_band() -> None:
    data = frames(200, 5)
    scenario = Scenario({"dibao.standard": {"urban": 1300, "rural": 1300}}, EFFECTIVE)
    result = simulate(SYSTEM, scenario, data)
    rows = result.rows.filter(pl.col("program").is_in(MONTHLY))
    expected: dict[str, int] = {}
    for _key, group in rows.group_by("household_id"):
        changes = group["difference"]
        band = "undetermined" if changes.null_count() else _band(int(changes.sum()))
        expected[band] = expected.get(band, 0) + 1
    found = dict(zip(result.distribution["band"], result.distribution["households"], strict=True))
    assert {band: count for band, count in found.items() if count} == expected
    assert sum(found.values()) == data["household"].height
    assert result.distribution["band"].to_list() == [b[0] for b in BANDS] + ["undetermined"]
    assert found["gain_over_200"] > 0  # 255 yuan more a person reaches some household


def test_no_change_leaves_every_known_household_unchanged() -> None:
    data = frames(60, 9)
    same = Scenario({"dibao.standard": {"urban": 1045, "rural": 1045}}, EFFECTIVE)
    bands = simulate(SYSTEM, same, data).distribution
    moved = bands.filter(~pl.col("band").is_in(["unchanged", "undetermined"]))
    assert (moved["households"] == 0).all()
    assert bands.filter(pl.col("band") == "unchanged")["difference"].item() == 0
