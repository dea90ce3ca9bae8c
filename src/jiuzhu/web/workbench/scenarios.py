"""Scenarios (测算方案) waiting for a second officer's decision, for the approver's workbench.

The scenarios app offers no ``work_items`` of its own, so the workbench reads its model here with
the app's own rules: the permission ``scenarios.approve`` and maker–checker (never the scenario
the user measured, which ``scenarios.actions.approve_scenario`` refuses too).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.web.core.users import Staff
from jiuzhu.web.core.workitems import WorkItem, WorkList
from jiuzhu.web.scenarios.actions import approval_refusal, taken
from jiuzhu.web.scenarios.models import Scenario, Status


def work_items(user: Staff, today: dt.date, shown: int = 20) -> list[WorkList]:
    """The scenarios of the user's jurisdiction awaiting approval that the user may approve,
    the earliest to take effect first; none for a user who may not approve. A scenario that can
    no longer be approved (its month passed, or another scenario holds its parameter and date)
    stays listed for rejection, with the reason."""
    division = str(getattr(user, "division_code", "") or "")
    if not division or not user.has_perm("scenarios.approve", Scenario(division_code=division)):
        return []
    waiting = (
        Scenario.objects.filter(status=Status.AWAITING_CHECK, division_code__startswith=division)
        .exclude(created_by=user)
        .order_by("effective", "pk")
    )
    adopted = taken()
    items = []
    for scenario in waiting[:shown]:
        refusal = approval_refusal(scenario, adopted)
        items.append(
            WorkItem(
                title=scenario.label,
                url=reverse("scenarios:detail", args=[scenario.pk]),
                state=str(scenario.get_status_display()),
                action=str(_("退回") if refusal else _("审批")),
                note=refusal or _("自 %(date)s 起施行") % {"date": scenario.effective.isoformat()},
            )
        )
    return [
        WorkList(
            kind=str(_("待审批的标准测算")),
            items=items,
            total=waiting.count(),
            more_url=reverse("scenarios:list"),
        )
    ]
