"""Reading a department's feed file: the machinery every source module shares.

A source module declares a ``FeedSpec``: the fields with the headers the department uses, their
kinds (ID number, date, month, yuan, 万元, square metres, code, text, whole number), which field gives each row's
period, and cross-field checks. ``read_feed`` then

1. reads the file (CSV in UTF-8 or GB18030, or the first sheet of an xlsx workbook), every cell
   as text, the header found below any title rows or over two rows (the report says where);
2. maps the headers (spaces, case and a parenthesised unit ignored; the variants of
   ``jiuzhu.feeds.headers`` for every source);
3. parses every field vectorised: codes (IDs, certificate numbers) stored in numeric cells or
   written in scientific notation refused or, when exact, read with a warning
   (``tabular.code_cells``); ID numbers normalised and checked (``jiuzhu.feeds.ids``: GB 11643,
   no birth after the file's receipt, 15-digit numbers converted with a warning), dates in the
   forms departments write, months, amounts to integer fen, codes to identifiers;
4. checks each row (required values, cross-field rules) and removes duplicated rows;
5. returns a normalised Arrow table with ``source``, ``period`` and ``received_at`` — or, if any
   row is bad, rejects the whole file with a report of each bad row (line, column, value,
   reason), unless the caller asked to quarantine bad rows, which are then returned apart with
   their reasons. Nothing is ever half-imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa

from jiuzhu.feeds.headers import normalise_header
from jiuzhu.feeds.ids import conversion_note, normalise_struct
from jiuzhu.feeds.names import rare_note
from jiuzhu.feeds.parsing import (
    Parsed,
    parse_area,
    parse_date,
    parse_int,
    parse_period,
    parse_text,
    parse_wan_yuan,
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

SHANGHAI = ZoneInfo("Asia/Shanghai")
"""Beijing time: the zone of ``received_at`` (a naive ``received_at`` is taken as Beijing time)."""
KINDS = ("id", "text", "date", "period", "yuan", "wan_yuan", "area", "int", "code", "bool")
PARSED_DTYPES: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "yuan": pl.Int64(),
    "wan_yuan": pl.Int64(),
    "area": pl.Int64(),
    "int": pl.Int64(),
}
"""The type of a parsed field where it is not text (IDs, periods and codes are strings)."""


@dataclass(frozen=True)
class Field:
    """One column of a feed.

    Attributes:
        name: identifier in the normalised table.
        headers: the Chinese headers departments use for it (the first is the canonical one).
        kind: ``id``, ``text``, ``date``, ``period``, ``yuan``, ``wan_yuan``, ``area``, ``int``, ``code``
            or ``bool``.
        required: a blank cell makes the row bad.
        codes: for ``code`` fields, accepted spelling → code.
    """

    name: str
    headers: tuple[str, ...]
    kind: str
    required: bool = True
    codes: Mapping[str, str] = field(default_factory=dict)
    is_code: bool = False
    """Text that is a code (a certificate or credit-code number): never read through a number.
    ID fields always are."""

    @property
    def header(self) -> str:
        return self.headers[0]


@dataclass(frozen=True)
class RowCheck:
    """A cross-field rule on parsed values: rows where ``violated`` holds are bad."""

    column: str
    violated: Callable[[], pl.Expr]
    reason: str


@dataclass(frozen=True)
class FeedSpec:
    """What a department's file looks like."""

    source: str
    label: str
    department: str
    fields: tuple[Field, ...]
    period: str | None = None
    """The field (a ``period`` or ``date``) giving each row's month; None: the received month."""
    checks: tuple[RowCheck, ...] = ()

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


@dataclass(frozen=True)
class BadRow:
    """One problem in one row of a feed file."""

    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"第{self.line}行 (line {self.line})" if self.line is not None else "文件 (file)"
        column = f" › {self.column}" if self.column else ""
        value = f" “{self.value}”" if self.value not in (None, "") else ""
        return f"{where}{column}:{value} {self.reason}"


