"""A resident's copy of their data as an xlsx workbook (``personal_data.sections``): a first
sheet saying what it is, then one sheet per kind of record, headings in bold and frozen.

The copy is a document handed to the resident, so it is written in Chinese whatever the
language of the staff member's pages (as the printed notices are)."""

from __future__ import annotations

import tempfile
from typing import IO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jiuzhu.web.core.users import Staff
from jiuzhu.web.privacy.personal_data import Section, sections
from jiuzhu.web.registry.models import Person

LEGAL_BASIS = "《中华人民共和国个人信息保护法》第四十五条"


def _sheet(book: Workbook, section: Section) -> None:
    sheet = book.create_sheet(section.title[:31])
    sheet.append(section.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in section.rows:
        sheet.append([value if isinstance(value, int | float) else str(value) for value in row])
    if not section.rows:
        sheet.append([_("无记录")])


def workbook(person: Person, user: Staff) -> tuple[IO[bytes], int]:
    """The copy for ``person`` exported by ``user``, positioned at its start (the caller
    streams and closes it), and the number of records it holds."""
    with translation.override("zh-hans"):
        parts = sections(person, user)
        book = Workbook()
        cover = book.active
        cover.title = _("说明")
        cover.append([_("个人信息副本"), person.name])
        cover.append([_("依据"), LEGAL_BASIS])
        cover.append([_("导出时间"), f"{timezone.localtime():%Y-%m-%d %H:%M}"])
        cover.append([_("导出人"), user.full_name or user.username])
        cover.append(
            [
                _("说明"),
                _(
                    "本副本列出本平台保存的与本人有关的全部记录：本人的身份证号、银行账号完整显示；"
                    "其他人员的身份证号、银行账号按规定隐去部分数字。"
                    "“访问与处理记录”列出查看或处理本人及其家庭记录的工作人员、时间和操作。"
                ),
            ]
        )
        for section in parts:
            _sheet(book, section)
    out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse streams and closes it
    book.save(out)
    out.seek(0)
    return out, sum(len(section.rows) for section in parts)
