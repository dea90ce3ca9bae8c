"""Recomputing entitlements with the rules engine, vectorised: one household or twenty thousand go
through the same code (the registry's frames in slices, one ``simulate`` per slice, Polars joins).
No ORM object is built per entitlement.

Amounts are integer fen per month. The program's amount of an entitlement is the amount variable
the rules' registry names for its program (a monthly program), of its household or, for a program
decided per person, of its person:

- dibao: ``dibao_amount`` of its household;
- near-dibao: ``near_dibao_cash``, or ``single_person_unit_option_amount`` where the household
  chose the single-person unit (the choice recorded on the application, 《最低生活保障审核确认办法》第八条);
- tekun: ``tekun_amount`` of its person.

An employment sanction in force (《社会救助暂行办法》第四十五条, 《最低生活保障审核确认办法》
第三十四条) then takes the sanctioned members' shares off, each the rules' ``sanction_cut``:
amount // members counted (rounded down to the fen, so the household never loses more than the
member's exact share), times the sanction's percentage, rounded down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

import polars as pl
from django.db.models import Q

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.errors import InvalidInputError
from jiuzhu.rules.programs.dibao import sanction_cut
from jiuzhu.rules.registry import Program as RegisteredProgram
from jiuzhu.web.core.programs import Program
from jiuzhu.web.entitlements.models import EmploymentSanction
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Source

SLICE_HOUSEHOLDS = 4_000
"""Households per registry read: bounds the ``IN (…)`` lists (SQLite allows 32,766 variables; a
slice's persons are about three times its households) and the memory of one slice."""

HOUSEHOLD_OUTPUTS = (
    "unit_members",
    "dibao_income_test",
    "dibao_assets_test",
    "single_person_unit_available",
    "single_person_unit_option_amount",
)
"""Household results every recomputation keeps besides the programs' decisions: the members
counted (for sanctions), dibao's two tests (a gradual exit) and the single-person option (paid
under near-dibao where the household chose it)."""

SINGLE_PERSON_CHOSEN = "near_dibao"
"""The program whose entitlement pays the single-person option when the household chose it."""

ENTITLEMENT_SCHEMA = {
    "entitlement_id": pl.Int64,
    "program": pl.String,
    "household_id": pl.Int64,
    "person_id": pl.Int64,
    "single_person": pl.Boolean,
}
"""The columns ``program_amounts`` needs (``person_id`` null except for a program decided per
person, tekun; ``single_person`` true where a near-dibao household chose the single-person
unit)."""


def paid_programs(system: RuleSystem) -> tuple[RegisteredProgram, ...]:
    """The programs of ``system`` an entitlement is paid under every month (the registry's
    monthly programs): the others' entitlements get no recomputed decision."""
    return tuple(p for p in system.programs if p.monthly and p.amount is not None)


def outputs_of(system: RuleSystem, entity: str) -> list[str]:
    """The variables of ``entity`` (``household`` or ``person``) a recomputation asks for."""
    names = list(HOUSEHOLD_OUTPUTS) if entity == "household" else []
    for program in paid_programs(system):
        if program.entity.name == entity:
            names += [program.status, program.amount or ""]
    return list(dict.fromkeys(names))


def program_amounts(
    system: RuleSystem,
    entitlements: pl.DataFrame,
    on: dt.date,
    *,
    basis: str = Source.VERIFIED,
    exclude_persons: Collection[int] = (),
    slice_households: int = SLICE_HOUSEHOLDS,
) -> pl.DataFrame:
    """Assess the entitlements' households on ``on`` from the registry and give each
    entitlement its program's decision (the registry's status and amount variables of each
    monthly program; a person's program from the entitlement's person).

    Args:
        entitlements: ``ENTITLEMENT_SCHEMA`` columns, one row per entitlement.
        on: the assessment date (parameters in force that day; memberships in force that day).
        basis: ``verified`` (department data where found) or ``declared``.
        exclude_persons: persons left out although the registry still counts them (a member
            whose death is known but not yet recorded in the registry).

    Returns:
        The input rows (same order) with ``eligible`` (Boolean; null: undetermined, or a program
        paying nothing monthly), ``amount`` (Int64 fen per month before sanctions; null:
        undetermined) and ``unit_members`` (Int64: members counted in the assistance unit) and
        ``income_above_standard`` (Boolean: a dibao household failing the income test but not
        the asset test, the case of a gradual exit) and ``invalid_input`` (Boolean: the
        household's registry data break the engine's input contract, so eligibility and amount
        are null). A person no longer a member of the household on ``on`` is not eligible
        (amount 0).

    Raises:
        ParameterNotDefinedError: ``on`` is before the rules' coverage.
    """
    entitlements = entitlements.cast(ENTITLEMENT_SCHEMA)  # type: ignore[arg-type]
    households, persons, invalid = _assess(
        system, entitlements, on, basis, exclude_persons, slice_households
    )
    joined = entitlements.join(
        households, on="household_id", how="left", maintain_order="left"
    ).join(
        persons.with_columns(pl.lit(True).alias("person_found")),
        on="person_id",
        how="left",
        maintain_order="left",
    )
    eligible, amount = _decision(system)
    program = pl.col("program")
    bad = pl.col("household_id").is_in(invalid)
    return joined.select(
        *entitlements.columns,
        pl.when(bad).then(None).otherwise(eligible).cast(pl.Boolean).alias("eligible"),
        pl.when(bad).then(None).otherwise(amount).cast(pl.Int64).alias("amount"),
        pl.col("unit_members").cast(pl.Int64).fill_null(0),
        (
            (program == Program.DIBAO)
            & ~pl.col("dibao_income_test").fill_null(True)
            & pl.col("dibao_assets_test").fill_null(False)
        ).alias("income_above_standard"),
        bad.alias("invalid_input"),
    )


def _assess(
    system: RuleSystem,
    entitlements: pl.DataFrame,
    on: dt.date,
    basis: str,
    exclude_persons: Collection[int],
    slice_households: int,
) -> tuple[pl.DataFrame, pl.DataFrame, list[int]]:
    """The household results (``household_id`` and ``outputs_of(household)``) and the person
    results (``person_id`` and ``outputs_of(person)``) of the entitlements' households, assessed
    in slices, and the households whose data break the input contract."""
    household_outputs = outputs_of(system, "household")
    person_outputs = outputs_of(system, "person")
    ids = entitlements["household_id"].unique().sort().to_list()
    household_parts: list[pl.DataFrame] = []
    person_parts: list[pl.DataFrame] = []
    invalid: list[int] = []
    for start in range(0, len(ids), slice_households):
        frames = without_persons(
            engine_frames(system, ids[start : start + slice_households], on, basis),
            exclude_persons,
        )
        frames, rejected = valid_households(system, frames)
        invalid.extend(rejected)
        result = system.simulate(
            frames["household"],
            frames["person"],
            frames["obligor"],
            outputs=[*household_outputs, *person_outputs],
            validate=False,
        )
        household_parts.append(result.households.select("household_id", *household_outputs))
        person_parts.append(result.persons.select("person_id", *person_outputs))
    return (
        _concat(household_parts, "household_id", household_outputs),
        _concat(person_parts, "person_id", person_outputs),
        invalid,
    )


def _decision(system: RuleSystem) -> tuple[pl.Expr, pl.Expr]:
    """The expressions of an entitlement's ``eligible`` and ``amount``: its program's status and
    amount (a person's program: null-free only if the person was found; the near-dibao
    entitlement of a household that chose the single-person unit: the option's)."""
    program = pl.col("program")
    option = next((p for p in system.programs if p.option), None)
    # A chain of when/then (Polars types each link differently): one branch per case.
    eligible: Any = None
    amount: Any = None
    cases: list[tuple[pl.Expr, pl.Expr, pl.Expr]] = []
    for paid in paid_programs(system):
        chosen = program == paid.name
        if paid.entity.name == "person":
            missing = chosen & pl.col("person_found").is_null()
            cases.append((missing, pl.lit(False), pl.lit(0, pl.Int64)))
        if option is not None and option.amount and paid.name == SINGLE_PERSON_CHOSEN:
            single = chosen & pl.col("single_person").fill_null(False)
            cases.append((single, pl.col(option.status), pl.col(option.amount)))
        cases.append((chosen, pl.col(paid.status), pl.col(paid.amount or "")))
    for condition, status, value in cases:
        eligible = (pl.when(condition) if eligible is None else eligible.when(condition)).then(
            status
        )
        amount = (pl.when(condition) if amount is None else amount.when(condition)).then(value)
    if eligible is None or amount is None:
        return pl.lit(None, pl.Boolean), pl.lit(None, pl.Int64)
    return eligible.otherwise(None), amount.otherwise(None)


def valid_households(
    system: RuleSystem, frames: dict[str, pl.DataFrame]
) -> tuple[dict[str, pl.DataFrame], list[int]]:
    """The frames without the households whose registry data break the engine's input contract
    (one bad household must not stop a district's batch), and those households' ids: their
    entitlements come out undetermined, for a person to look at.

    Raises:
        InvalidInputError: a problem that cannot be traced to a household.
    """
    try:
        system.validate(frames)
    except InvalidInputError as error:
        bad = set()
        persons = frames["person"]
        household_of_person = dict(persons.select("person_id", "household_id").iter_rows())
        for issue in error.issues:
            if issue.row is None:
                raise
            if issue.entity == "household":
                bad.add(frames["household"]["household_id"][issue.row])
            elif issue.entity == "person":
                bad.add(persons["household_id"][issue.row])
            else:
                bad.add(household_of_person.get(frames["obligor"]["person_id"][issue.row]))
        bad.discard(None)
        gone = pl.col("household_id").is_in(list(bad))
        kept_persons = persons.filter(~gone)
        frames = {
            "household": frames["household"].filter(~gone),
            "person": kept_persons,
            "obligor": frames["obligor"].filter(
                pl.col("person_id").is_in(kept_persons["person_id"].to_list())
            ),
        }
        system.validate(frames)
        return frames, [int(h) for h in bad]
    return frames, []


def without_persons(
    frames: dict[str, pl.DataFrame], exclude_persons: Collection[int] = ()
) -> dict[str, pl.DataFrame]:
    """The frames without the persons born after their household's assessment date (a past
    effective month is assessed on the registry as it is now: a child born since was not yet a
    member then, and the engine refuses a birth after the assessment date) and without
    ``exclude_persons``; their obligor rows go with them. A member who left home after the
    assessment date is counted as living with the household on that date."""
    households = frames["household"].select("household_id", "assessment_date")
    persons = frames["person"].join(households, on="household_id", how="left")
    keep = pl.col("birth_date") <= pl.col("assessment_date")
    if exclude_persons:
        keep = keep & ~pl.col("person_id").is_in(list(exclude_persons))
    # Someone who left home after the assessment date still lived with the household then.
    later = pl.col("absent_since") > pl.col("assessment_date")
    kept = (
        persons.filter(keep)
        .with_columns(
            pl.when(later)
            .then(pl.lit("none"))
            .otherwise(pl.col("absence_reason").cast(pl.String))
            .cast(persons.schema["absence_reason"])
            .alias("absence_reason"),
            pl.when(later).then(None).otherwise(pl.col("absent_since")).alias("absent_since"),
        )
        .drop("assessment_date")
    )
    return {
        **frames,
        "person": kept,
        "obligor": frames["obligor"].filter(pl.col("person_id").is_in(kept["person_id"].to_list())),
    }


def _concat(parts: list[pl.DataFrame], key: str, outputs: Sequence[str]) -> pl.DataFrame:
    """The slices' results in one frame, the key as Int64 (the entitlements' key dtype)."""
    if not parts:
        return pl.DataFrame(schema={key: pl.Int64, **dict.fromkeys(outputs, pl.Int64)})
    return pl.concat(parts, how="vertical_relaxed").with_columns(pl.col(key).cast(pl.Int64))


def sanctions_in_force(entitlement_ids: Sequence[int], month: str) -> pl.DataFrame:
    """The employment sanctions in force in ``month`` for these entitlements (one query):
    ``entitlement_id`` and ``share_percent`` (Int64), one row per sanctioned member."""
    rows = list(
        EmploymentSanction.objects.filter(
            Q(to_month="") | Q(to_month__gt=month),
            entitlement_id__in=list(entitlement_ids),
            from_month__lte=month,
        ).values_list("entitlement_id", "share_percent")
    )
    return pl.DataFrame(
        rows,
        schema={"entitlement_id": pl.Int64, "share_percent": pl.Int64},
        orient="row",
    )


def apply_sanctions(amounts: pl.DataFrame, sanctions: pl.DataFrame) -> pl.DataFrame:
    """``amounts`` (from ``program_amounts``) with ``sanction_reduction`` (fen) and ``amount``
    reduced by it: each sanctioned member's cut is the rules' ``sanction_cut`` (the share
    ``amount // unit_members``, times ``share_percent`` %, rounded down). Undetermined amounts
    stay null; a household without counted members has no share to take."""
    if sanctions.is_empty():
        return amounts.with_columns(pl.lit(0, pl.Int64).alias("sanction_reduction"))
    per_member = (
        amounts.select("entitlement_id", "amount", "unit_members")
        .join(sanctions, on="entitlement_id", how="inner")
        .filter(pl.col("unit_members") > 0)
        .with_columns(
            sanction_cut(pl.col("amount"), pl.col("unit_members"), pl.col("share_percent")).alias(
                "reduction"
            )
        )
        .group_by("entitlement_id")
        .agg(pl.col("reduction").sum().alias("sanction_reduction"))
    )
    return (
        amounts.join(per_member, on="entitlement_id", how="left", maintain_order="left")
        .with_columns(pl.col("sanction_reduction").fill_null(0))
        .with_columns(
            pl.max_horizontal(pl.col("amount") - pl.col("sanction_reduction"), pl.lit(0)).alias(
                "amount"
            )
        )
    )


def member_share(amount: int, members: int, share_percent: int = 100) -> int:
    """The reduction for one sanctioned member (fen): the rules' ``sanction_cut`` — ``amount //
    members`` (the member's share, rounded down to the fen), times ``share_percent`` %, rounded
    down. Case C28: 163,500 fen for 3 members → 54,500; stopped (100 %) the household keeps
    109,000.

    Raises:
        ValueError: no member counted, or a percentage outside 1–100.
    """
    if members <= 0:
        raise ValueError("no member is counted in the assistance unit")
    if not 1 <= share_percent <= 100:
        raise ValueError("share_percent must be 1–100")
    cut = sanction_cut(pl.lit(amount, pl.Int64), pl.lit(members), pl.lit(share_percent))
    return int(pl.select(cut).item())