@dataclass
class FeedReport:
    """What reading a feed found."""

    path: Path
    source: str
    label: str
    encoding: str | None = None
    sheet: str | None = None
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    bad: list[BadRow] = field(default_factory=list)
    unknown_ids: int = 0
    notes: list[str] = field(default_factory=list)
    warnings: list[BadRow] = field(default_factory=list)
    """Rows accepted with something to check: a 15-digit ID converted, an address code not in
    the division table, an exact number read from a numeric cell as text."""

    @property
    def bad_lines(self) -> int:
        return len({b.line for b in self.bad if b.line is not None})

    def text(self, limit: int = 200) -> str:
        """The report as people read it (Chinese with English glosses)."""
        head = [
            f"{self.path.name} — {self.label} ({self.source})"
            + (f", {self.encoding}" if self.encoding else "")
            + (f", 工作表 {self.sheet}" if self.sheet else ""),
            f"  读取 {self.rows} 行，接收 {self.accepted} 行，去除重复 {self.duplicates} 行，"
            f"问题行 {self.bad_lines} 行 (rows {self.rows}, accepted {self.accepted}, "
            f"duplicates {self.duplicates}, bad {self.bad_lines})",
        ]
        if self.unknown_ids:
            head.append(f"  {self.unknown_ids} 行的身份证号不在登记库中 (IDs not in the registry)")
        head += [f"  注 {note}" for note in self.notes]
        head += [f"  提示 {warning}" for warning in self.warnings[:limit]]
        if len(self.warnings) > limit:
            head.append(f"  … {len(self.warnings) - limit} more")
        head += [f"  • {problem}" for problem in self.bad[:limit]]
        if len(self.bad) > limit:
            head.append(f"  … {len(self.bad) - limit} more")
        return "\n".join(head)


class FeedRejected(Exception):
    """The file was not imported; ``report`` says why (each bad row, or a file-level problem)."""

    def __init__(self, report: FeedReport) -> None:
        self.report = report
        super().__init__(report.text(limit=20))


@dataclass
class FeedResult:
    """A read feed: the normalised table, the quarantined problems, and the report."""

    table: pa.Table
    quarantine: pl.DataFrame
    report: FeedReport

    def frame(self) -> pl.DataFrame:
        return pl.from_arrow(self.table)  # type: ignore[return-value]


def spec_headers(*specs: FeedSpec) -> frozenset[str]:
    """The normalised headers of these specs (by which a title row is told from the header)."""
    return frozenset(normalise_header(h) for spec in specs for f in spec.fields for h in f.headers)


def load_table(path: Path, known: frozenset[str] | None = None) -> Table:
    """The feed's cells: a CSV file, or the first sheet of a workbook, below the header row
    (found by the ``known`` normalised headers; default: every source's).

    Raises:
        TableError: unreadable, undecodable or corrupt.
    """
    known = spec_headers(*SPECS.values()) if known is None else known
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, known)
    if suffix in (".xlsx", ".xlsm"):
        sheets = read_workbook(path, known)
        if not sheets:
            raise TableError("工作簿没有工作表 (the workbook has no sheet)")
        return next(iter(sheets.values()))
    raise TableError("数据文件应为 .csv 或 .xlsx (a feed must be .csv or .xlsx)")


def header_coverage(table: Table, spec: FeedSpec) -> float:
    """Share of the spec's required fields whose header the file has (to recognise a source)."""
    present = {normalise_header(h) for h in table.frame.columns}
    required = [f for f in spec.fields if f.required]
    found = sum(any(normalise_header(h) in present for h in f.headers) for f in required)
    return found / max(len(required), 1)


_PARSERS: dict[str, Callable[[str], Parsed]] = {
    "date": parse_date,
    "period": parse_period,
    "yuan": parse_yuan,
    "wan_yuan": parse_wan_yuan,
    "area": parse_area,
    "int": parse_int,
}
"""The parser of each kind of field that needs no more than its column."""


