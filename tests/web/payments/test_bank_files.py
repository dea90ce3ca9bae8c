"""The bank file is written whole or not at all, with what the bank must read: no invisible
character, no full-width digit, a name the file's encoding can carry, the payee's ID; the
bank's return file, however mangled, is read or refused with messages and never half-written;
a re-issue is a new payment linked to the failed one, counted once."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.payments import actions, returns
from jiuzhu.web.payments.models import (
    BankAccount,
    BankFile,
    BankReturn,
    BankReturnRow,
    Payment,
    PaymentStatus,
    PayrollRun,
    RunStatus,
)
from jiuzhu.web.payments.queries import monthly_summary
from jiuzhu.web.payments.workflow import missing_accounts
from tests.web.conftest import PASSWORD
from tests.web.payments.conftest import account_number, card, grant, holder_fields, households_of


def _today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


@pytest.fixture
def approved(users: dict[str, User], townships: tuple[str, str], settings: Any) -> PayrollRun:
    """October's dibao run of three households of the first township, approved."""
    _today(settings, dt.date(2025, 10, 20))
    grant(households_of(townships[0], 3), start="2025-10", amount=104_500)
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    run = actions.check_run(users["officer2"], run)
    return actions.approve_run(users["director"], run)


def _account(run: PayrollRun) -> BankAccount:
    """The account of the run's first household, as stored (altered by the tests below as an
    account recorded before today's checks, or by another path, might be)."""
    return BankAccount.objects.filter(household__payments__run=run).order_by("pk").first()


def _refused(users: dict[str, User], run: PayrollRun, *args: str) -> str:
    with pytest.raises(ValidationError) as refused:
        actions.export_run(users["officer"], run, *args)
    assert not BankFile.objects.filter(run=run).exists()
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert set(run.payments.values_list("status", flat=True)) == {PaymentStatus.PENDING}
    assert not run.payments.exclude(reference="").exists()
    return "\n".join(refused.value.messages)


@pytest.mark.django_db
def test_a_zero_width_character_in_a_holders_name_refuses_the_file(
    users: dict[str, User], approved: PayrollRun
) -> None:
    """Failed before: the name went into the bank file with its zero-width space."""
    account = _account(approved)
    BankAccount.objects.filter(pk=account.pk).update(holder_name="张\u200b三")
    message = _refused(users, approved)
    assert "未生成任何文件" in message and "户名含有不可见的控制字符或零宽字符" in message
    assert account.household.number in message and account.masked in message
    assert account.account_number not in message


@pytest.mark.django_db
def test_full_width_digits_in_a_stored_account_refuse_the_file(
    users: dict[str, User], approved: PayrollRun
) -> None:
    """Failed before: the account went into the bank file in full-width digits."""
    account = _account(approved)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in account.account_number)
    BankAccount.objects.filter(pk=account.pk).update(account_number=full_width)
    assert "银行账号的写法不规范" in _refused(users, approved)


@pytest.mark.django_db
def test_an_account_without_the_holders_id_refuses_the_file(
    users: dict[str, User], approved: PayrollRun
) -> None:
    """The file carries the payee's ID number (failed before: it had none)."""
    BankAccount.objects.filter(pk=_account(approved).pk).update(holder_id="")
    assert "未登记持卡人身份证号" in _refused(users, approved)


@pytest.mark.django_db
def test_a_name_the_files_encoding_cannot_carry_is_refused_before_the_file_is_written(
    users: dict[str, User], approved: PayrollRun
) -> None:
    account = _account(approved)
    BankAccount.objects.filter(pk=account.pk).update(holder_name="陈𠮷")
    message = _refused(users, approved, "tjrcb-csv", "gbk")
    assert "户名含有文件编码（GBK）无法表示的字符：“𠮷”（U+20BB7）" in message
    # GB18030 carries every character: the same rows are written.
    bank_file = actions.export_run(users["officer"], approved, "tjrcb-csv", "gb18030")
    assert "陈𠮷" in bytes(bank_file.content).decode("gb18030")


