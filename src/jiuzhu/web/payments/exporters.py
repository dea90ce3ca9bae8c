"""Bank file exporters (代发文件), pluggable: a bank with its own layout registers an exporter.

Every exporter writes the same content:

* a header row (column names);
* one row per **transfer**: the account number **in full** (the bank file is the only place it
  is shown whole), the holder's name, the bank, the amount in yuan with two decimals
  (``1045.00``), and the reference. A transfer is the net of one entitlement's payments in the
  run (regular + arrears − recovery): a bank cannot credit a negative amount, so a deduction is
  netted into the same transfer, and the ledger keeps the parts;
* a totals line: ``合计``, the number of rows and the total in yuan;
* a checksum line: ``校验``, ``SHA-256`` and the hex digest of the rows (``row_checksum``).

The checksum is SHA-256 over the UTF-8 bytes of ``account|name|amount|reference\\n`` for every
row in file order. It does not depend on the file's format or encoding, so the CSV and the xlsx
of the same rows carry the same value, and anyone holding the rows (the bank, an auditor) can
recompute it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

ENCODINGS = ("utf-8", "gb18030")
"""UTF-8 (with a BOM, so that Excel opens it as such) or GB18030, which older bank systems
expect."""

HEADER = ("账号", "户名", "开户银行", "金额（元）", "业务参考号")
TOTAL_LABEL = "合计"
CHECKSUM_LABEL = "校验"


@dataclass(frozen=True)
class BankRow:
    account_number: str
    holder_name: str
    bank_name: str
    amount: int
    """fen; positive."""
    reference: str


@dataclass(frozen=True)
class FileMeta:
    """What the file is for (its name is built from it)."""

    month: str
    program: str
    purpose: str
    sequence: int = 1


def yuan_text(fen: int) -> str:
    """104500 → ``1045.00`` (no thousands separator: a bank field, not a display)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def row_checksum(rows: Sequence[BankRow]) -> str:
    """SHA-256 (hex) over ``account|name|amount|reference\\n`` of every row, UTF-8."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(
            f"{row.account_number}|{row.holder_name}|{yuan_text(row.amount)}|{row.reference}\n".encode()
        )
    return digest.hexdigest()


class Exporter(Protocol):
    name: str
    label: str
    extension: str
    content_type: str
    encodings: tuple[str, ...]

    def write(self, rows: Sequence[BankRow], meta: FileMeta, encoding: str) -> bytes: ...


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    """Add an exporter to the registry under its ``name``."""
    EXPORTERS[exporter.name] = exporter
    return exporter


def get_exporter(name: str) -> Exporter:
    """Raises KeyError for an unknown exporter."""
    return EXPORTERS[name]


def filename(meta: FileMeta, exporter: Exporter) -> str:
    suffix = "" if meta.purpose == "initial" else f"-reissue{meta.sequence}"
    return f"payroll-{meta.month}-{meta.program}{suffix}.{exporter.extension}"


def _lines(rows: Sequence[BankRow]) -> list[list[str]]:
    total = sum(row.amount for row in rows)
    return [
        list(HEADER),
        *[
            [r.account_number, r.holder_name, r.bank_name, yuan_text(r.amount), r.reference]
            for r in rows
        ],
        [TOTAL_LABEL, str(len(rows)), "", yuan_text(total), ""],
        [CHECKSUM_LABEL, "SHA-256", row_checksum(rows), "", ""],
    ]


class CsvExporter:
    """Generic CSV, comma-separated, CRLF line ends (what Windows bank clients read)."""

    name = "csv"
    label = "CSV"
    extension = "csv"
    content_type = "text/csv"
    encodings: tuple[str, ...] = ENCODINGS

    def write(self, rows: Sequence[BankRow], meta: FileMeta, encoding: str) -> bytes:
        if encoding not in self.encodings:
            raise ValueError(f"unsupported encoding {encoding!r}")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerows(_lines(rows))
        text = buffer.getvalue()
        # A BOM tells Excel the file is UTF-8; GB18030 has none.
        return ("\ufeff" + text).encode("utf-8") if encoding == "utf-8" else text.encode(encoding)


class XlsxExporter:
    """An xlsx template, written row by row (openpyxl write-only: constant memory). The account
    number and the reference are text (a 19-digit number would lose digits as a number); the
    amount is a number formatted ``0.00``."""

    name = "xlsx"
    label = "Excel (xlsx)"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    encodings: tuple[str, ...] = ("",)

    def write(self, rows: Sequence[BankRow], meta: FileMeta, encoding: str = "") -> bytes:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("代发明细")
        sheet.append(list(HEADER))
        for row in rows:
            amount = WriteOnlyCell(sheet, value=Decimal(row.amount) / 100)
            amount.number_format = "0.00"
            sheet.append(
                [row.account_number, row.holder_name, row.bank_name, amount, row.reference]
            )
        total = WriteOnlyCell(sheet, value=Decimal(sum(r.amount for r in rows)) / 100)
        total.number_format = "0.00"
        sheet.append([TOTAL_LABEL, len(rows), "", total, ""])
        sheet.append([CHECKSUM_LABEL, "SHA-256", row_checksum(rows), "", ""])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


register(CsvExporter())
register(XlsxExporter())


def read_csv_rows(content: bytes) -> list[list[str]]:
    """A CSV's rows, decoded as UTF-8 (with or without a BOM) or else GB18030."""
    text = decode(content)
    return [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


__all__ = [
    "ENCODINGS",
    "EXPORTERS",
    "BankRow",
    "CsvExporter",
    "Exporter",
    "FileMeta",
    "XlsxExporter",
    "decode",
    "filename",
    "get_exporter",
    "read_csv_rows",
    "register",
    "row_checksum",
    "yuan_text",
]
