"""The privacy app's writes: the audit events of a resident's copy and of retention."""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.utils.translation import gettext_lazy

from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.privacy import export
from jiuzhu.web.registry.models import Household, Person

WHO_EXPORTS = gettext_lazy("个人信息副本由乡镇（街道）经办人或区民政局经办人在其辖区内导出")


def export_personal_data(user: Staff, household: Household, person: Person) -> IO[bytes]:
    """The copy of ``person``'s data (``export.workbook``), recorded as an audit event of the
    person and the household with the number of records it holds.

    Raises:
        NotPermitted: the user's role may not export a copy, or the household is outside the
            user's jurisdiction.
    """
    require(user, "privacy.export_personal_data", household, reason=WHO_EXPORTS)
    with transaction.atomic():
        out, rows = export.workbook(person, user)
        record(
            user,
            "privacy.export_personal_data",
            person,
            division_code=household.division_code,
            household=household,
            rows=rows,
        )
    return out
