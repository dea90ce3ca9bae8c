"""A batch assessment's result rows as people read them (the job page and its workbook):
township and community by name, per program the result, the monthly amount and the main
reason in the reader's language."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from jiuzhu.reference import division
from jiuzhu.web.audit.texts import record_language
from jiuzhu.web.core.programs import program_choices
from jiuzhu.web.jobs.assessment import main_reason, reason_sets
from jiuzhu.web.jobs.models import AssessedHousehold, Result
from jiuzhu.web.localvalues.actions import system as rules_system


@dataclass(frozen=True)
class ProgramCell:
    """One program's result for one household: ``result`` a ``Result`` (blank: not
    assessed), ``amount`` in fen a month (None: none), ``reason`` the main reason's label."""

    result: str
    label: str
    amount: int | None
    reason: str


@dataclass(frozen=True)
class ResultRow:
    row: AssessedHousehold
    township: str
    community: str
    programs: list[ProgramCell]


@functools.cache
def _name(code: str) -> str:
    found = division(code) if code else None
    return found.name if found is not None else code


def present(rows: Iterable[AssessedHousehold]) -> Iterator[ResultRow]:
    """The rows (``queries.assessed``: with each program's columns) with their division names
    and program cells (labels in the active language)."""
    reasons = reason_sets(rules_system())
    programs = program_choices()
    labels = dict(Result.choices)
    for row in rows:
        cells = []
        for program, _label in programs:
            result = getattr(row, f"{program}_result") or ""
            cells.append(
                ProgramCell(
                    result,
                    str(labels.get(result, "—")) if not row.invalid else _("未评估"),
                    getattr(row, f"{program}_amount"),
                    main_reason(reasons.get(program), result, getattr(row, f"{program}_reasons")),
                )
            )
        yield ResultRow(row, _name(row.township_code), _name(row.division_code), cells)


def workbook(rows: QuerySet[AssessedHousehold]) -> IO[bytes]:
    """All ``rows`` as an xlsx file in Chinese (a workbook for the bureau's files, like the
    payroll's), amounts in yuan; written row by row (openpyxl write-only) into a temporary file
    positioned at its start, which the caller streams and closes."""
    book = Workbook(write_only=True)
    with record_language():
        sheet = book.create_sheet(_("批量评估结果"))
        header = [_("家庭编号"), _("申请人"), _("乡镇（街道）"), _("村（居）")]
        for _program, label in program_choices():
            header += [
                _("%(program)s：结果") % {"program": label},
                _("%(program)s：月救助金（元）") % {"program": label},
                _("%(program)s：主要理由") % {"program": label},
            ]
        sheet.append(header)
        for shown in present(rows.iterator(chunk_size=2000)):
            line: list[object] = [
                shown.row.number,
                shown.row.applicant,
                shown.township,
                shown.community,
            ]
            for cell in shown.programs:
                line += [cell.label, _money(sheet, cell.amount), cell.reason]
            sheet.append(line)
    out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse streams and closes it
    book.save(out)
    out.seek(0)
    return out


def _money(sheet: Any, fen: int | None) -> WriteOnlyCell | str:
    if fen is None:
        return ""
    cell = WriteOnlyCell(sheet, value=Decimal(fen) / 100)
    cell.number_format = "#,##0.00"
    return cell
