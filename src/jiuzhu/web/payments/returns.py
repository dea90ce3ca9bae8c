"""The bank's answer to a payroll run and what follows it: the return file (回盘) reconciled
with the transfers sent, a failed transfer re-issued as new payments once its corrected account
is in force (recorded and checked like any account), and the close of the run.

The return file's layout is not known from any bank's specification (see
``payments.layouts``): the reader finds its columns by their titles (账号, 金额, 状态, and
optionally 原因 and 业务参考号), reads full-width digits as ASCII, refuses an account that a
spreadsheet turned into scientific notation, and never raises on the file's content: every
problem is a message naming the line, and one problem refuses the whole file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.core.forms import yuan_to_fen
from jiuzhu.web.core.locks import locked
from jiuzhu.web.core.masking import mask_account
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments import exporters
from jiuzhu.web.payments.common import (
    BATCH_SIZE,
    check_move,
    chunks,
    sign_off,
    to_frame,
)
from jiuzhu.web.payments.models import (
    AccountStatus,
    BankAccount,
    BankReturn,
    BankReturnRow,
    Payment,
    PaymentStatus,
    PayrollRun,
    RunStatus,
)
from jiuzhu.web.payments.workflow import awaiting_bank

RETURN_COLUMNS = {
    "account": ("账号", "银行账号", "收款账号", "account"),
    "amount": ("金额", "金额（元）", "amount"),
    "status": ("状态", "处理状态", "status"),
    "reason": ("原因", "失败原因", "reason"),
    "reference": ("业务参考号", "参考号", "reference"),
}
SUCCESS = {"成功", "success", "ok"}
FAILURE = {"失败", "failed", "failure"}
SUMMARY_LABELS = {"合计", "总计", "汇总", "校验"}
"""A line whose account cell says this is a summary line, not a transfer: skipped."""

MAX_RETURN_BYTES = 20 * 1024 * 1024
"""A return file of a district's payroll is well under a megabyte; more is not a return file."""

