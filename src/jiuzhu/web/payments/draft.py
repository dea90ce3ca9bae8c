"""The draft of a monthly payroll run: set-based, in batches, exactly once (see ``Payment``).

Policy: 最低生活保障审核确认办法 Art. 21 (paid from the month after the decision), Art. 25–26
(paid monthly into the household's bank account)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.payroll import plan as payroll_plan
from jiuzhu.batch.pipelines.payroll.plan import Plan
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.errors import RulesError
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.locks import held, locked
from jiuzhu.web.core.months import add_months, first_day, is_month, month_of
from jiuzhu.web.core.programs import monthly
from jiuzhu.web.core.require import require
from jiuzhu.web.core.transitions import Refused
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.models import PAYABLE, Entitlement, EntitlementVersion, Status
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.payments.common import (
    BATCH_SIZE,
    chunks,
    to_frame,
)
from jiuzhu.web.payments.models import (
    AS_DUE,
    AccountStatus,
    BankAccount,
    Kind,
    Payment,
    PaymentStatus,
    PayrollRun,
    Recovery,
    RunEvent,
    RunStatus,
)
from jiuzhu.web.payments.workflow import RUN

AfterBatch = Callable[[int], None]


# --- The month's parameters (the rules engine's, for the record and the checker) -----------------


@cache
def _system() -> RuleSystem:
    return rules_system()


def month_parameters(month: str) -> dict[str, Any]:
    """The dibao standard (fen per person and month, by area type), the largest category
    supplement rate and the parameter digest in force on the 1st of ``month``: recorded with
    the run, and the checker's ceiling for a dibao amount (standard × members × (1 + rate);
    最低生活保障审核确认办法 Art. 23, 27)."""
    system = _system()
    on = first_day(month)
    found: dict[str, Any] = {"on": on.isoformat(), "digest": system.parameters.digest()}
    try:
        standard = system.parameters["dibao.standard"].at(on)
        rates = system.parameters["dibao.category_supplement_rate"].at(on).value
    except (KeyError, RulesError):  # a month before the first value: nothing to record
        return found
    values = standard.value if isinstance(standard.value, dict) else {"": standard.value}
    found["dibao_standard"] = {key: int(str(value)) for key, value in values.items()}
    found["dibao_standard_reference"] = standard.reference
    rate_values = rates.values() if isinstance(rates, dict) else [rates]
    found["dibao_max_supplement_rate"] = str(max((Decimal(str(r)) for r in rate_values), default=0))
    return found


# --- Draft ---------------------------------------------------------------------------------------


def payable_entitlements(month: str, program: str, division: str) -> QuerySet[Entitlement]:
    """Entitlements paid for ``month``: in a payable status, started (``start_month`` ≤ month,
    Art. 21: the month after the decision), not ended (``end_month`` blank or later), and not
    past the end of a gradual exit."""
    return (
        Entitlement.objects.filter(
            program=program,
            status__in=PAYABLE,
            division_code__startswith=division,
            start_month__lte=month,
        )
        .filter(Q(end_month="") | Q(end_month__gt=month))
        .exclude(
            Q(status=Status.GRADUAL_EXIT)
            & ~Q(gradual_exit_until="")
            & Q(gradual_exit_until__lte=month)
        )
    )


def plan_run(run: PayrollRun) -> Plan:
    """Every payment the run should contain (``payroll.plan_month``: regular, arrears,
    recovery; rows in ``payroll.plan.ROW_SCHEMA``), from the frames of the run's program, month and
    division. Payments of this run already written count for nothing here: the plan is the same
    on a re-run, and the caller skips what exists."""
    month, program, division = run.month, run.program, run.division_code
    payable = payable_entitlements(month, program, division)
    # All of the run's program (the query says so): the column is a constant, not read.
    entitlements = to_frame(
        payable.values_list("pk", "household_id", "person_id", "division_code"),
        {name: dtype for name, dtype in payroll_plan.ENTITLEMENTS.items() if name != "program"},
    ).with_columns(program=pl.lit(program, pl.String))
    versions = to_frame(
        EntitlementVersion.objects.filter(entitlement__in=payable, valid_from__lte=month)
        .filter(Q(valid_to="") | Q(valid_to__gt=month))
        .values_list("entitlement_id", "pk", "monthly_amount", "valid_from", "valid_to"),
        dict(payroll_plan.VERSIONS),
    )
    inputs = payroll_plan.MonthInputs(
        month=month,
        entitlements=entitlements,
        versions=versions,
        accounts=_accounts(Subquery(payable.values("household_id"))),
        **_arrears_frames(run, payable, entitlements),
        **_recovery_frames(run, payable),
    )
    plan = payroll_plan.plan_month(inputs, [program])
    return Plan(rows=plan.rows.drop("program"), skipped=plan.skipped)


def _accounts(households: Any) -> pl.DataFrame:
    """The accounts in force of ``households`` (``payroll.plan.ACCOUNTS``)."""
    return to_frame(
        BankAccount.objects.filter(
            status=AccountStatus.IN_FORCE, household_id__in=households
        ).values_list("household_id", "person_id", "pk"),
        dict(payroll_plan.ACCOUNTS),
    )


def _retroactive(run: PayrollRun, payable: QuerySet[Entitlement]) -> pl.DataFrame:
    """Entitlements with a version made retroactively (``entitlement_id``, ``since``: the
    earliest month it covers): a month it covers was paid under an older version. Once its
    arrears are paid in another run it needs no more looking at (a newer version would be)."""
    others = Payment.objects.filter(
        entitlement=OuterRef("entitlement"), month__lt=run.month
    ).exclude(run=run)
    retroactive = (
        EntitlementVersion.objects.filter(entitlement__in=payable, valid_from__lt=run.month)
        .annotate(until=Case(When(valid_to="", then=Value("9999-12")), default=F("valid_to")))
        .filter(
            Exists(
                others.filter(
                    kind=Kind.REGULAR,
                    month__gte=OuterRef("valid_from"),
                    month__lt=OuterRef("until"),
                    version__number__lt=OuterRef("number"),
                )
            )
        )
        .exclude(Exists(others.filter(kind=Kind.ARREARS, version=OuterRef("pk"))))
    )
    return (
        to_frame(
            retroactive.values_list("entitlement_id", "valid_from"),
            {"entitlement_id": pl.Int64, "valid_from": pl.String},
        )
        .group_by("entitlement_id")
        .agg(pl.col("valid_from").min().alias("since"))
    )


def _late(
    run: PayrollRun, payable: QuerySet[Entitlement], frozen_runs: QuerySet[PayrollRun]
) -> pl.DataFrame:
    """Entitlements created after the draft of a month they are payable in (that run missed
    them) and not paid arrears yet (``payroll.plan.LATE``)."""
    late = (
        payable.filter(start_month__lt=run.month)
        .filter(
            Exists(
                frozen_runs.filter(
                    month__gte=OuterRef("start_month"), drafted_at__lt=OuterRef("created_at")
                )
            )
        )
        .exclude(
            Exists(
                Payment.objects.filter(entitlement=OuterRef("pk"), kind=Kind.ARREARS).exclude(
                    run=run
                )
            )
        )
    )
    return to_frame(
        late.values_list("pk", "created_at", "start_month", "end_month"),
        dict(payroll_plan.LATE),
    )


def _history(run: PayrollRun, candidates: list[int]) -> dict[str, pl.DataFrame]:
    """What ``candidates`` were paid as due before this month in other runs (``paid``) and
    every version of theirs (``history_versions``)."""
    paid_rows: list[tuple[Any, ...]] = []
    version_rows: list[tuple[Any, ...]] = []
    for chunk in chunks(candidates):
        paid_rows += (
            Payment.objects.filter(
                AS_DUE,
                entitlement_id__in=chunk,
                kind__in=[Kind.REGULAR, Kind.ARREARS],
                month__lt=run.month,
            )
            .exclude(run=run)
            .values_list("entitlement_id", "month", "kind", "amount")
        )
        version_rows += EntitlementVersion.objects.filter(entitlement_id__in=chunk).values_list(
            "entitlement_id", "pk", "valid_from", "valid_to", "monthly_amount"
        )
    return {
        "paid": to_frame(paid_rows, dict(payroll_plan.PAID)),
        "history_versions": to_frame(version_rows, dict(payroll_plan.HISTORY_VERSIONS)),
    }


def _arrears_frames(
    run: PayrollRun, payable: QuerySet[Entitlement], entitlements: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The frames ``payroll.plan.arrears`` reads: the program's runs of earlier months past
    their draft, the retroactive and late entitlements, and those entitlements' history
    (loaded only when there can be arrears)."""
    frozen_runs = PayrollRun.objects.filter(
        program=run.program, division_code=run.division_code, month__lt=run.month
    ).exclude(status=RunStatus.DRAFT)
    frozen = to_frame(
        frozen_runs.values_list("month", "drafted_at"), dict(payroll_plan.FROZEN_RUNS)
    )
    if frozen.is_empty() or entitlements.is_empty():
        return {}
    retroactive = _retroactive(run, payable)
    late = _late(run, payable, frozen_runs)
    candidates = payroll_plan.arrears_candidates(retroactive, late)
    if not candidates:
        return {}
    return {
        "frozen_runs": frozen,
        "retroactive": retroactive,
        "late": late,
        **_history(run, candidates),
    }


