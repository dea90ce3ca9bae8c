"""A batch assessment's result rows: per household, each program's result (eligible, not,
undetermined), its monthly amount (fen) and its reasons, from the rules engine's frames; and the
main reason as people read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import get_language

from jiuzhu.rules.engine.reasons import ReasonSet
from jiuzhu.rules.registry import Program as RegisteredProgram
from jiuzhu.rules.system import RuleSystem, SimulationResult
from jiuzhu.web.jobs.models import AssessedHousehold, AssessedProgram, Result


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


def _per_person(persons: pl.DataFrame, program: RegisteredProgram) -> pl.DataFrame:
    """A program decided per person (tekun) read per household: *eligible* when a member is,
    *undetermined* when none is but one is undetermined; its amount is the sum of its eligible
    persons' (fen a month) and its reasons those of the member deciding the result."""
    name, status = program.name, pl.col(program.status)
    amount = pl.col(program.amount) if program.amount else pl.lit(None, pl.Int64)
    rank = pl.when(status).then(0).when(status.is_null()).then(1).otherwise(2)
    return (
        persons.with_columns(rank.alias("rank"))
        .sort("household_id", "rank", "person_id")
        .group_by("household_id", maintain_order=True)
        .agg(
            pl.col("rank").min().alias("best"),
            amount.filter(status.fill_null(False)).sum().alias(f"{name}_amount"),
            pl.col(program.reasons).first().cast(pl.Int64).alias(f"{name}_reasons"),
        )
        .with_columns(
            pl.col("best")
            .replace_strict(
                {0: Result.ELIGIBLE.value, 1: Result.UNDETERMINED.value},
                default=Result.NOT_ELIGIBLE.value,
                return_dtype=pl.String,
            )
            .alias(f"{name}_result"),
            pl.when(pl.col("best") == 0)
            .then(pl.col(f"{name}_amount"))
            .cast(pl.Int64)
            .alias(f"{name}_amount"),
        )
        .drop("best")
    )


def household_results(system: RuleSystem, result: SimulationResult) -> pl.DataFrame:
    """One row per assessed household: ``household_id`` and, per program applied for (the
    registry's, ``core.programs.applicable``), ``<program>_result`` (String),
    ``<program>_amount`` (Int64 fen a month, null where not eligible or the program pays
    nothing) and ``<program>_reasons`` (Int64 bitmask of the rules' reason codes)."""
    programs = [p for p in system.programs if p.applicable]
    columns: list[pl.Expr] = [pl.col("household_id")]
    for program in programs:
        if program.entity.name != "household":
            continue
        name = program.name
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
    for program in programs:
        if program.entity.name == "household":
            continue
        name = program.name
        if result.persons.height:
            per_household = _per_person(result.persons, program).with_columns(
                pl.col("household_id").cast(found.schema["household_id"])
            )
            found = found.join(per_household, on="household_id", how="left")
        else:
            found = found.with_columns(
                pl.lit(None, pl.String).alias(f"{name}_result"),
                pl.lit(None, pl.Int64).alias(f"{name}_amount"),
                pl.lit(None, pl.Int64).alias(f"{name}_reasons"),
            )
    return found


@dataclass
class Slice:
    """The rows of a slice of households: each household's row and its programs' rows."""

    households: list[AssessedHousehold] = field(default_factory=list)
    programs: list[list[AssessedProgram]] = field(default_factory=list)

    def save(self) -> None:
        """Write the households, then their programs' rows (two bulk inserts)."""
        AssessedHousehold.objects.bulk_create(self.households)
        for household, programs in zip(self.households, self.programs, strict=True):
            for program in programs:
                program.household = household
        AssessedProgram.objects.bulk_create([p for ps in self.programs for p in ps])


def rows(
    job_id: int,
    results: pl.DataFrame,
    facts: dict[int, HouseholdFacts],
    invalid: Iterable[int] = (),
) -> Slice:
    """The rows to store for ``results`` (``household_results``: one program row per program
    with a result) and the households left out for invalid data (no program rows)."""
    names = [c.removesuffix("_result") for c in results.columns if c.endswith("_result")]
    found = Slice()
    for row in results.iter_rows(named=True):
        found.households.append(_household(job_id, row["household_id"], facts))
        found.programs.append(
            [
                AssessedProgram(
                    job_id=job_id,
                    program=name,
                    result=row[f"{name}_result"],
                    amount=row[f"{name}_amount"],
                    reasons=row[f"{name}_reasons"],
                )
                for name in names
                if row[f"{name}_result"]
            ]
        )
    for household_id in invalid:
        found.households.append(_household(job_id, household_id, facts, invalid=True))
        found.programs.append([])
    return found


def _household(
    job_id: int, household_id: int, facts: dict[int, HouseholdFacts], *, invalid: bool = False
) -> AssessedHousehold:
    fact = facts[household_id]
    return AssessedHousehold(
        job_id=job_id,
        household_id=household_id,
        number=fact.number,
        applicant=fact.applicant,
        division_code=fact.division_code,
        township_code=fact.township_code,
        invalid=invalid,
    )


def reason_sets(system: RuleSystem) -> dict[str, ReasonSet]:
    """Program applied for → its reason codes."""
    found: dict[str, ReasonSet] = {}
    for program in system.programs:
        if program.applicable:
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