@pytest.mark.django_db
def test_the_run_page_lists_the_accounts_to_replace_and_writes_nothing(
    users: dict[str, User], approved: PayrollRun
) -> None:
    account = _account(approved)
    BankAccount.objects.filter(pk=account.pk).update(holder_name="张\u200b三")
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    response = client.post(
        f"/payments/runs/{approved.pk}/export/", {"layout": "tjrcb-csv", "encoding": "gbk"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="export-refused"' in page and account.household.number in page
    assert not BankFile.objects.filter(run=approved).exists()
    xlsx_with_encoding = client.post(
        f"/payments/runs/{approved.pk}/export/", {"layout": "tjrcb-xlsx", "encoding": "gbk"}
    )
    assert xlsx_with_encoding.status_code == 400  # the same row, whatever the format
    assert not BankFile.objects.filter(run=approved).exists()


# --- The bank's return file --------------------------------------------------------------------


def _return(lines: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["账号", "金额", "状态", "原因"], *lines])
    return out.getvalue().encode(encoding)


@pytest.fixture
def exported(users: dict[str, User], approved: PayrollRun) -> PayrollRun:
    actions.export_run(users["officer"], approved)
    approved.refresh_from_db()
    return approved


@pytest.mark.django_db
def test_the_return_reads_full_width_digits_and_refuses_scientific_notation(
    users: dict[str, User], exported: PayrollRun
) -> None:
    accounts = sorted(exported.payments.values_list("bank_account__account_number", flat=True))
    officer = users["officer"]
    with pytest.raises(ValidationError, match="科学计数法"):
        actions.reconcile_run(officer, exported, _return([["6.22202E+18", "1045.00", "成功", ""]]))
    with pytest.raises(ValidationError, match="不能用科学计数法"):
        actions.reconcile_run(officer, exported, _return([[accounts[0], "1.045E3", "成功", ""]]))
    with pytest.raises(ValidationError, match="不是有效的 CSV"):
        actions.reconcile_run(officer, exported, b'\xef\xbb\xbf"' + b"x" * 200_000)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in accounts[0])
    result = actions.reconcile_run(
        officer,
        exported,
        _return(
            [[full_width, "１，０４５．００", "成功", ""]]
            + [[a, "1045.00", "成功", ""] for a in accounts[1:]],
            "gb18030",
        ),
    )
    assert (result.succeeded, result.failed) == (3, 0)


STATUSES = st.sampled_from(["成功", "失败", "success", "FAILED", "?", "", "成 功"])
AMOUNTS = st.sampled_from(
    ["1045.00", "1,045.00", "１０４５", "NaN", "inf", "1e3", "-1045", "1045.001", "", "x"]
)


