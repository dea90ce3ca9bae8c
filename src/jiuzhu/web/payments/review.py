"""Check and approval of a payroll run: the comparison with the previous month, the dibao
ceiling flags, and the maker–checker steps (最低生活保障审核确认办法 Art. 25–26)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.payroll import ceiling
from jiuzhu.batch.pipelines.payroll import comparison as payroll_compare
from jiuzhu.web.core.locks import locked
from jiuzhu.web.core.months import add_months
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments.common import (
    check_move,
    sign_off,
    to_frame,
)
from jiuzhu.web.payments.draft import month_parameters
from jiuzhu.web.payments.models import (
    AS_DUE,
    Kind,
    Payment,
    PayrollRun,
    RunStatus,
)
from jiuzhu.web.registry.models import Household, Membership

# --- Check and approve ---------------------------------------------------------------------------


@dataclass
class Comparison:
    """This run against the previous month's run of the program, per household (fen;
    ``payroll.comparison``)."""

    previous: PayrollRun | None
    households: pl.DataFrame
    """household_id, division_code, this, last, diff, regular, arrears, recovery, change
    (``changed`` / ``new`` / ``stopped`` / ``same``)."""
    townships: pl.DataFrame
    """township, this, last, diff, households_this, households_last."""

    def summary(self) -> dict[str, Any]:
        compared = payroll_compare.Comparison(self.households, self.townships)
        return {
            "previous_month": self.previous.month if self.previous else None,
            "previous_run": self.previous.pk if self.previous else None,
            **compared.counts(),
            "by_township": compared.by_township(),
        }


def _household_sums(run: PayrollRun, division: str) -> pl.DataFrame:
    """The run's payments as due within ``division``, summed per household
    (``payroll.comparison.household_sums``)."""
    rows = (
        Payment.objects.filter(AS_DUE, run=run, division_code__startswith=division)
        .values("household_id", "division_code")
        .annotate(
            total=Sum("amount"),
            regular=Sum("amount", filter=Q(kind=Kind.REGULAR)),
            arrears=Sum("amount", filter=Q(kind=Kind.ARREARS)),
            recovery=Sum("amount", filter=Q(kind=Kind.RECOVERY)),
        )
        .values_list("household_id", "division_code", "total", "regular", "arrears", "recovery")
    )
    return payroll_compare.household_sums(to_frame(rows, dict(payroll_compare.PAYMENTS)))


def compare_with_previous(run: PayrollRun, division: str = "") -> Comparison:
    """Every household whose amount changed since the previous month's run, the new and the
    stopped ones, and the totals by township (within ``division``)."""
    division = division or run.division_code
    previous = PayrollRun.objects.filter(
        program=run.program, division_code=run.division_code, month=add_months(run.month, -1)
    ).first()
    compared = payroll_compare.compare(
        _household_sums(run, division),
        _household_sums(previous, division) if previous is not None else None,
    )
    return Comparison(
        previous=previous, households=compared.households, townships=compared.townships
    )


def dibao_ceiling_exceeded(run: PayrollRun, division: str = "") -> pl.DataFrame:
    """Dibao households whose regular amount this month exceeds the month's standard × current
    members × (1 + the largest category supplement rate): the most a dibao amount can be
    (最低生活保障审核确认办法 Art. 23, 27; ``payroll.ceiling``). A flag for the checker, never
    a cut."""
    parameters = month_parameters(run.month)
    if run.program != Program.DIBAO or "dibao_standard" not in parameters:
        return pl.DataFrame(schema=ceiling.FLAGGED)
    payments = Payment.objects.filter(
        AS_DUE, run=run, kind=Kind.REGULAR, division_code__startswith=division or run.division_code
    )
    households = Subquery(payments.values("household_id"))
    amounts = to_frame(
        payments.values("household_id")
        .annotate(total=Sum("amount"))
        .values_list("household_id", "total"),
        dict(ceiling.AMOUNTS),
    )
    members = to_frame(
        Membership.objects.filter(household_id__in=households, valid_to__isnull=True)
        .values("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n"),
        dict(ceiling.MEMBERS),
    )
    areas = to_frame(
        Household.objects.filter(pk__in=households).values_list("pk", "area_type"),
        dict(ceiling.AREAS),
    )
    return ceiling.above_ceiling(
        amounts,
        members,
        areas,
        parameters["dibao_standard"],
        Decimal(parameters["dibao_max_supplement_rate"]),
    )


def check_run(user: Staff, run: PayrollRun) -> PayrollRun:
    """The checker's step (复核): another district officer than anyone who drafted the run. The
    comparison with the previous month (changed, new and stopped households; totals by
    township) and the dibao ceiling flags are kept with the run as they were at check time.

    Raises:
        NotPermitted: not a district officer, or one of the drafters;
        Refused: not a draft, a draft not completed or sent back and not redrafted since, or
            payments without an account in force.
    """
    with transaction.atomic():
        run = locked(run)
        check_move(user, run, "check")
        flagged = dibao_ceiling_exceeded(run)
        run.check_report = {
            **compare_with_previous(run).summary(),
            "above_ceiling": flagged.height,
        }
        sign_off(
            user,
            run,
            "check",
            stamp="checked",
            report={k: v for k, v in run.check_report.items() if k != "by_township"},
        )
    return run


def approve_run(user: Staff, run: PayrollRun) -> PayrollRun:
    """Approval (审批), the third step: the director or a district officer who neither drafted
    nor checked the run.

    Raises:
        NotPermitted: not a district role, or a drafter or the checker;
        Refused: the run is not checked.
    """
    with transaction.atomic():
        run = locked(run)
        check_move(user, run, "approve")
        sign_off(user, run, "approve", stamp="approved")
    return run


def return_run(user: Staff, run: PayrollRun, *, reason: str) -> PayrollRun:
    """Send the run back to its drafters with the reason, instead of checking (the checker, on
    a completed draft) or approving it (the approver, on a checked run). The run is a draft
    again, its check undone, and it must be redrafted before it is checked; the page and the
    run's history show the reason (kept as typed).

    Raises:
        ValidationError: no reason;
        NotPermitted: the role, a drafter, or (on a checked run) its checker;
        Refused: not a completed draft nor a checked run, or already sent back.
    """
    reason = " ".join(str(reason).split())
    if not reason:
        raise ValidationError({"reason": _("请写明退回理由")})
    with transaction.atomic():
        run = locked(run)
        move = "return_checked" if run.status == RunStatus.CHECKED else "return_draft"
        check_move(user, run, move)
        run.returned_by = user
        run.returned_at = timezone.now()
        run.return_reason = reason
        run.checked_by = None
        run.checked_at = None
        run.check_report = {}
        sign_off(user, run, move, note=reason)
    return run
