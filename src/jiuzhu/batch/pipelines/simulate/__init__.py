"""The simulation pipeline: a baseline against a scenario over a frames set (pure, no Django).

``simulate(baseline, scenario, frames)`` runs the rules engine twice over the same households —
once with the baseline rules, once with the scenario's — and compares every registry program's
decision per household (per person for a person program): status and amount on each side, the
difference, and a summary per program (and per township when the household frame has a
``township_code`` column). The result is exactly two runs of ``RuleSystem.simulate``.

The recomputation of entitlements after a published standard change (标准调整,
``jiuzhu.web.entitlements.standard_change``) is one case: the baseline is the rules before the
new value (``before_change``), the scenario the rules as published. A what-if (a proposed
standard, a budget search) is another: ``Scenario(overrides, effective).system(baseline)``. A
search that varies only the scenario computes the baseline once (``decide``) and compares each
scenario against it (``compare_decisions``).

Money is integer fen per month throughout.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from jiuzhu.batch.pipelines.simulate.decisions import (
    TOWNSHIP,
    TRANSITIONS,
    Decisions,
    Frames,
    compare,
    decide,
    with_assessment_date,
)
from jiuzhu.batch.pipelines.simulate.scenario import Scenario, apply, before_change
from jiuzhu.batch.pipelines.simulate.summary import (
    DISTRIBUTION_SCHEMA,
    SUMMARY_SCHEMA,
    distribution,
    summarise,
)
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.entities import HOUSEHOLD
from jiuzhu.rules.registry import Program
from jiuzhu.rules.registry import programs as registered_programs


@dataclass
class Simulation:
    """The outcome of ``simulate``.

    ``rows``: ``decisions.compare``'s columns, one row per program and household (person for a
    person program). ``summary``: ``SUMMARY_SCHEMA`` per program; ``by_township``: the same per
    program and township (None without a township column). ``distribution``: households by the
    change of their monthly assistance (``summary.distribution``). ``households``:
    ``household_id`` and the scenario's ``keep`` variables. ``on``: the assessment date imposed on every household
    (None: the frames' own dates).
    """

    on: dt.date | None
    rows: pl.DataFrame
    summary: pl.DataFrame
    by_township: pl.DataFrame | None
    distribution: pl.DataFrame
    households: pl.DataFrame
    baseline_digest: str
    scenario_digest: str
    seconds: float


def simulate(
    baseline: RuleSystem,
    scenario: RuleSystem | Scenario,
    frames: Frames,
    *,
    on: dt.date | None = None,
    programs: Sequence[Program] | None = None,
    keep: Sequence[str] = (),
    validate: bool = True,
    chunk_households: int | None = None,
) -> Simulation:
    """Evaluate ``baseline`` and ``scenario`` over ``frames`` and compare them.

    Args:
        baseline: the rules in force (e.g. ``load_system("tianjin")``).
        scenario: a ``Scenario`` (applied to the baseline; ``on`` then defaults to its effective
            date) or a rule system (the very baseline object: the engine runs once and every
            difference is 0).
        frames: ``household`` (``household_id``, inputs, ``assessment_date`` Date; optionally
            ``township_code`` String, kept out of the engine), ``person`` and optionally
            ``obligor`` frames as ``RuleSystem.simulate`` takes them (money in fen).
        on: assess every household on this date (default: the scenario's effective date, or the
            frames' own ``assessment_date``).
        programs: the programs compared (default: the baseline's, i.e. the registry's).
        keep: household variables of the scenario run to return in ``Simulation.households``.
        validate: check the frames against the input contract first.

    Raises:
        InvalidInputError: the frames break the input contract (only when ``validate``).
        ParameterNotDefinedError: an assessment date precedes a parameter's first value.
        KeyError / ParameterFileError / ValueError: a scenario override that does not fit (see
            ``scenario.apply``).
    """
    started = time.perf_counter()
    programs = baseline.programs if programs is None else programs
    if isinstance(scenario, Scenario):
        on = on or scenario.effective
        scenario = apply(baseline, scenario)
    frames = with_assessment_date(frames, on)
    after = decide(
        scenario,
        frames,
        programs,
        keep=keep,
        validate=validate,
        chunk_households=chunk_households,
    )
    before = (
        after
        if scenario is baseline
        else decide(baseline, frames, programs, validate=False, chunk_households=chunk_households)
    )
    return compare_decisions(before, after, frames, programs, on=on, started=started)


def compare_decisions(
    baseline: Decisions,
    scenario: Decisions,
    frames: Frames,
    programs: Sequence[Program] | None = None,
    *,
    on: dt.date | None = None,
    started: float | None = None,
) -> Simulation:
    """The ``Simulation`` of two ``decide`` results over the same ``frames`` (whose household
    frame gives the township column, if any); ``programs`` defaults to the registry's."""
    programs = registered_programs() if programs is None else programs
    households = frames[HOUSEHOLD.name]
    townships = (
        households.select(HOUSEHOLD.key, pl.col(TOWNSHIP).cast(pl.String))
        if TOWNSHIP in households.columns
        else None
    )
    rows = compare(baseline, scenario, townships)
    return Simulation(
        on,
        rows,
        summarise(rows, programs),
        summarise(rows, programs, by_township=True) if townships is not None else None,
        distribution(rows, programs),
        scenario.households,
        baseline.digest,
        scenario.digest,
        time.perf_counter() - started if started is not None else 0.0,
    )


def combine(parts: Sequence[Simulation], programs: Sequence[Program] | None = None) -> Simulation:
    """One ``Simulation`` of several over disjoint slices of households (a registry read in
    slices), with the summaries recomputed over all rows. The parts share one baseline, one
    scenario and one date; ``seconds`` is the sum of theirs.

    Raises:
        ValueError: no parts.
    """
    if not parts:
        raise ValueError("no simulation to combine")
    programs = registered_programs() if programs is None else programs
    rows = pl.concat(_same_enums([p.rows for p in parts]), how="vertical_relaxed")
    by_township = all(p.by_township is not None for p in parts)
    return Simulation(
        parts[0].on,
        rows,
        summarise(rows, programs),
        summarise(rows, programs, by_township=True) if by_township else None,
        distribution(rows, programs),
        pl.concat([p.households for p in parts], how="vertical_relaxed"),
        parts[0].baseline_digest,
        parts[0].scenario_digest,
        sum(p.seconds for p in parts),
    )


def _same_enums(frames: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """The frames with each Enum column cast to one Enum of every part's categories: each slice
    has its own township Enum (only the townships of its households), and Polars concatenates
    no two Enums that differ."""
    casts: dict[str, pl.DataType] = {}
    for name, dtype in frames[0].schema.items():
        if isinstance(dtype, pl.Enum) and any(f.schema[name] != dtype for f in frames):
            categories = {c for f in frames for c in f.schema[name].categories.to_list()}  # type: ignore[attr-defined]
            casts[name] = pl.Enum(sorted(categories))
    return [f.cast(casts) for f in frames] if casts else frames  # type: ignore[arg-type]


__all__ = [
    "DISTRIBUTION_SCHEMA",
    "SUMMARY_SCHEMA",
    "TOWNSHIP",
    "TRANSITIONS",
    "Decisions",
    "Frames",
    "Scenario",
    "Simulation",
    "apply",
    "before_change",
    "combine",
    "compare_decisions",
    "decide",
    "simulate",
]
