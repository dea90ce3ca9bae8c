"""Payroll reports: a household's payment history (ledger), workbooks of a run's payments and of
the monthly summary. Account numbers are masked in all of them (only the bank file has them
whole). Amounts in the workbooks are yuan with two decimals; in the data, fen."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jiuzhu.web.core.masking import mask_account
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments.models import (
    AccountStatus,
    BankAccount,
    Payment,
    PaymentStatus,
    PayrollRun,
)
from jiuzhu.web.payments.queries import OneOffRow, SummaryRow, scope_of
from jiuzhu.web.registry.models import Household


@dataclass
class LedgerRow:
    month: str
    program: str
    kind: str
    amount: int
    """fen (a recovery is negative)."""
    version: int
    status: str
    run_month: str
    run_pk: int
    account: str
    """masked."""
    entitlement: str
    note: str
    """A failed transfer: the account it failed on (masked) and the bank's reason; a re-issue:
    the failed account it replaces."""
    superseded: bool
    """A failed payment re-issued as a new one: its amount is counted by the re-issue."""
    unpaid: bool
    """Failed at the bank and not re-issued yet: due but not received."""


def household_ledger(household: Household) -> list[LedgerRow]:
    """Every payment to the household, the latest month first, a re-issue beside the failed
    payment it re-issues (the caller has checked the household is in the user's
    jurisdiction)."""
    payments = (
        Payment.objects.filter(household=household)
        .select_related(
            "run",
            "version",
            "bank_account",
            "entitlement",
            "failed_account",
            "reissue_of__bank_account",
        )
        .order_by("-month", "-run__month", "kind", "pk")
    )
    return [
        LedgerRow(
            month=p.month,
            program=p.run.get_program_display(),
            kind=p.get_kind_display(),
            amount=p.amount,
            version=p.version.number,
            status=p.get_status_display(),
            run_month=p.run.month,
            run_pk=p.run_id,
            account=p.bank_account.masked if p.bank_account else "",
            entitlement=p.entitlement.number,
            note=_note(p),
            superseded=p.status == PaymentStatus.REISSUED,
            unpaid=p.status == PaymentStatus.FAILED,
        )
        for p in payments
    ]


def _note(payment: Payment) -> str:
    failed = payment.reissue_of
    if failed is not None:
        account = failed.bank_account.masked if failed.bank_account else "—"
        return _("重新发放（原账户 %(account)s 发放失败）") % {"account": account}
    if payment.failed_account:
        return f"{payment.failed_account.masked}：{payment.failure_reason}"
    return ""


def _money(sheet: WriteOnlyWorksheet, fen: int) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=Decimal(fen) / 100)
    cell.number_format = "#,##0.00"
    return cell


def _book(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([_money(sheet, v.fen) if isinstance(v, Fen) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Fen:
    """A money cell (fen) for ``_book``: written as yuan, formatted #,##0.00."""

    fen: int


def run_payments(user: Staff, run: PayrollRun) -> QuerySet[Payment]:
    """The run's payments within the user's jurisdiction, with ``account_waiting``: the
    household has an account waiting for its check (shown as such, not as 无账户)."""
    return (
        Payment.objects.filter(run=run, division_code__startswith=scope_of(user, run))
        .select_related("household", "entitlement", "version", "bank_account")
        .annotate(
            account_waiting=Exists(
                BankAccount.objects.filter(
                    household=OuterRef("household"), status=AccountStatus.AWAITING_CHECK
                )
            )
        )
        .order_by("division_code", "entitlement_id", "month", "kind")
    )


def run_workbook(user: Staff, run: PayrollRun) -> bytes:
    """The run's payments within the user's jurisdiction, one row each (accounts masked)."""
    header = (
        "乡镇（街道）代码",
        "村（居）代码",
        "家庭编号",
        "待遇编号",
        "版本",
        "所属月份",
        "类别",
        "金额（元）",
        "户名",
        "银行账号",
        "状态",
        "业务参考号",
    )
    rows = (
        (
            p.division_code[:9],
            p.division_code,
            p.household.number,
            p.entitlement.number,
            p.version.number,
            p.month,
            p.get_kind_display(),
            Fen(p.amount),
            p.bank_account.holder_name if p.bank_account else "",
            mask_account(p.bank_account.account_number) if p.bank_account else "",
            p.get_status_display(),
            p.reference,
        )
        for p in run_payments(user, run).iterator(chunk_size=2000)
    )
    # A sheet's title: the month and the program's name (31 characters at most, no code).
    return _book(f"{run.month} {run.get_program_display()}"[:31], header, rows)


def summary_workbook(
    month: str, rows: Sequence[SummaryRow], once: Sequence[OneOffRow] = ()
) -> bytes:
    """The month's payroll payments by township and program, then (below a blank row) the
    payments made once: cash and the value of what was given in kind."""
    header = (
        "乡镇（街道）代码",
        "乡镇（街道）",
        "救助项目",
        "户数",
        "笔数",
        "当月发放（元）",
        "补发（元）",
        "扣回（元）",
        "实发合计（元）",
    )
    body: list[Sequence[Any]] = [
        (
            r.township,
            r.name,
            r.program_label,
            r.households,
            r.count,
            Fen(r.regular),
            Fen(r.arrears),
            Fen(r.recovery),
            Fen(r.amount),
        )
        for r in rows
    ]
    body.append(
        (
            "合计",
            "",
            "",
            sum(r.households for r in rows),
            sum(r.count for r in rows),
            Fen(sum(r.regular for r in rows)),
            Fen(sum(r.arrears for r in rows)),
            Fen(sum(r.recovery for r in rows)),
            Fen(sum(r.amount for r in rows)),
        )
    )
    if once:
        body += [
            (),
            (
                "乡镇（街道）代码",
                "乡镇（街道）",
                "一次性救助项目",
                "户数",
                "笔数",
                "现金（元）",
                "实物折价（元）",
                "",
                "合计（元）",
            ),
        ]
        body += [
            (
                r.township,
                r.name,
                r.program_label,
                r.households,
                r.count,
                Fen(r.cash),
                Fen(r.in_kind),
                "",
                Fen(r.amount),
            )
            for r in once
        ]
    return _book(month, header, body)
