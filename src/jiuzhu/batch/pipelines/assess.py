"""The assessment pipeline: read input → validate → run every program → write results.

``jiuzhu assess`` and the benchmarks (``bench/assess.py``, ``bench/simulate.py``) call
``assess``; ``household_table`` and ``person_table`` build what it writes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from jiuzhu.batch.inputs import AssessmentInput, read_input
from jiuzhu.batch.outputs import OutputError, Sheet, output_format, write
from jiuzhu.rules import RuleSystem, load_system
from jiuzhu.rules.engine import HOUSEHOLD, PERSON
from jiuzhu.rules.engine.entities import OBLIGOR
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.local_values import LOCAL_CONFIDENCE, LocalValue
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.registry import Program
from jiuzhu.rules.system import ENGINE_VERSION, SimulationResult

CONTEXT_COLUMNS = ("unit_members", "household_counted_income", "assessed_income")
TRACE_COLUMNS = ("per_capita_assessed_income", "near_dibao_income_ceiling")
"""Shown with ``--trace`` though no decision needs them (the tests cross-multiply): the
per-capita income and the ceilings people compare it with."""

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total): stage ``read``, ``assess`` (households done of total, after
each slice of a large batch) or ``write``; ``done`` and ``total`` are 0 outside ``assess``."""


@dataclass
class ProgramSummary:
    """Counts and monthly total of one program over a batch."""

    name: str
    label: str
    label_en: str
    eligible: int
    undetermined: int
    amount: int | None
    """Total in fen over eligible households (or persons): a month's for a monthly program, one
    payment's for a program paying once (``monthly`` false); None for status-only programs. For
    the single-person unit it is the total of option B, an alternative to near-dibao cash."""
    option: bool = False
    """An alternative to another program's benefit (``Program.option``): never added to totals."""
    monthly: bool = True
    """Whether the amount is paid every month (``Program.monthly``) or once."""


@dataclass
class AssessmentSummary:
    """What a run did, for the command line and the log."""

    households: int
    persons: int
    dates: list[dt.date]
    programs: list[ProgramSummary]
    output: Path | None
    seconds: float
    parameter_digest: str
    low_confidence: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Parameters used whose value is unknown on some assessment date."""
    local: list[str] = field(default_factory=list)
    """Parameters used with a value the district recorded (confidence ``local``)."""
    unknown_notes: int = 0
    """Households assessed without a known deduction whose amount is unknown (reason notes)."""
    warnings: list[str] = field(default_factory=list)


def assess(
    input_path: Path,
    on: dt.date | None,
    output: Path | None,
    jurisdiction: str = "tianjin",
    trace: bool = False,
    progress: Progress | None = None,
    local_values: Sequence[LocalValue] = (),
) -> AssessmentSummary:
    """Assess every household of an input file and write the results.

    Args:
        input_path: workbook or folder (see ``jiuzhu.batch.inputs``).
        on: assessment date for households without one.
        output: .parquet, .csv or .xlsx; None to only summarise.
        jurisdiction: parameter set (``tianjin``).
        trace: add every intermediate household variable to the output.
        progress: told of each stage and of the households assessed so far.
        local_values: the district's values for unknown or low-confidence parameters
            (``jiuzhu.rules.engine.local_values``).

    Raises:
        LocalValuesError: a local value is malformed or would replace a firm value.
        InputFileError: bad input (nothing is written).
        OutputError: unsupported output name.
        ParameterNotDefinedError: an assessment date before the rules' coverage.
    """
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    if output is not None:
        output_format(output)
        if Path(output).resolve() == Path(input_path).resolve():
            raise OutputError(
                f"{output}: 结果文件不能覆盖输入文件 (the output would overwrite the input)"
            )
    system = load_system(jurisdiction)
    if local_values:
        system = system.with_local_values(local_values)
    report("read", 0, 0)
    data = read_input(input_path, system, on)
    count = data.frames[HOUSEHOLD.name].height
    report("assess", 0, count)
    result = system.simulate(
        data.frames[HOUSEHOLD.name],
        data.frames[PERSON.name],
        data.frames.get(OBLIGOR.name),
        keep=[
            *CONTEXT_COLUMNS,
            *(c for p in system.programs for c in p.household_details),
            *(TRACE_COLUMNS if trace else ()),
        ],
        # The output has one row per household: person-level intermediates are not written.
        trace="household" if trace else False,
        validate=False,
        progress=lambda done, total: report("assess", done, total),
    )
    # People read short Chinese labels; machines (Parquet) get the stable reason codes.
    labels = output is not None and output_format(output) != ".parquet"
    assessed = result.persons.height
    # Memory peaks while the output tables are built: the members' input columns and the
    # engine's rows of every person (0.4 GB at 1e6 households) are let go first.
    data = replace(data, frames={HOUSEHOLD.name: data.frames[HOUSEHOLD.name]})
    persons = person_table(system, result.frames.pop(PERSON.name, pl.DataFrame()), labels)
    households = household_table(result, data, labels=labels)
    summary = summarise(
        result, households, persons, assessed, time.perf_counter() - started, output
    )
    del result  # the tables hold what is written; free the engine's frames first
    summary.warnings = data.warnings
    if output is not None:
        report("write", 0, 0)
        write(
            output,
            [Sheet("households", households, _details(system)), Sheet("persons", persons)],
            system,
            notes(system, summary, data),
        )
    summary.seconds = time.perf_counter() - started
    return summary


def _details(system: RuleSystem) -> dict[str, str]:
    """Column → the decision it details: a detail of a decision that is False reads blank, and
    so does an option's amount where the option is not available (docs/input-format.md)."""
    return {
        column: program.status
        for program in system.programs
        if program.entity == HOUSEHOLD
        for column in (
            *program.details,
            *((program.amount,) if program.option and program.amount else ()),
        )
    }