def _recovery_frames(run: PayrollRun, payable: QuerySet[Entitlement]) -> dict[str, pl.DataFrame]:
    """The open overpayment recoveries of the payable entitlements and what other runs
    deducted of them (``payroll.plan.RECOVERIES``, ``DEDUCTED``)."""
    open_recoveries = Recovery.objects.filter(
        kind=Recovery.RecoveryKind.OVERPAYMENT,
        status__in=[Recovery.RecoveryStatus.PENDING, Recovery.RecoveryStatus.RECOVERING],
        entitlement__in=payable,
    )
    recoveries = to_frame(
        open_recoveries.values_list("pk", "entitlement_id", "amount", "monthly_deduction"),
        dict(payroll_plan.RECOVERIES),
    )
    if recoveries.is_empty():
        return {}
    deducted = to_frame(
        Payment.objects.filter(AS_DUE, kind=Kind.RECOVERY, recovery__in=open_recoveries)
        .exclude(run=run)
        .values("recovery_id")
        .annotate(total=Sum("amount"))
        .values_list("recovery_id", "total"),
        dict(payroll_plan.DEDUCTED),
    )
    return {"recoveries": recoveries, "deducted": deducted}


def draft_run(
    user: Staff,
    month: str,
    program: str,
    *,
    batch_size: int = BATCH_SIZE,
    after_batch: AfterBatch | None = None,
) -> PayrollRun:
    """Draft (or complete) the payroll of ``month`` for ``program`` in the district.

    Set-based: the plan is computed with ``values_list`` and Polars (``plan_run``), and the
    missing payments are written with ``bulk_create(ignore_conflicts=True)`` in batches of
    ``batch_size``, each batch its own transaction. A crash keeps the committed batches; running
    the draft again computes the same plan, skips what exists and writes the rest — nobody is
    paid twice (the unique constraints) or skipped. ``after_batch(n)`` is called after the n-th
    committed batch (the crash test's hook). Whoever runs it becomes one of the run's makers.

    One draft of a month and program at a time: a second officer (or tab) who starts the same
    draft while the first is writing is told so at once (``Refused``) instead of both creating
    the run (a server error) or writing over each other; a draft whose process died leaves
    nothing held (the lock ends with its database connection), so a re-run completes it.

    Raises:
        PermissionDenied: not a district officer (``NotPermitted`` on an existing run);
        ValidationError: a bad month, a program paying no monthly amount (the registry's
            ``payment``), a month after next month (a payroll is drafted at most one month
            ahead), an earlier month of the program still in draft (its regular payments would
            otherwise be paid again as arrears); ``Refused``: the run is past its draft, or
            someone is drafting it right now.
    """
    if not is_month(month):
        raise ValidationError({"month": _("月份格式应为 YYYY-MM")})
    if program not in {p.name for p in monthly()}:
        raise ValidationError({"program": _("未知的救助项目")})
    require(
        user,
        "payments.draft",
        PayrollRun(month=month, program=program, division_code=DISTRICT_CODE),
    )
    if month > add_months(month_of(clock.today()), 1):
        raise ValidationError({"month": _("只能草拟本月或下月的发放名册")})
    with held(f"payroll-draft:{program}:{month}") as free:
        if not free:
            raise Refused(
                _("%(month)s 的发放名册正在由其他人生成，请稍后刷新页面查看") % {"month": month}
            )
        return _draft(user, month, program, batch_size, after_batch)


