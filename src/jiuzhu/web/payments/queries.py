"""Reading the payroll and the bank accounts within the user's jurisdiction (deny by default),
and the work they hold for each user (``work_items``).

A run is the district's; a township user sees the runs but only its own households' payments
and figures. A payment, a household, a bank account and a recovery outside the jurisdiction
answer 404, like a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.reference import division
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.months import add_months, month_of
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.transitions import join_labels
from jiuzhu.web.core.users import Staff
from jiuzhu.web.core.workitems import WorkItem, WorkList
from jiuzhu.web.entitlements.models import PAYABLE, Entitlement, Status
from jiuzhu.web.payments.models import (
    AS_DUE,
    AccountStatus,
    BankAccount,
    Kind,
    OneOffPayment,
    Payment,
    PayrollRun,
    Recovery,
    ReserveFund,
    RunStatus,
)
from jiuzhu.web.payments.workflow import RUN
from jiuzhu.web.registry.models import Household

WORK_ITEMS = 20
"""Items listed per kind of work on the workbench (the count covers them all)."""


def _division(user: Staff) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    return str(getattr(user, "division_code", "") or "")


def runs_for(user: Staff) -> QuerySet[PayrollRun]:
    """Runs whose area overlaps the user's: the district's runs for every user of the district,
    a township's (if ever delegated) for its own and the district's users."""
    code = _division(user)
    if not code:
        return PayrollRun.objects.none()
    enclosing = [code[:n] for n in (6, 9, 12) if n <= len(code)]
    return PayrollRun.objects.filter(
        Q(division_code__in=enclosing) | Q(division_code__startswith=code)
    )


def run_for(user: Staff, pk: int) -> PayrollRun:
    """Raises Http404 outside the jurisdiction."""
    return get_within(
        runs_for(user).select_related(
            "drafted_by", "checked_by", "approved_by", "exported_by", "closed_by"
        ),
        pk,
    )


def payments_for(user: Staff) -> QuerySet[Payment]:
    code = _division(user)
    if not code:
        return Payment.objects.none()
    return Payment.objects.filter(division_code__startswith=code)


def payment_for(user: Staff, pk: int) -> Payment:
    """Raises Http404 outside the jurisdiction."""
    return get_within(payments_for(user).select_related("run", "household"), pk)


def scope_of(user: Staff, run: PayrollRun) -> str:
    """The division prefix of the run's rows the user may see."""
    code = _division(user)
    return code if code.startswith(run.division_code) else run.division_code


def township_name(code: str) -> str:
    found = division(code)
    return found.name if found else code


@dataclass
class SummaryRow:
    township: str
    name: str
    program: str
    program_label: str
    households: int
    count: int
    regular: int
    arrears: int
    recovery: int
    amount: int
    """fen (net: regular + arrears + recovery, recoveries negative)."""


def monthly_summary(user: Staff, month: str) -> list[SummaryRow]:
    """Payments made in the runs of ``month`` by township and program, within the user's
    jurisdiction (amounts in fen)."""
    rows = (
        payments_for(user)
        .filter(AS_DUE, run__month=month)
        .values_list("division_code", "run__program", "household_id", "kind", "amount")
    )
    frame = pl.DataFrame(
        list(rows),
        schema={
            "division_code": pl.String,
            "program": pl.String,
            "household_id": pl.Int64,
            "kind": pl.String,
            "amount": pl.Int64,
        },
        orient="row",
    ).with_columns(township=pl.col("division_code").str.slice(0, 9))
    grouped = (
        frame.group_by("township", "program")
        .agg(
            pl.col("household_id").n_unique().alias("households"),
            pl.len().alias("count"),
            *[
                pl.col("amount").filter(pl.col("kind") == kind.value).sum().alias(kind.value)
                for kind in Kind
            ],
            pl.col("amount").sum(),
        )
        .sort("township", "program")
    )
    labels = dict(Program.choices)
    return [
        SummaryRow(
            township=row["township"],
            name=township_name(row["township"]),
            program=row["program"],
            program_label=str(labels.get(row["program"], row["program"])),
            households=row["households"],
            count=row["count"],
            regular=row["regular"],
            arrears=row["arrears"],
            recovery=row["recovery"],
            amount=row["amount"],
        )
        for row in grouped.iter_rows(named=True)
    ]


@dataclass(frozen=True)
class OneOffRow:
    """One township's payments made once in a month for one program (amounts in fen)."""

    township: str
    name: str
    program: str
    program_label: str
    households: int
    count: int
    cash: int
    in_kind: int
    """The value of goods and services given in kind."""
    amount: int