def _parser(spec_field: Field, column: str) -> Parsed:
    """A non-ID field's parser (ID numbers are checked by ``normalise_struct``)."""
    kind = spec_field.kind
    if kind in _PARSERS:
        return _PARSERS[kind](column)
    if kind in ("code", "bool"):
        spellings = {normalise_header(k): v for k, v in spec_field.codes.items()}
        key = pl.col(column).str.replace_all(r"\s", "").str.to_lowercase()
        value = key.replace_strict(spellings, default=None, return_dtype=pl.String)
        allowed = "、".join(dict.fromkeys(spec_field.codes))
        return Parsed(
            value,
            pl.col(column).is_not_null() & value.is_null(),
            f"不是有效的取值，可填：{allowed} (unknown value)",
        )
    return parse_text(column)


def read_feed(
    path: Path | str,
    spec: FeedSpec,
    *,
    quarantine: bool = False,
    received_at: dt.datetime | None = None,
    known_ids: pl.Series | None = None,
) -> FeedResult:
    """Read, validate and normalise one feed file (see the module docstring).

    Args:
        path: the department's file.
        spec: the source's ``FeedSpec``.
        quarantine: keep going past bad rows, returning them apart instead of rejecting the file.
        received_at: when the file arrived (default: now); naive means Beijing time. The table's
            ``received_at`` is in Asia/Shanghai whatever zone it is given in.
        known_ids: the registry's resident IDs; rows of other IDs are kept but counted.

    Returns:
        the table (fields, plus ``line``, ``source``, ``period`` and ``received_at``), the
        quarantine (``line``, ``column``, ``value``, ``reason``) and the report.

    Raises:
        FeedRejected: a file-level problem (unreadable, a missing column) — or bad rows while
            ``quarantine`` is false. Nothing is imported in either case.
    """
    path = Path(path)
    report = FeedReport(path, spec.source, spec.label)
    received = _beijing(received_at)
    try:
        table = load_table(path, spec_headers(spec))
    except TableError as exc:
        report.bad.append(BadRow(None, None, None, str(exc)))
        raise FeedRejected(report) from exc
    report.encoding, report.sheet, report.rows = table.encoding, table.sheet, table.frame.height
    if table.header_note():
        report.notes.append(str(table.header_note()))
    columns = _map_headers(table, spec, report)
    if report.bad:
        raise FeedRejected(report)
    values, bad, bad_mask = _validated(table, spec, columns, received, report)
    report.bad = bad
    if bad and not quarantine:
        raise FeedRejected(report)
    good = _accepted(values.filter(~bad_mask), spec, received, known_ids, report)
    quarantined = pl.DataFrame(
        {
            "line": [b.line for b in bad],
            "column": [b.column for b in bad],
            "value": [b.value for b in bad],
            "reason": [b.reason for b in bad],
        },
        schema={"line": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String},
    )
    return FeedResult(good.to_arrow(), quarantined, report)


def _beijing(received_at: dt.datetime | None) -> dt.datetime:
    """When the file arrived, in Asia/Shanghai (default: now; naive means Beijing time)."""
    received = received_at or dt.datetime.now(tz=SHANGHAI)
    if received.tzinfo is None:
        received = received.replace(tzinfo=SHANGHAI)
    return received.astimezone(SHANGHAI)


