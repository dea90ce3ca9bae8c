"""A statistics table as an xlsx workbook (openpyxl): a sheet by month and a sheet by township,
each opening with a title row (table, jurisdiction), the period, the export's date and who
made it, and the suppression note; headers in the user's language; counts as numbers, amounts
as yuan with two decimals; small cells suppressed (``jiuzhu.batch.suppression``), always."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jiuzhu.batch.suppression import THRESHOLD
from jiuzhu.web.statistics.tables import COUNTS, MEASURES, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(tables: list[tuple[str, Table]], heading: list[str]) -> bytes:
    """The workbook: one sheet per ``(sheet name, table)``, each opening with the ``heading``
    lines (the first in bold: the title)."""
    book = Workbook()
    book.remove(book.active)
    for name, table in tables:
        sheet = book.create_sheet(name[:31])
        for index, line in enumerate(heading):
            sheet.append([line])
            sheet.cell(row=index + 1, column=1).font = Font(bold=index == 0)
        sheet.append(
            [
                _("小于%(n)s的户数、人数、人次显示为“<%(n)s”；“×”为防止由合计推算而一并隐藏的格。")
                % {"n": THRESHOLD}
            ]
        )
        sheet.append([])
        measures = table.spec.measures
        groups = ["", *(label for _key, label in table.groups for _m in measures)]
        sheet.append(groups)
        sheet.append(["", *(str(MEASURES[m]) for _g in table.groups for m in measures)])
        for row in table.all_rows:
            cells = row.cells(measures, suppressed=True)
            sheet.append([row.label, *cells])
        for cells in sheet.iter_rows(min_row=sheet.max_row - len(table.all_rows) + 1):
            for cell, measure in zip(cells[1:], measures * len(table.groups), strict=True):
                if measure not in COUNTS and isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
