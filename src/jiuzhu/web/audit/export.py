"""The audit log as an xlsx workbook: the filtered events, as the page shows them (labels in the
user's language, amounts in yuan, ID numbers masked), written row by row with openpyxl's
write-only mode into a temporary file that the response then streams."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.presenting import Change, Presenter, Row
from jiuzhu.web.core.users import Visitor

CHUNK = 1000
"""Events presented at a time: one query per object type per chunk, memory bounded."""


def _rows(events: QuerySet[AuditEvent], user: Visitor) -> Iterator[Row]:
    chunk: list[AuditEvent] = []
    for event in events.iterator(chunk_size=CHUNK):
        chunk.append(event)
        if len(chunk) == CHUNK:
            yield from Presenter(user).present(chunk)
            chunk = []
    if chunk:
        yield from Presenter(user).present(chunk)


def _changes(changes: list[Change]) -> str:
    colon = _("：")
    return "\n".join(
        f"{c.label}{colon}{c.before} → {c.after}"
        if c.before is not None
        else f"{c.label}{colon}{c.after}"
        for c in changes
    )


def workbook(events: QuerySet[AuditEvent], user: Visitor) -> IO[bytes]:
    """The events (``filtered(...)``, with their users) as an xlsx file, positioned at its
    start; the caller streams and closes it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    sheet.append(
        [
            _("时间"),
            _("人员"),
            _("角色"),
            _("操作"),
            _("对象类型"),
            _("对象"),
            _("修改内容"),
            _("说明"),
        ]
    )
    for row in _rows(events, user):
        sheet.append(
            [
                f"{row.at:%Y-%m-%d %H:%M:%S}",
                row.who,
                row.role,
                row.action,
                row.ref.kind if row.ref else "",
                row.ref.identifier if row.ref else "",
                _changes(row.changes),
                _changes(row.details),
            ]
        )
    out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse streams and closes it
    book.save(out)
    out.seek(0)
    return out
