"""The entitlement list as an xlsx file (issue 14): the entitlements the list page shows for the
same program and status, within the user's jurisdiction, one row each with the amount in force
in the current month and a change still to come (an approved standard change may start after
today); the supported person's ID number masked unless whole numbers are asked for
(``core.exports.whole_ids``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core import clock
from jiuzhu.web.core.exports import Column, Kind, ListExport, places
from jiuzhu.web.core.months import month_of
from jiuzhu.web.entitlements.models import Entitlement, EntitlementVersion

COLUMNS = (
    Column(_("待遇编号"), width=18),
    Column(_("救助项目"), width=16),
    Column(_("乡镇（街道）"), width=14),
    Column(_("村（居）"), width=20),
    Column(_("家庭编号"), width=16),
    Column(_("供养人员"), width=10),
    Column(_("供养人员公民身份号码"), width=21),
    Column(_("状态"), width=10),
    Column(_("起始发放月份"), width=12),
    Column(_("停发月份"), width=12),
    Column(_("月救助金（元）"), Kind.MONEY, width=12),
    Column(_("待生效调整月份"), width=14),
    Column(_("调整后月救助金（元）"), Kind.MONEY, width=16),
    Column(_("下次核查期限"), Kind.DATE, width=14),
)
CHUNK = 2000


def entitlement_export(filters: Mapping[str, str], *, whole: bool) -> ListExport:
    """The export of the entitlement list with the list's ``filters``."""
    return ListExport(_("救助待遇"), COLUMNS, filters, whole_ids=whole)


def entitlement_rows(
    export: ListExport, found: QuerySet[Entitlement]
) -> Iterator[Sequence[object]]:
    """One row per entitlement of ``found`` (latest start first, as the list), as ``COLUMNS``;
    the monthly amount is that of the version in force in today's month, the change the first
    version starting later (``core.periods``; one query per chunk, not per row)."""
    month = month_of(clock.today())
    versions = EntitlementVersion.objects.filter(entitlement=OuterRef("pk"))
    current = versions.filter(valid_from__lte=month).filter(Q(valid_to="") | Q(valid_to__gt=month))
    # A version closed before it began (valid_to <= valid_from) is never in force.
    later = (
        versions.filter(valid_from__gt=month)
        .filter(Q(valid_to="") | Q(valid_to__gt=F("valid_from")))
        .order_by("valid_from")
    )
    for entitlement in (
        found.select_related("household", "person")
        .annotate(
            amount=Subquery(current.values("monthly_amount")[:1]),
            next_month=Subquery(later.values("valid_from")[:1]),
            next_amount=Subquery(later.values("monthly_amount")[:1]),
        )
        .order_by("-start_month", "-pk")
        .iterator(chunk_size=CHUNK)
    ):
        person = entitlement.person
        yield (
            entitlement.number,
            entitlement.get_program_display(),
            *places(entitlement.division_code),
            entitlement.household.number,
            person.name if person else "",
            export.resident_id(person.resident_id) if person else "",
            entitlement.get_status_display(),
            entitlement.start_month,
            entitlement.end_month,
            entitlement.amount,
            entitlement.next_month or "",
            entitlement.next_amount,
            entitlement.next_review_due,
        )
