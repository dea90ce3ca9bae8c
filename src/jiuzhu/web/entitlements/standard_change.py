"""Recomputing every active entitlement when a parameter changes (标准调整).

When a new value takes effect — the dibao standard rising on 2025-09-01 (津民规〔2025〕6号, published
2025-08-29), possibly published after the date and back-dated — every active entitlement is
recomputed with the rules engine on the registry data for the effective month. The result is a
reviewable ``StandardChangeRun``: the entitlements whose amount changes, and totals by township
and program. A second person approves it (``standard_change_runs.approve_standard_change``); the
changes then become new versions valid from the effective month, even a past one (the payroll pays
the arrears).

``recompute`` is one case of the simulation pipeline (``jiuzhu.batch.pipelines.simulate``): the
registry's frames of the households with entitlements in force, in slices, go through
``simulate`` with the rules before the change as baseline and the rules with the new value as
scenario, on the first day of the effective month; each entitlement then takes its program's
decision from the scenario side. It is vectorised: one query for the open versions, the
registry's frames in slices, one query for the employment sanctions in force, and Polars for the
comparison and the totals. It never builds an ORM object per entitlement.

Which entitlements: status ``active`` or ``suspended`` (a suspended entitlement resumes at its
current version, which must follow the standard) with an open version. A gradual exit keeps the
amount it had (Art. 33) and a termination notice ends it, so neither is recomputed.

Outcomes (``ItemOutcome``):

- ``change``: eligible, and the recomputed amount differs from the open version's;
- ``needs_correction``: the open version starts in the effective month or later (a decision or
  review made before the new value was known): one version per start month, so a person
  corrects it (a review task is opened on approval);
- ``not_eligible`` / ``undetermined``: the recomputation no longer finds the household eligible,
  or rests on an unknown parameter or on registry data the engine refuses (that household alone
  is left out of the batch): never cut automatically (DESIGN.md §6), a review task is opened on
  approval.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import polars as pl
from django.db.models import F

from jiuzhu.batch.pipelines.simulate import TOWNSHIP, Simulation, combine, simulate
from jiuzhu.reference import division
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.entities import PERSON
from jiuzhu.rules.registry import programs
from jiuzhu.web.core.months import first_day
from jiuzhu.web.entitlements.assessment import (
    ENTITLEMENT_SCHEMA,
    SLICE_HOUSEHOLDS,
    apply_sanctions,
    sanctions_in_force,
    valid_households,
    without_persons,
)
from jiuzhu.web.entitlements.models import EntitlementVersion, ItemOutcome, Status
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.frames import engine_frames

RECOMPUTED_STATUSES = (Status.ACTIVE, Status.SUSPENDED)
UNCHANGED = "unchanged"

VERSION_COLUMNS = {
    "version_id": pl.Int64,
    "entitlement_id": pl.Int64,
    "version_number": pl.Int64,
    "valid_from": pl.String,
    "old_amount": pl.Int64,
    "program": pl.String,
    "household_id": pl.Int64,
    "person_id": pl.Int64,
    "division_code": pl.String,
    "single_person": pl.Boolean,
}

EMPTY_ROWS = pl.DataFrame(
    schema={
        "program": pl.String,
        "household_id": pl.Int64,
        "person_id": pl.Int64,
        "scenario_status": pl.Boolean,
        "scenario_amount": pl.Int64,
    }
)
EMPTY_HOUSEHOLDS = pl.DataFrame(schema={"household_id": pl.Int64, "unit_members": pl.Int64})
"""A simulation's rows and households where there is nothing to recompute."""


