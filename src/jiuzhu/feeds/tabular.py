"""Reading tables people and departments send: CSV in UTF-8 or GB18030, and xlsx workbooks.

Every cell is read as text so that the caller can validate and report each bad cell by its place
in the file (line or sheet row, column header); nothing is guessed silently.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from pathlib import Path

import fastexcel
import polars as pl

ENCODINGS = ("utf-8-sig", "gb18030")


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

    def subset(self, mask: pl.Series) -> Table:
        """The rows where ``mask`` holds, still reported at their place in the file."""
        indices = mask.fill_null(False).arg_true().to_list()
        rows = tuple(self.rows[i] for i in indices) if self.rows is not None else tuple(indices)
        return replace(self, frame=self.frame.filter(mask.fill_null(False)), rows=rows)

    def row_label(self, index: int) -> str:
        """Where row ``index`` (0-based, after the header) is in the file: CSV line or sheet row."""
        if self.rows is not None:
            index = self.rows[index]
        if self.sheet is None:
            return f"第{index + 2}行 (line {index + 2})"
        return f"工作表“{self.sheet}”第{index + 2}行 (sheet {self.sheet}, row {index + 2})"

    def column_label(self, header: str) -> str:
        """The header with its spreadsheet letter for workbooks (e.g. ``身份证号 (C)``)."""
        if self.sheet is None or header not in self.frame.columns:
            return header
        return f"{header} ({_column_letter(self.frame.columns.index(header))})"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_csv(path: Path) -> Table:
    """Read a CSV file whose encoding is UTF-8 (with or without BOM) or GB18030.

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
    try:
        frame = pl.read_csv(data, infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TableError(
            f"不是格式正确的 CSV 文件：行的列数不一致或引号未闭合 (malformed CSV: {first})"
        ) from exc
    return Table(path, _clean(frame), None, "utf-8" if encoding == "utf-8-sig" else encoding)


def read_workbook(path: Path) -> dict[str, Table]:
    """Read every worksheet of an xlsx workbook (first row = headers), cells as text.

    Date cells come as ``YYYY-MM-DD`` (with the time only if it is not midnight); numbers as
    their shortest decimal text.

    Raises:
        TableError: the file is missing or not an Excel workbook.
    """
    if not path.exists():
        raise TableError("文件不存在 (no such file)")
    try:
        reader = fastexcel.read_excel(str(path))
        sheets = {}
        for name in reader.sheet_names:
            frame = reader.load_sheet(name, dtypes="string").to_polars()
            frame = frame.with_columns(
                pl.col(pl.String).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1")
            )
            sheets[name] = Table(path, _clean(frame), name)
    except (fastexcel.FastExcelError, OSError) as exc:
        # calamine's message carries a context trace; its first line says what is wrong.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TableError(
            f"不是可读取的 xlsx 工作簿，可能已损坏或不完整 (not a readable xlsx workbook: {first})"
        ) from exc
    return sheets


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
