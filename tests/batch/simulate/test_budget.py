"""Budget mode: the standard found is exact to the yuan — its cost fits the budget and one yuan
more does not — checked against separate simulations at both values."""

from __future__ import annotations

import datetime as dt

import polars as pl

from jiuzhu.batch.pipelines.simulate import Scenario, simulate
from jiuzhu.batch.pipelines.simulate.budget import fit_budget
from jiuzhu.batch.pipelines.simulate.scenario_file import Budget, expand
from jiuzhu.batch.pipelines.simulate.summary import MONTHS
from jiuzhu.rules import load_system
from jiuzhu.rules.registry import PROGRAMS
from tests.batch.simulate.test_simulate import frames

SYSTEM = load_system("tianjin")
EFFECTIVE = dt.date(2025, 9, 1)
CHOSEN = tuple(p for p in PROGRAMS if p.name in ("dibao", "near_dibao"))
FRAMES = frames(300, 11)


def _annual_cost(yuan: int) -> int:
    """The annual cost (fen) of dibao and near-dibao at ``yuan``, by a plain simulation."""
    scenario = Scenario({"dibao.standard": expand(SYSTEM, "dibao.standard", yuan)}, EFFECTIVE)
    summary = simulate(SYSTEM, scenario, FRAMES).summary
    monthly = summary.filter(pl.col("program").is_in([p.name for p in CHOSEN]))["scenario_cost"]
    return int(monthly.sum()) * MONTHS


def _budget(annual_yuan: int, low: int = 1045, high: int = 3000) -> Budget:
    return Budget("dibao.standard", annual_yuan * 100, low, high, CHOSEN)


def test_the_standard_found_fits_and_one_yuan_more_does_not() -> None:
    at_low, at_high = _annual_cost(1045), _annual_cost(3000)
    target = (at_low + at_high) // 2
    fit = fit_budget(SYSTEM, Scenario({}, EFFECTIVE, "预算"), _budget(target // 100), FRAMES)
    assert fit.fits and fit.next_cost is not None
    assert fit.annual_cost == _annual_cost(fit.value) <= target - target % 100
    assert fit.next_cost == _annual_cost(fit.value + 1) > target - target % 100
    assert 1045 < fit.value < 3000
    assert fit.trials <= 14  # a bisection, not a walk over the range
    # The simulation returned is the scenario at the value found, every program.
    assert fit.scenario.overrides["dibao.standard"] == {"urban": fit.value, "rural": fit.value}
    dibao = fit.simulation.summary.filter(pl.col("program") == "dibao").row(0, named=True)
    assert dibao["scenario_cost"] * MONTHS <= fit.annual_cost


def test_a_budget_outside_the_range_says_so() -> None:
    scenario = Scenario({}, EFFECTIVE, "预算")
    short = fit_budget(SYSTEM, scenario, _budget(1, high=1100), FRAMES)
    assert not short.fits and short.value == 1045 and short.next_cost is None
    ample = fit_budget(SYSTEM, scenario, _budget(10**9, high=1100), FRAMES)
    assert ample.fits and ample.value == 1100 and ample.next_cost is None