def household_table(
    result: SimulationResult, data: AssessmentInput | None, labels: bool = False
) -> pl.DataFrame:
    """One row per household, programs side by side, reasons decoded to codes (or to short
    Chinese labels if ``labels``). A program's detail columns are blank where it does not
    apply."""
    system = result.system
    households = result.households
    columns: list[str] = [HOUSEHOLD.key]
    leading = households
    if data is not None:
        # The result keeps the input's household order, so input columns attach side by side.
        extra = [c for c in data.passthrough.columns if c != HOUSEHOLD.key]
        lengths = households.get_column(HOUSEHOLD.key).chunk_lengths()
        leading = households.hstack(
            [_chunked_as(data.passthrough[c], lengths) for c in extra]
        ).with_columns(_chunked_as(data.frames[HOUSEHOLD.name][DATE_VARIABLE], lengths))
        columns += [*extra, DATE_VARIABLE]
    columns += [c for c in CONTEXT_COLUMNS if c in households.columns]
    decoded: list[pl.Series | pl.Expr] = []
    for program in system.programs:
        if program.entity != HOUSEHOLD:
            columns += [c for c in program.household_details if c in households.columns]
            continue
        columns += [program.status, *([program.amount] if program.amount else []), program.reasons]
        columns += list(program.details)
        # The remaining members' figures of an unavailable option would only mislead.
        applies = pl.col(program.status).fill_null(True)
        decoded += [pl.when(applies).then(pl.col(d)).alias(d) for d in program.details]
    decoded += _decoded_reasons(system, households, labels)
    trace_columns = [
        c
        for c in households.columns
        if c not in columns
        and not c.startswith("__")
        and c in system.variables
        and system.variables[c].unit is not Unit.REASONS
    ]
    return leading.with_columns(decoded).select([*columns, *trace_columns])