def _validated(
    table: Table,
    spec: FeedSpec,
    columns: dict[str, str],
    received: dt.datetime,
    report: FeedReport,
) -> tuple[pl.DataFrame, list[BadRow], pl.Series]:
    """The parsed values, the bad cells in file order and which rows are bad: cells that do
    not parse, codes the source does not know, and rows breaking the spec's checks. Warnings
    about ID numbers go to ``report``."""
    text = table.frame
    values, problems = _parse(text, spec, columns, received.date(), table.header_rows[1] + 1)
    coded = _code_cells(table, spec, columns, report)
    bad = [BadRow(table.line(row), header, text[header][row], why) for header, row, why in coded]
    bad_mask = pl.repeat(False, text.height, eager=True)
    if coded:
        bad_mask = bad_mask.scatter([row for _, row, _ in coded], True)
    refused = {(header, row) for header, row, _ in coded}
    for problem in problems:
        hit = values[problem.flag]
        if not hit.any():
            continue
        bad_mask = bad_mask | hit
        header = columns[problem.field.name]
        rows = hit.arg_true()
        reasons = (
            values[problem.reason_column].gather(rows).to_list()
            if problem.reason_column
            else [problem.reason] * rows.len()
        )
        for row, why in zip(rows.to_list(), reasons, strict=True):
            if (header, row) not in refused:
                bad.append(BadRow(table.line(row), header, text[header][row], str(why)))
    _id_warnings(values, spec, columns, bad_mask, table, report)
    values = values.drop([c for c in values.columns if c.startswith("__")])
    for check in spec.checks:
        hit = values.select(check.violated().fill_null(False)).to_series()
        if hit.any():
            bad_mask = bad_mask | hit
            header = columns.get(check.column, check.column)
            for row in hit.arg_true().to_list():
                shown = text[header][row] if header in text.columns else None
                bad.append(BadRow(table.line(row), header, shown, check.reason))
    bad.sort(key=lambda b: (b.line or 0, b.column or ""))
    return values, bad, bad_mask


def _accepted(
    good: pl.DataFrame,
    spec: FeedSpec,
    received: dt.datetime,
    known_ids: pl.Series | None,
    report: FeedReport,
) -> pl.DataFrame:
    """The good rows without exact duplicates, with ``source``, ``period`` and ``received_at``;
    the duplicates, the rows of IDs the registry does not know and the accepted rows are
    counted in ``report``."""
    fields = [f.name for f in spec.fields]
    duplicated = good.select(pl.struct(fields).is_first_distinct()).to_series()
    report.duplicates = int((~duplicated).sum())
    good = good.filter(duplicated)
    if spec.period is None:
        period = pl.lit(received.strftime("%Y-%m"))
    elif spec.field(spec.period).kind == "date":
        period = pl.col(spec.period).dt.strftime("%Y-%m")
    else:
        period = pl.col(spec.period)
    good = good.with_columns(
        pl.lit(spec.source).alias("source"),
        period.alias("period"),
        pl.lit(received).dt.convert_time_zone("Asia/Shanghai").alias("received_at"),
    )
    id_fields = [f.name for f in spec.fields if f.kind == "id"]
    if known_ids is not None and id_fields:
        first = id_fields[0]
        report.unknown_ids = int(good.filter(~pl.col(first).is_in(known_ids.implode())).height)
    report.accepted = good.height
    return good


@dataclass(frozen=True)
class _Problem:
    """A bad-cell flag column of the parsed frame and the reason (text, or a column of texts)."""

    field: Field
    flag: str
    reason: str = ""
    reason_column: str | None = None


DISTINCT_KINDS = frozenset(
    {"id", "date", "period", "yuan", "wan_yuan", "area", "int", "code", "bool"}
)
"""Kinds parsed once per distinct cell text: departments repeat an ID on every monthly row and a
period or date on thousands of rows, so parsing the distinct texts and joining back is several
times faster than parsing every cell. Free text (a name, an address) is mostly distinct and its
tidying cheap: it is parsed row by row."""


