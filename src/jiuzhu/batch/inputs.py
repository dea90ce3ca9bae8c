"""Reading assessment input: a caseworker's workbook, CSV files, or Parquet frames.

Accepted inputs (docs/input-format.md):

- an ``.xlsx`` workbook with sheets 家庭 (households), 成员 (persons) and optionally 义务人
  (support obligors); Chinese headers as a caseworker keeps them; amounts in yuan;
- a folder with ``households`` and ``persons`` (and optionally ``obligors``) as ``.csv`` (UTF-8
  or GB18030, Chinese or identifier headers, yuan) or ``.parquet`` (identifier columns, typed,
  money in integer fen, as ``jiuzhu synth`` writes them).

Every cell is validated; bad input raises ``InputFileError`` listing each problem with file, row,
column and rule, and nothing is assessed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jiuzhu.feeds import ids
from jiuzhu.feeds.headers import aliases, known_headers, normalise_header
from jiuzhu.feeds.parsing import (
    Parsed,
    parse_bool,
    parse_code,
    parse_date,
    parse_float,
    parse_int,
    parse_yuan,
)
from jiuzhu.feeds.tabular import (
    REPEATED_SUFFIX,
    Table,
    TableError,
    code_cells,
    read_csv,
    read_workbook,
)
from jiuzhu.reference import division
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine import HOUSEHOLD, OBLIGOR, PERSON, Entity, InvalidInputError
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.engine.variables import Variable

MAX_PROBLEMS_SHOWN = 200

SHEET_NAMES: dict[str, tuple[str, ...]] = {
    HOUSEHOLD.name: ("家庭", "households", "household"),
    PERSON.name: ("成员", "persons", "person", "家庭成员"),
    OBLIGOR.name: ("义务人", "obligors", "obligor", "法定义务人"),
}
KEY_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    HOUSEHOLD.name: {"household_id": aliases("household_id")},
    PERSON.name: {
        "household_id": aliases("household_id"),
        "resident_id": aliases("resident_id"),
        "person_id": ("成员编号",),
    },
    OBLIGOR.name: {
        "obligor_id": ("义务人编号",),
        "person_id": ("被供养人身份证号", "被赡养人身份证号", "供养对象身份证号", "对象身份证号"),
        "obligor_resident_id": ("义务人身份证号",),
    },
}
PASSTHROUGH_HEADERS: dict[str, tuple[str, ...]] = {"division_code": aliases("division_code")}
NAME_HEADERS = aliases("name")
"""A member's name: not an engine input, carried in ``AssessmentInput.names`` (the registry
import stores it)."""
IGNORED_HEADERS = frozenset(
    {
        *NAME_HEADERS,
        "性别",
        "民族",
        "备注",
        "序号",
        "联系电话",
        "住址",
        "户主姓名",
        "义务人姓名",
        "与被供养人关系",
        "name",
        "note",
    }
)


@dataclass(frozen=True)
class InputProblem:
    """One bad cell or row, located in the user's file."""

    file: str
    row: str | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = " › ".join(p for p in (self.file, self.row, self.column) if p)
        shown = f" “{self.value}”" if self.value not in (None, "") else ""
        return f"{where}:{shown} {self.rule}"