def _chunked_as(column: pl.Series, lengths: Sequence[int]) -> pl.Series:
    """``column`` cut into chunks of ``lengths`` rows (the engine's slices), without copying
    its values more than once. Columns chunked alike are computed on in place; one column
    chunked otherwise made Polars copy the whole household table into a single chunk before
    decoding the reasons (0.2 s and 0.5 GB at 1e6 households)."""
    if column.chunk_lengths() == list(lengths):
        return column
    whole, pieces, start = column.rechunk(), [], 0
    for length in lengths:
        pieces.append(whole.slice(start, length))
        start += length
    return pl.concat(pieces, rechunk=False)


def person_table(system: RuleSystem, persons: pl.DataFrame, labels: bool = False) -> pl.DataFrame:
    """The persons eligible or undetermined for a program decided per person (tekun, child
    welfare, …), those programs side by side, reasons decoded, ID numbers masked; an empty
    frame when no program is decided per person or there are no persons."""
    per_person = [p for p in system.programs if p.entity == PERSON]
    if not per_person or persons.is_empty():
        return pl.DataFrame()
    wanted = [PERSON.key, HOUSEHOLD.key]
    listed = pl.lit(False)
    for program in per_person:
        wanted += [
            program.status,
            *([program.amount] if program.amount else []),
            *program.details,
            program.reasons,
        ]
        listed = listed | pl.col(program.status).is_null() | pl.col(program.status)
    people = persons.filter(listed).select(wanted)
    return people.with_columns(
        *_decoded_reasons(system, people, labels), _masked_id(pl.col(PERSON.key).cast(pl.String))
    )


def _decoded_reasons(system: RuleSystem, frame: pl.DataFrame, labels: bool) -> list[pl.Expr]:
    """Expressions decoding every reason-mask column of ``frame``: the distinct masks of all
    columns are found in one pass, and the columns then decode side by side."""
    sets = {
        name: reasons
        for name in frame.columns
        if (var := system.variables.get(name)) is not None and (reasons := var.reasons) is not None
    }
    if not sets:
        return []
    distinct = frame.select(pl.col(name).drop_nulls().unique().implode() for name in sets)
    return [
        reasons.decode_expr(name, distinct[name][0], labels=labels)
        for name, reasons in sets.items()
    ]


def _masked_id(value: pl.Expr) -> pl.Expr:
    """Resident IDs are masked in every export (DESIGN.md §9): an 18-character one keeps its
    first six and last four characters; any other key is left as it is."""
    masked = value.str.slice(0, 6) + pl.lit("*" * 8) + value.str.slice(14)
    return (
        pl.when(value.str.len_chars() == 18)
        .then(masked)
        .otherwise(value)
        .alias(value.meta.output_name())
    )


def summarise(
    result: SimulationResult,
    households: pl.DataFrame,
    persons: pl.DataFrame,
    assessed: int,
    seconds: float,
    output: Path | None,
) -> AssessmentSummary:
    """Counts and totals per program; the low-confidence parameters the run relied on.

    ``households`` and ``persons`` are the output tables (``household_table``,
    ``person_table``): the person table lists everyone eligible or undetermined for a program
    decided per person, so its counts are those of all persons. ``assessed``: persons assessed.
    """
    system = result.system
    counted = _program_counts(system.programs, households, persons)
    programs = [
        ProgramSummary(
            program.name,
            program.label,
            program.label_en,
            *counted[program.name],
            program.option,
            program.monthly or program.option,
        )
        for program in system.programs
    ]
    low: list[str] = []
    unknown: list[str] = []
    local: list[str] = []
    for path in sorted(result.plan.parameters(list(result.plan.nodes))):
        parameter = system.parameters[path]
        for date in result.plan.dates:
            value = parameter.at(date)
            if value.confidence == "low" and path not in low:
                low.append(path)
            if value.has_unknown and path not in unknown:
                unknown.append(path)
            if value.confidence == LOCAL_CONFIDENCE and path not in local:
                local.append(path)
    noted = pl.lit(False)
    for program in system.programs:
        reasons = system.variables[program.reasons].reasons
        if program.entity != HOUSEHOLD or reasons is None:
            continue
        bits = reasons.bits(
            r.code for r in reasons if r.kind == "note" and r.code.endswith("_UNKNOWN")
        )
        if bits:
            noted = noted | ((pl.col(program.reasons) & bits) != 0)
    unknown_notes = int(result.households.select(noted.sum()).item())
    return AssessmentSummary(
        households=result.households.height,
        persons=assessed,
        dates=result.plan.dates,
        programs=programs,
        output=output,
        seconds=seconds,
        parameter_digest=system.parameters.digest(),
        low_confidence=low,
        unknown=unknown,
        local=local,
        unknown_notes=unknown_notes,
    )


