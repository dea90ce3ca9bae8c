"""Records and imports stay inside the user's jurisdiction.

A record of another jurisdiction answers 404, like a missing one (``get_within``), and the
refusal is audited.

Permission to import (``registry.import``) says who may load files at all; the rows of a file
say where their households are. Every import checks each row's division code against the
importer's jurisdiction before writing anything: a director of a township who loads a file with
a household of another township writes nothing, and is told which rows. The command line runs
as the system (no user) and loads the whole district.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jiuzhu.web.core.errors import RecordOutsideJurisdiction
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import Staff

M = TypeVar("M", bound=Model)

SHOWN = 10
"""Rows named in a refusal (the count says how many more)."""


class RowsOutsideJurisdiction(NotPermitted):
    """An import names households outside the importer's jurisdiction; nothing was written.
    ``rows``: (row label, division code) of every row outside."""

    def __init__(self, user: Staff | None, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        blank = _("无区划代码")
        named = "、".join(f"{label}（{code or blank}）" for label, code in rows[:SHOWN])
        more = _("等 %(count)s 行") % {"count": len(rows)} if len(rows) > SHOWN else ""
        super().__init__(
            _("%(rows)s%(more)s不在您的辖区（%(own)s）内：未导入任何数据")
            % {"rows": named, "more": more, "own": getattr(user, "division_code", "")}
        )


def rows_outside(user: Staff | None, rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The rows (label, division code) whose division is not in ``user``'s jurisdiction — a
    blank code included; none when ``user`` is None (the system: the command line)."""
    if user is None:
        return []
    return [(label, code) for label, code in rows if not code or not user.covers(code)]


def refuse_outside(user: Staff | None, rows: Iterable[tuple[str, str]]) -> None:
    """Raises RowsOutsideJurisdiction if any row is outside ``user``'s jurisdiction."""
    outside = rows_outside(user, rows)
    if outside:
        raise RowsOutsideJurisdiction(user, outside)


def get_within(queryset: QuerySet[M], pk: int, division: str = "division_code") -> M:
    """``queryset.get(pk=pk)``, ``queryset`` being the records of the user's jurisdiction.

    Raises:
        RecordOutsideJurisdiction: the record exists in another jurisdiction (a 404 like a
            missing one, and an audit event); Http404: there is no such record. ``division``
            names where a record's division code is (``household__division_code``).
    """
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist:
        elsewhere = (
            queryset.model._default_manager.filter(pk=pk).values_list(division, flat=True).first()
        )
        if elsewhere is None:
            raise Http404 from None
        raise RecordOutsideJurisdiction(
            queryset.model._meta.label_lower, str(pk), str(elsewhere)
        ) from None
