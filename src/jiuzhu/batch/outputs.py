"""Writing assessment results: Parquet (identifiers, integer fen) for machines; CSV and xlsx
(Chinese headers, yuan with two decimals, 是/否/待定) for people. Files are written to a temporary
name and renamed, so a failed run never leaves a partial output file.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from jiuzhu.extras import require
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.variables import Variable

FORMATS = (".parquet", ".csv", ".xlsx")
EXCEL_MAX_ROWS = 1_048_575
BOOL_TEXT = {True: "是", False: "否", None: "待定"}
HEADER_LABELS = {
    "household_id": "家庭编号",
    "division_code": "区划代码",
    "person_id": "身份证号（脱敏）",
}


class OutputError(ValueError):
    """The output cannot be written (unsupported format, too many rows for Excel)."""


@dataclass(frozen=True)
class Sheet:
    """A result table and the rule variables describing its columns.

    ``not_applicable`` maps a column to the decision it details: where that decision is False
    the cell is left blank for people (a missing value otherwise reads 待定, undetermined).
    """

    title: str
    frame: pl.DataFrame
    not_applicable: Mapping[str, str] = field(default_factory=dict)


def blank_cells(sheet: Sheet, system: RuleSystem) -> pl.DataFrame:
    """Per cell, whether people should see it blank rather than 待定: a detail of a decision
    that is False, or an input left empty (a null input is not an undetermined result)."""
    frame = sheet.frame
    exprs = []
    for name in frame.columns:
        var = system.variables.get(name)
        blank = pl.repeat(False, pl.len())
        if name in sheet.not_applicable and sheet.not_applicable[name] in frame.columns:
            blank = pl.col(sheet.not_applicable[name]).eq(False).fill_null(False)
        elif var is not None and var.is_input:
            blank = pl.col(name).is_null()
        exprs.append(blank.alias(name))
    return frame.select(exprs)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        yield Path(temporary)
        # mkstemp makes the file private (0600); the result gets the permissions any new file
        # of the user gets, as if written directly.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a lost mount: say so in one line, leave nothing
        raise OutputError(
            f"{path}: 结果文件无法写入，未留下任何文件：{exc.strerror or exc} (the results file "
            f"could not be written; no file was left)"
        ) from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def output_format(path: Path) -> str:
    """The output format from the file name.

    Raises:
        OutputError: not .parquet, .csv or .xlsx.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(
            f"{path}: 结果文件应为 .xlsx、.csv 或 .parquet (the output must end in .xlsx, .csv or "
            f".parquet)"
        )
    if path.is_dir():
        raise OutputError(f"{path}: 这是一个文件夹，请给出文件名 (a folder, not a file name)")
    return suffix


def header(name: str, variables: dict[str, Variable] | RuleSystem, english: bool = False) -> str:
    """The column header people see: the variable's label with its unit."""
    lookup = variables.variables if isinstance(variables, RuleSystem) else variables
    var = lookup.get(name) if hasattr(lookup, "get") else None
    if var is None:
        return HEADER_LABELS.get(name, name) if not english else name
    label = var.label_en if english else var.label
    if var.unit.money:
        unit = var.unit.label_en if english else var.unit.label
        return f"{label}（{unit}）" if not english else f"{label} ({unit})"
    return label


