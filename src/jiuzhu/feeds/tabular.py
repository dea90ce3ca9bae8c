"""Reading tables people and departments send: CSV in UTF-8 or GB18030, and xlsx workbooks.

Every cell is read as text so that the caller can validate and report each bad cell by its place
in the file (line or sheet row, column header); nothing is guessed silently:

- the header row is found among the first ``HEADER_SCAN_ROWS`` rows — after a title row, or two
  rows whose upper cells are merged over the lower ones — by counting the headers the reader
  knows (``jiuzhu.feeds.headers`` and the reader's own), and the table says where it was;
- a code (ID number, account, phone) must never pass through a number: ``code_cells`` finds the
  workbook cells stored as numbers (Excel keeps 15 significant digits, and a float has 15–17, so
  an 18-digit ID in a numeric cell has lost its last digits — and still passes the check digit
  about once in eleven times) and text written in scientific notation.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from jiuzhu.extras import require
from jiuzhu.feeds.headers import known_headers, normalise_header

ENCODINGS = ("utf-8-sig", "gb18030")
HEADER_SCAN_ROWS = 10
"""A header is looked for in the first rows only (titles and notes take one or two)."""
EXACT_DIGITS = 15
"""Excel keeps 15 significant digits of a number: a whole number up to 15 digits in a numeric
cell is exact, a longer one may have lost its last digits."""
SCIENTIFIC = r"^[+-]?[0-9](\.[0-9]+)?[eE][+-][0-9]+$"
"""As Excel shows a long number (1.20224E+17): one digit before the point and a signed
exponent, so that a credit code with an E among its digits is not taken for one."""

NumericProbe = Callable[[Sequence[str]], dict[str, pl.Series]]


class TableError(ValueError):
    """A file cannot be read as a table (not found, wrong format, undecodable)."""


@dataclass(frozen=True)
class Table:
    """The cells of one CSV file or one worksheet, as text, with header names as written."""

    path: Path
    frame: pl.DataFrame
    sheet: str | None = None
    encoding: str | None = None
    rows: tuple[int, ...] | None = None
    """For a subset of the file's rows: each row's 0-based index in the file (None: all rows)."""
    header_rows: tuple[int, int] = (1, 1)
    """The first and last row (1-based, in the file) of the header: (1, 1) unless title rows
    precede it or it spans two rows."""
    numeric_probe: NumericProbe | None = field(default=None, compare=False, repr=False)
    """For workbooks: header → which cells of that column are stored as numbers (or booleans,
    dates) rather than text, over all the sheet's data rows."""

    def subset(self, mask: pl.Series) -> Table:
        """The rows where ``mask`` holds, still reported at their place in the file."""
        indices = mask.fill_null(False).arg_true().to_list()
        rows = tuple(self.rows[i] for i in indices) if self.rows is not None else tuple(indices)
        return replace(self, frame=self.frame.filter(mask.fill_null(False)), rows=rows)

    def line(self, index: int) -> int:
        """The file's row number (1-based, header rows counted) of data row ``index``."""
        if self.rows is not None:
            index = self.rows[index]
        return self.header_rows[1] + 1 + index

    def row_label(self, index: int) -> str:
        """Where row ``index`` (0-based, after the header) is in the file: CSV line or sheet row."""
        line = self.line(index)
        if self.sheet is None:
            return f"第{line}行 (line {line})"
        return f"工作表“{self.sheet}”第{line}行 (sheet {self.sheet}, row {line})"

    def column_label(self, header: str) -> str:
        """The header with its spreadsheet letter for workbooks (e.g. ``身份证号 (C)``)."""
        if self.sheet is None or header not in self.frame.columns:
            return header
        return f"{header} ({_column_letter(self.frame.columns.index(header))})"

    def cell_label(self, header: str, index: int) -> str:
        """A workbook cell's name (``C5``), or a CSV line and column."""
        if self.sheet is None or header not in self.frame.columns:
            return f"第{self.line(index)}行“{header}”"
        return f"{_column_letter(self.frame.columns.index(header))}{self.line(index)}"

    def header_note(self) -> str | None:
        """Where the header was found, when it was not the first row alone."""
        first, last = self.header_rows
        if (first, last) == (1, 1):
            return None
        rows = f"第{first}行" if first == last else f"第{first}–{last}行"
        skipped = "，跳过其上的标题行 (title rows above skipped)" if first > 1 else ""
        return f"表头在{rows}{skipped} (header found at row {first}–{last})"

    def numeric_cells(self, header: str) -> pl.Series:
        """True where the column's cell is stored as a number rather than text (all false for
        CSV, which has no cell types)."""
        if self.numeric_probe is None or header not in self.frame.columns:
            return pl.repeat(False, self.frame.height, eager=True)
        mask = self.numeric_probe([header])[header]
        if self.rows is not None:
            mask = mask.gather(list(self.rows))
        return mask


