"""Budget mode: the standard a budget allows.

Given an annual budget for some programs, find the highest whole-yuan value of one parameter
(the dibao standard, say) whose cost fits it. The cost of a value is the scenario's monthly total
of those programs' amounts over the frames (eligible households or persons) × 12 — a full year at
that month's caseload. It never falls as a standard rises (a higher standard makes no eligible
household ineligible and no amount smaller: ``tests/batch/simulate``), so a bisection over the
whole-yuan range finds the value ``v`` with ``cost(v) ≤ budget < cost(v + 1)``: the standard is
exact to the yuan, and one more yuan would break the budget. Each trial runs the rules engine
once over the frames, for the budget's programs only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from jiuzhu.batch.pipelines.simulate import Simulation, compare_decisions
from jiuzhu.batch.pipelines.simulate.decisions import Frames, decide, with_assessment_date
from jiuzhu.batch.pipelines.simulate.scenario import Scenario, apply
from jiuzhu.batch.pipelines.simulate.scenario_file import Budget, expand
from jiuzhu.batch.pipelines.simulate.summary import MONTHS
from jiuzhu.rules import RuleSystem


@dataclass(frozen=True)
class BudgetFit:
    """The outcome of ``fit_budget``.

    ``value``: the parameter's value found (whole yuan); ``annual_cost``: its annual cost (fen);
    ``next_cost``: the annual cost one yuan higher (fen; None when ``value`` is the top of the
    range, which then fits with room to spare); ``fits``: False when even the lowest value of the
    range costs more than the budget (``value`` is then the lowest). ``trials``: the values
    tried. ``simulation``: the scenario at ``value`` against the baseline, every program.
    """

    budget: Budget
    value: int
    annual_cost: int
    next_cost: int | None
    fits: bool
    trials: int
    scenario: Scenario
    simulation: Simulation


def fit_budget(
    baseline: RuleSystem,
    scenario: Scenario,
    budget: Budget,
    frames: Frames,
    *,
    on: dt.date | None = None,
    chunk_households: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BudgetFit:
    """The highest whole-yuan value of ``budget.parameter`` in ``[budget.low, budget.high]``
    whose annual cost fits ``budget.annual``, with the scenario's other changes applied, and the
    simulation of the scenario at that value (assessed on ``on``, default the effective date).

    ``progress`` is called with (value tried, its annual cost in fen) after each trial.

    Raises:
        InvalidInputError: the frames break the input contract.
        ParameterFileError / KeyError: the budget's parameter does not take a whole-yuan value.
    """
    started = time.perf_counter()
    on = on or scenario.effective
    dated = with_assessment_date(frames, on)
    names = [p.name for p in budget.programs]
    costs: dict[int, int] = {}

    def at(value: int) -> Scenario:
        changes = {
            **scenario.overrides,
            budget.parameter: expand(baseline, budget.parameter, value),
        }
        return Scenario(changes, scenario.effective, scenario.label, scenario.reference)

    def cost(value: int) -> int:
        if value not in costs:
            decided = decide(
                apply(baseline, at(value)),
                dated,
                budget.programs,
                validate=not costs,
                chunk_households=chunk_households,
            )
            monthly = decided.rows.filter(
                pl.col("program").is_in(names) & pl.col("status").fill_null(False)
            )["amount"].sum()
            costs[value] = int(monthly or 0) * MONTHS
            if progress is not None:
                progress(value, costs[value])
        return costs[value]

    value = _highest_within(budget, cost)
    fits = cost(value) <= budget.annual
    chosen = at(value)
    before = decide(baseline, dated, baseline.programs, validate=False)
    after = decide(apply(baseline, chosen), dated, baseline.programs, validate=False)
    return BudgetFit(
        budget,
        value,
        cost(value),
        cost(value + 1) if fits and value < budget.high else None,
        fits,
        len(costs),
        chosen,
        compare_decisions(before, after, dated, baseline.programs, on=on, started=started),
    )


def _highest_within(budget: Budget, cost: Callable[[int], int]) -> int:
    """The highest value of the range whose cost fits (the lowest when none does)."""
    low, high = budget.low, budget.high
    if cost(low) > budget.annual:
        return low
    if cost(high) <= budget.annual:
        return high
    # cost(low) fits and cost(high) does not: keep it so while narrowing to adjacent values.
    while high - low > 1:
        middle = (low + high) // 2
        if cost(middle) <= budget.annual:
            low = middle
        else:
            high = middle
    return low