def for_people(sheet: Sheet, system: RuleSystem) -> pl.DataFrame:
    """Money as yuan text with two decimals, booleans as 是/否/待定 (blank where not applicable),
    codes as their Chinese labels, Chinese headers."""
    frame = sheet.frame
    blanks = blank_cells(sheet, system)
    frame = frame.with_columns(blanks.select(pl.all().name.prefix("__blank_")).get_columns())
    columns = []
    for name in sheet.frame.columns:
        var = system.variables.get(name)
        column = pl.col(name)
        if var is not None and var.unit.money:
            column = (
                pl.when(column.is_null())
                .then(pl.lit("待定"))
                .otherwise(
                    (column // 100).cast(pl.String)
                    + "."
                    + (column % 100).cast(pl.String).str.pad_start(2, "0")
                )
            )
        elif frame.schema[name] == pl.Boolean:
            column = column.replace_strict(BOOL_TEXT, default="待定", return_dtype=pl.String)
        elif var is not None and var.codes and var.codes in system.code_lists:
            labels = {c.code: c.label for c in system.code_lists[var.codes]}
            column = column.cast(pl.String).replace(labels)
        column = pl.when(pl.col(f"__blank_{name}")).then(None).otherwise(column)
        columns.append(column.alias(header(name, system)))
    return frame.select(columns)


def write(
    path: Path, sheets: Sequence[Sheet], system: RuleSystem, notes: Sequence[tuple[str, str]]
) -> None:
    """Write the result sheets (the first is the main table) in the format the name says.

    Parquet and CSV write the first sheet to ``path`` and each further sheet beside it
    (``name.persons.parquet``); xlsx writes every sheet plus a 说明 (notes) sheet.

    Raises:
        OutputError: unsupported format, too many rows for an Excel sheet, or the file could
            not be written (a full disk: no partial file is left).
    """
    suffix = output_format(path)
    if suffix == ".xlsx":
        _write_xlsx(path, sheets, system, notes)
        return
    for index, sheet in enumerate(sheets):
        target = path if index == 0 else path.with_name(f"{path.stem}.{sheet.title}{path.suffix}")
        with atomic_path(target) as temporary:
            if suffix == ".parquet":
                sheet.frame.write_parquet(temporary, compression="lz4", statistics=False)
            else:
                data = for_people(sheet, system).write_csv()
                temporary.write_text(data, encoding="utf-8-sig")


def _write_xlsx(
    path: Path, sheets: Sequence[Sheet], system: RuleSystem, notes: Sequence[tuple[str, str]]
) -> None:
    for sheet in sheets:
        if sheet.frame.height > EXCEL_MAX_ROWS:
            raise OutputError(
                f"{path}: {sheet.frame.height:,} rows do not fit an Excel sheet; write .parquet or .csv"
            )
    openpyxl = _openpyxl()
    workbook = openpyxl.Workbook(write_only=True)
    bold = openpyxl.styles.Font(bold=True)
    fill = openpyxl.styles.PatternFill("solid", fgColor="DDEBF7")
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_title(sheet.title))
        frame = sheet.frame
        kinds = [_kind(frame, c, system) for c in frame.columns]
        headers = [header(c, system) for c in frame.columns]
        labels = _code_labels(frame, system)
        if labels:
            frame = frame.with_columns(
                pl.col(c).cast(pl.String).replace(mapping) for c, mapping in labels.items()
            )
        blanks = blank_cells(sheet, system)
        _layout(worksheet, headers)
        worksheet.append([_styled(worksheet, h, bold, fill) for h in headers])
        for row, blank in zip(frame.iter_rows(), blanks.iter_rows(), strict=True):
            worksheet.append(
                [
                    None if empty else _cell(worksheet, value, kind)
                    for value, kind, empty in zip(row, kinds, blank, strict=True)
                ]
            )
    notes_sheet = workbook.create_sheet("说明")
    notes_sheet.column_dimensions["A"].width = 28
    notes_sheet.column_dimensions["B"].width = 100
    for key, value in notes:
        notes_sheet.append([_styled(notes_sheet, key, bold, None), value])
    # Saved in memory first: a write that fails (a full disk) then fails on one plain file,
    # not inside openpyxl's zip archive, which would complain again when collected.
    buffer = io.BytesIO()
    workbook.save(buffer)
    with atomic_path(path) as temporary:
        temporary.write_bytes(buffer.getbuffer())


def write_table(frame: pl.DataFrame, path: Path, title: str) -> None:
    """Write a table of text (and dates) people read as .csv (UTF-8 with BOM, for Excel) or as
    a one-sheet .xlsx with a bold frozen header row, to ``path`` as it is (callers make it
    atomic)."""
    if path.suffix.lower() == ".csv":
        path.write_text(frame.write_csv(), encoding="utf-8-sig")
        return
    write_tables([(title, frame)], path)