def one_off_summary(user: Staff, month: str) -> list[OneOffRow]:
    """Payments made once (temporary, funeral, heating, medical assistance) paid in ``month``
    (YYYY-MM) by township and program, within the user's jurisdiction."""
    first = dt.date.fromisoformat(f"{month}-01")
    rows = OneOffPayment.objects.filter(
        division_code__startswith=_division(user),
        paid_on__gte=first,
        paid_on__lt=dt.date.fromisoformat(f"{add_months(month, 1)}-01"),
    ).values_list("division_code", "program", "household_id", "form", "amount")
    frame = pl.DataFrame(
        list(rows),
        schema={
            "division_code": pl.String,
            "program": pl.String,
            "household_id": pl.Int64,
            "form": pl.String,
            "amount": pl.Int64,
        },
        orient="row",
    ).with_columns(township=pl.col("division_code").str.slice(0, 9))
    grouped = (
        frame.group_by("township", "program")
        .agg(
            pl.col("household_id").n_unique().alias("households"),
            pl.len().alias("count"),
            pl.col("amount").filter(pl.col("form") == OneOffPayment.Form.CASH).sum().alias("cash"),
            pl.col("amount")
            .filter(pl.col("form") == OneOffPayment.Form.IN_KIND)
            .sum()
            .alias("in_kind"),
            pl.col("amount").sum(),
        )
        .sort("township", "program")
    )
    return [
        OneOffRow(
            township=row["township"],
            name=township_name(row["township"]),
            program=row["program"],
            program_label=Program.label(row["program"]),
            households=row["households"],
            count=row["count"],
            cash=row["cash"],
            in_kind=row["in_kind"],
            amount=row["amount"],
        )
        for row in grouped.iter_rows(named=True)
    ]


def scoped_total(user: Staff, run: PayrollRun) -> int:
    """The run's net amount (fen) within the user's jurisdiction."""
    total = (
        Payment.objects.filter(AS_DUE, run=run, division_code__startswith=scope_of(user, run))
        .aggregate(total=Sum("amount"))
        .get("total")
    )
    return int(total or 0)


# --- Bank accounts ------------------------------------------------------------------------------


def accounts_for(user: Staff) -> QuerySet[BankAccount]:
    """Bank accounts of the households in the user's jurisdiction."""
    code = _division(user)
    if not code:
        return BankAccount.objects.none()
    return BankAccount.objects.filter(household__division_code__startswith=code)


def account_for(user: Staff, household_pk: int, pk: int) -> BankAccount:
    """One account of one household of the jurisdiction.

    Raises:
        Http404: no such account of that household in the jurisdiction.
    """
    try:
        return (
            accounts_for(user)
            .select_related(
                "household", "person", "created_by", "checked_by", "replaces", "replaced_by"
            )
            .get(pk=pk, household_id=household_pk)
        )
    except BankAccount.DoesNotExist:
        raise Http404 from None


def payable_soon(today: dt.date) -> QuerySet[Entitlement]:
    """Entitlements paid this month or from next month (a decision's first month is the month
    after it: 最低生活保障审核确认办法 Art. 21) — those that need an account before the next
    payroll."""
    month = month_of(today)
    return (
        Entitlement.objects.filter(status__in=PAYABLE, start_month__lte=add_months(month, 1))
        .filter(Q(end_month="") | Q(end_month__gt=month))
        .exclude(
            Q(status=Status.GRADUAL_EXIT)
            & ~Q(gradual_exit_until="")
            & Q(gradual_exit_until__lte=month)
        )
    )