SCIENTIFIC = re.compile(r"^[0-9](?:\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)


@dataclass
class _ReturnLine:
    line: int
    account: str
    amount: int
    succeeded: bool
    reason: str
    reference: str


def _text(value: str) -> str:
    """A cell as text to keep: NFKC, control and format characters dropped, spaces collapsed."""
    value = unicodedata.normalize("NFKC", value)
    kept = "".join(c for c in value if unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co"})
    return " ".join(kept.split())


def _account(value: str, line: int) -> str:
    """The account of a return line as ASCII digits (NFKC; spaces, hyphens, a leading ' and a
    spreadsheet's ="…" removed); blank when the bank gave none.

    Raises:
        ValueError: the message (an account in scientific notation, or not digits).
    """
    text = _text(value).replace(" ", "").replace("-", "").removeprefix("'")
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    if SCIENTIFIC.match(text):
        raise ValueError(
            _("第 %(line)s 行：账号为科学计数法（%(text)s），末位已丢失，请使用银行的原始文件")
            % {"line": line, "text": text[:20]}
        )
    if not (text.isascii() and text.isdigit()) and text:
        raise ValueError(_("第 %(line)s 行：账号只能包含数字") % {"line": line})
    return text


def _rows(content: bytes) -> tuple[list[list[str]], list[str]]:
    """The non-blank rows of a return CSV, or the reason it cannot be read."""
    if len(content) > MAX_RETURN_BYTES:
        return [], [_("回盘文件过大（超过 20 MB），请核对是否选错了文件")]
    try:
        text = exporters.decode(content)
    except UnicodeDecodeError:
        return [], [_("文件编码无法识别（应为 UTF-8 或 GB18030）")]
    if "\x00" in text:
        return [], [_("文件含有空字符，不是 CSV 文本文件")]
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error:
        # An unclosed quote swallowing the rest of the file, a field over the reader's limit.
        return [], [_("文件不是有效的 CSV（引号不配对或单元格过长）")]
    if not rows:
        return [], [_("回盘文件为空")]
    return rows, []


def _parse_return(content: bytes) -> tuple[list[_ReturnLine], list[str]]:
    """The lines of a bank return CSV (UTF-8 or GB18030): account, amount in yuan, status
    成功/失败, reason, and optionally the reference. Returns the lines and the problems (in
    the user's language, naming the line); never raises on the content."""
    rows, problems = _rows(content)
    if problems:
        return [], problems
    header = [_text(c).lower() for c in rows[0]]
    index: dict[str, int] = {}
    for key, names in RETURN_COLUMNS.items():
        for name in names:
            # The titles are compared as the header is (NFKC: 金额（元） is 金额(元) in both).
            if _text(name).lower() in header:
                index[key] = header.index(_text(name).lower())
                break
    if any(k not in index for k in ("account", "amount", "status")):
        return [], [_("回盘文件缺少列：账号、金额、状态")]
    lines: list[_ReturnLine] = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(key: str, row: list[str] = row) -> str:
            position = index.get(key)
            return _text(row[position]) if position is not None and position < len(row) else ""

        if cell("account") in SUMMARY_LABELS:
            continue
        try:
            account = _account(cell("account"), number)
            amount = yuan_to_fen(cell("amount"))
        except ValueError as exc:
            problems.append(str(exc))
            continue
        except ValidationError as exc:
            problems.append(
                _("第 %(line)s 行：%(reason)s") % {"line": number, "reason": exc.messages[0]}
            )
            continue
        status = cell("status").lower()
        if status not in SUCCESS | FAILURE:
            problems.append(_("第 %(line)s 行：状态应为“成功”或“失败”") % {"line": number})
            continue
        lines.append(
            _ReturnLine(
                line=number,
                account=account,
                amount=amount,
                succeeded=status in SUCCESS,
                reason=cell("reason")[:200],
                reference=cell("reference")[:40],
            )
        )
    return lines, problems


def _match(
    lines: list[_ReturnLine], transfers: pl.DataFrame, problems: list[str]
) -> dict[str, _ReturnLine]:
    """Each line's transfer (``reference``, ``amount``, ``account`` of the transfers waiting for
    the bank): by its reference when the bank returns it, else by account and amount. What does
    not match is added to ``problems``."""
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
    return answered


def reconcile_run(user: Staff, run: PayrollRun, content: bytes, filename: str = "") -> BankReturn:
    """Import the bank's return file (回盘): every line is matched to a transfer sent and not yet
    answered. Paid transfers' payments become *paid*; failed ones *failed*, with the reason,
    waiting for a corrected account and a re-issue. All or nothing: one line that matches no
    transfer, or answers one twice, refuses the whole file. The run is *reconciled* when no
    payment waits for the initial file's answer.

    Raises:
        ValidationError: the file's problems; Refused: nothing waits for the bank;
        NotPermitted: the role.
    """
    lines, problems = _parse_return(content)
    with transaction.atomic():
        run = locked(run)
        check_move(user, run, "reconcile")
        waiting = awaiting_bank(run)
        transfers = (
            to_frame(
                waiting.values_list("reference", "amount", "bank_account__account_number"),
                {"reference": pl.String, "amount": pl.Int64, "account": pl.String},
            )
            .group_by("reference")
            .agg(pl.col("amount").sum(), pl.col("account").first())
            .sort("reference")
        )
        answered = _match(lines, transfers, problems)
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
            filename=_text(filename)[:200],
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
        done = not Payment.objects.filter(run=run, status=PaymentStatus.EXPORTED).exists()
        sign_off(
            user,
            run,
            "reconcile",
            to=RunStatus.RECONCILED if done else run.status,
            stamp="reconciled" if done and run.reconciled_at is None else "",
            file=_text(filename)[:200],
            rows=len(answered),
            succeeded=len(paid),
            failed=len(failed),
        )
    return bank_return


def corrected_account(payment: Payment) -> BankAccount | None:
    """The account a failed payment can be re-issued into: the payee's account in force now
    (the tekun person's own, else the household's, else the household's only one), if it is
    not the account the transfer failed on."""
    in_force = BankAccount.objects.filter(
        household_id=payment.household_id, status=AccountStatus.IN_FORCE
    )
    person = payment.entitlement.person_id
    account = (
        (in_force.filter(person_id=person).first() if person else None)
        or in_force.filter(person__isnull=True).first()
        or (in_force.first() if in_force.count() == 1 else None)
    )
    if account is None or account.pk == payment.failed_account_id:
        return None
    return account


def reissue_payment(user: Staff, payment: Payment) -> list[Payment]:
    """Re-issue a failed transfer into the payee's corrected account, once it is in force
    (recorded and checked by two people, like any account): for every failed payment of the
    same entitlement in the run (one transfer), a **new payment** linked to it
    (``reissue_of``), *pending* until the run's re-issue bank file. The failed payments keep
    their account, file, reference and the bank's reason and become *reissued*; the household's
    ledger shows both.

    Returns the new payments.

    Raises:
        ValidationError: the payment has not failed, or no corrected account is in force yet
            (the message says whether one waits for its check);
        Refused: the run has no failed payment; NotPermitted: the role.
    """
    with transaction.atomic():
        run = locked(payment.run)
        check_move(user, run, "reissue")
        transfer = list(
            Payment.objects.select_for_update(of=("self",))
            .select_related("failed_account", "entitlement")
            .filter(
                run_id=payment.run_id,
                entitlement_id=payment.entitlement_id,
                status=PaymentStatus.FAILED,
            )
        )
        if not any(p.pk == payment.pk for p in transfer):
            raise ValidationError(_("只有发放失败的记录可以重新发放"))
        account = corrected_account(transfer[0])
        if account is None:
            waiting = BankAccount.objects.filter(
                household_id=payment.household_id, status=AccountStatus.AWAITING_CHECK
            ).first()
            raise ValidationError(
                _("更正后的账户 %(account)s 尚待复核，复核通过后才能重新发放")
                % {"account": waiting.masked}
                if waiting
                else _("请先登记更正后的银行账户，经另一人复核生效后再重新发放")
            )
        # One new row per failed one; the one-to-one ``reissue_of`` refuses a second re-issue
        # of the same failure, whatever the race.
        reissues = [
            Payment.objects.create(
                run_id=p.run_id,
                entitlement_id=p.entitlement_id,
                version_id=p.version_id,
                household_id=p.household_id,
                division_code=p.division_code,
                month=p.month,
                kind=p.kind,
                amount=p.amount,
                recovery_id=p.recovery_id,
                bank_account=account,
                status=PaymentStatus.PENDING,
                reissue_of=p,
            )
            for p in transfer
        ]
        Payment.objects.filter(pk__in=[p.pk for p in transfer]).update(
            status=PaymentStatus.REISSUED, reissued_by=user, reissued_at=timezone.now()
        )
        old = transfer[0].failed_account
        record(
            user,
            "payments.reissue",
            payment,
            before={"account": old.masked if old else None},
            after={"account": account.masked},
            payments=[p.pk for p in transfer],
            reissues=[p.pk for p in reissues],
        )
    return reissues


def close_run(user: Staff, run: PayrollRun) -> PayrollRun:
    """Close (结账) a reconciled run: every payment paid, or re-issued in a re-issue file.

    Raises:
        Refused: the run is not reconciled, or payments are still pending, failed or waiting
            for their re-issue file (the message counts them); NotPermitted: the role.
    """
    with transaction.atomic():
        run = locked(run)
        check_move(user, run, "close")
        sign_off(user, run, "close", stamp="closed")
    return run
