"""The bank file of a payroll run (代发文件): the initial file of an approved run, and the
re-issue files of the transfers whose accounts were corrected. One row per transfer (an
entitlement's payments in the run, netted), a totals line and a checksum line (see
``payments.exporters``). Only accounts in force are paid into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.web.payments import exporters
from jiuzhu.web.payments.common import (
    REFERENCE_DIGITS,
    check_move,
    chunks,
    locked_run,
    reference,
    reference_prefix,
    sign_off,
    to_frame,
)
from jiuzhu.web.payments.draft import fill_missing_accounts
from jiuzhu.web.payments.models import (
    AccountStatus,
    BankAccount,
    BankFile,
    Payment,
    PaymentStatus,
    PayrollRun,
    RunStatus,
)
from jiuzhu.web.payments.workflow import reissues_waiting


@dataclass
class _Batch:
    """What one file carries: its purpose, the payments and the references' suffix."""

    move: str
    purpose: str
    payments: QuerySet[Payment]
    suffix: str


def _batch(run: PayrollRun) -> _Batch:
    """The initial file of an approved run, else the next re-issue file."""
    if run.status == RunStatus.APPROVED:
        return _Batch(
            "export",
            BankFile.Purpose.INITIAL,
            Payment.objects.filter(run=run, status=PaymentStatus.PENDING),
            "",
        )
    sequence = run.bank_files.filter(purpose=BankFile.Purpose.REISSUE).count() + 1
    return _Batch("reissue_file", BankFile.Purpose.REISSUE, reissues_waiting(run), f"R{sequence}")


def _rows(run: PayrollRun, batch: _Batch) -> tuple[list[exporters.BankRow], list[int]]:
    """The file's rows (one per transfer with something to pay) and the entitlements whose
    transfer a recovery netted to nothing.

    Raises:
        ValidationError: a transfer without an account in force.
    """
    transfers = (
        to_frame(
            batch.payments.values_list(
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
    accounts = {
        pk: (number, holder, bank)
        for pk, number, holder, bank in BankAccount.objects.filter(
            pk__in=Subquery(batch.payments.values("bank_account_id")),
            status=AccountStatus.IN_FORCE,
        ).values_list("pk", "account_number", "holder_name", "bank_name")
    }
    unpaid = transfers.filter(
        ~pl.col("bank_account_id").is_in(list(accounts)).fill_null(False)
    ).height
    if unpaid:
        raise ValidationError(_("%(n)s 笔发放没有有效的银行账户，不能生成银行文件") % {"n": unpaid})
    rows = [
        exporters.BankRow(
            account_number=accounts[account][0],
            holder_name=accounts[account][1],
            bank_name=accounts[account][2],
            amount=amount,
            reference=reference(run, entitlement, batch.suffix),
        )
        for entitlement, _division, amount, account in transfers.filter(
            pl.col("amount") > 0
        ).iter_rows()
    ]
    return rows, transfers.filter(pl.col("amount") == 0)["entitlement_id"].to_list()


def export_run(
    user: Any, run: PayrollRun, exporter: str = "csv", encoding: str = "utf-8"
) -> BankFile:
    """The bank file of an approved run; on an exported or reconciled run, the re-issue file of
    the transfers re-issued into corrected accounts. A payment whose account was replaced (and
    the replacement checked) since the draft is paid into the account in force now. The
    payments move to *exported* (a re-issue stays *reissued*) with their reference and file; a
    transfer netted to zero by a recovery is *paid* at once.

    Raises:
        ValidationError: unknown exporter or encoding, or a transfer without an account in
            force; Refused: not approved and nothing to re-issue; NotPermitted: the role.
    """
    try:
        writer = exporters.get_exporter(exporter)
    except KeyError:
        raise ValidationError({"exporter": _("未知的银行文件格式")}) from None
    if writer.encodings == ("",):
        encoding = ""  # a binary format: the encoding is the format's own
    elif encoding not in writer.encodings:
        raise ValidationError({"encoding": _("不支持的文件编码")})
    with transaction.atomic():
        run = locked_run(run)
        batch = _batch(run)
        check_move(user, run, batch.move)
        moved = fill_missing_accounts(batch.payments)
        rows, zero = _rows(run, batch)
        meta = exporters.FileMeta(
            month=run.month,
            program=run.program,
            purpose=batch.purpose,
            sequence=int(batch.suffix[1:] or 1),
        )
        bank_file = BankFile.objects.create(
            run=run,
            purpose=batch.purpose,
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
            Value(batch.suffix),
        )
        updated: dict[str, Any] = {"bank_file": bank_file, "reference": ref}
        if batch.purpose == BankFile.Purpose.INITIAL:
            updated["status"] = PaymentStatus.EXPORTED
        batch.payments.update(**updated)
        now = timezone.now()
        for chunk in chunks(zero):
            # Netted to nothing by a recovery: there is nothing to transfer, the month is settled.
            Payment.objects.filter(run=run, bank_file=bank_file, entitlement_id__in=chunk).update(
                status=PaymentStatus.PAID, paid_at=now
            )
        sign_off(
            user,
            run,
            batch.move,
            stamp="exported" if batch.purpose == BankFile.Purpose.INITIAL else "",
            file=bank_file.filename,
            purpose=batch.purpose,
            rows=bank_file.rows,
            total=bank_file.total,
            checksum=bank_file.checksum,
            accounts_replaced=moved,
        )
    return bank_file
