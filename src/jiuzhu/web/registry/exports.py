"""The household list as an xlsx file (issue 14): every household the search page lists for
the same text, within the user's jurisdiction, one row each with its applicant; ID numbers
masked unless whole numbers are asked for (``core.exports.whole_ids``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.exports import Column, Kind, ListExport, places
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import current_members
from jiuzhu.web.registry.upkeep import APPLICANT_RELATIONS

COLUMNS = (
    Column(_("家庭编号"), width=16),
    Column(_("乡镇（街道）"), width=14),
    Column(_("村（居）"), width=20),
    Column(_("住址"), width=32),
    Column(_("城乡类别"), width=10),
    Column(_("申请人"), width=10),
    Column(_("申请人公民身份号码"), width=21),
    Column(_("现有成员人数"), Kind.COUNT, width=10),
)
CHUNK = 2000


def household_export(filters: Mapping[str, str], *, whole: bool) -> ListExport:
    """The export of the household list with the search's ``filters``."""
    return ListExport(_("家庭名单"), COLUMNS, filters, whole_ids=whole)


def household_rows(export: ListExport, found: QuerySet[Household]) -> Iterator[Sequence[object]]:
    """One row per household of ``found`` (by division and number), as ``COLUMNS``."""
    for household in (
        found.order_by("division_code", "number")
        .prefetch_related(current_members())
        .iterator(chunk_size=CHUNK)
    ):
        members = household.current_memberships  # type: ignore[attr-defined]
        applicant = next((m.person for m in members if m.relation in APPLICANT_RELATIONS), None)
        yield (
            household.number,
            *places(household.division_code),
            household.address,
            household.get_area_type_display(),
            applicant.name if applicant else "",
            export.resident_id(applicant.resident_id) if applicant else "",
            len(members),
        )