def _draft(
    user: Staff, month: str, program: str, batch_size: int, after_batch: AfterBatch | None
) -> PayrollRun:
    """``draft_run`` once its checks passed and its lock is held."""
    run, resumed = _open_run(user, month, program)
    plan = plan_run(run)
    existing = to_frame(
        Payment.objects.filter(AS_DUE, run=run).values_list("entitlement_id", "month", "kind"),
        {"entitlement_id": pl.Int64, "month": pl.String, "kind": pl.String},
    )
    todo = plan.rows.join(existing, on=["entitlement_id", "month", "kind"], how="anti")
    for number, chunk in enumerate(todo.iter_slices(batch_size), start=1):
        payments = [
            Payment(run_id=run.pk, status=PaymentStatus.PENDING, **row)
            for row in chunk.iter_rows(named=True)
        ]
        with transaction.atomic():
            Payment.objects.bulk_create(payments, ignore_conflicts=True)
        if after_batch is not None:
            after_batch(number)

    with transaction.atomic():
        run = locked(run)
        fill_missing_accounts(Payment.objects.filter(run=run))
        _update_recoveries(run)
        run.totals = {
            **run_totals(run),
            "skipped": plan.skipped,
            "parameters": month_parameters(run.month),
        }
        run.draft_completed_at = timezone.now()
        run.save(update_fields=["totals", "draft_completed_at"])
        move = "redraft" if resumed else "draft"
        RunEvent.objects.create(
            run=run, user=user, move=move, from_status=run.status, to_status=run.status
        )
        record(
            user,
            "payments.draft",
            run,
            count=run.totals["count"],
            amount=run.totals["amount"],
            written=todo.height,
        )
    return run


