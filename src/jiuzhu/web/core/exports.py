"""A list page's rows as an xlsx download (issue 14): the one writer of the exports of
households, applications, entitlements and the low-income register.

The workbook says what it holds before the rows: a title row, the filters applied, the
exporting user's jurisdiction, when and by whom it was exported; then the column headers
(frozen, in the user's language), every row, and a last line with the number of rows. Nothing is
capped: every row of the list is written, row by row in openpyxl's write-only mode into a
temporary file that the response streams (memory stays flat at 100,000 rows).

The caller decides what rows hold; ID numbers go through ``ListExport.resident_id``, masked as
every page shows them unless whole numbers were deliberately asked for (``whole_ids``); this
module only writes. Every export is an audit event: the caller's ``audit`` receives the number
of rows written before the response is returned.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import IO

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jiuzhu.reference import division
from jiuzhu.web.accounts.context import jurisdiction
from jiuzhu.web.core import clock
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.users import Staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHOLE_IDS = "whole_ids"
"""The posted field that asks for whole ID numbers (``whole_ids``)."""
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


class Kind(Enum):
    """How a column's values are written."""

    TEXT = "text"
    MONEY = "money"  # integer fen, written as yuan with two decimals
    DATE = "date"  # a date, written as a date (yyyy-mm-dd)
    COUNT = "count"  # an integer


@dataclass(frozen=True)
class Column:
    """One column: its header (translated when written) and kind; ``width`` in characters."""

    header: str | Promise
    kind: Kind = Kind.TEXT
    width: int = 14


@dataclass(frozen=True)
class ListExport:
    """What an export is: ``title`` (the list's name: the sheet, the title row and the file
    name), its ``columns``, the ``filters`` applied (label → value shown; empty: none) and
    ``notes`` on how to read the rows."""

    title: str | Promise
    columns: Sequence[Column]
    filters: Mapping[str, str] = field(default_factory=dict)
    notes: Sequence[str | Promise] = ()
    whole_ids: bool = False
    """ID numbers are written whole (``whole_ids(request)``), else masked."""

    def resident_id(self, number: str) -> str:
        """An ID number as this export shows it."""
        return number if self.whole_ids else mask_id(number)


def whole_ids(request: HttpRequest) -> bool:
    """Whether the export asked for by ``request`` holds whole ID numbers. By default it does
    not: every role gets them masked (``mask_id``), exactly as every list page shows them. A
    role that may reveal a number on the household page (``registry.view_unmasked``: not a
    community worker) may ask for them deliberately, by posting ``whole_ids=1`` — a reveal of
    the whole list, recorded as such in the export's audit event (``unmasked``).

    Raises:
        PermissionDenied: whole numbers asked for by a role that may not see them.
    """
    if request.method != "POST" or request.POST.get(WHOLE_IDS) != "1":
        return False
    if not request.user.has_perm("registry.view_unmasked"):
        raise PermissionDenied("registry.view_unmasked")
    return True


def places(division_code: str) -> tuple[str, str]:
    """(township, community) names of a 12-digit division code (the code itself when
    unknown)."""
    found = division(division_code)
    if found is None:
        return division_code[:9], division_code
    return found.township_name, found.name


def form_filters(form: forms.Form) -> dict[str, str]:
    """The filters a bound ``form`` applies, field label → value shown (a choice by its label);
    none when the form is unbound or invalid (its page then lists every row too)."""
    if not form.is_bound or not form.is_valid():
        return {}
    shown: dict[str, str] = {}
    for name, bound in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        choices = dict(getattr(bound, "choices", ()))
        shown[str(bound.label or name)] = str(choices.get(value, value))
    return shown


def xlsx_response(
    request: HttpRequest,
    export: ListExport,
    rows: Iterable[Sequence[object]],
    audit: Callable[[int], object],
) -> FileResponse:
    """``rows`` (one value per column: fen for money, ``datetime.date`` or None for dates) as
    an xlsx attachment named ``<title>_<YYYY-MM-DD>.xlsx`` (RFC 5987 encoded: the title is in
    the user's language). ``audit(rows written)`` is called once the file is written and before
    it is sent; if it raises, nothing is sent."""
    out, count = _write(request, export, rows)
    try:
        audit(count)
    except BaseException:
        out.close()
        raise
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"{export.title}_{clock.today():%Y-%m-%d}.xlsx",
        content_type=XLSX,
    )


def _write(
    request: HttpRequest, export: ListExport, rows: Iterable[Sequence[object]]
) -> tuple[IO[bytes], int]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(str(export.title)))
    preamble = _preamble(request, export)
    # Set before the first row: write-only sheets write their views and widths first.
    for index, column in enumerate(export.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"A{len(preamble) + 2}"
    sheet.append([_styled(sheet, preamble[0], TITLE)])
    for line in preamble[1:]:
        sheet.append([line])
    sheet.append([_styled(sheet, str(column.header), BOLD) for column in export.columns])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, c.kind, v) for c, v in zip(export.columns, row, strict=True)])
        count += 1
    sheet.append([])
    sheet.append([_("共 %(count)s 行：列表的全部记录，未截断") % {"count": f"{count:,}"}])
    for note in export.notes:
        sheet.append([str(note)])
    out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse streams and closes it
    book.save(out)
    out.seek(0)
    return out, count


def _preamble(request: HttpRequest, export: ListExport) -> list[str]:
    """The lines above the headers: what the list is, its filters, the jurisdiction, when and
    by whom it was exported."""
    user = request.user
    colon = _("：")
    filters = _("；").join(f"{label}{colon}{value}" for label, value in export.filters.items())
    who = f"{user}（{user.get_role_display()}）" if isinstance(user, Staff) else str(user)
    return [
        _("%(title)s（导出）") % {"title": export.title},
        _("筛选条件：%(filters)s") % {"filters": filters or _("无（全部记录）")},
        _("辖区：%(jurisdiction)s")
        % {"jurisdiction": jurisdiction(request).get("jurisdiction_name", "—")},
        _("导出时间：%(when)s；导出人：%(who)s")
        % {"when": f"{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}", "who": who},
    ]


def _sheet_title(title: str) -> str:
    """A sheet's name: 31 characters at most, none of ``[]:*?/\\``."""
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"


def _styled(sheet: WriteOnlyWorksheet, value: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _cell(sheet: WriteOnlyWorksheet, kind: Kind, value: object) -> object:
    if value is None or value == "":
        return None
    if kind is Kind.MONEY and isinstance(value, int):
        cell = WriteOnlyCell(sheet, value=Decimal(value) / 100)
        cell.number_format = "#,##0.00"
        return cell
    if kind is Kind.DATE and isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    # Text as text: characters a worksheet cannot hold are dropped, and a value starting
    # with "=" (an address typed so) stays a string, never a formula the reader's Excel runs.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"
    return cell
