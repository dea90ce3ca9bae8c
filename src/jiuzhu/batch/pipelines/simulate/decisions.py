"""Every program's decision for every household (or person) of a frames set, in one long frame,
and the comparison of two such frames (baseline and scenario).

The programs come from the registry (``jiuzhu.rules.registry.programs()``): a household program
gives one row per household, a person program one row per person (with its household), so adding
a program to the registry adds its rows here without a change to this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.entities import HOUSEHOLD, OBLIGOR, PERSON
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.registry import Program

TOWNSHIP = "township_code"
"""The optional household column that summaries are broken down by (a 9-digit township code,
or any label); never passed to the rules engine."""

Frames = Mapping[str, pl.DataFrame]
"""``household``, ``person`` and (optionally) ``obligor`` frames, as ``RuleSystem.simulate``
takes them (docs/input-format.md): money in fen, ``assessment_date`` a Date per household."""


@dataclass
class Decisions:
    """One system's decisions over a frames set.

    ``rows``: one row per (program, household) for household programs and per (program, person)
    for person programs — ``program`` (String: the registry name), ``household_id``,
    ``person_id`` (null for household programs; keys with the frames' dtype), ``status``
    (Boolean: the program's status variable; null: undetermined, e.g. an unknown parameter) and
    ``amount`` (Int64 fen per month as the engine gives it: null for a status-only program, and
    for an option where it is not available). ``households``: ``household_id`` and the ``keep``
    variables. ``digest``: the parameters' digest.
    """

    rows: pl.DataFrame
    households: pl.DataFrame
    digest: str


def with_assessment_date(frames: Frames, on: dt.date | None) -> dict[str, pl.DataFrame]:
    """The frames with every household assessed on ``on`` (unchanged when None)."""
    result = dict(frames)
    if on is not None:
        result[HOUSEHOLD.name] = frames[HOUSEHOLD.name].with_columns(
            pl.lit(on, pl.Date).alias(DATE_VARIABLE)
        )
    return result


def decide(
    system: RuleSystem,
    frames: Frames,
    programs: Sequence[Program],
    *,
    keep: Sequence[str] = (),
    validate: bool = True,
    chunk_households: int | None = None,
) -> Decisions:
    """Run the rules engine once over ``frames`` for ``programs`` (plus the household variables
    ``keep``).

    Raises:
        InvalidInputError: the frames break the input contract (only when ``validate``).
        ParameterNotDefinedError: an assessment date precedes a parameter's first value.
    """
    households = frames[HOUSEHOLD.name]
    persons = frames[PERSON.name]
    outputs = [name for p in programs for name in (p.status, p.amount) if name]
    result = system.simulate(
        households.drop(TOWNSHIP, strict=False),
        persons,
        frames.get(OBLIGOR.name),
        outputs=[*dict.fromkeys([*outputs, *keep])],
        validate=validate,
        chunk_households=chunk_households,
    )
    person_results = result.persons
    if any(program.entity == PERSON for program in programs):
        # Only a person program's outputs give the engine's person frame its columns.
        household_of = persons.select(PERSON.key, HOUSEHOLD.key)
        person_results = person_results.drop(HOUSEHOLD.key, strict=False).join(
            household_of, on=PERSON.key, how="left", maintain_order="left"
        )
    key_dtype = persons.schema.get(PERSON.key, households.schema[HOUSEHOLD.key])
    parts = [
        _program_rows(
            program,
            person_results if program.entity == PERSON else result.households,
            key_dtype,
        )
        for program in programs
    ]
    rows = pl.concat(parts, how="vertical_relaxed") if parts else _empty(households, key_dtype)
    return Decisions(
        rows,
        result.households.select(HOUSEHOLD.key, *dict.fromkeys(keep)),
        system.parameters.digest(),
    )


def _program_rows(program: Program, frame: pl.DataFrame, key_dtype: pl.DataType) -> pl.DataFrame:
    """One program's rows of ``Decisions.rows`` from the engine's household or person frame."""
    person = (pl.col(PERSON.key) if program.entity == PERSON else pl.lit(None, key_dtype)).alias(
        PERSON.key
    )
    amount = pl.col(program.amount) if program.amount else pl.lit(None, pl.Int64)
    return frame.select(
        pl.lit(program.name, pl.String).alias("program"),
        pl.col(HOUSEHOLD.key),
        person.cast(key_dtype),
        pl.col(program.status).cast(pl.Boolean).alias("status"),
        amount.cast(pl.Int64).alias("amount"),
    )


def _empty(households: pl.DataFrame, key_dtype: pl.DataType) -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "program": pl.String,
            HOUSEHOLD.key: households.schema[HOUSEHOLD.key],
            PERSON.key: key_dtype,
            "status": pl.Boolean,
            "amount": pl.Int64,
        }
    )


NEWLY_ELIGIBLE = "newly_eligible"
LOSING_ELIGIBILITY = "losing_eligibility"
STAYS_ELIGIBLE = "stays_eligible"
STAYS_INELIGIBLE = "stays_ineligible"
UNDETERMINED = "undetermined"
TRANSITIONS = (NEWLY_ELIGIBLE, LOSING_ELIGIBILITY, STAYS_ELIGIBLE, STAYS_INELIGIBLE, UNDETERMINED)


def paid(status: str, amount: str) -> pl.Expr:
    """The amount a row receives (Int64 fen per month): the amount where the status holds, 0
    where it does not, null where the status is undetermined or the program has no amount."""
    return (
        pl.when(pl.col(status).is_null() | (pl.col(amount).is_null() & pl.col(status)))
        .then(pl.lit(None, pl.Int64))
        .when(pl.col(status))
        .then(pl.col(amount))
        .otherwise(pl.lit(0, pl.Int64))
    )


def compare(
    baseline: Decisions, scenario: Decisions, townships: pl.DataFrame | None
) -> pl.DataFrame:
    """The rows of both decisions side by side.

    Returns: ``program``, ``household_id``, ``person_id``, ``baseline_status``,
    ``baseline_amount``, ``scenario_status``, ``scenario_amount`` (as in ``Decisions.rows``),
    ``baseline_paid``, ``scenario_paid`` (``paid``: Int64 fen), ``difference`` (scenario paid
    minus baseline paid, fen per month; null where either is null), ``transition`` (one of
    ``TRANSITIONS``) and, when ``townships`` (``household_id``, ``township_code``) is given,
    ``township_code``. Same row order as the baseline's.
    """
    keys = ["program", HOUSEHOLD.key, PERSON.key]
    before = baseline.rows.rename({"status": "baseline_status", "amount": "baseline_amount"})
    after = scenario.rows.rename({"status": "scenario_status", "amount": "scenario_amount"})
    if before.select(keys).equals(after.select(keys)):
        # Two runs over the same frames list the same rows in the same order: no join needed.
        side_by_side = pl.concat([before, after.drop(keys)], how="horizontal")
    else:
        side_by_side = before.join(
            after, on=keys, how="full", coalesce=True, nulls_equal=True, maintain_order="left"
        )
    joined = side_by_side.with_columns(
        paid("baseline_status", "baseline_amount").alias("baseline_paid"),
        paid("scenario_status", "scenario_amount").alias("scenario_paid"),
    ).with_columns(
        (pl.col("scenario_paid") - pl.col("baseline_paid")).alias("difference"),
        _transition().alias("transition"),
    )
    if townships is not None:
        joined = joined.join(townships, on=HOUSEHOLD.key, how="left", maintain_order="left")
    return joined


def _transition() -> pl.Expr:
    before, after = pl.col("baseline_status"), pl.col("scenario_status")
    return (
        pl.when(before.is_null() | after.is_null())
        .then(pl.lit(UNDETERMINED))
        .when(~before & after)
        .then(pl.lit(NEWLY_ELIGIBLE))
        .when(before & ~after)
        .then(pl.lit(LOSING_ELIGIBILITY))
        .when(before)
        .then(pl.lit(STAYS_ELIGIBLE))
        .otherwise(pl.lit(STAYS_INELIGIBLE))
    )