@dataclass(frozen=True)
class CodeCells:
    """What ``code_cells`` found in a code column: rows refused and rows read with a warning,
    each as (0-based row, reason)."""

    refused: list[tuple[int, str]]
    warnings: list[tuple[int, str]]


def code_cells(table: Table, header: str) -> CodeCells:
    """Check a code column (ID, account, phone) for cells that went through a number.

    A workbook cell stored as a number holding a whole number of up to 15 digits is exact: it is
    taken as text, with a warning. A longer one is refused ("数值格式单元格，末位可能已丢失",
    naming the cell): its last digits were rounded when it was stored. Text in scientific
    notation (``1.20224E+17``, as Excel shows and saves such cells) is refused as such."""
    text = table.frame[header]
    numeric = table.numeric_cells(header) & text.is_not_null()
    exact = text.str.contains(f"^[0-9]{{1,{EXACT_DIGITS}}}$").fill_null(False)
    scientific = text.str.contains(SCIENTIFIC).fill_null(False)
    refused: list[tuple[int, str]] = []
    warnings: list[tuple[int, str]] = []
    for index in (numeric & ~exact).arg_true().to_list():
        cell = table.cell_label(header, index)
        refused.append(
            (
                index,
                f"数值格式单元格，末位可能已丢失（{cell}），请将单元格设为文本格式后重新录入 "
                f"(numeric cell {cell}: its last digits may have been lost)",
            )
        )
    for index in (scientific & ~numeric).arg_true().to_list():
        refused.append(
            (
                index,
                "科学计数法，原号码的末位已丢失，请将单元格设为文本格式后重新录入 "
                "(scientific notation: the last digits are lost)",
            )
        )
    for index in (numeric & exact).arg_true().to_list():
        cell = table.cell_label(header, index)
        warnings.append(
            (
                index,
                f"单元格{cell}为数值格式，已按文本读取，请核对 (numeric cell {cell} read as text)",
            )
        )
    return CodeCells(sorted(refused), warnings)


@dataclass(frozen=True)
class HeaderAt:
    """Where a header is: its first row (0-based), how many rows it spans, the column names."""

    start: int
    span: int
    names: list[str]


def locate_header(rows: Sequence[Sequence[str | None]], known: Collection[str]) -> HeaderAt:
    """The header among the first rows: the single row, or pair of rows (upper cells merged over
    lower ones), whose column names include the most ``known`` (normalised) headers; the earliest
    single row wins a tie. With no known header at all, the first row."""

    def score(names: Sequence[str]) -> int:
        return sum(normalise_header(n) in known for n in names if n)

    best = HeaderAt(0, 1, [c or "" for c in rows[0]] if rows else [])
    best_score = score(best.names)
    scanned = range(min(len(rows), HEADER_SCAN_ROWS))
    for start in scanned:
        single = [c or "" for c in rows[start]]
        if score(single) > best_score:
            best, best_score = HeaderAt(start, 1, single), score(single)
    # A pair must name more columns than any single row (a title over the header does not).
    for start in scanned:
        if start + 1 < len(rows):
            pair = _combined(rows[start], rows[start + 1], known)
            if score(pair) > best_score:
                best, best_score = HeaderAt(start, 2, pair), score(pair)
    return best