class InputFileError(Exception):
    """The input cannot be assessed. ``problems`` lists every problem found."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        super().__init__(f"{len(problems)} problem(s) in the input:\n" + "\n".join(lines))


@dataclass
class AssessmentInput:
    """Validated engine frames plus what the output carries along."""

    frames: dict[str, pl.DataFrame]
    source: Path
    passthrough: pl.DataFrame
    """``household_id`` and columns copied to the output (``division_code``)."""
    warnings: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    """Person key → the 姓名 written on the person sheet, where it has one."""


@dataclass
class _Sheet:
    """A table being read for one entity: the text table and header → variable mapping."""

    entity: Entity
    table: Table
    columns: dict[str, str]
    """Variable (or key) name → header as written."""

    @property
    def label(self) -> str:
        name = self.table.path.name
        return f"{name} [{self.table.sheet}]" if self.table.sheet else name


def read_input(
    path: Path,
    system: RuleSystem,
    on: dt.date | None,
    household: str | None = None,
    today: dt.date | None = None,
) -> AssessmentInput:
    """Read and validate an assessment input (see the module docstring).

    Args:
        path: workbook file or folder.
        system: the rule system whose input variables define the columns.
        on: assessment date for households without one (``--on``).
        household: read only this household (its members and their obligors), so that one
            household can be explained while other rows of the file still have problems.
        today: no ID number may give a later birth date (default: Beijing's date).

    Raises:
        InputFileError: any problem, each located by file, row and column (or no such
            household).
    """
    path = Path(path)
    try:
        if path.is_dir() and _find(path, "parquet"):
            data = _read_parquet(path, system, on)
            return data if household is None else _only_household_frames(data, household)
        tables = _read_tables(path, _known_headers(system))
    except TableError as exc:
        raise InputFileError([InputProblem(str(path), None, None, None, str(exc))]) from exc
    if household is not None:
        tables = _only_household(path, tables, system, household)
    return _read_text_tables(path, tables, system, on, today or ids.beijing_today())


def _known_headers(system: RuleSystem) -> frozenset[str]:
    """Every header the sheets may have (normalised): by them the header row is found below a
    title row or over two rows."""
    spellings = {h for e in (HOUSEHOLD, PERSON, OBLIGOR) for h in _header_map(e, system)}
    return known_headers(IGNORED_HEADERS) | spellings


def _key_column(table: Table, entity: Entity, key: str, system: RuleSystem) -> str | None:
    mapping = _header_map(entity, system)
    return next((h for h in table.frame.columns if mapping.get(_normalise_header(h)) == key), None)


def _cells(table: Table, header: str) -> pl.Series:
    return table.frame[header].str.replace_all(r"\s", "").str.to_uppercase()


def _no_household(path: Path, household: str) -> InputFileError:
    return InputFileError(
        [InputProblem(str(path), None, None, household, "没有此编号的家庭 (no such household)")]
    )


def _only_household(
    path: Path, tables: Mapping[str, Table], system: RuleSystem, household: str
) -> dict[str, Table]:
    """The rows of one household in every sheet (rows keep their place for error messages)."""
    wanted = re.sub(r"\s", "", household).upper()
    subset = dict(tables)
    persons: set[str] = set()
    for entity in (HOUSEHOLD, PERSON):
        table = tables[entity.name]
        header = _key_column(table, entity, HOUSEHOLD.key, system)
        if header is None:
            return subset  # the full read reports the missing column
        subset[entity.name] = table.subset(_cells(table, header) == wanted)
        if entity == HOUSEHOLD and subset[entity.name].frame.is_empty():
            raise _no_household(path, household)
        # Obligors name the person they support by 成员编号 if the sheet has one, else by
        # the resident ID number.
        person_header = _key_column(table, PERSON, PERSON.key, system) or _key_column(
            table, PERSON, "resident_id", system
        )
        if entity == PERSON and person_header is not None:
            persons = set(_cells(subset[entity.name], person_header).drop_nulls().to_list())
    if OBLIGOR.name in tables:
        table = tables[OBLIGOR.name]
        header = _key_column(table, OBLIGOR, PERSON.key, system)
        if header is not None:
            subset[OBLIGOR.name] = table.subset(_cells(table, header).is_in(list(persons)))
    return subset


def _only_household_frames(data: AssessmentInput, household: str) -> AssessmentInput:
    """The frames of one household of an already validated (Parquet) input."""
    frames = data.frames
    key = frames[HOUSEHOLD.name][HOUSEHOLD.key]
    wanted = pl.Series([household]).cast(key.dtype, strict=False)[0]
    households = frames[HOUSEHOLD.name].filter(pl.col(HOUSEHOLD.key) == wanted)
    if households.is_empty():
        raise _no_household(data.source, household)
    persons = frames[PERSON.name].filter(pl.col(HOUSEHOLD.key) == wanted)
    subset = {HOUSEHOLD.name: households, PERSON.name: persons}
    if OBLIGOR.name in frames:
        subset[OBLIGOR.name] = frames[OBLIGOR.name].filter(
            pl.col(PERSON.key).is_in(persons[PERSON.key].implode())
        )
    passthrough = data.passthrough.filter(pl.col(HOUSEHOLD.key) == wanted)
    return AssessmentInput(subset, data.source, passthrough, data.warnings)


def _find(folder: Path, extension: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for entity, names in SHEET_NAMES.items():
        for name in names:
            candidate = folder / f"{name}.{extension}"
            if candidate.exists():
                found[entity] = candidate
                break
    return found


def _read_tables(path: Path, known: frozenset[str]) -> dict[str, Table]:
    if path.is_dir():
        files = _find(path, "csv")
        if HOUSEHOLD.name not in files or PERSON.name not in files:
            raise TableError(
                "文件夹中应有 households.csv 和 persons.csv（或 家庭.csv、成员.csv），或 households.parquet "
                "和 persons.parquet (expected households and persons files)"
            )
        return {entity: read_csv(file, known) for entity, file in files.items()}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = read_workbook(path, known)
        tables: dict[str, Table] = {}
        lookup = {name.strip().casefold(): name for name in sheets}
        for entity, names in SHEET_NAMES.items():
            for name in names:
                if name.casefold() in lookup:
                    tables[entity] = sheets[lookup[name.casefold()]]
                    break
        missing = [SHEET_NAMES[e][0] for e in (HOUSEHOLD.name, PERSON.name) if e not in tables]
        if missing:
            raise TableError(
                f"工作簿缺少工作表：{'、'.join(missing)}（现有：{'、'.join(sheets) or '无'}） "
                f"(the workbook needs sheets {', '.join(missing)})"
            )
        return tables
    if path.suffix.lower() == ".csv":
        raise TableError(
            "请给出包含 households.csv 和 persons.csv 的文件夹，而不是单个 CSV 文件 "
            "(give the folder holding households.csv and persons.csv)"
        )
    if not path.exists():
        raise TableError("文件或文件夹不存在 (no such file or folder)")
    raise TableError(
        "不是 .xlsx 工作簿，也不是 CSV 或 Parquet 文件夹 (not a workbook or a folder of CSV or Parquet files)"
    )


_normalise_header = normalise_header


def _header_map(entity: Entity, system: RuleSystem) -> dict[str, str]:
    """Normalised header → variable or key name, for one entity."""
    mapping: dict[str, str] = {}
    for var in system.variables.of(entity, inputs=True):
        for spelling in (var.name, var.label, var.label_en):
            mapping.setdefault(_normalise_header(spelling), var.name)
    for name, spellings in KEY_HEADERS[entity.name].items():
        for spelling in (name, *spellings):
            mapping[_normalise_header(spelling)] = name
    if entity == HOUSEHOLD:
        for name, spellings in PASSTHROUGH_HEADERS.items():
            for spelling in (name, *spellings):
                mapping[_normalise_header(spelling)] = name
    return mapping


def _close_header(header: str, entity: Entity, system: RuleSystem) -> str | None:
    """The known header of this sheet closest to ``header``, if it is close."""
    spellings = {var.label.split("（")[0]: var for var in system.variables.of(entity, inputs=True)}
    for name, alternatives in KEY_HEADERS[entity.name].items():
        for alternative in alternatives:
            spellings.setdefault(alternative, name)  # type: ignore[arg-type]
    found = difflib.get_close_matches(_normalise_header(header), list(spellings), n=1, cutoff=0.6)
    return found[0] if found else None


def _map_columns(sheet: _Sheet, system: RuleSystem, warnings: list[str]) -> list[InputProblem]:
    """Fill ``sheet.columns`` (variable name → the file's header) and return the headers'
    problems: a near miss of a known header, or a column written twice (kept once). An unknown
    header far from every known one is a warning (column not used)."""
    mapping = _header_map(sheet.entity, system)
    table, columns = sheet.table, sheet.columns
    ignored = {_normalise_header(h) for h in IGNORED_HEADERS}
    problems: list[InputProblem] = []

    def problem(header: str, rule: str, written: str | None = None) -> None:
        label = table.column_label(header).replace(header, written or header, 1)
        problems.append(InputProblem(sheet.label, None, label, None, rule))

    for header in table.frame.columns:
        name = mapping.get(_normalise_header(header))
        repeated = mapping.get(_normalise_header(REPEATED_SUFFIX.sub("", header)))
        if name is None and repeated is not None and repeated in columns:
            name = repeated
        if name is None:
            if _normalise_header(header) in ignored:
                continue
            suggestion = _close_header(header, sheet.entity, system)
            if suggestion is not None:
                # A near miss is most likely a misspelt input: ignoring it would read the
                # column as blank (an income as 0) and overpay, so it stops the run.
                problem(
                    header,
                    f"无法识别的列，是否应为“{suggestion}”？请改正表头 "
                    f"(unknown column; did you mean {suggestion}?)",
                )
            else:
                warnings.append(f"{sheet.label}: 未使用的列 “{header}” (column not used)")
            continue
        if name in columns:
            # Either copy could be the right one: reading one would silently drop the other.
            written = REPEATED_SUFFIX.sub("", header) if repeated == name else header
            rule = (
                "重复的列 (duplicate column)"
                if written.strip() == columns[name].strip()
                else f"重复的列，与“{columns[name]}”含义相同 (duplicate column)"
            )
            problem(header, rule, written)  # named as written, without the reader's suffix
            continue
        columns[name] = header
    return problems


def _read_text_tables(
    path: Path,
    tables: Mapping[str, Table],
    system: RuleSystem,
    on: dt.date | None,
    today: dt.date,
) -> AssessmentInput:
    problems: list[InputProblem] = []
    warnings: list[str] = []
    sheets: dict[str, _Sheet] = {}
    for entity in (HOUSEHOLD, PERSON, OBLIGOR):
        table = tables.get(entity.name)
        if table is None:
            continue
        sheet = _Sheet(entity, table, {})
        if table.header_note():
            warnings.append(f"{sheet.label}: {table.header_note()}")
        problems += _map_columns(sheet, system, warnings)
        sheets[entity.name] = sheet
    frames: dict[str, pl.DataFrame] = {}
    for entity_name, sheet in sheets.items():
        frame, sheet_problems = _typed_frame(sheet, system, on, _IdCheck(sheet, today, warnings))
        problems += sheet_problems
        frames[entity_name] = frame
    passthrough_columns = [c for c in PASSTHROUGH_HEADERS if c in frames[HOUSEHOLD.name].columns]
    # Without its 家庭编号 column (a problem already reported) the sheet has no key to carry.
    passthrough = frames[HOUSEHOLD.name].select(
        [c for c in (HOUSEHOLD.key, *passthrough_columns) if c in frames[HOUSEHOLD.name].columns]
    )
    frames[HOUSEHOLD.name] = frames[HOUSEHOLD.name].drop(passthrough_columns)
    keys_present = all(
        key in frames[sheet.entity.name].columns
        for sheet in sheets.values()
        for key in (sheet.entity.key, sheet.entity.parent_key)
        if key is not None
    )
    if keys_present:
        # The engine's checks (keys, links between sheets, cross-field rules) run even when
        # cells failed to parse, so one round of corrections fixes everything; a cell already
        # reported is not reported again.
        reported = {(p.file, p.row, p.column) for p in problems}
        problems += [
            p
            for p in _engine_problems(system, frames, sheets)
            if (p.file, p.row, p.column) not in reported
        ]
    if problems:
        raise InputFileError(sorted(problems, key=_problem_order))
    return AssessmentInput(frames, path, passthrough, warnings, _names(sheets, frames))


def _names(sheets: Mapping[str, _Sheet], frames: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """Person key → the name on the person sheet (first 姓名 column; blank names left out)."""
    table = sheets[PERSON.name].table
    wanted = {_normalise_header(h) for h in NAME_HEADERS}
    header = next((h for h in table.frame.columns if _normalise_header(h) in wanted), None)
    if header is None:
        return {}
    keys, names = frames[PERSON.name][PERSON.key].to_list(), table.frame[header].to_list()
    return {k: n for k, n in zip(keys, names, strict=True) if k and n}


def _problem_order(problem: InputProblem) -> tuple[str, int, str]:
    """By file and sheet, then row (file-level problems first), then column."""
    digits = re.search(r"\d+", problem.row or "")
    return (problem.file, int(digits.group()) if digits else 0, problem.column or "")


def _parser(var: Variable, system: RuleSystem, column: str) -> Parsed:
    if var.unit.money:
        return parse_yuan(column)
    if var.unit is Unit.DATE:
        return parse_date(column)
    if var.unit is Unit.BOOLEAN:
        return parse_bool(column)
    if var.unit is Unit.CODE and var.codes is not None:
        return parse_code(column, system.code_lists[var.codes])
    if var.dtype == pl.Float64:
        return parse_float(column)
    if var.name.endswith("disability_grade"):
        return parse_int(column, 1, 4)
    return parse_int(column)


def _typed_frame(
    sheet: _Sheet, system: RuleSystem, on: dt.date | None, check: _IdCheck
) -> tuple[pl.DataFrame, list[InputProblem]]:
    """Parse every mapped column of a sheet into the engine's dtypes, collecting bad cells."""
    entity, text = sheet.entity, sheet.table.frame
    problems = _CellProblems(sheet, _missing_keys(sheet))
    check.report = problems.rows
    out = _key_columns(sheet, problems)
    if entity == PERSON:
        out.update(_person_ids(check, sheet.columns))
    if entity == OBLIGOR:
        out.update(_obligor_ids(check, sheet.columns))
    for var in system.variables.of(entity, inputs=True):
        header = sheet.columns.get(var.name)
        if header is not None:
            parsed = _parser(var, system, header)
            result = text.select(parsed.value.alias("value"), parsed.bad.alias("bad"))
            problems.where(result["bad"], header, parsed.rule)
            out[var.name] = result["value"].cast(var.dtype)
    _births_from_ids(entity, out, sheet.columns, problems)
    if entity == HOUSEHOLD:
        out[DATE_VARIABLE] = _assessment_dates(sheet, out.get(DATE_VARIABLE), on, problems)
    if entity == OBLIGOR and OBLIGOR.key not in out:
        out[OBLIGOR.key] = pl.Series([f"O{i + 1}" for i in range(text.height)], dtype=pl.String)
    frame = pl.DataFrame({k: v.alias(k) for k, v in out.items()}) if out else pl.DataFrame()
    return frame, problems.found


@dataclass
class _CellProblems:
    """The problems of one sheet, bad cells located by row and column as the user wrote them."""

    sheet: _Sheet
    found: list[InputProblem]

    def rows(self, rows: list[int], header: str, rule: str) -> None:
        """The cells of ``header`` in ``rows`` break ``rule`` (the first few hundred named)."""
        table = self.sheet.table
        for index in rows[:MAX_PROBLEMS_SHOWN]:
            value = table.frame[header][index]
            self.found.append(
                InputProblem(
                    self.sheet.label,
                    table.row_label(index),
                    table.column_label(header),
                    value,
                    rule,
                )
            )

    def where(self, mask: pl.Series, header: str, rule: str) -> None:
        """The cells of ``header`` where ``mask`` is true break ``rule``."""
        self.rows(mask.fill_null(False).arg_true().to_list(), header, rule)


def _missing_keys(sheet: _Sheet) -> list[InputProblem]:
    """A key column the sheet must have and lacks (a person's may come from the ID number, an
    obligor's is numbered if absent)."""
    entity, problems = sheet.entity, []
    for key in (entity.key, entity.parent_key):
        if key is None or key in sheet.columns or (entity == PERSON and key == PERSON.key):
            continue
        if entity == OBLIGOR and key == OBLIGOR.key:
            continue
        wanted = "、".join(KEY_HEADERS[entity.name].get(key, (key,)))
        problems.append(
            InputProblem(sheet.label, None, None, None, f"缺少必需的列：{wanted} (missing column)")
        )
    return problems


def _key_columns(sheet: _Sheet, problems: _CellProblems) -> dict[str, pl.Series]:
    """Keys and the division code without spaces; a blank key or a division code outside Baodi
    is a problem (an obligor's supported person is checked with the IDs)."""
    entity, text, out = sheet.entity, sheet.table.frame, {}
    for key in (entity.key, entity.parent_key, "division_code"):
        if key is None or key not in sheet.columns:
            continue
        header = sheet.columns[key]
        series = text[header].str.replace_all(r"\s", "")
        if key == "division_code":
            known = series.map_elements(lambda c: division(c) is not None, return_dtype=pl.Boolean)
            problems.where(
                series.is_not_null() & ~known,
                header,
                "不是宝坻区的村（居）或乡镇区划代码 (not a Baodi division code)",
            )
        elif key != PERSON.key or entity != OBLIGOR:
            problems.where(series.is_null(), header, "不能为空 (required)")
        out[key] = series
    return out


def _births_from_ids(
    entity: Entity, out: dict[str, pl.Series], columns: dict[str, str], problems: _CellProblems
) -> None:
    """Birth dates read from the ID numbers fill blank birth dates; a person's written birth
    date must agree with the ID's."""
    from_id = out.pop("__id_birth", None)
    if from_id is None:
        return
    if entity == PERSON and "birth_date" not in out:
        out["birth_date"] = from_id
    elif entity == PERSON:
        given = out["birth_date"]
        problems.where(
            given.is_not_null() & from_id.is_not_null() & (given != from_id),
            columns["birth_date"],
            "出生日期与身份证号不一致 (differs from the ID number)",
        )
        out["birth_date"] = given.fill_null(from_id)
    elif entity == OBLIGOR and "obligor_birth_date" not in out:
        out["obligor_birth_date"] = from_id
    elif entity == OBLIGOR:
        out["obligor_birth_date"] = out["obligor_birth_date"].fill_null(from_id)


def _assessment_dates(
    sheet: _Sheet, date: pl.Series | None, on: dt.date | None, problems: _CellProblems
) -> pl.Series:
    """Each household's assessment date: its own, else ``on`` (``--on``); a household without
    either is a problem."""
    table = sheet.table
    height = table.frame.height
    if date is None:
        date = pl.Series(DATE_VARIABLE, [None] * height, dtype=pl.Date)
    if on is not None:
        date = date.fill_null(on)
    if date.null_count() == height and DATE_VARIABLE not in sheet.columns:
        problems.found.append(
            InputProblem(
                sheet.label,
                None,
                None,
                None,
                "没有评估日期：请在“家庭”表加“评估日期”列，或使用 --on 指定 "
                "(no assessment date: add a 评估日期 column or use --on)",
            )
        )
    elif date.null_count():
        header = table.column_label(sheet.columns.get(DATE_VARIABLE, "评估日期"))
        for index in date.is_null().arg_true().to_list()[:MAX_PROBLEMS_SHOWN]:
            problems.found.append(
                InputProblem(
                    sheet.label,
                    table.row_label(index),
                    header,
                    None,
                    "没有评估日期：请填写“评估日期”或使用 --on (no assessment date; use --on)",
                )
            )
    return date


Reporter = Callable[[list[int], str, str], None]


@dataclass
class _IdCheck:
    """What checking a sheet's ID columns needs: the sheet, where bad cells are reported (set by
    ``_typed_frame``), no birth after ``today``, and where conversions are noted."""

    sheet: _Sheet
    today: dt.date
    warnings: list[str]
    report: Reporter = lambda rows, header, rule: None


def _person_ids(check: _IdCheck, columns: dict[str, str]) -> dict[str, pl.Series]:
    """Normalise 身份证号 (or take 成员编号) as the person key; birth date from the ID."""
    out: dict[str, pl.Series] = {}
    text = check.sheet.table.frame
    header = columns.get("resident_id")
    if header is not None:
        normalised, out["__id_birth"] = _checked_ids(check, header)
        if "person_id" not in columns:
            out[PERSON.key] = normalised
    if "person_id" in columns:
        out[PERSON.key] = text[columns["person_id"]].str.replace_all(r"\s", "")
    if PERSON.key not in out:
        problem = InputProblem(
            check.sheet.label,
            None,
            None,
            None,
            "缺少“身份证号”或“成员编号”列 (missing ID column)",
        )
        raise InputFileError([problem])
    return out


def _obligor_ids(check: _IdCheck, columns: dict[str, str]) -> dict[str, pl.Series]:
    """The supported person's ID (normalised like the person sheet) and the obligor's own."""
    out: dict[str, pl.Series] = {}
    header = columns.get(PERSON.key)
    if header is not None:
        out[PERSON.key], _ = _checked_ids(check, header)
    own = columns.get("obligor_resident_id")
    if own is not None:
        normalised, out["__id_birth"] = _checked_ids(check, own)
        if OBLIGOR.key not in columns:
            out[OBLIGOR.key] = normalised
    return out


def _checked_ids(check: _IdCheck, header: str) -> tuple[pl.Series, pl.Series]:
    """Normalised IDs and their birth dates; every bad ID reported at its row (a code cell
    refused by ``tabular.code_cells`` once, for that reason), every conversion noted."""
    table = check.sheet.table
    cells = code_cells(table, header)
    refused = {row for row, _ in cells.refused}
    for row, why in cells.refused:
        check.report([row], header, why)
    normalised, births, errors, notes = _normalise_ids(table.frame[header], check.today)
    for index, message in errors:
        if index not in refused:
            check.report([index], header, message)
    where = f"{check.sheet.label} › {table.column_label(header)}"
    check.warnings += [f"{where} {table.row_label(row)}: {why}" for row, why in cells.warnings]
    check.warnings += [f"{where} {table.row_label(row)}: {note}" for row, note in notes]
    if refused:
        normalised = normalised.scatter(sorted(refused), None)
    return normalised, births


def _normalise_ids(
    series: pl.Series, today: dt.date
) -> tuple[pl.Series, pl.Series, list[tuple[int, str]], list[tuple[int, str]]]:
    """Vectorised (a million IDs in well under a second): normalised numbers, birth dates, the
    (row, reason) of each blank or invalid one, and the (row, note) of each conversion or
    unknown address code."""
    checked = pl.DataFrame({"id": series}).select(
        ids.normalise_struct(pl.col("id"), today).struct.unnest()
    )
    reason = pl.when(pl.col("number").is_null() & pl.col("reason").is_null())
    checked = checked.with_columns(
        reason.then(pl.lit("身份证号不能为空 (required)")).otherwise("reason").alias("reason"),
        pl.concat_str(
            pl.when(pl.col("legacy").is_not_null()).then(
                pl.lit("15位旧号码已升级为18位 (15-digit number converted)")
            ),
            "note",
            separator="；",
            ignore_nulls=True,
        ).alias("notes"),
    )
    births = checked["number"].str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    indexed = checked.with_row_index("row")
    bad = indexed.filter(pl.col("reason").is_not_null())
    noted = indexed.filter(pl.col("notes").is_not_null() & (pl.col("notes") != ""))
    errors = list(zip(bad["row"].to_list(), bad["reason"].to_list(), strict=True))
    return checked["number"], births, errors, list(zip(noted["row"], noted["notes"], strict=True))


def _engine_problems(
    system: RuleSystem, frames: dict[str, pl.DataFrame], sheets: Mapping[str, _Sheet]
) -> list[InputProblem]:
    """The engine's frame contract, its issues mapped back to the user's cells."""
    try:
        system.validate(frames)
    except InvalidInputError as exc:
        problems = []
        for issue in exc.issues:
            sheet = sheets.get(issue.entity)
            if sheet is None:
                problems.append(
                    InputProblem(issue.entity, None, issue.column, issue.value, issue.rule)
                )
                continue
            header = sheet.columns.get(issue.column or "", issue.column)
            # Person keys and (absent a 出生日期 column) birth dates come from the ID number,
            # an obligor's key (absent a 义务人编号 column) from the obligor's.
            from_id = issue.column == PERSON.key or (
                issue.column == "birth_date" and "birth_date" not in sheet.columns
            )
            if from_id and "resident_id" in sheet.columns:
                header = sheet.columns["resident_id"]
            if issue.column == OBLIGOR.key and OBLIGOR.key not in sheet.columns:
                header = sheet.columns.get("obligor_resident_id", header)
            row = sheet.table.row_label(issue.row) if issue.row is not None else None
            shown = sheet.table.column_label(header) if header else None
            value = issue.value
            if issue.row is not None and header in sheet.table.frame.columns:
                value = sheet.table.frame[header][issue.row]
            problems.append(InputProblem(sheet.label, row, shown, value, issue.rule))
        return problems
    return []


def _read_parquet(folder: Path, system: RuleSystem, on: dt.date | None) -> AssessmentInput:
    files = _find(folder, "parquet")
    if HOUSEHOLD.name not in files or PERSON.name not in files:
        raise InputFileError(
            [
                InputProblem(
                    str(folder), None, None, None, "expected households.parquet and persons.parquet"
                )
            ]
        )
    frames = {entity: pl.read_parquet(file) for entity, file in files.items()}
    households = frames[HOUSEHOLD.name]
    if on is not None:
        date = pl.lit(on, pl.Date)
        if DATE_VARIABLE in households.columns:
            date = pl.col(DATE_VARIABLE).fill_null(date)
        households = households.with_columns(date.alias(DATE_VARIABLE))
    elif DATE_VARIABLE not in households.columns:
        raise InputFileError(
            [
                InputProblem(
                    files[HOUSEHOLD.name].name,
                    None,
                    DATE_VARIABLE,
                    None,
                    "no assessment date: add the column or use --on",
                )
            ]
        )
    passthrough_columns = [c for c in PASSTHROUGH_HEADERS if c in households.columns]
    passthrough = households.select([HOUSEHOLD.key, *passthrough_columns])
    frames[HOUSEHOLD.name] = households
    try:
        system.validate(frames)
    except InvalidInputError as exc:
        raise InputFileError(
            [
                InputProblem(
                    files[issue.entity].name if issue.entity in files else issue.entity,
                    f"row {issue.row + 1}" if issue.row is not None else None,
                    issue.column,
                    issue.value,
                    issue.rule,
                )
                for issue in exc.issues
            ]
        ) from exc
    return AssessmentInput(frames, folder, passthrough)