def _parse(
    text: pl.DataFrame,
    spec: FeedSpec,
    columns: Mapping[str, str],
    today: dt.date,
    first_line: int = 2,
) -> tuple[pl.DataFrame, list[_Problem]]:
    """Every field parsed, in file order: ``line`` (from ``first_line``), the fields, and ``__``
    flag and reason columns (one per problem returned); no ID may be born after ``today``."""
    pieces: list[pl.DataFrame] = [
        text.select((pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("line"))
    ]
    problems: list[_Problem] = []
    for spec_field in spec.fields:
        name = spec_field.name
        header = columns.get(name)
        if header is None:
            # An optional column the file lacks: nulls of the parsed type, so that cross-field
            # checks (a date against a date) still type-check.
            dtype = PARSED_DTYPES.get(spec_field.kind, pl.String)
            pieces.append(text.select(pl.repeat(None, pl.len(), dtype=dtype).alias(name)))
            continue
        exprs: list[pl.Expr] = []
        distinct = (
            text.select(pl.col(header).unique()) if spec_field.kind in DISTINCT_KINDS else text
        )
        if spec_field.kind == "id":
            # Checked once into a column: each use of the struct expression would run the
            # whole check again (a Python batch function is not shared between expressions).
            distinct = distinct.with_columns(
                normalise_struct(pl.col(header), today).alias("__checked")
            )
            checked = pl.col("__checked")
            exprs += [
                checked.struct.field("number").alias(name),
                checked.struct.field("reason").alias(f"__reason_{name}"),
                checked.struct.field("reason").is_not_null().alias(f"__bad_{name}"),
                checked.struct.field("legacy").alias(f"__legacy_{name}"),
                checked.struct.field("note").alias(f"__note_{name}"),
            ]
            problems.append(_Problem(spec_field, f"__bad_{name}", reason_column=f"__reason_{name}"))
        else:
            parsed = _parser(spec_field, header)
            exprs.append(parsed.value.alias(name))
            if parsed.rule:
                exprs.append(parsed.bad.fill_null(False).alias(f"__bad_{name}"))
                problems.append(_Problem(spec_field, f"__bad_{name}", parsed.rule))
        if spec_field.required:
            exprs.append(pl.col(header).is_null().alias(f"__blank_{name}"))
            problems.append(
                _Problem(spec_field, f"__blank_{name}", "必填项为空 (required value missing)")
            )
        if spec_field.kind in DISTINCT_KINDS:
            distinct = distinct.select(pl.col(header), *exprs)
            pieces.append(
                text.select(header)
                .join(distinct, on=header, how="left", nulls_equal=True, maintain_order="left")
                .drop(header)
            )
        else:
            pieces.append(text.select(exprs))
    return pl.concat(pieces, how="horizontal"), problems


def _code_cells(
    table: Table, spec: FeedSpec, columns: Mapping[str, str], report: FeedReport
) -> list[tuple[str, int, str]]:
    """(header, row, reason) of every code cell refused (``tabular.code_cells``) in ID and code
    fields; the exact numbers read as text go to the report's warnings."""
    refused: list[tuple[str, int, str]] = []
    for spec_field in spec.fields:
        header = columns.get(spec_field.name)
        if header is None or not (spec_field.kind == "id" or spec_field.is_code):
            continue
        found = code_cells(table, header)
        refused += [(header, row, why) for row, why in found.refused]
        report.warnings += [
            BadRow(table.line(row), header, table.frame[header][row], why)
            for row, why in found.warnings
        ]
    return refused


def _id_warnings(
    values: pl.DataFrame,
    spec: FeedSpec,
    columns: Mapping[str, str],
    bad: pl.Series,
    table: Table,
    report: FeedReport,
) -> None:
    """Each 15-digit ID converted and each address code not in the division table, as a
    warning of the report (rows refused for another reason are not repeated)."""
    for spec_field in spec.fields:
        header = columns.get(spec_field.name)
        if spec_field.kind != "id" or header is None:
            continue
        legacy, note = values[f"__legacy_{spec_field.name}"], values[f"__note_{spec_field.name}"]
        flagged = (legacy.is_not_null() | note.is_not_null()) & ~bad
        for row in flagged.arg_true().to_list():
            texts = [conversion_note(legacy[row])] if legacy[row] is not None else []
            texts += [note[row]] if note[row] is not None else []
            report.warnings.append(
                BadRow(table.line(row), header, table.frame[header][row], "；".join(texts))
            )
    _rare_names(spec, columns, bad, table, report)
    report.warnings.sort(key=lambda b: (b.line or 0, b.column or ""))


COMMON_NAME_CHARACTERS = r"^[\x00-\x7F\x{4E00}-\x{9FA5}\x{00B7}]*$"
"""Names made only of these (ASCII, the CJK characters every GBK system has, the middle dot)
need no closer look; the others are checked one by one (``names.rare_note``)."""


def _rare_names(
    spec: FeedSpec, columns: Mapping[str, str], bad: pl.Series, table: Table, report: FeedReport
) -> None:
    """A 生僻字待核 warning for each name with private-use or four-byte characters (kept)."""
    header = columns.get("name") if any(f.name == "name" for f in spec.fields) else None
    if header is None:
        return
    names = table.frame[header]
    unusual = ~names.str.contains(COMMON_NAME_CHARACTERS).fill_null(True) & ~bad
    for row in unusual.arg_true().to_list():
        note = rare_note(names[row])
        if note is not None:
            report.warnings.append(BadRow(table.line(row), header, names[row], note))


def _map_headers(table: Table, spec: FeedSpec, report: FeedReport) -> dict[str, str]:
    """Field name → the file's header for it; missing required columns are reported, and so
    is a field written twice (``_repeated``)."""
    lookup: dict[str, str] = {}
    for header in table.frame.columns:
        lookup.setdefault(normalise_header(header), header)
    columns: dict[str, str] = {}
    used: set[str] = set()
    for spec_field in spec.fields:
        found = next(
            (
                lookup[normalise_header(h)]
                for h in spec_field.headers
                if normalise_header(h) in lookup
            ),
            None,
        )
        if found is not None:
            columns[spec_field.name] = found
            used |= _repeated(table, spec_field, found, report)
        elif spec_field.required:
            report.bad.append(
                BadRow(
                    None,
                    spec_field.header,
                    None,
                    f"缺少必需的列“{spec_field.header}” (missing column {spec_field.name})",
                )
            )
    known = {normalise_header(h) for f in spec.fields for h in f.headers}
    extra = [h for h in table.frame.columns if normalise_header(h) not in known and h not in used]
    if extra:
        report.notes.append("未使用的列 (columns not used): " + "、".join(extra))
    return columns


def _repeated(table: Table, spec_field: Field, found: str, report: FeedReport) -> set[str]:
    """The other columns of the file that hold ``spec_field`` (its header written again, or
    another of its spellings): noted when they agree with ``found`` cell for cell, else the
    file is refused (either copy could be the right one). Returns their headers."""
    spellings = {normalise_header(h) for h in spec_field.headers}
    copies = {
        header
        for header in table.frame.columns
        if header != found
        and (
            normalise_header(header) in spellings
            or normalise_header(REPEATED_SUFFIX.sub("", header)) in spellings
        )
    }
    for header in sorted(copies):
        written = REPEATED_SUFFIX.sub("", header)
        if table.frame[header].equals(table.frame[found]):
            report.notes.append(
                f"重复的列“{written}”与“{found}”内容相同，已取其一 (same column twice)"
            )
        else:
            report.bad.append(
                BadRow(
                    None,
                    written,
                    None,
                    f"重复的列，与“{found}”内容不同，请只保留正确的一列 "
                    "(the column appears twice with different values)",
                )
            )
    return copies


SPECS: dict[str, FeedSpec] = {}
"""Every source's spec, by source name (filled in by the source modules)."""


def register(spec: FeedSpec) -> FeedSpec:
    SPECS[spec.source] = spec
    return spec


def detect(path: Path) -> FeedSpec:
    """The source whose headers the file matches best.

    Raises:
        TableError: the file cannot be read; KeyError: no source matches half its columns.
    """
    table = load_table(path, spec_headers(*SPECS.values()))
    best = max(SPECS.values(), key=lambda spec: header_coverage(table, spec))
    if header_coverage(table, best) < 0.5:
        raise KeyError(f"{path}: the columns match no known feed ({', '.join(SPECS)})")
    return best


def sources() -> Sequence[FeedSpec]:
    """All registered specs (importing every source module first)."""
    from jiuzhu.feeds import sources as _  # noqa: F401, PLC0415 — registers the specs

    return list(SPECS.values())
