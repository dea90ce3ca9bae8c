"""The application list as an xlsx file (issue 14): the applications the list page shows for
the same filter, within the user's jurisdiction, one row each; the applicant's ID number masked
unless whole numbers are asked for (``core.exports.whole_ids``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.models import Application
from jiuzhu.web.core.exports import Column, Kind, ListExport, places

COLUMNS = (
    Column(_("申请编号"), width=18),
    Column(_("救助项目"), width=16),
    Column(_("乡镇（街道）"), width=14),
    Column(_("村（居）"), width=20),
    Column(_("家庭编号"), width=16),
    Column(_("申请人"), width=10),
    Column(_("申请人公民身份号码"), width=21),
    Column(_("申请方式"), width=10),
    Column(_("环节"), width=12),
    Column(_("受理日期"), Kind.DATE, width=12),
    Column(_("确认日期"), Kind.DATE, width=12),
    Column(_("月救助金（元）"), Kind.MONEY, width=12),
)
CHUNK = 2000


def application_export(filters: Mapping[str, str], *, whole: bool) -> ListExport:
    """The export of the application list with the list's ``filters``."""
    return ListExport(_("申请"), COLUMNS, filters, whole_ids=whole)


def application_rows(
    export: ListExport, found: QuerySet[Application]
) -> Iterator[Sequence[object]]:
    """One row per application of ``found`` (newest first, as the list), as ``COLUMNS``."""
    for application in (
        found.select_related("household", "applicant")
        .order_by("-created_at", "-pk")
        .iterator(chunk_size=CHUNK)
    ):
        yield (
            application.number,
            application.get_program_display(),
            *places(application.division_code),
            application.household.number,
            application.applicant.name,
            export.resident_id(application.applicant.resident_id),
            application.get_channel_display(),
            application.get_stage_display(),
            application.accepted_on,
            application.decided_on,
            application.monthly_amount,
        )