def _program_counts(
    programs: Sequence[Program], households: pl.DataFrame, persons: pl.DataFrame
) -> dict[str, tuple[int, int, int | None]]:
    """Program name → (eligible, undetermined, total amount in fen over the eligible; None for a
    household program without an amount): one pass over each entity's table for every program
    (a filter per program cost a tenth of a second at 1e6 households)."""
    per_entity: dict[str, list[pl.Expr]] = {HOUSEHOLD.name: [], PERSON.name: []}
    for program in programs:
        status = pl.col(program.status)
        exprs = [
            status.fill_null(False).sum().alias(f"{program.name}:eligible"),
            status.null_count().alias(f"{program.name}:undetermined"),
        ]
        if program.amount:
            exprs.append(
                pl.col(program.amount)
                .filter(status.fill_null(False))
                .sum()
                .alias(f"{program.name}:amount")
            )
        per_entity[program.entity.name] += exprs
    row: dict[str, int] = {}
    for entity, frame in ((HOUSEHOLD.name, households), (PERSON.name, persons)):
        if per_entity[entity] and frame.height:
            row.update(frame.select(per_entity[entity]).row(0, named=True))
    counts: dict[str, tuple[int, int, int | None]] = {}
    for program in programs:
        amount = row.get(f"{program.name}:amount")
        none_without = program.entity == HOUSEHOLD and not program.amount
        counts[program.name] = (
            int(row.get(f"{program.name}:eligible") or 0),
            int(row.get(f"{program.name}:undetermined") or 0),
            None if none_without else int(amount or 0),
        )
    return counts


def notes(
    system: RuleSystem, summary: AssessmentSummary, data: AssessmentInput
) -> list[tuple[str, str]]:
    """The 说明 sheet: what was assessed, with which rules, and what rests on weak ground."""
    rows = [
        ("输入文件 Input", str(data.source)),
        ("评估日期 Dates", ", ".join(d.isoformat() for d in summary.dates)),
        ("规则 Rules", f"{system.name}，引擎版本 {ENGINE_VERSION}"),
        ("参数摘要 Parameter digest", summary.parameter_digest),
        ("金额单位 Money", "元，两位小数；“待定”表示所需参数未知，结果未认定"),
        (
            "单人户 Single-person unit",
            "单人户方案与低保边缘救助只能选其一，表中低保边缘各列为整户方案",
        ),
    ]
    for program in summary.programs:
        rows.append((f"{program.label}", f"符合 {program.eligible}，待定 {program.undetermined}"))
    if summary.unknown_notes:
        rows.append(
            (
                "未知参数影响 Unknown values",
                f"{summary.unknown_notes} 户按规定应有的扣减因金额未知未扣减，见各户理由",
            )
        )
    for path in summary.unknown:
        parameter = system.parameters[path]
        rows.append(("未知参数 Unknown parameter", f"{parameter.description}（{path}）"))
    for path in summary.low_confidence:
        parameter = system.parameters[path]
        rows.append(("低置信度参数 Low confidence", f"{parameter.description}（{path}）"))
    for path in summary.local:
        parameter = system.parameters[path]
        sources = {v.reference for v in parameter.values if v.confidence == LOCAL_CONFIDENCE}
        rows.append(
            (
                "本地值 Local value",
                f"{parameter.description}（{path}）：{'；'.join(sorted(sources))}",
            )
        )
    return rows