def _open_run(user: Staff, month: str, program: str) -> tuple[PayrollRun, bool]:
    """The run of the month, created, or reopened for a re-run of its draft (the user joins its
    drafters); whether it existed."""
    with transaction.atomic():
        earlier = (
            PayrollRun.objects.filter(
                program=program,
                division_code=DISTRICT_CODE,
                month__lt=month,
                status=RunStatus.DRAFT,
            )
            .values_list("month", flat=True)
            .first()
        )
        if earlier:
            raise ValidationError(_("%(month)s 的发放名册尚未复核，请先完成") % {"month": earlier})
        run = PayrollRun.objects.select_for_update().filter(month=month, program=program).first()
        resumed = run is not None
        if run is None:
            run = PayrollRun.objects.create(
                month=month,
                program=program,
                division_code=DISTRICT_CODE,
                drafted_by=user,
                drafted_at=timezone.now(),
                drafters=[user.pk],
            )
        else:
            RUN.check(user, run, "redraft", clock.today())
            if user.pk not in run.drafters:
                run.drafters = [*run.drafters, user.pk]
            run.draft_completed_at = None
            run.save(update_fields=["drafters", "draft_completed_at"])
        record(user, "payments.draft_start", run, month=month, program=program, resumed=resumed)
    return run, resumed