@dataclass
class Recomputation:
    """The outcome of ``recompute``.

    ``rows``: one row per entitlement recomputed — the ``VERSION_COLUMNS`` plus ``eligible``,
    ``amount`` (fen per month, after sanctions; null: undetermined), ``township_code`` and
    ``outcome`` (an ``ItemOutcome`` value or ``unchanged``). ``totals``: one row per township
    and program — ``township_code``, ``township``, ``program``, ``checked``, ``changed``,
    ``flagged``, ``before`` and ``after`` (fen per month: the open versions' amounts, and the
    amounts with the changes applied).
    """

    effective_month: str
    rows: pl.DataFrame
    totals: pl.DataFrame
    parameter_digest: str
    seconds: float
    simulation: Simulation | None = None
    """The simulation of the entitlements' households (baseline: the rules before the change)."""

    @property
    def changed(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("outcome") == ItemOutcome.CHANGE)

    @property
    def flagged(self) -> pl.DataFrame:
        return self.rows.filter(
            pl.col("outcome").is_in([o.value for o in ItemOutcome if o != ItemOutcome.CHANGE])
        )


def open_versions(division_code: str = "") -> pl.DataFrame:
    """The open version (``valid_to`` blank) of every recomputed entitlement of the division
    (prefix; blank: all), one query, as a frame of ``VERSION_COLUMNS``."""
    rows = list(
        EntitlementVersion.objects.filter(
            valid_to="",
            entitlement__status__in=RECOMPUTED_STATUSES,
            entitlement__division_code__startswith=division_code,
        )
        .order_by("entitlement_id")
        .values_list(
            "pk",
            "entitlement_id",
            "number",
            "valid_from",
            "monthly_amount",
            F("entitlement__program"),
            F("entitlement__household_id"),
            F("entitlement__person_id"),
            F("entitlement__division_code"),
            F("entitlement__application__single_person_choice"),
        )
    )
    frame = pl.DataFrame(
        rows,
        schema={**VERSION_COLUMNS, "single_person": pl.String},
        orient="row",
    )
    return frame.with_columns(
        (pl.col("single_person").fill_null("") == "single_person_unit").alias("single_person")
    )


def recompute(
    effective_month: str,
    *,
    system: RuleSystem | None = None,
    baseline: RuleSystem | None = None,
    division_code: str = "",
) -> Recomputation:
    """Recompute the active entitlements of ``division_code`` (prefix; blank: all) for
    ``effective_month`` (``YYYY-MM``: assessed on its first day) with ``system`` (default: the
    Tianjin rules as published, ``rules_system()``; a test or a what-if passes a system
    with a changed parameter), compared with ``baseline`` (the rules before the change,
    ``simulate.before_change``; default: ``system`` itself, so the engine runs once). The
    outcomes compare the recomputed amounts with the open versions'; the baseline gives the
    simulation's households newly eligible and losing eligibility per program.

    Raises:
        ValueError: ``effective_month`` is not ``YYYY-MM``.
        ParameterNotDefinedError: the month is before the rules' coverage.
    """
    started = time.perf_counter()
    system = system or rules_system()
    on = first_day(effective_month)
    versions = open_versions(division_code)
    simulation, invalid = simulate_households(baseline or system, system, versions, on)
    amounts = entitlement_decisions(
        versions.select(_program_columns()),
        simulation.rows if simulation else EMPTY_ROWS,
        simulation.households if simulation else EMPTY_HOUSEHOLDS,
        invalid,
    )
    amounts = apply_sanctions(
        amounts, sanctions_in_force(versions["entitlement_id"].to_list(), effective_month)
    )
    rows = versions.join(
        amounts.select("entitlement_id", "eligible", "amount"),
        on="entitlement_id",
        how="left",
        maintain_order="left",
    ).with_columns(
        pl.col("division_code").str.slice(0, 9).alias("township_code"),
        _outcome(effective_month).alias("outcome"),
    )
    return Recomputation(
        effective_month,
        rows,
        totals(rows),
        system.parameters.digest(),
        time.perf_counter() - started,
        simulation,
    )


