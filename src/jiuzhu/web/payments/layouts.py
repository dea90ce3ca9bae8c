"""Bank file layouts (代发文件格式), declared as data: one entry per bank and file format, never
code per bank. ``payments.exporters`` writes any layout; a bank with its own layout is one more
entry in ``LAYOUTS``.

A layout says:

* ``columns`` — which field goes in which column, with the column's title and, for a
  fixed-width file, its width in **bytes** of the file's encoding and its alignment. The fields
  are those of ``payroll.bankrows.BankRow``: ``sequence`` (1, 2, … in file order), ``account``,
  ``name`` (the holder's name), ``id_number`` (the holder's resident ID, recorded with the
  account), ``bank`` (the payee's bank and branch as recorded), ``amount`` (yuan with two
  decimals, ``1045.00``), ``reference`` (``202510DB0000001234``; ``R1``… for a re-issue);
* ``encodings`` — the encodings the bank reads, the first the default;
* ``titles`` — whether the first data line holds the column titles;
* ``leading`` and ``trailing`` — summary rows before the titles and after the data, as cell
  templates with ``{count}``, ``{total}`` (yuan), ``{checksum}`` and ``{month}``;
* ``quote_text`` (CSV) — account, ID and reference quoted, so that a CSV reader that honours
  quotes keeps them as text. Excel ignores quotes when it opens a CSV by double-click and shows
  a 19-digit account as 6.2231E+18: read the xlsx, or import the CSV with those columns as text,
  and never save a bank CSV from Excel;
* what is known of the bank's own specification and what is not (``known``, ``unknown``),
  shown on the export form.

**The default**, 天津农商银行 (Tianjin Rural Commercial Bank) CSV, is *our* layout: we hold no
specification from the bank. Its columns are the fields a transfer needs and the payee's ID
number (the holder's, recorded and checked with the account), so that the bank, or anyone
checking the file, can tie each transfer to a person; it has one title row and no summary rows, because a bank importer that reads every line after the
titles as a transfer would reject a totals line. The totals and the checksum are kept with the
file (``BankFile``) and shown on the run's page, and the xlsx carries them on a second sheet.
Not known to us: the bank's column order and titles, whether it wants a title row or summary
rows, its encoding (GB18030 is the default: a GBK reader reads every GBK character of it
alike; choose GBK if the bank's system is GBK, and a name outside GBK is then refused before
the file is written), whether it wants a fixed-width text file, its field lengths, and its
return file's layout. Replace this entry when the bank's specification is at hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FIELDS = ("sequence", "account", "name", "id_number", "bank", "amount", "reference")
"""The fields a column may carry (``payroll.bankrows.BankRow``)."""

TEXT_FIELDS = frozenset({"account", "id_number", "reference"})
"""Codes made of digits that a spreadsheet must keep as text (a 19-digit account or an 18-digit
ID read as a number loses its last digits)."""


@dataclass(frozen=True)
class Column:
    """One column: the field it carries, its title, and for a fixed-width file its width in
    bytes of the file's encoding and its alignment (text left, amounts right, padded with
    spaces)."""

    field: str
    title: str
    width: int | None = None
    align: Literal["left", "right"] = "left"

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise ValueError(f"unknown bank file field {self.field!r}")


@dataclass(frozen=True)
class Layout:
    """A bank's file layout (see the module's docstring)."""

    key: str
    bank: str
    label: str | Promise
    format: Literal["csv", "xlsx", "fixed"]
    columns: tuple[Column, ...]
    encodings: tuple[str, ...] = ("gb18030",)
    titles: bool = True
    leading: tuple[tuple[str, ...], ...] = ()
    trailing: tuple[tuple[str, ...], ...] = ()
    quote_text: bool = True
    delimiter: str = ","
    line_end: str = "\r\n"
    known: str | Promise = ""
    unknown: str | Promise = ""

    def __post_init__(self) -> None:
        if self.format == "fixed" and any(c.width is None for c in self.columns):
            raise ValueError(f"{self.key}: every column of a fixed-width layout needs a width")
        if self.format == "xlsx" and self.encodings != ("",):
            raise ValueError(f"{self.key}: an xlsx has no text encoding")

    @property
    def extension(self) -> str:
        return {"csv": "csv", "xlsx": "xlsx", "fixed": "txt"}[self.format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


CONTENT_TYPES = {
    "csv": "text/csv",
    "txt": "text/plain",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""By file extension (a file written before layouts were named keeps its extension)."""

ENCODING_LABELS = {"gb18030": "GB18030", "gbk": "GBK", "utf-8": "UTF-8", "": "—"}

OUR_COLUMNS = (
    Column("account", "账号"),
    Column("name", "户名"),
    Column("id_number", "身份证号码"),
    Column("amount", "金额（元）"),
    Column("bank", "开户银行"),
    Column("reference", "业务参考号"),
)
"""Our columns, in our order (not the bank's: see the module's docstring)."""

UNKNOWN_TJRCB = _(
    "未取得天津农商银行的代发文件规范：列的顺序和标题、是否要标题行或汇总行、文件编码、"
    "是否要定长文本及各字段长度、回盘文件格式，均为本系统的约定，使用前请与银行核对"
)

LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in (
        Layout(
            key="tjrcb-csv",
            bank="天津农村商业银行",
            label=_("天津农商银行 CSV（默认）"),
            format="csv",
            columns=OUR_COLUMNS,
            encodings=("gb18030", "gbk", "utf-8"),
            known=_("一行标题，每笔一行，无汇总行；账号、身份证号码、业务参考号加引号"),
            unknown=UNKNOWN_TJRCB,
        ),
        Layout(
            key="tjrcb-xlsx",
            bank="天津农村商业银行",
            label=_("天津农商银行 Excel（xlsx）"),
            format="xlsx",
            columns=OUR_COLUMNS,
            encodings=("",),
            known=_(
                "第一个工作表为代发明细（账号、身份证号码为文本格式），第二个工作表为汇总和校验值"
            ),
            unknown=UNKNOWN_TJRCB,
        ),
    )
}

DEFAULT = "tjrcb-csv"


def get_layout(key: str) -> Layout:
    """Raises KeyError for an unknown layout."""
    return LAYOUTS[key]


__all__ = [
    "CONTENT_TYPES",
    "DEFAULT",
    "ENCODING_LABELS",
    "FIELDS",
    "LAYOUTS",
    "TEXT_FIELDS",
    "Column",
    "Layout",
    "get_layout",
]
