"""A scenario evaluated over the registry: the simulation pipeline on the households of a
jurisdiction, its results as the JSON a ``Scenario`` keeps.

Every household of the registry in the jurisdiction is assessed on the effective date twice, with
the rules in force (the district's local values included) and with the scenario, by the pipeline
``jiuzhu simulate`` and the entitlements' recomputation use (``jiuzhu.batch.pipelines.simulate``);
the registry's frames are read in slices, as for a recomputation. A budget fit needs every
household's frames at once (each trial runs the engine over all of them): it reads them in one go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from fractions import Fraction

import polars as pl

from jiuzhu.batch.pipelines.simulate import TOWNSHIP, Scenario, Simulation
from jiuzhu.batch.pipelines.simulate.budget import BudgetFit, fit_budget
from jiuzhu.batch.pipelines.simulate.scenario_file import Budget
from jiuzhu.reference import division
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.standards import linked_standards
from jiuzhu.web.entitlements.assessment import valid_households, without_persons
from jiuzhu.web.entitlements.standard_change import simulate_households
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household


@dataclass(frozen=True)
class Evaluation:
    """What a ``Scenario`` keeps of a simulation (see its docstring for the rows' fields)."""

    households: int
    invalid: list[int]
    summary: list[dict[str, object]]
    by_township: list[dict[str, object]]
    distribution: list[dict[str, object]]
    linked: list[dict[str, object]]
    seconds: float
    changes: dict[str, object]
    budget_fit: dict[str, object] | None


def registry_households(division_code: str) -> pl.DataFrame:
    """``household_id`` (Int64) and ``division_code`` (String) of every household of the
    registry in the division (prefix), in key order."""
    rows = (
        Household.objects.filter(division_code__startswith=division_code)
        .order_by("pk")
        .values_list("pk", "division_code")
    )
    return pl.DataFrame(
        list(rows), schema={"household_id": pl.Int64, "division_code": pl.String}, orient="row"
    )


def evaluate(
    baseline: RuleSystem, scenario: Scenario, division_code: str, budget: Budget | None = None
) -> Evaluation:
    """Simulate ``scenario`` against ``baseline`` over the registry's households of
    ``division_code`` on the scenario's effective date; with ``budget``, first find the value
    of the budget's parameter that fits it (``fit_budget``) and simulate the scenario with it.

    Raises:
        ParameterNotDefinedError: the effective date is before the rules' coverage.
        KeyError / ParameterFileError / ValueError: a change that does not fit its parameter.
    """
    households = registry_households(division_code)
    fit: BudgetFit | None = None
    if budget is None:
        simulation, invalid = simulate_households(
            baseline, scenario.system(baseline), households, scenario.effective
        )
    else:
        fit, invalid = _fit(baseline, scenario, budget, households)
        simulation, scenario = fit.simulation, fit.scenario
    return Evaluation(
        households=households.height - len(invalid),
        invalid=invalid,
        summary=_rows(simulation.summary) if simulation else [],
        by_township=_townships(simulation) if simulation else [],
        distribution=_rows(simulation.distribution) if simulation else [],
        linked=_linked(scenario.system(baseline), scenario.effective),
        seconds=round(simulation.seconds, 3) if simulation else 0.0,
        changes=dict(scenario.overrides),
        budget_fit=_fit_json(fit),
    )


def _fit(
    baseline: RuleSystem, scenario: Scenario, budget: Budget, households: pl.DataFrame
) -> tuple[BudgetFit, list[int]]:
    """The budget fit over every household's frames, read at once."""
    on = scenario.effective
    ids = households["household_id"].to_list()
    frames, invalid = valid_households(baseline, without_persons(engine_frames(baseline, ids, on)))
    townships = households.select(
        "household_id", pl.col("division_code").str.slice(0, 9).alias(TOWNSHIP)
    )
    frames["household"] = frames["household"].join(
        townships.cast({"household_id": frames["household"].schema["household_id"]}),
        on="household_id",
        how="left",
        maintain_order="left",
    )
    return fit_budget(baseline, scenario, budget, frames), invalid


def _rows(frame: pl.DataFrame) -> list[dict[str, object]]:
    return [
        {k: (str(v) if isinstance(v, dt.date) else v) for k, v in row.items()}
        for row in frame.to_dicts()
    ]


def _townships(simulation: Simulation) -> list[dict[str, object]]:
    if simulation.by_township is None:
        return []
    rows = _rows(simulation.by_township)
    for row in rows:
        code = str(row[TOWNSHIP] or "")
        row["township"] = getattr(division(code), "name", code)
    return rows


def _linked(system: RuleSystem, on: dt.date) -> list[dict[str, object]]:
    """The linked standards as JSON (a ratio as a decimal to three places)."""
    found = []
    for linked in linked_standards(system, on):
        row = asdict(linked)
        ratio = row["ratio"]
        row["ratio"] = None if ratio is None else f"{float(Fraction(ratio)):.3f}"
        found.append(row)
    return found


def _fit_json(fit: BudgetFit | None) -> dict[str, object] | None:
    if fit is None:
        return None
    return {
        "value": fit.value,
        "annual_cost": fit.annual_cost,
        "next_cost": fit.next_cost,
        "fits": fit.fits,
        "trials": fit.trials,
    }
