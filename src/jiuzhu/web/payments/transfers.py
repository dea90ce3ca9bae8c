"""Bank files, the bank's return, re-issue and close of a payroll run."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    F,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.payments import exporters
from jiuzhu.web.payments.common import (
    BATCH_SIZE,
    REFERENCE_DIGITS,
    chunks,
    locked_run,
    reference,
    reference_prefix,
    require,
    sign_off,
    to_frame,
)
from jiuzhu.web.payments.models import (
    BankAccount,
    BankFile,
    BankReturn,
    BankReturnRow,
    Payment,
    PaymentStatus,
    PayrollRun,
    RunStatus,
    mask_account,
)

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
    require(user, "payments.export", run)
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
            to_frame(
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
        for chunk in chunks(zero):
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
    require(user, "payments.reconcile", run)
    lines, problems = _parse_return(content)
    with transaction.atomic():
        run = locked_run(run)
        if run.status not in (RunStatus.EXPORTED, RunStatus.RECONCILED):
            raise ValidationError(_("名册尚未生成银行文件，不能对账"))
        waiting = Payment.objects.filter(run=run).filter(
            Q(status=PaymentStatus.EXPORTED)
            | Q(status=PaymentStatus.REISSUED, bank_file__isnull=False)
        )
        transfers = (
            to_frame(
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
        for chunk in chunks(paid):
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


def reissue_payment(user: Any, payment: Payment, bank_account: BankAccount) -> list[Payment]:
    """Re-issue a failed transfer into ``bank_account`` (the corrected one): every failed
    payment of the same entitlement in the run (one transfer) becomes *reissued*, waiting for
    the run's re-issue bank file.

    Raises:
        PermissionDenied; ValidationError: the payment has not failed, or the account is not an
            active account of the household.
    """
    require(user, "payments.reissue", payment)
    if bank_account.household_id != payment.household_id or not bank_account.active:
        raise ValidationError({"bank_account": _("请选择该家庭有效的银行账户")})
    with transaction.atomic():
        locked_run(payment.run)
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
    require(user, "payments.close", run)
    with transaction.atomic():
        run = locked_run(run)
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
        sign_off(user, run, RunStatus.CLOSED, "closed")
    return run