def without_account(entitlements: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
    """``entitlements`` the payroll has no account in force to pay into — as the draft resolves
    it: the tekun person's own account, else the household's, else the household's only one —
    annotated with ``account_waiting`` (an account of the household waits for its check)."""
    in_force = BankAccount.objects.filter(
        household=OuterRef("household"), status=AccountStatus.IN_FORCE
    )
    return (
        entitlements.annotate(
            own=Exists(in_force.filter(person=OuterRef("person"))),
            shared=Exists(in_force.filter(person__isnull=True)),
            # No account at all is no row, hence NULL: counted as 0.
            accounts=Coalesce(
                Subquery(
                    in_force.order_by().values("household").annotate(n=Count("pk")).values("n")[:1]
                ),
                0,
            ),
            account_waiting=Exists(
                BankAccount.objects.filter(
                    household=OuterRef("household"), status=AccountStatus.AWAITING_CHECK
                )
            ),
        )
        .filter(own=False, shared=False)
        .exclude(accounts=1)
    )


def _probe(user: Staff) -> BankAccount:
    """An account in the user's own division: asks what the user's role may do with accounts."""
    return BankAccount(household=Household(division_code=_division(user)))


def _run_work(user: Staff, today: dt.date) -> WorkList | None:
    """Runs waiting for a step this user may take now (check for another officer than the
    drafters, approval for a third person, bank file, reconciliation, re-issue, close)."""
    probe = PayrollRun(division_code=_division(user))
    if not any(
        user.has_perm(f"payments.{p}", probe) for p in ("draft", "check", "approve", "export")
    ):
        return None
    work = WorkList(kind=_("发放名册"), more_url=reverse("payments:run_list"))
    runs = runs_for(user).exclude(status=RunStatus.CLOSED).order_by("month", "program")
    for run in runs.select_related("checked_by")[:WORK_ITEMS]:
        moves = [
            move
            for move in RUN.from_state(run.status)
            if move.main and RUN.refusal(user, run, move.name, today) is None
        ]
        if not moves:
            continue
        due = RUN.due(run, today) if RUN.due else None
        work.items.append(
            WorkItem(
                title=_("%(month)s %(program)s 发放名册")
                % {"month": run.month, "program": run.get_program_display()},
                url=reverse("payments:run", args=[run.pk]),
                state=RUN.state_label(run),
                action=join_labels(move.label for move in moves),
                due=due,
                overdue=bool(due and due < today),
                note=run.return_reason if run.returned else "",
            )
        )
    work.total = len(work.items)
    return work


def _account_title(account: BankAccount) -> str:
    payee = account.person.name if account.person else _("全户")
    return f"{account.household.number} · {payee} · {account.masked}"


def _accounts_to_check(user: Staff) -> WorkList | None:
    """Accounts waiting for their check that this user may check (not the ones they recorded)."""
    if not user.has_perm("payments.check_account", _probe(user)):
        return None
    waiting = (
        accounts_for(user)
        .filter(status=AccountStatus.AWAITING_CHECK)
        .exclude(created_by=user)
        .select_related("household", "person", "created_by")
        .order_by("created_at", "pk")
    )
    work = WorkList(
        kind=_("银行账户待复核"), total=waiting.count(), more_url=reverse("payments:account_work")
    )
    work.items = [
        WorkItem(
            title=_account_title(account),
            url=reverse("payments:account", args=[account.household_id, account.pk]),
            state=str(account.get_status_display()),
            action=_("复核银行账户"),
            note=_("%(user)s %(date)s 登记")
            % {"user": account.created_by or "—", "date": f"{account.created_at:%Y-%m-%d}"},
        )
        for account in waiting[:WORK_ITEMS]
    ]
    return work


def _entitlements_without_account(user: Staff, today: dt.date) -> WorkList | None:
    """Entitlements paid this month or next without an account in force, for those who record
    accounts (the township caseworkers of their township, district officers)."""
    if not user.has_perm("payments.record_account", _probe(user)):
        return None
    missing = (
        without_account(payable_soon(today).filter(division_code__startswith=_division(user)))
        .select_related("household", "person")
        .order_by("start_month", "pk")
    )
    work = WorkList(
        kind=_("待遇没有有效银行账户"),
        total=missing.count(),
        more_url=reverse("payments:account_work"),
    )
    for entitlement in missing[:WORK_ITEMS]:
        waiting = entitlement.account_waiting  # type: ignore[attr-defined]
        work.items.append(
            WorkItem(
                title=f"{entitlement.household.number} · {entitlement.number}"
                f"（{entitlement.get_program_display()}）",
                url=reverse("payments:accounts", args=[entitlement.household_id]),
                state=_("账户待复核") if waiting else _("无有效银行账户"),
                action=_("待另一人复核账户") if waiting else _("登记银行账户"),
                note=_("%(month)s 起发放") % {"month": entitlement.start_month},
            )
        )
    return work


def _township(code: str) -> str:
    found = division(code)
    return found.name if found else code


def _short_funds(user: Staff, today: dt.date) -> WorkList | None:
    """The year's reserve funds of the user's jurisdiction that help first has overspent, for
    the townships that pay from them and the district that tops them up."""
    if not (user.has_perm("payments.help_first") or user.has_perm("payments.reserve_fund")):
        return None
    spent = Coalesce(Sum("payments__amount"), 0)
    short = (
        ReserveFund.objects.filter(year=today.year, township_code__startswith=_division(user)[:9])
        .annotate(balance=F("amount") - spent)
        .filter(balance__lt=0)
        .order_by("balance")
    )
    work = WorkList(
        kind=_("临时救助备用金超支"),
        total=short.count(),
        more_url=reverse("payments:reserve_funds"),
    )
    work.items = [
        WorkItem(
            title=_("%(township)s %(year)s 年临时救助备用金")
            % {"township": _township(fund.township_code), "year": fund.year},
            url=reverse("payments:reserve_funds"),
            state=_("超支 %(short)s 元") % {"short": format_yuan(-fund.balance)},
            action=_("报区民政局补足备用金"),
            overdue=True,
        )
        for fund in short[:WORK_ITEMS]
    ]
    return work


def work_items(user: Staff, today: dt.date) -> list[WorkList]:
    """What the payments app holds for ``user``: runs waiting for their step, accounts to
    check, entitlements without an account in force — one list each, for the roles concerned
    (a count and the first ``WORK_ITEMS``, bounded queries)."""
    found = [
        _run_work(user, today),
        _accounts_to_check(user),
        _entitlements_without_account(user, today),
        _short_funds(user, today),
    ]
    return [work for work in found if work is not None]


def recovery_for(user: Staff, pk: int) -> Recovery:
    """A recovery of the user's jurisdiction (Http404 outside it)."""
    code = _division(user)
    found = Recovery.objects.filter(division_code__startswith=code) if code else None
    if found is None:
        raise Http404
    return get_within(found.select_related("entitlement__household"), pk)