def simulate_households(
    baseline: RuleSystem,
    system: RuleSystem,
    versions: pl.DataFrame,
    on: dt.date,
    *,
    slice_households: int = SLICE_HOUSEHOLDS,
) -> tuple[Simulation | None, list[int]]:
    """``simulate`` over the registry's frames (verified basis) of the households of
    ``versions`` (``VERSION_COLUMNS``) on ``on``, read in slices, each household with its
    township (the entitlement's division code, first 9 digits). Households whose registry data
    break the engine's input contract are left out of the simulation (one bad household must not
    stop a district's batch) and returned by id. None without households. Members born after
    ``on`` are left out, and members who left after ``on`` still counted
    (``assessment.without_persons``).

    Raises:
        ParameterNotDefinedError: ``on`` is before the rules' coverage.
    """
    townships = versions.group_by("household_id").agg(
        pl.col("division_code").first().str.slice(0, 9).alias(TOWNSHIP)
    )
    ids = townships["household_id"].sort().to_list()
    parts: list[Simulation] = []
    invalid: list[int] = []
    for start in range(0, len(ids), slice_households):
        frames = without_persons(engine_frames(system, ids[start : start + slice_households], on))
        frames, rejected = valid_households(system, frames)
        invalid.extend(rejected)
        households = frames["household"].join(
            townships.cast({"household_id": frames["household"].schema["household_id"]}),
            on="household_id",
            how="left",
            maintain_order="left",
        )
        parts.append(
            simulate(
                baseline,
                system,
                {**frames, "household": households},
                keep=("unit_members",),
                validate=False,
            )
        )
    return (combine(parts) if parts else None), invalid


def entitlement_decisions(
    entitlements: pl.DataFrame,
    rows: pl.DataFrame,
    households: pl.DataFrame,
    invalid: list[int],
) -> pl.DataFrame:
    """Each entitlement's decision from the scenario side of a simulation.

    Args:
        entitlements: ``assessment.ENTITLEMENT_SCHEMA`` columns, one row per entitlement.
        rows: ``Simulation.rows`` (``program``, ``household_id``, ``person_id``,
            ``scenario_status``, ``scenario_amount``).
        households: ``Simulation.households`` with ``unit_members``.
        invalid: households the engine refused (their entitlements are undetermined).

    Returns:
        The input rows (same order) with ``eligible`` (Boolean; null: undetermined), ``amount``
        (Int64 fen per month before sanctions; null: undetermined) and ``unit_members`` (Int64).
        The program's decision is its registry program's (a near-dibao household that chose the
        single-person unit, recorded on the application: the single-person unit's —
        《最低生活保障审核确认办法》, 民发〔2021〕57号, 第八条); a person program's
        beneficiary who is no longer a member on the assessment date is not eligible (amount 0).
    """
    entitlements = entitlements.cast(ENTITLEMENT_SCHEMA)  # type: ignore[arg-type]
    person_programs = [p.name for p in programs() if p.entity == PERSON]
    keyed = entitlements.with_columns(
        pl.when(pl.col("single_person").fill_null(False) & (pl.col("program") == "near_dibao"))
        .then(pl.lit("single_person_unit"))
        .otherwise(pl.col("program"))
        .alias("decided"),
        pl.col("program").is_in(person_programs).alias("per_person"),
    )
    by_household, by_person = _scenario_decisions(rows)
    members = households.select(
        pl.col("household_id").cast(pl.Int64), pl.col("unit_members").cast(pl.Int64)
    )
    joined = (
        keyed.join(by_household, on=["decided", "household_id"], how="left", maintain_order="left")
        .join(
            by_person,
            on=["decided", "person_id"],
            how="left",
            maintain_order="left",
            suffix="_person",
        )
        .join(members, on="household_id", how="left", maintain_order="left")
    )
    per_person = pl.col("per_person")
    missing_person = per_person & pl.col("found").is_null()
    # A person no longer found (left the household, or not a member on the date) is not
    # eligible; a household the engine refused is undetermined whatever its program.
    bad = pl.col("household_id").is_in(invalid)
    eligible = (
        pl.when(bad)
        .then(None)
        .when(missing_person)
        .then(pl.lit(False))
        .when(per_person)
        .then(pl.col("status_person"))
        .otherwise(pl.col("status"))
    )
    amount = (
        pl.when(bad)
        .then(None)
        .when(missing_person)
        .then(pl.lit(0, pl.Int64))
        .when(per_person)
        .then(pl.col("found_amount_person"))
        .otherwise(pl.col("found_amount"))
    )
    return joined.select(
        *entitlements.columns,
        eligible.cast(pl.Boolean).alias("eligible"),
        amount.cast(pl.Int64).alias("amount"),
        pl.col("unit_members").fill_null(0),
    )


