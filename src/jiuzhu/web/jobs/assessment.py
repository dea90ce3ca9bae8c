"""A batch assessment's result rows: per household, each program's result (eligible, not,
undetermined), its monthly amount (fen) and its reasons, from the rules engine's frames; and the
main reason as people read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from django.utils.translation import get_language

from jiuzhu.rules.engine.reasons import ReasonSet
from jiuzhu.rules.system import RuleSystem, SimulationResult
from jiuzhu.web.jobs.models import ASSESSED_PROGRAMS, AssessedHousehold, Result


@dataclass(frozen=True)
class HouseholdFacts:
    """What the list shows of a household besides its results."""

    number: str
    applicant: str
    division_code: str
    township_code: str


def _result(status: pl.Expr) -> pl.Expr:
    return (
        pl.when(status.is_null())
        .then(pl.lit(Result.UNDETERMINED.value))
        .when(status)
        .then(pl.lit(Result.ELIGIBLE.value))
        .otherwise(pl.lit(Result.NOT_ELIGIBLE.value))
    )


def _tekun(persons: pl.DataFrame, status: str, amount: str, reasons: str) -> pl.DataFrame:
    """Tekun is decided per person: a household is *eligible* when a member is, *undetermined*
    when none is but one is undetermined; its amount is the sum of its tekun persons' (fen a
    month) and its reasons those of the member deciding the result."""
    rank = pl.when(pl.col(status)).then(0).when(pl.col(status).is_null()).then(1).otherwise(2)
    return (
        persons.with_columns(rank.alias("rank"))
        .sort("household_id", "rank", "person_id")
        .group_by("household_id", maintain_order=True)
        .agg(
            pl.col("rank").min().alias("best"),
            pl.col(amount).filter(pl.col(status).fill_null(False)).sum().alias("tekun_amount"),
            pl.col(reasons).first().alias("tekun_reasons"),
        )
        .with_columns(
            pl.col("best")
            .replace_strict(
                {0: Result.ELIGIBLE.value, 1: Result.UNDETERMINED.value},
                default=Result.NOT_ELIGIBLE.value,
                return_dtype=pl.String,
            )
            .alias("tekun_result"),
            pl.when(pl.col("best") == 0).then(pl.col("tekun_amount")).alias("tekun_amount"),
        )
        .drop("best")
    )


def household_results(system: RuleSystem, result: SimulationResult) -> pl.DataFrame:
    """One row per assessed household: ``household_id`` and, per program of
    ``ASSESSED_PROGRAMS``, ``<program>_result`` (String), ``<program>_amount`` (Int64 fen a
    month, null where not eligible or the program pays nothing) and ``<program>_reasons``
    (Int64 bitmask of the rules' reason codes)."""
    programs = {p.name: p for p in system.programs if p.name in ASSESSED_PROGRAMS}
    columns: list[pl.Expr] = [pl.col("household_id")]
    for name, program in programs.items():
        if program.entity.name != "household":
            continue
        amount = pl.col(program.amount) if program.amount else pl.lit(None, pl.Int64)
        columns += [
            _result(pl.col(program.status)).alias(f"{name}_result"),
            pl.when(pl.col(program.status).fill_null(False))
            .then(amount)
            .cast(pl.Int64)
            .alias(f"{name}_amount"),
            pl.col(program.reasons).cast(pl.Int64).alias(f"{name}_reasons"),
        ]
    found = result.households.select(columns)
    tekun = programs["tekun"]
    if result.persons.height:
        per_household = _tekun(
            result.persons, tekun.status, tekun.amount or "", tekun.reasons
        ).with_columns(pl.col("household_id").cast(found.schema["household_id"]))
        found = found.join(per_household, on="household_id", how="left")
    else:
        found = found.with_columns(
            pl.lit(None, pl.String).alias("tekun_result"),
            pl.lit(None, pl.Int64).alias("tekun_amount"),
            pl.lit(None, pl.Int64).alias("tekun_reasons"),
        )
    return found


def rows(
    job_id: int,
    results: pl.DataFrame,
    facts: dict[int, HouseholdFacts],
    invalid: Iterable[int] = (),
) -> list[AssessedHousehold]:
    """The rows to store for ``results`` (``household_results``) and the households left out
    for invalid data."""
    found = []
    for row in results.iter_rows(named=True):
        fact = facts[row["household_id"]]
        values = {
            f"{p}_{part}": row.get(f"{p}_{part}") or ("" if part == "result" else None)
            for p in ASSESSED_PROGRAMS
            for part in ("result", "amount", "reasons")
        }
        for p in ASSESSED_PROGRAMS:
            # A zero amount of an eligible household is an amount, not "none".
            if row.get(f"{p}_amount") == 0:
                values[f"{p}_amount"] = 0
        found.append(
            AssessedHousehold(
                job_id=job_id,
                household_id=row["household_id"],
                number=fact.number,
                applicant=fact.applicant,
                division_code=fact.division_code,
                township_code=fact.township_code,
                **values,
            )
        )
    for household_id in invalid:
        fact = facts[household_id]
        found.append(
            AssessedHousehold(
                job_id=job_id,
                household_id=household_id,
                number=fact.number,
                applicant=fact.applicant,
                division_code=fact.division_code,
                township_code=fact.township_code,
                invalid=True,
            )
        )
    return found


def reason_sets(system: RuleSystem) -> dict[str, ReasonSet]:
    """Program → its reason codes."""
    found: dict[str, ReasonSet] = {}
    for program in system.programs:
        if program.name in ASSESSED_PROGRAMS:
            reasons = system.variables[program.reasons].reasons
            if reasons is not None:
                found[program.name] = reasons
    return found


KINDS = {
    Result.ELIGIBLE: "eligible",
    Result.NOT_ELIGIBLE: "not_eligible",
    Result.UNDETERMINED: "undetermined",
}


def main_reason(reasons: ReasonSet | None, result: str, mask: int | None) -> str:
    """The reason that decided ``result`` (the first of its kind among the mask's), as a short
    label in the user's language; blank when the rules gave none."""
    if reasons is None or not mask:
        return ""
    decoded = reasons.decode(mask)
    kind = KINDS.get(Result(result)) if result in Result.values else None
    chosen = next((r for r in decoded if r.kind == kind), None)
    chosen = chosen or next((r for r in decoded if r.kind != "note"), None)
    if chosen is None:
        return ""
    english = (get_language() or "").startswith("en")
    return chosen.label_en if english else chosen.label
