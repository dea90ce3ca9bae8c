"""The low-income population register as an xlsx file (issue 14): the entries the register page
shows for the same filters, within the user's jurisdiction, one row per person and reason (the
page groups a person's reasons in one row); ID numbers masked unless whole numbers are asked
for (``core.exports.whole_ids``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.exports import Column, Kind, ListExport, places
from jiuzhu.web.discovery.models import RegisterEntry

COLUMNS = (
    Column(_("乡镇（街道）"), width=14),
    Column(_("村（居）"), width=20),
    Column(_("家庭编号"), width=16),
    Column(_("姓名"), width=10),
    Column(_("公民身份号码"), width=21),
    Column(_("在库原因"), width=18),
    Column(_("说明"), width=24),
    Column(_("正在享受救助"), width=10),
    Column(_("纳入日期"), Kind.DATE, width=12),
    Column(_("退出日期"), Kind.DATE, width=12),
    Column(_("家庭月救助金（元）"), Kind.MONEY, width=14),
)
NOTES = (_("一人因多个原因在库时，每个原因一行（页面上合为一行，人数只计一次）。"),)
CHUNK = 2000


def register_export(filters: Mapping[str, str], *, whole: bool) -> ListExport:
    """The export of the register with the page's ``filters``."""
    return ListExport(_("低收入人口库"), COLUMNS, filters, NOTES, whole_ids=whole)


def register_entry_rows(
    export: ListExport, entries: QuerySet[RegisterEntry]
) -> Iterator[Sequence[object]]:
    """One row per entry of ``entries`` (by household number, person, reason), as
    ``COLUMNS``."""
    yes, no = str(_("是")), str(_("否"))
    for entry in (
        entries.select_related("person", "household")
        .order_by("household__number", "person_id", "category", "pk")
        .iterator(chunk_size=CHUNK)
    ):
        yield (
            *places(entry.division_code),
            entry.household.number,
            entry.person.name,
            export.resident_id(entry.person.resident_id),
            entry.get_category_display(),
            entry.reason_detail,
            yes if entry.receiving else no,
            entry.included_on,
            entry.ends_on,
            entry.monthly_amount,
        )
