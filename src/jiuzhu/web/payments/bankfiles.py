"""The bank file of a payroll run (代发文件): the initial file of an approved run, and the
re-issue files of the transfers re-issued into corrected accounts. One row per transfer (an
entitlement's payments in the run, netted), with the payee's ID number, in the layout of the
bank (``payments.layouts``, written by ``payments.exporters``). Only accounts in force are paid
into, and a file is written whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.payroll import bankrows
from jiuzhu.web.core.locks import locked
from jiuzhu.web.core.masking import mask_account
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments import exporters, layouts, validation
from jiuzhu.web.payments.common import (
    check_move,
    chunks,
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
from jiuzhu.web.registry.models import Household


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
            Payment.objects.filter(run=run, status=PaymentStatus.PENDING, reissue_of__isnull=True),
            "",
        )
    sequence = run.bank_files.filter(purpose=BankFile.Purpose.REISSUE).count() + 1
    return _Batch("reissue_file", BankFile.Purpose.REISSUE, reissues_waiting(run), f"R{sequence}")


@dataclass
class _Rows:
    """The file's rows (one per transfer with something to pay), who each is (the household's
    number and the masked account, for a refusal) and the entitlements whose transfer a
    recovery netted to nothing."""

    rows: list[bankrows.BankRow]
    payees: list[str]
    zero: list[int]


def _rows(run: PayrollRun, batch: _Batch) -> _Rows:
    """The batch's transfers (``payroll.bankrows.transfers``) and who each is.

    Raises:
        ValidationError: a transfer without an account in force."""
    payments = to_frame(
        batch.payments.values_list(
            "entitlement_id", "division_code", "amount", "bank_account_id", "household_id"
        ),
        dict(bankrows.PAYMENTS),
    )
    accounts = to_frame(
        BankAccount.objects.filter(
            pk__in=Subquery(batch.payments.values("bank_account_id")),
            status=AccountStatus.IN_FORCE,
        ).values_list("pk", "account_number", "holder_name", "holder_id", "bank_name"),
        dict(bankrows.ACCOUNTS),
    )
    found = bankrows.transfers(payments, accounts, reference_prefix(run), batch.suffix)
    if found.unpaid:
        raise ValidationError(
            _("%(n)s 笔发放没有有效的银行账户，不能生成银行文件") % {"n": found.unpaid}
        )
    numbers = dict(Household.objects.filter(pk__in=found.households).values_list("pk", "number"))
    payees = [
        _("家庭 %(household)s（账户 %(account)s）")
        % {"household": numbers.get(household, ""), "account": mask_account(row.account_number)}
        for row, household in zip(found.rows, found.households, strict=True)
    ]
    return _Rows(found.rows, payees, found.zero)


def _refuse_unwritable(found: _Rows, layout: layouts.Layout, encoding: str) -> None:
    """Refuse the file, before anything is written, if one of its rows cannot be written as the
    bank must read it: an account, holder's name, holder's ID or bank as stored that the
    account form would refuse today (a zero-width character, full-width digits, a missing or
    invalid ID …), or a cell the layout's encoding or widths cannot carry.

    Raises:
        ValidationError: the rows and their problems (at most ``MAX_LISTED``), and what to do.
    """
    problems: dict[int, list[str]] = {}
    valid_ids = bankrows.ids_as_stored_valid([row.id_number for row in found.rows])
    for index, row in enumerate(found.rows):
        listed = validation.file_problems(
            row.account_number,
            row.holder_name,
            row.id_number,
            row.bank_name,
            id_known_valid=valid_ids[index],
        )
        if listed:
            problems[index] = listed
    for index, message in exporters.problems(layout, found.rows, encoding):
        problems.setdefault(index, []).append(message)
    if not problems:
        return
    raise ValidationError(
        [
            _(
                "%(n)s 个账户不能写入银行文件，未生成任何文件。请为下列家庭更换银行账户"
                "（登记后经另一人复核），再生成银行文件："
            )
            % {"n": len(problems)},
            *[
                f"{found.payees[index]}：{'；'.join(messages)}"
                for index, messages in sorted(problems.items())[:MAX_LISTED]
            ],
        ]
    )


MAX_LISTED = 20
"""Rows named in a refusal (the count says how many in all)."""


def export_run(
    user: Staff, run: PayrollRun, layout: str = layouts.DEFAULT, encoding: str = ""
) -> BankFile:
    """The bank file of an approved run in ``layout`` (``payments.layouts``; ``encoding`` blank:
    the layout's default); on an exported or reconciled run, the re-issue file of the
    re-issued payments. A payment whose account was replaced (and the replacement checked)
    since the draft is paid into the account in force now. The payments move to *exported*
    with their reference and file; a transfer netted to zero by a recovery is *paid* at once.

    Nothing is half-written: every row is checked before the file is written, and one row that
    cannot be written refuses the file (``_refuse_unwritable``).

    Raises:
        ValidationError: unknown layout or encoding, a transfer without an account in force, or
            rows that cannot be written (each named); Refused: not approved and nothing to
            re-issue; NotPermitted: the role.
    """
    try:
        chosen = layouts.get_layout(layout)
    except KeyError:
        raise ValidationError({"layout": _("未知的银行文件格式")}) from None
    encoding = encoding or chosen.encodings[0]
    if encoding not in chosen.encodings:
        raise ValidationError({"encoding": _("该文件格式不支持此编码")})
    with transaction.atomic():
        run = locked(run)
        batch = _batch(run)
        check_move(user, run, batch.move)
        moved = fill_missing_accounts(batch.payments)
        found = _rows(run, batch)
        _refuse_unwritable(found, chosen, encoding)
        rows = found.rows
        meta = exporters.FileMeta(
            month=run.month,
            program=run.program,
            purpose=batch.purpose,
            sequence=int(batch.suffix[1:] or 1),
        )
        bank_file = BankFile.objects.create(
            run=run,
            purpose=batch.purpose,
            format=chosen.key,
            encoding=encoding,
            filename=exporters.filename(meta, chosen),
            content=exporters.write(chosen, rows, meta, encoding),
            rows=len(rows),
            total=sum(r.amount for r in rows),
            checksum=bankrows.row_checksum(rows),
            created_by=user,
        )
        ref = Concat(
            Value(reference_prefix(run)),
            LPad(
                Cast("entitlement_id", output_field=CharField()),
                bankrows.REFERENCE_DIGITS,
                Value("0"),
            ),
            Value(batch.suffix),
        )
        batch.payments.update(bank_file=bank_file, reference=ref, status=PaymentStatus.EXPORTED)
        now = timezone.now()
        for chunk in chunks(found.zero):
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