def fill_missing_accounts(payments: QuerySet[Payment]) -> int:
    """Give ``payments`` without an account in force the payee's account in force now (a re-run
    after accounts were recorded or replaced and checked; an export after a replacement was
    checked), resolved as in ``payroll.plan.resolve_accounts``; the number of payments given one. Few rows
    by nature."""
    missing = payments.filter(
        Q(bank_account__isnull=True) | ~Q(bank_account__status=AccountStatus.IN_FORCE)
    )
    wanted = to_frame(
        missing.values_list("pk", "household_id", "entitlement__person_id"),
        {"payment_id": pl.Int64, "household_id": pl.Int64, "person_id": pl.Int64},
    )
    if wanted.is_empty():
        return 0
    accounts = _accounts(Subquery(missing.values("household_id")))
    found = payroll_plan.resolve_accounts(wanted, accounts, key="payment_id")
    given = 0
    for account, payment_ids in found.group_by("bank_account_id").agg("payment_id").iter_rows():
        # None when the payee has no account in force: the checker refuses until it has one.
        Payment.objects.filter(pk__in=payment_ids).update(bank_account_id=account)
        given += len(payment_ids) if account is not None else 0
    return given


def _update_recoveries(run: PayrollRun) -> None:
    """Recoveries deducted in this run: *settled* when the deductions (negative) reach the
    amount, else *recovering*."""
    touched = Recovery.objects.filter(
        pk__in=Subquery(Payment.objects.filter(run=run, kind=Kind.RECOVERY).values("recovery_id"))
    )
    balances = touched.annotate(
        deducted=Sum("deductions__amount", filter=Q(deductions__reissue_of__isnull=True))
    )
    settled = [
        pk
        for pk, owed, deducted in balances.values_list("pk", "amount", "deducted")
        if owed + (deducted or 0) <= 0
    ]
    touched.exclude(pk__in=settled).update(status=Recovery.RecoveryStatus.RECOVERING)
    Recovery.objects.filter(pk__in=settled).update(
        status=Recovery.RecoveryStatus.SETTLED, settled_at=timezone.now()
    )


def run_totals(run: PayrollRun, division: str = "") -> dict[str, Any]:
    """Counts and amounts (fen) of the run's payments — all, by kind and by township — within
    ``division`` (a prefix; blank: the whole run)."""
    payments = Payment.objects.filter(AS_DUE, run=run)
    if division:
        payments = payments.filter(division_code__startswith=division)
    frame = to_frame(
        payments.values_list("division_code", "kind", "amount", "household_id", "bank_account_id"),
        {
            "division_code": pl.String,
            "kind": pl.String,
            "amount": pl.Int64,
            "household_id": pl.Int64,
            "bank_account_id": pl.Int64,
        },
    ).with_columns(township=pl.col("division_code").str.slice(0, 9))
    by_kind = {
        row["kind"]: {"count": row["count"], "amount": row["amount"]}
        for row in frame.group_by("kind")
        .agg(pl.len().alias("count"), pl.col("amount").sum())
        .iter_rows(named=True)
    }
    by_township = {
        row["township"]: {
            "count": row["count"],
            "amount": row["amount"],
            "households": row["households"],
        }
        for row in frame.group_by("township")
        .agg(
            pl.len().alias("count"),
            pl.col("amount").sum(),
            pl.col("household_id").n_unique().alias("households"),
        )
        .sort("township")
        .iter_rows(named=True)
    }
    return {
        "count": frame.height,
        "amount": int(frame["amount"].sum()) if frame.height else 0,
        "households": frame["household_id"].n_unique() if frame.height else 0,
        "missing_account": frame.filter(pl.col("bank_account_id").is_null())[
            "household_id"
        ].n_unique()
        if frame.height
        else 0,
        "by_kind": by_kind,
        "by_township": by_township,
    }