def _combined(
    upper: Sequence[str | None], lower: Sequence[str | None], known: Collection[str]
) -> list[str]:
    """Column names of a two-row header: the lower cell, the upper (merged cells fill rightwards)
    and the lower, or the upper — the first spelling that is known, else the lower or upper."""
    names: list[str] = []
    carried = ""
    for index in range(max(len(upper), len(lower))):
        top = (upper[index] if index < len(upper) else None) or ""
        bottom = (lower[index] if index < len(lower) else None) or ""
        carried = top or (carried if bottom else "")
        candidates = [c for c in (bottom, carried + bottom, carried) if c]
        known_one = next((c for c in candidates if normalise_header(c) in known), None)
        names.append(known_one or bottom or top)
    return names


REPEATED_SUFFIX = re.compile(r"(?:_duplicated)?_[0-9]+$")
"""The suffix a header written twice is given (``_duplicated_0`` here and by Polars, ``_1`` by
fastexcel): readers strip it to recognise the copy and to name it as the file has it."""


def _unique(names: Sequence[str]) -> list[str]:
    """Header names stripped, blanks named by position, repeats suffixed (as Polars does)."""
    seen: dict[str, int] = {}
    out = []
    for index, given in enumerate(names):
        name = str(given or "").strip() or f"__UNNAMED__{index}"
        if name in seen:
            seen[name] += 1
            out.append(f"{name}_duplicated_{seen[name] - 1}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_csv(path: Path, known: Collection[str] | None = None) -> Table:
    """Read a CSV file whose encoding is UTF-8 (with or without BOM) or GB18030.

    Args:
        path: the file.
        known: normalised headers the caller reads (default: ``jiuzhu.feeds.headers``'s), by
            which the header row is found below title rows (``locate_header``).

    Raises:
        TableError: the file is missing, empty, in neither encoding, or not well-formed CSV
            (a row with more fields than the header, an unclosed quote).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TableError(f"无法读取文件 (cannot read: {exc.strerror})") from exc
    if not raw.strip():
        raise TableError("文件为空 (the file is empty)")
    data: bytes | None = None
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Polars parses UTF-8 bytes directly (a StringIO costs four times as much); other
        # encodings are re-encoded once.
        data = raw.removeprefix(codecs.BOM_UTF8) if encoding == "utf-8-sig" else text.encode()
        del text
        break
    if data is None:
        raise TableError("文件编码既不是 UTF-8 也不是 GB18030 (neither UTF-8 nor GB18030 text)")
    head = _first_records(data)
    at = locate_header(head, known_headers() if known is None else known)
    try:
        if (at.start, at.span) == (0, 1):
            frame = pl.read_csv(data, infer_schema=False, truncate_ragged_lines=False)
        else:
            frame = pl.read_csv(
                data,
                has_header=False,
                skip_rows=at.start + at.span,
                infer_schema=False,
                truncate_ragged_lines=False,
            )
            frame = _named(frame, at.names)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TableError(
            f"不是格式正确的 CSV 文件：行的列数不一致或引号未闭合 (malformed CSV: {first})"
        ) from exc
    return Table(
        path,
        _clean(frame),
        None,
        "utf-8" if encoding == "utf-8-sig" else encoding,
        header_rows=(at.start + 1, at.start + at.span),
    )


def _first_records(data: bytes) -> list[list[str | None]]:
    """The first CSV records (for finding the header), blank cells as None."""
    sample = data[: 1 << 16].decode("utf-8", errors="ignore")
    records: list[list[str | None]] = []
    try:
        for record in csv.reader(io.StringIO(sample)):
            records.append([c.strip() or None for c in record])
            if len(records) > HEADER_SCAN_ROWS:
                break
    except csv.Error:
        pass  # a malformed file is reported by the full parse
    return records


def _named(frame: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """Columns renamed to the header found (blank or missing names by position)."""
    padded = [*names, *[""] * (frame.width - len(names))][: frame.width]
    return frame.rename(dict(zip(frame.columns, _unique(padded), strict=True)))


def read_workbook(path: Path, known: Collection[str] | None = None) -> dict[str, Table]:
    """Read every worksheet of an xlsx workbook, cells as text, below the header row found
    (``locate_header``, with ``known`` as in ``read_csv``).

    Date cells come as ``YYYY-MM-DD`` (with the time only if it is not midnight); numbers as
    their shortest decimal text, and ``Table.numeric_cells`` tells which cells were numbers.

    Raises:
        TableError: the file is missing or not an Excel workbook.
        MissingExtraError: fastexcel (the excel extra) is not installed.
    """
    if not path.exists():
        raise TableError("文件不存在 (no such file)")
    wanted = known_headers() if known is None else known
    fastexcel = _fastexcel()
    try:
        reader = fastexcel.read_excel(str(path))
        sheets = {}
        for name in reader.sheet_names:
            sheets[name] = _read_sheet(reader, path, name, wanted)
    except (fastexcel.FastExcelError, OSError) as exc:
        # calamine's message carries a context trace; its first line says what is wrong.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TableError(
            f"不是可读取的 xlsx 工作簿，可能已损坏或不完整 (not a readable xlsx workbook: {first})"
        ) from exc
    return sheets


def _fastexcel() -> Any:
    """fastexcel (calamine), imported when a workbook is read: the bare package reads CSV and
    Parquet, the excel extra adds workbooks."""
    return require("fastexcel", "读取 xlsx 工作簿 (reading an xlsx workbook)")


def _read_sheet(reader: Any, path: Path, name: str, known: Collection[str]) -> Table:
    """One worksheet below its header, with the probe of its numeric cells."""
    # Two loads of every row, header included, run at once: the text, and a boolean load of
    # the same cells (calamine turns no text into a boolean but every number and date into
    # one, so a non-null value marks a cell that is not text: ``Table.numeric_cells``).
    # calamine parses the whole sheet on every load and releases the GIL while it does, so the
    # second load costs wall time only on a single CPU; a load of the first rows alone (to find
    # the header) cost as much as the whole sheet.
    pool = ThreadPoolExecutor(max_workers=1)
    types = pool.submit(_load_types, path, name)
    pool.shutdown(wait=False)
    whole = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
    at = locate_header(whole.head(HEADER_SCAN_ROWS + 1).rows(), known)
    below = at.start + at.span
    frame = _named(whole.slice(below), at.names)
    frame = frame.with_columns(
        pl.col(pl.String).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1")
    )
    frame = _clean(frame)
    height, columns = frame.height, frame.columns

    def probe(headers: Sequence[str]) -> dict[str, pl.Series]:
        loaded = types.result().slice(below)
        return {
            h: loaded.to_series(columns.index(h))
            .is_not_null()
            .head(height)
            .extend_constant(False, max(height - loaded.height, 0))
            for h in headers
        }

    return Table(
        path, frame, name, header_rows=(at.start + 1, at.start + at.span), numeric_probe=probe
    )


def _load_types(path: Path, name: str) -> pl.DataFrame:
    """The sheet's cells loaded as booleans, every row (its own reader: one calamine reader is
    not shared between threads)."""
    reader = _fastexcel().read_excel(str(path))
    frame: pl.DataFrame = reader.load_sheet(name, header_row=None, dtypes="boolean").to_polars()
    return frame


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip headers and cells, turn blank cells into nulls, drop wholly empty trailing rows."""
    frame = frame.rename({c: str(c).strip() for c in frame.columns})
    if frame.width == 0:
        return frame
    frame = frame.with_columns(
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in frame.columns
    )
    keep = ~pl.all_horizontal(pl.all().is_null())
    # Keep interior blank rows (so row numbers stay right); only trailing ones are dropped.
    if frame.height:
        last = frame.select(keep.arg_true().max()).item()
        frame = frame.head(0 if last is None else last + 1)
    return frame