def _scenario_decisions(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The scenario side of ``Simulation.rows`` as (household decisions, person decisions),
    keyed by the deciding program (``decided``) and the household or the person; the person
    frame marks each row ``found``."""
    decisions = rows.select(
        pl.col("program").cast(pl.String).alias("decided"),
        pl.col("household_id").cast(pl.Int64),
        pl.col("person_id").cast(pl.Int64),
        pl.col("scenario_status").alias("status"),
        pl.col("scenario_amount").alias("found_amount"),
    )
    by_household = decisions.filter(pl.col("person_id").is_null()).drop("person_id")
    by_person = (
        decisions.filter(pl.col("person_id").is_not_null())
        .drop("household_id")
        .with_columns(pl.lit(True).alias("found"))
    )
    return by_household, by_person


def _program_columns() -> list[str]:
    return ["entitlement_id", "program", "household_id", "person_id", "single_person"]


def _outcome(effective_month: str) -> pl.Expr:
    return (
        pl.when(pl.col("valid_from") >= effective_month)
        .then(pl.lit(ItemOutcome.NEEDS_CORRECTION.value))
        .when(pl.col("eligible").is_null() | pl.col("amount").is_null())
        .then(pl.lit(ItemOutcome.UNDETERMINED.value))
        .when(~pl.col("eligible"))
        .then(pl.lit(ItemOutcome.NOT_ELIGIBLE.value))
        .when(pl.col("amount") != pl.col("old_amount"))
        .then(pl.lit(ItemOutcome.CHANGE.value))
        .otherwise(pl.lit(UNCHANGED))
    )


def totals(rows: pl.DataFrame) -> pl.DataFrame:
    """Totals by township and program (see ``Recomputation``); ``after`` counts only the
    changes that approval would apply (flagged rows keep their old amount)."""
    change = pl.col("outcome") == ItemOutcome.CHANGE
    grouped = (
        rows.group_by("township_code", "program")
        .agg(
            pl.len().cast(pl.Int64).alias("checked"),
            change.sum().cast(pl.Int64).alias("changed"),
            ((pl.col("outcome") != UNCHANGED) & ~change).sum().cast(pl.Int64).alias("flagged"),
            pl.col("old_amount").sum().cast(pl.Int64).alias("before"),
            pl.when(change)
            .then(pl.col("amount"))
            .otherwise(pl.col("old_amount"))
            .sum()
            .cast(pl.Int64)
            .alias("after"),
        )
        .sort("township_code", "program")
    )
    names = {
        code: getattr(division(code), "name", code)
        for code in grouped["township_code"].unique().to_list()
    }
    return grouped.with_columns(
        pl.col("township_code").replace_strict(names, return_dtype=pl.String).alias("township")
    )


def parameter_value_starting(
    system: RuleSystem, path: str, effective_month: str
) -> tuple[dt.date, object, str, str] | None:
    """The value of parameter ``path`` that starts within ``effective_month``: (start, value,
    reference, confidence), or None if no value of the parameter starts in that month.

    Raises:
        KeyError: no such parameter.
    """
    parameter = system.parameters[path]
    month_start = first_day(effective_month)
    for value in parameter.values:
        if (value.start.year, value.start.month) == (month_start.year, month_start.month):
            return value.start, value.value, value.reference, value.confidence
    return None
