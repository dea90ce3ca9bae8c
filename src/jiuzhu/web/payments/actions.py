"""The payroll's write path: one function per step of a monthly run.

draft (district officer) → check (another officer) → approve (a third person: director or
officer) → export the bank file → reconcile the bank's return → close.

Policy: 最低生活保障审核确认办法 Art. 21 (paid from the month after the decision — the
entitlement's ``start_month``), Art. 25–26 (paid monthly into the household's bank account);
社会救助暂行办法 Art. 68 (fraud: recovery plus a fine of 1–3 times the amount, a separate path).

Each action checks the user's permission on the object (role and jurisdiction), checks the run's
state on the locked row, writes in one transaction and appends an audit event. The draft is the
exception: it writes in batches, each its own transaction, so that a crash keeps what was
committed — and a re-run completes the draft. The database guarantees exactly-once (see
``Payment``): a re-run recomputes the same rows, skips those that exist, and the unique
constraints refuse any duplicate that a concurrent run might try.

Maker–checker: everyone who ran the draft (``run.drafters``) may neither check nor approve; the
checker may not approve. Drafting and checking are district officers' work; approval is the
director's or a third officer's.

Money is integer fen; months are ``YYYY-MM``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
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
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.rules.engine.errors import RulesError
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.cases import clock
from jiuzhu.web.cases.models import Program
from jiuzhu.web.entitlements.models import PAYABLE, Entitlement, EntitlementVersion, Status
from jiuzhu.web.months import add_months, first_day, is_month, month_of
from jiuzhu.web.payments import exporters
from jiuzhu.web.payments.models import (
    BankAccount,
    BankFile,
    BankReturn,
    BankReturnRow,
    Kind,
    Payment,
    PaymentStatus,
    PayrollRun,
    Recovery,
    RunStatus,
    mask_account,
)
from jiuzhu.web.registry.models import Household, Membership, Person

BATCH_SIZE = 2000
"""Payments written per transaction by the draft."""

IN_CHUNK = 5000
"""Ids per ``IN (…)`` list (SQLite allows 32,766 variables)."""

PROGRAM_CODES: dict[str, str] = {
    Program.DIBAO: "DB",
    Program.NEAR_DIBAO: "BY",
    Program.TEKUN: "TK",
    Program.RIGID_EXPENDITURE: "GX",
}
"""Two letters of the program in a bank reference (as in application numbers)."""

REFERENCE_DIGITS = 10
"""Zero-padded entitlement id in a reference: ``202511DB0000001234``."""

ROW_SCHEMA = pl.Schema(
    {
        "entitlement_id": pl.Int64,
        "household_id": pl.Int64,
        "division_code": pl.String,
        "version_id": pl.Int64,
        "month": pl.String,
        "kind": pl.String,
        "amount": pl.Int64,
        "recovery_id": pl.Int64,
        "bank_account_id": pl.Int64,
    }
)

AfterBatch = Callable[[int], None]


def _require(user: Any, permission: str, obj: Any) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied(permission)


def _locked(run: PayrollRun) -> PayrollRun:
    """The run re-read under a row lock (two clerks clicking at once move it once)."""
    return PayrollRun.objects.select_for_update().get(pk=run.pk)


def _frame(rows: Iterable[tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _chunks(values: list[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def reference_prefix(run: PayrollRun) -> str:
    return f"{run.month.replace('-', '')}{PROGRAM_CODES.get(run.program, 'XX')}"


def reference(run: PayrollRun, entitlement_id: int, suffix: str = "") -> str:
    """The bank reference of one transfer: month, program, entitlement, and ``R<n>`` for the
    n-th re-issue file."""
    return f"{reference_prefix(run)}{entitlement_id:0{REFERENCE_DIGITS}d}{suffix}"


# --- The month's parameters (the rules engine's, for the record and the checker) -----------------


@cache
def _system() -> Any:
    from jiuzhu.rules import load_system  # noqa: PLC0415 — loaded once, when first needed

    return load_system("tianjin")


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
    found["dibao_standard"] = {key: int(value) for key, value in values.items()}
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


@dataclass
class Plan:
    """The payments a run should hold (computed from the database, set-based)."""

    rows: pl.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)


def plan_run(run: PayrollRun) -> Plan:
    """Every payment the run should contain, as one frame (``ROW_SCHEMA``).

    *Regular*: one per payable entitlement, the amount of the version valid for the month.
    *Arrears* (补发): for an entitlement paid this month, every earlier month of a run that is
    past its draft where the version now valid pays more than was paid (regular + arrears of
    other runs): months already paid when a version was made retroactively, and months whose run
    was drafted before the entitlement existed. *Recovery*: the oldest open overpayment
    recovery, at most its monthly cap and at most the entitlement's gross this month (a
    transfer is never negative). Payments of this run already written count for nothing here:
    the plan is the same on a re-run, and the caller skips what exists.
    """
    month, program, division = run.month, run.program, run.division_code
    payable = payable_entitlements(month, program, division)
    entitlements = _frame(
        payable.values_list("pk", "household_id", "person_id", "division_code"),
        {
            "entitlement_id": pl.Int64,
            "household_id": pl.Int64,
            "person_id": pl.Int64,
            "division_code": pl.String,
        },
    )
    versions = (
        _frame(
            EntitlementVersion.objects.filter(entitlement__in=payable, valid_from__lte=month)
            .filter(Q(valid_to="") | Q(valid_to__gt=month))
            .values_list("entitlement_id", "pk", "monthly_amount", "valid_from"),
            {
                "entitlement_id": pl.Int64,
                "version_id": pl.Int64,
                "amount": pl.Int64,
                "valid_from": pl.String,
            },
        )
        # Versions never overlap; if bad data made two valid, the later start wins.
        .sort("valid_from", descending=True)
        .unique("entitlement_id", keep="first")
        .drop("valid_from")
    )
    regular = entitlements.join(versions, on="entitlement_id", how="left")
    skipped = {
        "no_version": regular.filter(pl.col("version_id").is_null()).height,
        "zero_amount": regular.filter(pl.col("amount") == 0).height,
    }
    regular = regular.filter(pl.col("amount") > 0)
    accounts = _resolve_accounts(
        regular.select("entitlement_id", "household_id", "person_id"),
        Subquery(payable.values("household_id")),
    )
    regular = regular.join(accounts, on="entitlement_id", how="left").with_columns(
        month=pl.lit(month), kind=pl.lit(Kind.REGULAR.value), recovery_id=pl.lit(None, pl.Int64)
    )
    arrears = _arrears(run, payable, regular)
    gross = pl.concat(
        [regular.select("entitlement_id", "amount"), arrears.select("entitlement_id", "amount")]
    )
    recovery = _recoveries(run, payable, regular, gross)
    rows = pl.concat(
        [frame.select(list(ROW_SCHEMA)).cast(ROW_SCHEMA) for frame in (regular, arrears, recovery)]
    )
    return Plan(rows=rows, skipped=skipped)


def _resolve_accounts(
    wanted: pl.DataFrame, households: Any, key: str = "entitlement_id"
) -> pl.DataFrame:
    """The account each entitlement is paid into: the tekun person's own account, else the
    household's, else the household's only active account (``entitlement_id``,
    ``bank_account_id``; null when none — the checker refuses the run until it is recorded)."""
    accounts = _frame(
        BankAccount.objects.filter(active=True, household_id__in=households).values_list(
            "household_id", "person_id", "pk"
        ),
        {"household_id": pl.Int64, "person_id": pl.Int64, "account_id": pl.Int64},
    )
    own = accounts.filter(pl.col("person_id").is_not_null()).rename({"account_id": "own"})
    household = accounts.filter(pl.col("person_id").is_null()).select(
        "household_id", pl.col("account_id").alias("household_account")
    )
    only = (
        accounts.group_by("household_id")
        .agg(pl.col("account_id").min().alias("only"), pl.len().alias("n"))
        .filter(pl.col("n") == 1)
        .drop("n")
    )
    return (
        wanted.join(own, on=["household_id", "person_id"], how="left")
        .join(household, on="household_id", how="left")
        .join(only, on="household_id", how="left")
        .select(key, pl.coalesce("own", "household_account", "only").alias("bank_account_id"))
    )


def _arrears(
    run: PayrollRun, payable: QuerySet[Entitlement], regular: pl.DataFrame
) -> pl.DataFrame:
    month = run.month
    frozen_runs = PayrollRun.objects.filter(
        program=run.program, division_code=run.division_code, month__lt=month
    ).exclude(status=RunStatus.DRAFT)
    empty = regular.clear().with_columns(kind=pl.lit(Kind.ARREARS.value))
    frozen = _frame(
        frozen_runs.values_list("month", "drafted_at"),
        {"run_month": pl.String, "drafted_at": pl.Datetime("us", "UTC")},
    )
    if frozen.is_empty() or regular.is_empty():
        return empty
    others = Payment.objects.filter(entitlement=OuterRef("entitlement"), month__lt=month).exclude(
        run=run
    )
    # A version is retroactive when a month it covers was paid under an older version; once its
    # arrears are paid in another run it needs no more looking at (a newer version would be).
    retroactive = (
        EntitlementVersion.objects.filter(entitlement__in=payable, valid_from__lt=month)
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
    retro = (
        _frame(
            retroactive.values_list("entitlement_id", "valid_from"),
            {"entitlement_id": pl.Int64, "valid_from": pl.String},
        )
        .group_by("entitlement_id")
        .agg(pl.col("valid_from").min().alias("since"))
    )
    # Entitlements created after the draft of a month they are payable in: that run missed them.
    late_qs = (
        payable.filter(start_month__lt=month)
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
    late = _frame(
        late_qs.values_list("pk", "created_at", "start_month", "end_month"),
        {
            "entitlement_id": pl.Int64,
            "created_at": pl.Datetime("us", "UTC"),
            "start_month": pl.String,
            "end_month": pl.String,
        },
    )
    candidates = sorted(
        set(retro["entitlement_id"].to_list()) | set(late["entitlement_id"].to_list())
    )
    if not candidates:
        return empty
    paid_rows: list[tuple[Any, ...]] = []
    version_rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(candidates):
        paid_rows += (
            Payment.objects.filter(
                entitlement_id__in=chunk, kind__in=[Kind.REGULAR, Kind.ARREARS], month__lt=month
            )
            .exclude(run=run)
            .values_list("entitlement_id", "month", "kind", "amount")
        )
        version_rows += EntitlementVersion.objects.filter(entitlement_id__in=chunk).values_list(
            "entitlement_id", "pk", "valid_from", "valid_to", "monthly_amount"
        )
    paid = _frame(
        paid_rows,
        {"entitlement_id": pl.Int64, "month": pl.String, "kind": pl.String, "amount": pl.Int64},
    )
    all_versions = _frame(
        version_rows,
        {
            "entitlement_id": pl.Int64,
            "version_id": pl.Int64,
            "valid_from": pl.String,
            "valid_to": pl.String,
            "due": pl.Int64,
        },
    )
    months_retro = (
        paid.filter(pl.col("kind") == Kind.REGULAR.value)
        .join(retro, on="entitlement_id")
        .filter(pl.col("month") >= pl.col("since"))
        .select("entitlement_id", "month")
    )
    months_late = (
        late.join(frozen, how="cross")
        .filter(
            (pl.col("drafted_at") < pl.col("created_at"))
            & (pl.col("run_month") >= pl.col("start_month"))
            & ((pl.col("end_month") == "") | (pl.col("run_month") < pl.col("end_month")))
        )
        .select("entitlement_id", pl.col("run_month").alias("month"))
    )
    months = pl.concat([months_retro, months_late]).unique()
    due = (
        months.join(all_versions, on="entitlement_id")
        .filter(
            (pl.col("valid_from") <= pl.col("month"))
            & ((pl.col("valid_to") == "") | (pl.col("valid_to") > pl.col("month")))
        )
        .sort("valid_from", descending=True)
        .unique(["entitlement_id", "month"], keep="first")
        .select("entitlement_id", "month", "version_id", "due")
    )
    paid_by_month = paid.group_by("entitlement_id", "month").agg(
        pl.col("amount").sum().alias("paid")
    )
    shortfall = (
        due.join(paid_by_month, on=["entitlement_id", "month"], how="left")
        .with_columns(amount=pl.col("due") - pl.col("paid").fill_null(0))
        .filter(pl.col("amount") > 0)
    )
    # Arrears go to this month's account, with the household of this month's payment.
    current = regular.select("entitlement_id", "household_id", "division_code", "bank_account_id")
    return shortfall.join(current, on="entitlement_id").with_columns(
        kind=pl.lit(Kind.ARREARS.value), recovery_id=pl.lit(None, pl.Int64)
    )


def _recoveries(
    run: PayrollRun, payable: QuerySet[Entitlement], regular: pl.DataFrame, gross: pl.DataFrame
) -> pl.DataFrame:
    open_recoveries = Recovery.objects.filter(
        kind=Recovery.RecoveryKind.OVERPAYMENT,
        status__in=[Recovery.RecoveryStatus.PENDING, Recovery.RecoveryStatus.RECOVERING],
        entitlement__in=payable,
    )
    recoveries = _frame(
        open_recoveries.values_list("pk", "entitlement_id", "amount", "monthly_deduction"),
        {
            "recovery_id": pl.Int64,
            "entitlement_id": pl.Int64,
            "owed": pl.Int64,
            "cap": pl.Int64,
        },
    )
    base = regular.select(
        "entitlement_id", "household_id", "division_code", "version_id", "bank_account_id"
    )
    if recoveries.is_empty():
        return base.clear().with_columns(
            month=pl.lit(run.month),
            kind=pl.lit(Kind.RECOVERY.value),
            amount=pl.lit(0, pl.Int64),
            recovery_id=pl.lit(None, pl.Int64),
        )
    deducted = _frame(
        Payment.objects.filter(kind=Kind.RECOVERY, recovery__in=open_recoveries)
        .exclude(run=run)
        .values("recovery_id")
        .annotate(total=Sum("amount"))
        .values_list("recovery_id", "total"),
        {"recovery_id": pl.Int64, "deducted": pl.Int64},
    )
    gross_by = gross.group_by("entitlement_id").agg(pl.col("amount").sum().alias("gross"))
    return (
        recoveries.join(deducted, on="recovery_id", how="left")
        # Deductions are negative payments: outstanding = owed + Σ deductions.
        .with_columns(outstanding=pl.col("owed") + pl.col("deducted").fill_null(0))
        .filter(pl.col("outstanding") > 0)
        # One deduction per entitlement and month (the constraint): the oldest recovery first.
        .sort("recovery_id")
        .unique("entitlement_id", keep="first")
        .join(gross_by, on="entitlement_id")
        .with_columns(
            take=pl.min_horizontal(
                "outstanding", pl.col("cap").fill_null(pl.col("outstanding")), "gross"
            )
        )
        .filter(pl.col("take") > 0)
        .join(base, on="entitlement_id")
        .with_columns(
            month=pl.lit(run.month), kind=pl.lit(Kind.RECOVERY.value), amount=-pl.col("take")
        )
    )


def draft_run(
    user: Any,
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
    committed batch (the crash test's hook).

    Refused: a month after next month (a payroll is drafted at most one month ahead), an earlier
    month of the program still in draft (its regular payments would otherwise be paid again as
    arrears), or a run already checked.

    Raises:
        PermissionDenied: not a district officer; ValidationError: see above.
    """
    if not is_month(month):
        raise ValidationError({"month": _("月份格式应为 YYYY-MM")})
    if program not in Program.values:
        raise ValidationError({"program": _("未知的救助项目")})
    _require(
        user,
        "payments.draft",
        PayrollRun(month=month, program=program, division_code=DISTRICT_CODE),
    )
    if month > add_months(month_of(clock.today()), 1):
        raise ValidationError({"month": _("只能草拟本月或下月的发放名册")})
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
        if run is None:
            run = PayrollRun.objects.create(
                month=month,
                program=program,
                division_code=DISTRICT_CODE,
                drafted_by=user,
                drafted_at=timezone.now(),
                drafters=[user.pk],
            )
            resumed = False
        else:
            if run.status != RunStatus.DRAFT:
                raise ValidationError(_("该月发放名册已复核，不能重新生成"))
            if user.pk not in run.drafters:
                run.drafters = [*run.drafters, user.pk]
            run.draft_completed_at = None
            run.save(update_fields=["drafters", "draft_completed_at"])
            resumed = True
        record(user, "payments.draft_start", run, month=month, program=program, resumed=resumed)

    plan = plan_run(run)
    existing = _frame(
        Payment.objects.filter(run=run).values_list("entitlement_id", "month", "kind"),
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
        run = _locked(run)
        _fill_missing_accounts(run)
        _update_recoveries(run)
        run.totals = {
            **run_totals(run),
            "skipped": plan.skipped,
            "parameters": month_parameters(run.month),
        }
        run.draft_completed_at = timezone.now()
        run.save(update_fields=["totals", "draft_completed_at"])
        record(
            user,
            "payments.draft",
            run,
            count=run.totals["count"],
            amount=run.totals["amount"],
            written=todo.height,
        )
    return run


def _without_account(run: PayrollRun) -> QuerySet[Payment]:
    """The run's payments with no account, or one deactivated since the draft (corrected)."""
    return Payment.objects.filter(run=run).filter(
        Q(bank_account__isnull=True) | Q(bank_account__active=False)
    )


def _fill_missing_accounts(run: PayrollRun) -> None:
    """Give the run's payments without an active account the one recorded since (a re-run after
    accounts were added or corrected), resolved as in ``_resolve_accounts``. Few rows by
    nature."""
    missing = _without_account(run)
    wanted = _frame(
        missing.values_list("pk", "household_id", "entitlement__person_id"),
        {"payment_id": pl.Int64, "household_id": pl.Int64, "person_id": pl.Int64},
    )
    if wanted.is_empty():
        return
    found = _resolve_accounts(wanted, Subquery(missing.values("household_id")), key="payment_id")
    for account, payment_ids in found.group_by("bank_account_id").agg("payment_id").iter_rows():
        # None when the household has no active account any more: the checker will refuse.
        Payment.objects.filter(pk__in=payment_ids).update(bank_account_id=account)


def _update_recoveries(run: PayrollRun) -> None:
    """Recoveries deducted in this run: *settled* when the deductions (negative) reach the
    amount, else *recovering*."""
    touched = Recovery.objects.filter(
        pk__in=Subquery(Payment.objects.filter(run=run, kind=Kind.RECOVERY).values("recovery_id"))
    )
    balances = touched.annotate(deducted=Sum("deductions__amount"))
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
    payments = Payment.objects.filter(run=run)
    if division:
        payments = payments.filter(division_code__startswith=division)
    frame = _frame(
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


# --- Check and approve ---------------------------------------------------------------------------


@dataclass
class Comparison:
    """This run against the previous month's run of the program, per household (fen)."""

    previous: PayrollRun | None
    households: pl.DataFrame
    """household_id, division_code, this, last, diff, regular, arrears, recovery, change
    (``changed`` / ``new`` / ``stopped`` / ``same``)."""
    townships: pl.DataFrame
    """township, this, last, diff, households_this, households_last."""

    def summary(self) -> dict[str, Any]:
        counts = dict(self.households.group_by("change").len().iter_rows())
        return {
            "previous_month": self.previous.month if self.previous else None,
            "previous_run": self.previous.pk if self.previous else None,
            "changed": counts.get("changed", 0),
            "new": counts.get("new", 0),
            "stopped": counts.get("stopped", 0),
            "same": counts.get("same", 0),
            "by_township": {
                row["township"]: {k: v for k, v in row.items() if k != "township"}
                for row in self.townships.iter_rows(named=True)
            },
        }


def _household_sums(run: PayrollRun | None, division: str) -> pl.DataFrame:
    schema = {
        "household_id": pl.Int64,
        "division_code": pl.String,
        "total": pl.Int64,
        "regular": pl.Int64,
        "arrears": pl.Int64,
        "recovery": pl.Int64,
    }
    if run is None:
        return pl.DataFrame(schema=schema)
    rows = (
        Payment.objects.filter(run=run, division_code__startswith=division)
        .values("household_id", "division_code")
        .annotate(
            total=Sum("amount"),
            regular=Sum("amount", filter=Q(kind=Kind.REGULAR)),
            arrears=Sum("amount", filter=Q(kind=Kind.ARREARS)),
            recovery=Sum("amount", filter=Q(kind=Kind.RECOVERY)),
        )
        .values_list("household_id", "division_code", "total", "regular", "arrears", "recovery")
    )
    # A household with two entitlements (two tekun persons) under two division codes is rare;
    # it is summed under the first.
    return (
        _frame(rows, schema)
        .group_by("household_id")
        .agg(
            pl.col("division_code").min(),
            *[pl.col(c).fill_null(0).sum() for c in ("total", "regular", "arrears", "recovery")],
        )
    )


def compare_with_previous(run: PayrollRun, division: str = "") -> Comparison:
    """Every household whose amount changed since the previous month's run, the new and the
    stopped ones, and the totals by township (within ``division``)."""
    division = division or run.division_code
    previous = PayrollRun.objects.filter(
        program=run.program, division_code=run.division_code, month=add_months(run.month, -1)
    ).first()
    this = _household_sums(run, division)
    last = _household_sums(previous, division).select(
        "household_id",
        pl.col("division_code").alias("last_division"),
        pl.col("total").alias("last"),
    )
    households = (
        this.join(last, on="household_id", how="full", coalesce=True)
        .with_columns(
            division_code=pl.coalesce("division_code", "last_division"),
            this=pl.col("total").fill_null(0),
            last=pl.col("last").fill_null(0),
            change=pl.when(pl.col("total").is_null())
            .then(pl.lit("stopped"))
            .when(pl.col("last").is_null())
            .then(pl.lit("new"))
            .when(pl.col("total") != pl.col("last"))
            .then(pl.lit("changed"))
            .otherwise(pl.lit("same")),
        )
        .with_columns(diff=pl.col("this") - pl.col("last"))
        .drop("last_division", "total")
    )
    if previous is None:
        # Nothing to compare with: every household is new to the payroll.
        households = households.with_columns(change=pl.lit("new"))
    townships = (
        households.with_columns(township=pl.col("division_code").str.slice(0, 9))
        .group_by("township")
        .agg(
            pl.col("this").sum(),
            pl.col("last").sum(),
            (pl.col("change") != "stopped").sum().alias("households_this"),
            (pl.col("change") != "new").sum().alias("households_last")
            if previous is not None
            else pl.lit(0, pl.UInt32).alias("households_last"),
        )
        .with_columns(diff=pl.col("this") - pl.col("last"))
        .sort("township")
    )
    return Comparison(previous=previous, households=households, townships=townships)


def dibao_ceiling_exceeded(run: PayrollRun, division: str = "") -> pl.DataFrame:
    """Dibao households whose regular amount this month exceeds the month's standard × current
    members × (1 + the largest category supplement rate): the most a dibao amount can be
    (最低生活保障审核确认办法 Art. 23, 27). A flag for the checker, never a cut."""
    schema = {"household_id": pl.Int64, "amount": pl.Int64, "ceiling": pl.Int64}
    parameters = month_parameters(run.month)
    if run.program != Program.DIBAO or "dibao_standard" not in parameters:
        return pl.DataFrame(schema=schema)
    rate = Decimal(parameters["dibao_max_supplement_rate"])
    payments = Payment.objects.filter(
        run=run, kind=Kind.REGULAR, division_code__startswith=division or run.division_code
    )
    households = Subquery(payments.values("household_id"))
    amounts = _frame(
        payments.values("household_id")
        .annotate(total=Sum("amount"))
        .values_list("household_id", "total"),
        {"household_id": pl.Int64, "amount": pl.Int64},
    )
    members = _frame(
        Membership.objects.filter(household_id__in=households, valid_to__isnull=True)
        .values("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n"),
        {"household_id": pl.Int64, "members": pl.Int64},
    )
    standard = parameters["dibao_standard"]
    areas = _frame(
        Household.objects.filter(pk__in=households).values_list("pk", "area_type"),
        {"household_id": pl.Int64, "area_type": pl.String},
    ).with_columns(
        standard=pl.col("area_type").replace_strict(
            standard, default=max(standard.values()), return_dtype=pl.Int64
        )
    )
    factor = float(1 + rate)
    return (
        amounts.join(members, on="household_id", how="left")
        .join(areas, on="household_id", how="left")
        .with_columns(
            ceiling=(pl.col("standard") * pl.col("members").fill_null(1) * factor)
            .round(0)
            .cast(pl.Int64)
        )
        .filter(pl.col("amount") > pl.col("ceiling"))
        .select(list(schema))
    )


def check_run(user: Any, run: PayrollRun) -> PayrollRun:
    """The checker's step (复核): another district officer than anyone who drafted the run. The
    comparison with the previous month (changed, new and stopped households; totals by
    township) and the dibao ceiling flags are kept with the run as they were at check time.

    Raises:
        PermissionDenied: not a district officer, or one of the drafters;
        ValidationError: not a completed draft, or payments without a bank account.
    """
    _require(user, "payments.check", run)
    with transaction.atomic():
        run = _locked(run)
        if run.status != RunStatus.DRAFT:
            raise ValidationError(_("只有草拟状态的名册可以复核"))
        if run.draft_completed_at is None:
            raise ValidationError(_("名册尚未生成完毕，请重新生成后再复核"))
        if user.pk in run.drafters:
            raise PermissionDenied(_("生成名册的人员不能复核（制单与复核分离）"))
        missing = _without_account(run).values("household_id").distinct().count()
        if missing:
            raise ValidationError(
                _("%(n)s 户没有有效的银行账户，请补录后重新生成名册") % {"n": missing}
            )
        flagged = dibao_ceiling_exceeded(run)
        run.check_report = {
            **compare_with_previous(run).summary(),
            "above_ceiling": flagged.height,
        }
        _sign_off(
            user,
            run,
            RunStatus.CHECKED,
            "checked",
            report={k: v for k, v in run.check_report.items() if k != "by_township"},
        )
    return run


_SIGN_OFF_ACTIONS: dict[str, str] = {
    RunStatus.CHECKED: "payments.check",
    RunStatus.APPROVED: "payments.approve",
    RunStatus.CLOSED: "payments.close",
}


def _sign_off(user: Any, run: PayrollRun, status: str, step: str, **detail: Any) -> None:
    """Move the locked run to ``status``, stamping who did it and when (``<step>_by``,
    ``<step>_at``), and audit the move (inside the caller's transaction)."""
    before = run.status
    run.status = status
    setattr(run, f"{step}_by", user)
    setattr(run, f"{step}_at", timezone.now())
    run.save()
    record(
        user,
        _SIGN_OFF_ACTIONS[status],
        run,
        before={"status": before},
        after={"status": run.status},
        **detail,
    )


def approve_run(user: Any, run: PayrollRun) -> PayrollRun:
    """Approval (审批), the third step: the director or a district officer who neither drafted
    nor checked the run.

    Raises:
        PermissionDenied: not a district role, or a drafter or the checker;
        ValidationError: the run is not checked.
    """
    _require(user, "payments.approve", run)
    with transaction.atomic():
        run = _locked(run)
        if run.status != RunStatus.CHECKED:
            raise ValidationError(_("名册须先复核才能审批"))
        if user.pk in run.drafters or user.pk == run.checked_by_id:
            raise PermissionDenied(_("生成或复核名册的人员不能审批（三人分离）"))
        _sign_off(user, run, RunStatus.APPROVED, "approved")
    return run


# --- Export --------------------------------------------------------------------------------------


def export_run(
    user: Any, run: PayrollRun, exporter: str = "csv", encoding: str = "utf-8"
) -> BankFile:
    """The bank file of an approved run (one row per transfer, see ``payments.exporters``); on
    an exported or reconciled run, the re-issue file of the payments whose accounts were
    corrected. The payments move to *exported* (a re-issue stays *reissued*) with their
    reference and file; a transfer netted to zero by a recovery is *paid* at once.

    Raises:
        PermissionDenied; ValidationError: unknown exporter or encoding, or nothing to export.
    """
    _require(user, "payments.export", run)
    try:
        writer = exporters.get_exporter(exporter)
    except KeyError:
        raise ValidationError({"exporter": _("未知的银行文件格式")}) from None
    if writer.encodings == ("",):
        encoding = ""  # a binary format: the encoding is the format's own
    elif encoding not in writer.encodings:
        raise ValidationError({"encoding": _("不支持的文件编码")})
    with transaction.atomic():
        run = _locked(run)
        if run.status == RunStatus.APPROVED:
            purpose = BankFile.Purpose.INITIAL
            payments = Payment.objects.filter(run=run, status=PaymentStatus.PENDING)
            suffix = ""
        elif (
            run.status in (RunStatus.EXPORTED, RunStatus.RECONCILED)
            and Payment.objects.filter(
                run=run, status=PaymentStatus.REISSUED, bank_file__isnull=True
            ).exists()
        ):
            purpose = BankFile.Purpose.REISSUE
            payments = Payment.objects.filter(
                run=run, status=PaymentStatus.REISSUED, bank_file__isnull=True
            )
            sequence = run.bank_files.filter(purpose=BankFile.Purpose.REISSUE).count() + 1
            suffix = f"R{sequence}"
        else:
            raise ValidationError(_("名册须经审批后才能生成银行文件"))
        transfers = (
            _frame(
                payments.values_list(
                    "entitlement_id", "division_code", "amount", "bank_account_id"
                ),
                {
                    "entitlement_id": pl.Int64,
                    "division_code": pl.String,
                    "amount": pl.Int64,
                    "bank_account_id": pl.Int64,
                },
            )
            .group_by("entitlement_id")
            .agg(
                pl.col("division_code").first(),
                pl.col("amount").sum(),
                pl.col("bank_account_id").max(),
            )
            .sort("division_code", "entitlement_id")
        )
        if transfers.filter(pl.col("bank_account_id").is_null()).height:
            raise ValidationError(_("有发放记录没有银行账户"))
        accounts = {
            pk: (number, holder, bank)
            for pk, number, holder, bank in BankAccount.objects.filter(
                pk__in=Subquery(payments.values("bank_account_id"))
            ).values_list("pk", "account_number", "holder_name", "bank_name")
        }
        rows = [
            exporters.BankRow(
                account_number=accounts[account][0],
                holder_name=accounts[account][1],
                bank_name=accounts[account][2],
                amount=amount,
                reference=reference(run, entitlement, suffix),
            )
            for entitlement, _division, amount, account in transfers.filter(
                pl.col("amount") > 0
            ).iter_rows()
        ]
        zero = transfers.filter(pl.col("amount") == 0)["entitlement_id"].to_list()
        meta = exporters.FileMeta(
            month=run.month,
            program=run.program,
            purpose=purpose,
            sequence=int(suffix[1:] or 1),
        )
        bank_file = BankFile.objects.create(
            run=run,
            purpose=purpose,
            format=writer.name,
            encoding=encoding,
            filename=exporters.filename(meta, writer),
            content=writer.write(rows, meta, encoding),
            rows=len(rows),
            total=sum(r.amount for r in rows),
            checksum=exporters.row_checksum(rows),
            created_by=user,
        )
        ref = Concat(
            Value(reference_prefix(run)),
            LPad(Cast("entitlement_id", output_field=CharField()), REFERENCE_DIGITS, Value("0")),
            Value(suffix),
        )
        updated = {"bank_file": bank_file, "reference": ref}
        if purpose == BankFile.Purpose.INITIAL:
            updated["status"] = PaymentStatus.EXPORTED
        payments.update(**updated)
        now = timezone.now()
        for chunk in _chunks(zero):
            # Netted to nothing by a recovery: there is nothing to transfer, the month is settled.
            Payment.objects.filter(run=run, bank_file=bank_file, entitlement_id__in=chunk).update(
                status=PaymentStatus.PAID, paid_at=now
            )
        if purpose == BankFile.Purpose.INITIAL:
            run.status = RunStatus.EXPORTED
            run.exported_by = user
            run.exported_at = now
            run.save()
        record(
            user,
            "payments.export",
            run,
            file=bank_file.filename,
            purpose=purpose,
            rows=bank_file.rows,
            total=bank_file.total,
            checksum=bank_file.checksum,
        )
    return bank_file


# --- Reconcile, re-issue, close --------------------------------------------------------------------

RETURN_COLUMNS = {
    "account": ("账号", "银行账号", "account"),
    "amount": ("金额", "金额（元）", "amount"),
    "status": ("状态", "处理状态", "status"),
    "reason": ("原因", "失败原因", "reason"),
    "reference": ("业务参考号", "参考号", "reference"),
}
SUCCESS = {"成功", "success", "ok"}
FAILURE = {"失败", "failed", "failure"}


@dataclass
class _ReturnLine:
    line: int
    account: str
    amount: int
    succeeded: bool
    reason: str
    reference: str


def _parse_return(content: bytes) -> tuple[list[_ReturnLine], list[str]]:
    """The lines of a bank return CSV (UTF-8 or GB18030): account, amount in yuan, status
    成功/失败, reason, and optionally the reference. Returns the lines and the problems."""
    problems: list[str] = []
    try:
        text = exporters.decode(content)
    except UnicodeDecodeError:
        return [], [_("文件编码无法识别（应为 UTF-8 或 GB18030）")]
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        return [], [_("回盘文件为空")]
    header = [c.strip().lower() for c in rows[0]]
    index: dict[str, int] = {}
    for key, names in RETURN_COLUMNS.items():
        for name in names:
            if name.lower() in header:
                index[key] = header.index(name.lower())
                break
    missing = [k for k in ("account", "amount", "status") if k not in index]
    if missing:
        return [], [_("回盘文件缺少列：账号、金额、状态")]
    lines: list[_ReturnLine] = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(key: str, row: list[str] = row) -> str:
            position = index.get(key)
            return row[position].strip() if position is not None and position < len(row) else ""

        if cell("account") in (exporters.TOTAL_LABEL, exporters.CHECKSUM_LABEL):
            continue
        status = cell("status").lower()
        try:
            amount = Decimal(cell("amount").replace(",", ""))
            if amount != amount.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(_("第 %(line)s 行：金额无效") % {"line": number})
            continue
        if status not in SUCCESS | FAILURE:
            problems.append(_("第 %(line)s 行：状态应为“成功”或“失败”") % {"line": number})
            continue
        lines.append(
            _ReturnLine(
                line=number,
                account=cell("account"),
                amount=int(amount * 100),
                succeeded=status in SUCCESS,
                reason=cell("reason")[:200],
                reference=cell("reference"),
            )
        )
    return lines, problems


def reconcile_run(user: Any, run: PayrollRun, content: bytes, filename: str = "") -> BankReturn:
    """Import the bank's return file (回盘): every line is matched to a transfer sent and not yet
    answered — by its reference when the bank returns it, else by account and amount. Paid
    transfers' payments become *paid*; failed ones *failed*, with the reason, queued for an
    account correction and a re-issue. All or nothing: one line that matches no transfer, or
    answers one twice, refuses the whole file. The run is *reconciled* when no payment waits
    for the bank.

    Raises:
        PermissionDenied; ValidationError: the run was not exported, or the file's problems.
    """
    _require(user, "payments.reconcile", run)
    lines, problems = _parse_return(content)
    with transaction.atomic():
        run = _locked(run)
        if run.status not in (RunStatus.EXPORTED, RunStatus.RECONCILED):
            raise ValidationError(_("名册尚未生成银行文件，不能对账"))
        waiting = Payment.objects.filter(run=run).filter(
            Q(status=PaymentStatus.EXPORTED)
            | Q(status=PaymentStatus.REISSUED, bank_file__isnull=False)
        )
        transfers = (
            _frame(
                waiting.values_list("reference", "amount", "bank_account__account_number"),
                {"reference": pl.String, "amount": pl.Int64, "account": pl.String},
            )
            .group_by("reference")
            .agg(pl.col("amount").sum(), pl.col("account").first())
            .sort("reference")
        )
        by_reference = {r: (a, acc) for r, a, acc in transfers.iter_rows()}
        by_account: dict[tuple[str, int], list[str]] = {}
        for ref, amount, account in transfers.iter_rows():
            by_account.setdefault((account, amount), []).append(ref)
        answered: dict[str, _ReturnLine] = {}
        for line in lines:
            if line.reference:
                found = by_reference.get(line.reference)
                if found is None:
                    problems.append(
                        _("第 %(line)s 行：参考号 %(ref)s 不在待回盘的发放中")
                        % {"line": line.line, "ref": line.reference}
                    )
                    continue
                sent_amount, sent_account = found
                if sent_amount != line.amount or line.account not in ("", sent_account):
                    problems.append(_("第 %(line)s 行：账号或金额与发放不符") % {"line": line.line})
                    continue
                ref = line.reference
            else:
                candidates = [
                    r for r in by_account.get((line.account, line.amount), []) if r not in answered
                ]
                if not candidates:
                    problems.append(
                        _("第 %(line)s 行：账号 %(account)s 金额 %(amount)s 元不在待回盘的发放中")
                        % {
                            "line": line.line,
                            "account": mask_account(line.account),
                            "amount": exporters.yuan_text(line.amount),
                        }
                    )
                    continue
                ref = candidates[0]
            if ref in answered:
                problems.append(_("第 %(line)s 行：同一笔发放重复回盘") % {"line": line.line})
                continue
            answered[ref] = line
        if problems:
            raise ValidationError(problems[:20])
        now = timezone.now()
        paid = [ref for ref, line in answered.items() if line.succeeded]
        for chunk in _chunks(paid):
            waiting.filter(reference__in=chunk).update(
                status=PaymentStatus.PAID, paid_at=now, failure_reason=""
            )
        failed = {ref: line for ref, line in answered.items() if not line.succeeded}
        for ref, line in failed.items():
            # Few by nature: one UPDATE per failed transfer keeps its own reason.
            waiting.filter(reference=ref).update(
                status=PaymentStatus.FAILED,
                failure_reason=line.reason or recorded("银行未说明原因"),
                failed_account=F("bank_account"),
            )
        bank_return = BankReturn.objects.create(
            run=run,
            filename=filename[:200],
            rows=len(answered),
            succeeded=len(paid),
            failed=len(failed),
            uploaded_by=user,
        )
        BankReturnRow.objects.bulk_create(
            [
                BankReturnRow(
                    bank_return=bank_return,
                    line=line.line,
                    account_number=line.account,
                    amount=line.amount,
                    succeeded=line.succeeded,
                    reason=line.reason,
                    reference=ref,
                )
                for ref, line in answered.items()
            ],
            batch_size=BATCH_SIZE,
        )
        if not Payment.objects.filter(run=run, status=PaymentStatus.EXPORTED).exists():
            run.status = RunStatus.RECONCILED
            run.reconciled_at = now
            run.save()
        record(
            user,
            "payments.reconcile",
            run,
            file=filename,
            rows=len(answered),
            succeeded=len(paid),
            failed=len(failed),
        )
    return bank_return


def add_bank_account(
    user: Any,
    household: Household,
    *,
    bank_name: str,
    account_number: str,
    holder_name: str,
    person: Person | None = None,
) -> BankAccount:
    """Record the account a household (or a tekun person) is paid into; the one in force
    before is deactivated, never edited (a payment keeps the account it was sent to).

    Raises:
        PermissionDenied: not a district role in the jurisdiction;
        ValidationError: an account number that is not 8–32 digits, a blank bank or name, a
            person who is not a current member.
    """
    _require(user, "payments.bank_account", household)
    number = account_number.replace(" ", "").strip()
    errors: dict[str, str] = {}
    if not (number.isdigit() and 8 <= len(number) <= 32):
        errors["account_number"] = _("银行账号应为8至32位数字")
    if not bank_name.strip():
        errors["bank_name"] = _("请填写开户银行")
    if not holder_name.strip():
        errors["holder_name"] = _("请填写户名")
    if (
        person is not None
        and not household.memberships.filter(person=person, valid_to__isnull=True).exists()
    ):
        errors["person"] = _("该人员不是家庭现有成员")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        previous = list(
            BankAccount.objects.select_for_update().filter(
                household=household, person=person, active=True
            )
        )
        BankAccount.objects.filter(pk__in=[a.pk for a in previous]).update(
            active=False, deactivated_at=timezone.now()
        )
        account = BankAccount.objects.create(
            household=household,
            person=person,
            bank_name=bank_name.strip(),
            account_number=number,
            holder_name=holder_name.strip(),
            created_by=user,
        )
        record(
            user,
            "payments.bank_account",
            account,
            before={"account": previous[0].masked if previous else None},
            after={"account": account.masked, "bank": account.bank_name},
        )
    return account


def reissue_payment(user: Any, payment: Payment, bank_account: BankAccount) -> list[Payment]:
    """Re-issue a failed transfer into ``bank_account`` (the corrected one): every failed
    payment of the same entitlement in the run (one transfer) becomes *reissued*, waiting for
    the run's re-issue bank file.

    Raises:
        PermissionDenied; ValidationError: the payment has not failed, or the account is not an
            active account of the household.
    """
    _require(user, "payments.reissue", payment)
    if bank_account.household_id != payment.household_id or not bank_account.active:
        raise ValidationError({"bank_account": _("请选择该家庭有效的银行账户")})
    with transaction.atomic():
        _locked(payment.run)
        transfer = list(
            Payment.objects.select_for_update().filter(
                run_id=payment.run_id,
                entitlement_id=payment.entitlement_id,
                status=PaymentStatus.FAILED,
            )
        )
        if not any(p.pk == payment.pk for p in transfer):
            raise ValidationError(_("只有发放失败的记录可以重新发放"))
        old = transfer[0].failed_account
        now = timezone.now()
        Payment.objects.filter(pk__in=[p.pk for p in transfer]).update(
            status=PaymentStatus.REISSUED,
            bank_account=bank_account,
            bank_file=None,
            reference="",
            reissued_by=user,
            reissued_at=now,
        )
        record(
            user,
            "payments.reissue",
            payment,
            before={"account": old.masked if old else None},
            after={"account": bank_account.masked},
            payments=[p.pk for p in transfer],
        )
    return list(Payment.objects.filter(pk__in=[p.pk for p in transfer]))


def open_payments(run: PayrollRun) -> QuerySet[Payment]:
    """Payments that keep the run open: neither paid nor re-issued in a re-issue file."""
    return Payment.objects.filter(run=run).exclude(
        Q(status=PaymentStatus.PAID) | Q(status=PaymentStatus.REISSUED, bank_file__isnull=False)
    )


def close_run(user: Any, run: PayrollRun) -> PayrollRun:
    """Close (结账) a reconciled run: every payment paid, or re-issued in a re-issue file.

    Raises:
        PermissionDenied; ValidationError: the run is not reconciled, or payments are still
            pending, failed or waiting for their re-issue file.
    """
    _require(user, "payments.close", run)
    with transaction.atomic():
        run = _locked(run)
        if run.status != RunStatus.RECONCILED:
            raise ValidationError(_("名册须对账后才能结账"))
        waiting = open_payments(run)
        if waiting.exists():
            counts = dict(
                waiting.values("status").annotate(n=Count("pk")).values_list("status", "n")
            )
            raise ValidationError(
                _("尚有未完成的发放：失败 %(failed)s 笔，待重新生成银行文件或待回盘 %(other)s 笔")
                % {
                    "failed": counts.get(PaymentStatus.FAILED, 0),
                    "other": sum(n for s, n in counts.items() if s != PaymentStatus.FAILED),
                }
            )
        _sign_off(user, run, RunStatus.CLOSED, "closed")
    return run


# --- Recoveries ----------------------------------------------------------------------------------


def record_recovery(
    user: Any,
    entitlement: Entitlement,
    *,
    amount: int,
    reason: str,
    kind: str,
    fine_multiple: Decimal | str | None = None,
    monthly_deduction: int | None = None,
) -> Recovery:
    """Decide a recovery (fen). An *overpayment* is deducted by the following payrolls (at most
    ``monthly_deduction`` a month). *Fraud* (社会救助暂行办法 Art. 68) is a separate path: the
    amount is ordered repaid with a fine of ``fine_multiple`` (1–3) times it, never deducted
    by the payroll; ``settle_recovery`` records the repayment.

    Raises:
        PermissionDenied; ValidationError: a non-positive amount, no reason, a fine outside 1–3
            or a fine for an overpayment.
    """
    _require(user, "payments.recovery", entitlement)
    errors: dict[str, str] = {}
    if amount <= 0:
        errors["amount"] = _("追回金额应大于0")
    if not reason.strip():
        errors["reason"] = _("请写明追回原因")
    if kind not in Recovery.RecoveryKind.values:
        errors["kind"] = _("未知的追回类型")
    multiple: Decimal | None = None
    if kind == Recovery.RecoveryKind.FRAUD:
        try:
            multiple = Decimal(str(fine_multiple))
        except InvalidOperation:
            multiple = None
        if multiple is None or not (1 <= multiple <= 3):
            errors["fine_multiple"] = _("骗取的，罚款为骗取金额的1倍以上3倍以下")
    elif fine_multiple not in (None, ""):
        errors["fine_multiple"] = _("多发追回不处罚款")
    if monthly_deduction is not None and monthly_deduction <= 0:
        errors["monthly_deduction"] = _("每月扣回上限应大于0")
    if errors:
        raise ValidationError(errors)
    fine = (
        int((Decimal(amount) * multiple).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if multiple is not None
        else 0
    )
    with transaction.atomic():
        recovery = Recovery.objects.create(
            entitlement=entitlement,
            division_code=entitlement.division_code,
            kind=kind,
            amount=amount,
            fine_multiple=multiple,
            fine_amount=fine,
            monthly_deduction=monthly_deduction
            if kind == Recovery.RecoveryKind.OVERPAYMENT
            else None,
            reason=reason.strip(),
            decided_by=user,
        )
        record(user, "payments.recovery", recovery, amount=amount, kind=kind, fine=fine)
    return recovery


def settle_recovery(user: Any, recovery: Recovery, *, note: str) -> Recovery:
    """Record that a recovery was repaid outside the payroll (the fraud path, or an overpayment
    repaid in cash): it is no longer deducted.

    Raises:
        PermissionDenied; ValidationError: no note, or already settled.
    """
    _require(user, "payments.recovery", recovery)
    if not note.strip():
        raise ValidationError({"note": _("请填写缴回情况")})
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
        if recovery.status == Recovery.RecoveryStatus.SETTLED:
            raise ValidationError(_("该追回已结清"))
        before = recovery.status
        recovery.status = Recovery.RecoveryStatus.SETTLED
        recovery.settled_at = timezone.now()
        recovery.settlement_note = note.strip()
        recovery.save()
        record(
            user,
            "payments.settle_recovery",
            recovery,
            before={"status": before},
            after={"status": recovery.status},
            note=note,
        )
    return recovery


__all__ = [
    "BATCH_SIZE",
    "Comparison",
    "Plan",
    "add_bank_account",
    "approve_run",
    "check_run",
    "close_run",
    "compare_with_previous",
    "dibao_ceiling_exceeded",
    "draft_run",
    "export_run",
    "month_parameters",
    "open_payments",
    "payable_entitlements",
    "plan_run",
    "reconcile_run",
    "record_recovery",
    "reissue_payment",
    "run_totals",
    "settle_recovery",
]