def write_tables(tables: Sequence[tuple[str, pl.DataFrame]], path: Path) -> None:
    """Write tables as the sheets of one .xlsx (title, frame each), headers as the frames'
    column names, bold and frozen; dates as dates, Decimal columns as numbers with two
    decimals (yuan), to ``path`` as it is (callers make it atomic)."""
    openpyxl = _openpyxl()
    workbook = openpyxl.Workbook(write_only=True)
    bold = openpyxl.styles.Font(bold=True)
    fill = openpyxl.styles.PatternFill("solid", fgColor="DDEBF7")
    for title, frame in tables:
        worksheet = workbook.create_sheet(title[:31])
        _layout(worksheet, frame.columns)
        worksheet.append([_styled(worksheet, h, bold, fill) for h in frame.columns])
        kinds = [_table_kind(frame.schema[c]) for c in frame.columns]
        for row in frame.iter_rows():
            worksheet.append([_cell(worksheet, v, k) for v, k in zip(row, kinds, strict=True)])
    workbook.save(path)


def _table_kind(dtype: pl.DataType) -> str:
    if dtype == pl.Date:
        return "date"
    return "yuan" if isinstance(dtype, pl.Decimal) else "other"


@functools.cache
def _openpyxl() -> Any:
    """openpyxl, imported when an xlsx is written: the bare package writes Parquet and CSV,
    the excel extra adds workbooks. Cached: cells are styled one by one.

    Raises:
        MissingExtraError: openpyxl (the excel extra) is not installed.
    """
    return require("openpyxl", "写出 xlsx 文件 (writing an xlsx file)")


def _layout(worksheet: Any, headers: Sequence[str]) -> None:
    """Columns as wide as their header (CJK characters count double), header row frozen."""
    get_column_letter = _openpyxl().utils.get_column_letter
    worksheet.freeze_panes = "A2"
    for index, text in enumerate(headers, start=1):
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10), 40)


def _code_labels(frame: pl.DataFrame, system: RuleSystem) -> dict[str, dict[str, str]]:
    """Code columns (area type, relation, …) → their Chinese labels, for people."""
    found = {}
    for name in frame.columns:
        var = system.variables.get(name)
        if var is not None and var.codes and var.codes in system.code_lists:
            found[name] = {c.code: c.label for c in system.code_lists[var.codes]}
    return found


def _sheet_title(title: str) -> str:
    return {"households": "评估结果", "persons": "特困人员"}.get(title, title)[:31]


def _styled(worksheet: object, value: str, font: Any, fill: Any) -> object:
    openpyxl = _openpyxl()
    cell = openpyxl.cell.WriteOnlyCell(worksheet, value=value)
    cell.font = font
    cell.alignment = openpyxl.styles.Alignment(wrap_text=True, vertical="top")
    if fill is not None:
        cell.fill = fill
    return cell


def _kind(frame: pl.DataFrame, name: str, system: RuleSystem) -> str:
    var = system.variables.get(name)
    if var is not None and var.unit.money:
        return "money"
    if frame.schema[name] == pl.Boolean:
        return "boolean"
    if frame.schema[name] == pl.Date:
        return "date"
    return "other"


def _cell(worksheet: object, value: object, kind: str) -> object:
    """A cell value: yuan as a number with two decimals; 是/否; 待定 for an undetermined
    decision or amount; blank for a value that does not apply."""
    write_only_cell = _openpyxl().cell.WriteOnlyCell

    if value is None:
        return "待定" if kind in ("money", "boolean") else None
    if kind == "boolean":
        return BOOL_TEXT[bool(value)]
    if kind == "money" and isinstance(value, int):
        cell = write_only_cell(worksheet, value=value / 100)
        cell.number_format = "#,##0.00"
        return cell
    if kind == "date":
        cell = write_only_cell(worksheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if kind == "yuan":  # already yuan, as an exact Decimal
        cell = write_only_cell(worksheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    return value
