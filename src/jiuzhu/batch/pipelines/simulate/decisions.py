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
    for person programs — ``program`` (``program_dtype``: an Enum of the registry names),
    ``household_id``, ``person_id`` (null for household programs; keys with the frames' dtype),
    ``status`` (Boolean: the program's status variable; null: undetermined, e.g. an unknown
    parameter), ``amount`` (Int64 fen per month as the engine gives it: null for a status-only
    program, and for an option where it is not available) and, when the household frame has
    one, ``township_code`` (an Enum of the frame's townships). ``households``: ``household_id`` and the ``keep``
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
    program_type = program_dtype(programs)
    townships = _townships(households)
    household_results = _with_townships(result.households, townships)
    person_results = result.persons
    if any(program.entity == PERSON for program in programs):
        # Only a person program's outputs give the engine's person frame its columns; the
        # engine keeps each person's household beside them.
        if HOUSEHOLD.key not in person_results.columns:
            person_results = person_results.join(
                persons.select(PERSON.key, HOUSEHOLD.key),
                on=PERSON.key,
                how="left",
                maintain_order="left",
            )
        person_results = _with_townships(person_results, townships)
    key_dtype = persons.schema.get(PERSON.key, households.schema[HOUSEHOLD.key])
    parts = [
        _program_rows(
            program,
            person_results if program.entity == PERSON else household_results,
            key_dtype,
            program_type,
            townships is not None,
        )
        for program in programs
    ]
    rows = (
        pl.concat(parts, how="vertical_relaxed")
        if parts
        else _empty(households, key_dtype, program_type)
    )
    return Decisions(
        rows,
        result.households.select(HOUSEHOLD.key, *dict.fromkeys(keep)),
        system.parameters.digest(),
    )


def program_dtype(programs: Sequence[Program]) -> pl.Enum:
    """The ``program`` column's type: an Enum of the programs' names, four bytes a row where a
    string column of twenty million rows (a million households, every program) cost seconds to
    build, compare and group."""
    return pl.Enum([program.name for program in programs])


def _townships(households: pl.DataFrame) -> pl.DataFrame | None:
    """``household_id`` and its ``TOWNSHIP`` as an Enum, when the frame has one: carried onto
    every row here (a join of a million households) rather than joined onto twenty million
    rows later."""
    if TOWNSHIP not in households.columns:
        return None
    codes = households[TOWNSHIP].cast(pl.String)
    return households.select(
        HOUSEHOLD.key,
        codes.cast(pl.Enum(sorted(codes.drop_nulls().unique().to_list()))).alias(TOWNSHIP),
    )


def _with_townships(frame: pl.DataFrame, townships: pl.DataFrame | None) -> pl.DataFrame:
    """``frame`` (with ``household_id``) with its household's township, if there are any: by
    position when the frame lists the same households in the same order (the engine's household
    results), else by a join."""
    if townships is None:
        return frame
    if frame[HOUSEHOLD.key].equals(townships[HOUSEHOLD.key]):
        return frame.with_columns(townships[TOWNSHIP])
    return frame.join(townships, on=HOUSEHOLD.key, how="left", maintain_order="left")


def _program_rows(
    program: Program,
    frame: pl.DataFrame,
    key_dtype: pl.DataType,
    program_type: pl.Enum,
    township: bool,
) -> pl.DataFrame:
    """One program's rows of ``Decisions.rows`` from the engine's household or person frame."""
    person = (pl.col(PERSON.key) if program.entity == PERSON else pl.lit(None, key_dtype)).alias(
        PERSON.key
    )
    amount = pl.col(program.amount) if program.amount else pl.lit(None, pl.Int64)
    return frame.select(
        pl.lit(program.name, program_type).alias("program"),
        pl.col(HOUSEHOLD.key),
        person.cast(key_dtype),
        pl.col(program.status).cast(pl.Boolean).alias("status"),
        amount.cast(pl.Int64).alias("amount"),
        *([pl.col(TOWNSHIP)] if township else []),
    )


def _empty(households: pl.DataFrame, key_dtype: pl.DataType, program_type: pl.Enum) -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "program": program_type,
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
TRANSITION = pl.Enum(TRANSITIONS)
"""The ``transition`` column's type (an Enum: cheap over twenty million rows)."""


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
    ``TRANSITIONS``, the ``TRANSITION`` Enum) and ``township_code`` when the decisions carry it
    (``decide`` over frames with one) or ``townships`` (``household_id``, ``township_code``) is
    given. Same row order as the baseline's.
    """
    keys = ["program", HOUSEHOLD.key, PERSON.key]
    before = baseline.rows.rename({"status": "baseline_status", "amount": "baseline_amount"})
    after = scenario.rows.rename({"status": "scenario_status", "amount": "scenario_amount"})
    if before.select(keys).equals(after.select(keys)):
        # Two runs over the same frames list the same rows in the same order: no join needed.
        side_by_side = pl.concat(
            [before, after.drop(*keys, TOWNSHIP, strict=False)], how="horizontal"
        )
    else:
        side_by_side = _joined(before, after, keys)
    joined = side_by_side.with_columns(
        paid("baseline_status", "baseline_amount").alias("baseline_paid"),
        paid("scenario_status", "scenario_amount").alias("scenario_paid"),
    ).with_columns(
        (pl.col("scenario_paid") - pl.col("baseline_paid")).alias("difference"),
        _transition().alias("transition"),
    )
    if townships is not None and TOWNSHIP not in joined.columns:
        joined = joined.join(townships, on=HOUSEHOLD.key, how="left", maintain_order="left")
    return joined


def _joined(before: pl.DataFrame, after: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows of two decisions in different orders or over different programs, matched by key
    (program names compared as text, a row of one side only kept with the other side null)."""
    if before.schema["program"] != after.schema["program"]:
        before = before.with_columns(pl.col("program").cast(pl.String))
        after = after.with_columns(pl.col("program").cast(pl.String))
    township = TOWNSHIP in before.columns and TOWNSHIP in after.columns
    if township:
        after = after.rename({TOWNSHIP: "scenario_township"})
    joined = before.join(
        after, on=keys, how="full", coalesce=True, nulls_equal=True, maintain_order="left"
    )
    if not township:
        return joined
    return joined.with_columns(
        pl.coalesce(
            TOWNSHIP, pl.col("scenario_township").cast(pl.String).cast(joined.schema[TOWNSHIP])
        )
    ).drop("scenario_township")


def _transition() -> pl.Expr:
    before, after = pl.col("baseline_status"), pl.col("scenario_status")
    return (
        pl.when(before.is_null() | after.is_null())
        .then(pl.lit(UNDETERMINED, TRANSITION))
        .when(~before & after)
        .then(pl.lit(NEWLY_ELIGIBLE, TRANSITION))
        .when(before & ~after)
        .then(pl.lit(LOSING_ELIGIBILITY, TRANSITION))
        .when(before)
        .then(pl.lit(STAYS_ELIGIBLE, TRANSITION))
        .otherwise(pl.lit(STAYS_INELIGIBLE, TRANSITION))
    )
