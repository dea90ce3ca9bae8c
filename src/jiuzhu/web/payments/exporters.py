"""Bank file writers: any layout of ``payments.layouts`` (CSV, xlsx or fixed-width text) from the
same rows (``payroll.bankrows``: the rows, their cells, the checksum). One row per
**transfer**: the net of one entitlement's payments in the run (regular + arrears − recovery; a
bank cannot credit a negative amount), with the account **in full** (the bank file is the only
place it is shown whole) and the payee's ID number.

Nothing is half-written: ``problems`` lists every cell the layout cannot carry (a character the
encoding lacks, a value longer than a fixed width) and ``write`` refuses to write any file
while one remains, so the caller refuses the whole file first (``payments.bankfiles``).

The checksum is SHA-256 over the UTF-8 bytes of ``account|name|id|amount|reference\\n`` for
every row in file order. It does not depend on the layout or the encoding, so the CSV and the
xlsx of the same rows carry the same value, and anyone holding the rows (the bank, an auditor)
can recompute it. It is kept with the file and shown on the run's page; a layout prints it
only where it declares a summary row or sheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jiuzhu.batch.pipelines.payroll.bankrows import (
    BankRow,
    byte_width,
    row_cells,
    row_checksum,
    unencodable,
    yuan_text,
)
from jiuzhu.web.payments.layouts import ENCODING_LABELS, TEXT_FIELDS, Column, Layout

BOM = "\ufeff"
"""Written before a UTF-8 CSV: Excel then opens it as UTF-8 (GB18030 and GBK have none)."""


@dataclass(frozen=True)
class FileMeta:
    """What the file is for (its name is built from it)."""

    month: str
    program: str
    purpose: str
    sequence: int = 1


def filename(meta: FileMeta, layout: Layout) -> str:
    suffix = "" if meta.purpose == "initial" else f"-reissue{meta.sequence}"
    return f"payroll-{meta.month}-{meta.program}{suffix}.{layout.extension}"


def _summary(rows: Sequence[BankRow], meta: FileMeta) -> dict[str, Any]:
    return {
        "count": len(rows),
        "total": yuan_text(sum(r.amount for r in rows)),
        "checksum": row_checksum(rows),
        "month": meta.month,
    }


def problems(layout: Layout, rows: Sequence[BankRow], encoding: str) -> list[tuple[int, str]]:
    """Every cell of ``rows`` the layout cannot carry, as (row index, message in the user's
    language): a character the encoding lacks, or a control character an xlsx cannot hold
    (named); a value wider than a fixed column."""
    found: list[tuple[int, str]] = []
    for index, row in enumerate(rows):
        cells = row_cells(row, index + 1)
        for column in layout.columns:
            value = cells[column.field]
            if layout.format == "xlsx":
                missing = ILLEGAL_CHARACTERS_RE.findall(value)
            else:
                missing = unencodable(value, encoding)
            if missing:
                found.append(
                    (
                        index,
                        _("%(column)s含有文件编码（%(encoding)s）无法表示的字符：%(characters)s")
                        % {
                            "column": column.title,
                            "encoding": ENCODING_LABELS.get(encoding, encoding),
                            "characters": named_characters(missing),
                        },
                    )
                )
            elif column.width is not None and byte_width(value, encoding) > column.width:
                found.append(
                    (
                        index,
                        _("%(column)s超过文件格式规定的%(width)s字节")
                        % {"column": column.title, "width": column.width},
                    )
                )
    return found


def named_characters(characters: Sequence[str]) -> str:
    """“𠀀”（U+20000）、U+0007: each character once, with its code point (a control character by
    its code point only)."""
    return "、".join(
        f"“{c}”（U+{ord(c):04X}）" if c.isprintable() else f"U+{ord(c):04X}"
        for c in dict.fromkeys(characters)
    )


def write(layout: Layout, rows: Sequence[BankRow], meta: FileMeta, encoding: str) -> bytes:
    """The file's bytes.

    Raises:
        ValueError: an encoding the layout does not declare, or a cell the layout cannot carry
            (``problems``: the caller refuses the file before it gets here).
    """
    if encoding not in layout.encodings:
        raise ValueError(f"{layout.key} does not declare the encoding {encoding!r}")
    if problems(layout, rows, encoding):
        raise ValueError(f"{layout.key}: cells the layout cannot carry (see problems())")
    if layout.format == "xlsx":
        return _xlsx(layout, rows, meta)
    lines = [_text_line(layout, cells) for cells in _templated(layout.leading, rows, meta)]
    if layout.titles:
        lines.append(_text_line(layout, [c.title for c in layout.columns]))
    for sequence, row in enumerate(rows, start=1):
        cells = row_cells(row, sequence)
        values = [cells[c.field] for c in layout.columns]
        lines.append(_text_line(layout, values, layout.columns, encoding))
    lines += [_text_line(layout, cells) for cells in _templated(layout.trailing, rows, meta)]
    text = "".join(line + layout.line_end for line in lines)
    return (BOM + text).encode("utf-8") if encoding == "utf-8" else text.encode(encoding)


def _templated(
    templates: tuple[tuple[str, ...], ...], rows: Sequence[BankRow], meta: FileMeta
) -> list[list[str]]:
    values = _summary(rows, meta)
    return [[cell.format(**values) for cell in template] for template in templates]


def _text_line(
    layout: Layout, values: list[str], columns: Sequence[Column] = (), encoding: str = ""
) -> str:
    """One line of a CSV (quoted where needed, and text fields where the layout says) or of a
    fixed-width file (data cells padded to their width in bytes; summary lines as written)."""
    if layout.format == "fixed":
        if not columns:
            return "".join(values)
        return "".join(
            _padded(value, column, encoding) for value, column in zip(values, columns, strict=True)
        )
    out = []
    for position, value in enumerate(values):
        text_field = bool(columns) and columns[position].field in TEXT_FIELDS
        special = any(c in value for c in (layout.delimiter, '"', "\r", "\n"))
        quoted = special or (text_field and layout.quote_text)
        out.append('"' + value.replace('"', '""') + '"' if quoted else value)
    return layout.delimiter.join(out)


def _padded(value: str, column: Column, encoding: str) -> str:
    """``value`` padded with spaces to the column's width in bytes of the file's encoding (the
    padding is counted in bytes, so a Chinese name takes two or more per character)."""
    width = column.width or 0
    padding = " " * (width - len(value.encode(encoding)))
    return value + padding if column.align == "left" else padding + value


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "@"  # text: kept as typed when the cell is edited
    return cell


def _money_cell(sheet: WriteOnlyWorksheet, fen: int) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=Decimal(fen) / 100)
    cell.number_format = "0.00"
    return cell


def _xlsx(layout: Layout, rows: Sequence[BankRow], meta: FileMeta) -> bytes:
    """The rows on the first sheet (accounts and IDs as text cells, amounts as numbers
    ``0.00``); the count, the total and the checksum on a second sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("代发明细")
    for summary_row in _templated(layout.leading, rows, meta):
        sheet.append(summary_row)
    if layout.titles:
        sheet.append([c.title for c in layout.columns])
    for sequence, row in enumerate(rows, start=1):
        cells = row_cells(row, sequence)
        sheet.append(
            [
                _money_cell(sheet, row.amount)
                if c.field == "amount"
                else sequence
                if c.field == "sequence"
                else _text_cell(sheet, cells[c.field])
                for c in layout.columns
            ]
        )
    for summary_row in _templated(layout.trailing, rows, meta):
        sheet.append(summary_row)
    totals = book.create_sheet("汇总")
    summary = _summary(rows, meta)
    totals.append(["发放月份", _text_cell(totals, meta.month)])
    totals.append(["笔数", summary["count"]])
    totals.append(["金额合计（元）", _money_cell(totals, sum(r.amount for r in rows))])
    totals.append(["校验值（SHA-256）", summary["checksum"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def decode(content: bytes) -> str:
    """A text file's content: UTF-8 (with or without a BOM), else GB18030 (which decodes any
    byte sequence of GBK alike).

    Raises:
        UnicodeDecodeError: neither.
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


__all__ = [
    "BankRow",
    "FileMeta",
    "decode",
    "filename",
    "named_characters",
    "problems",
    "row_checksum",
    "write",
    "yuan_text",
]