@st.composite
def return_files(draw: st.DrawFn, accounts: list[str], references: list[str]) -> bytes:
    """A return file as a bank (or a person with a spreadsheet) might send it: right or wrong
    accounts, amounts, statuses and references, odd cells, any encoding, or noise."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=3000))
    header = draw(
        st.sampled_from(
            [
                ["账号", "金额", "状态", "原因"],
                ["账号", "金额", "状态", "原因", "业务参考号"],
                ["account", "amount", "status"],
                ["户名", "金额"],
                [],
            ]
        )
    )
    cell = st.one_of(st.text(max_size=40), st.sampled_from([*accounts, *references]))
    rows = draw(
        st.lists(
            st.lists(
                st.one_of(
                    cell,
                    STATUSES,
                    AMOUNTS,
                    st.sampled_from(accounts),
                    st.just("合计"),
                ),
                max_size=6,
            ),
            max_size=8,
        )
    )
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return out.getvalue().encode(encoding, "replace")


def _state(run: PayrollRun) -> tuple[Any, ...]:
    return (
        BankReturn.objects.count(),
        BankReturnRow.objects.count(),
        tuple(run.payments.order_by("pk").values_list("status", "failure_reason")),
        PayrollRun.objects.get(pk=run.pk).status,
        run.events.count(),
        AuditEvent.objects.filter(action="payments.reconcile").count(),
    )


@pytest.mark.django_db
def test_the_return_reader_raises_nothing_unexpected_and_never_half_writes(
    users: dict[str, User], exported: PayrollRun
) -> None:
    """Hypothesis fuzz of the return file (bounded for CI): the reader answers with the file's
    problems or reconciles it; a refused file leaves everything as it was."""
    accounts = list(exported.payments.values_list("bank_account__account_number", flat=True))
    references = list(exported.payments.values_list("reference", flat=True))
    before = _state(exported)
    officer = users["officer"]

    @settings(
        max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(content=return_files(accounts, references))
    def read(content: bytes) -> None:
        lines, problems = returns._parse_return(content)
        assert all(isinstance(p, str) and p for p in problems)
        assert all(
            (line.account.isascii() and line.account.isdigit()) or not line.account
            for line in lines
        )
        with transaction.atomic():
            try:
                actions.reconcile_run(officer, exported, content, "return.csv")
            except ValidationError:
                assert _state(exported) == before
            else:
                assert BankReturn.objects.count() == before[0] + 1
            transaction.set_rollback(True)
        assert _state(exported) == before

    read()


# --- Re-issue ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reissue_that_fails_again_is_reissued_again_and_the_money_counts_once(
    users: dict[str, User], exported: PayrollRun, settings: Any
) -> None:
    officer, run = users["officer"], exported
    first = run.payments.order_by("pk").first()
    household = first.household
    old_number = first.bank_account.account_number
    answers = [
        [a, "1045.00", "失败" if a == old_number else "成功", "户名不符" if a == old_number else ""]
        for a in run.payments.values_list("bank_account__account_number", flat=True)
    ]
    actions.reconcile_run(officer, run, _return(answers))
    attempts = []
    for number in (card("621226000000000012"), card("621226000000000013")):
        account = actions.record_account(
            users["caseworker"], household, **holder_fields(household, number)
        )
        actions.check_account(users["head"], account)
        failed = run.payments.get(status=PaymentStatus.FAILED)
        (reissue,) = actions.reissue_payment(officer, failed)
        attempts.append(failed)
        actions.export_run(officer, run)
        actions.reconcile_run(
            officer,
            run,
            _return([[number, "1045.00", "失败" if len(attempts) == 1 else "成功", "已销户"]]),
        )
    reissue.refresh_from_db()
    assert reissue.status == PaymentStatus.PAID and reissue.reissue_of == attempts[-1]
    assert attempts[-1].reissue_of == attempts[0] == first
    chain = Payment.objects.filter(household=household, month="2025-10")
    assert sorted(chain.values_list("status", flat=True)) == [
        PaymentStatus.PAID,
        PaymentStatus.REISSUED,
        PaymentStatus.REISSUED,
    ]
    run = actions.close_run(users["director"], run)
    assert run.status == RunStatus.CLOSED
    # The failed payments keep the accounts they failed on (replaced since), yet no household
    # of the closed run lacks an account: superseded payments wait for nothing.
    assert missing_accounts(run) == (0, 0)
    # Counted once: the run's totals, the month's summary, the next month's draft (no arrears).
    assert actions.run_totals(run)["amount"] == 3 * 104_500
    assert sum(r.amount for r in monthly_summary(users["officer"], "2025-10")) == 3 * 104_500
    _today(settings, dt.date(2025, 11, 20))
    november = actions.draft_run(users["officer"], "2025-11", "dibao")
    assert not november.payments.exclude(kind="regular").exists()
    # The database keeps one re-issue per failed payment, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            **{
                f: getattr(first, f)
                for f in ("run", "entitlement", "version", "household", "division_code")
            },
            month=first.month,
            kind=first.kind,
            amount=first.amount,
            reissue_of=first,
        )
    assert account_number(household) == old_number


def test_a_failed_payment_not_yet_reissued_is_shown_as_not_received(
    users: dict[str, User], exported: PayrollRun
) -> None:
    officer, run = users["officer"], exported
    first = run.payments.order_by("pk").first()
    failed_number = first.bank_account.account_number
    answers = [
        [a, f"{amount / 100:.2f}", "失败" if a == failed_number else "成功", "已销户"]
        for a, amount in run.payments.values_list("bank_account__account_number", "amount")
    ]
    actions.reconcile_run(officer, run, _return(answers))
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    page = client.get(f"/payments/runs/{run.pk}/").content.decode()
    assert 'id="unpaid"' in page and "发放失败、尚未重新发放，未到账" in page
    ledger = client.get(f"/payments/households/{first.household_id}/").content.decode()
    # Its only payment failed: nothing paid, the amount shown apart as not received.
    assert 'id="ledger-total">0.00' in ledger
    assert 'id="ledger-unpaid"' in ledger
