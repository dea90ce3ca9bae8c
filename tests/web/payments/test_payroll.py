"""The monthly payroll through its actions: C26 (payment from the month after the decision),
arrears of a retroactive version and of a late entitlement, recoveries (overpayment deducted,
fraud a separate path with a 1–3× fine), maker–checker, exactly-once on a re-run after a crash,
the bank file (totals, checksum, GB18030), reconciliation with a failure and its re-issue, and
jurisdiction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.core.masking import mask_account
from jiuzhu.web.core.programs import Program
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments import actions, exporters, layouts
from jiuzhu.web.payments.models import (
    AccountStatus,
    BankAccount,
    BankFile,
    Kind,
    Payment,
    PaymentStatus,
    PayrollRun,
    Recovery,
    RunStatus,
)
from tests.web.conftest import ON, PASSWORD
from tests.web.payments.conftest import (
    account_number,
    grant,
    holder_fields,
    holder_id,
    households_of,
    new_version,
)
from tests.web.test_workflow import MATERIALS, eligible_household


def _today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def _regular(run: PayrollRun) -> dict[int, int]:
    return dict(run.payments.filter(kind=Kind.REGULAR).values_list("entitlement_id", "amount"))


def _through_check(users: dict[str, User], month: str, program: str = "dibao") -> PayrollRun:
    run = actions.draft_run(users["officer"], month, program)
    return actions.check_run(users["officer2"], run)


def _approved(users: dict[str, User], month: str, program: str = "dibao") -> PayrollRun:
    return actions.approve_run(users["director"], _through_check(users, month, program))


# --- C26: payment starts the month after the decision ----------------------------------------------


def _approve_application(users: dict[str, User], settings: Any, township: str) -> Application:
    """An eligible household's dibao application from the counter to the district's approval,
    through ``jiuzhu.web.cases.actions`` with the workflow date fixed."""
    household = eligible_household(township)
    applicant = household.memberships.filter(valid_to__isnull=True, relation="01").first().person
    application = cases.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=applicant,
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )
    cases.verify(users["caseworker"], application)
    cases.record_home_visit(
        users["caseworker"],
        application,
        visited_on=ON,
        staff=["王经办", "刘协理"],
        findings="家中确有困难",
        applicant_signed=True,
    )
    offered = (application.assessments.first().results.get("single_person_unit") or {}).get(
        "status"
    )
    cases.give_township_opinion(
        users["head"],
        application,
        opinion="approve",
        note="符合条件",
        single_person_choice="household_near_dibao" if offered else "",
    )
    _today(settings, ON + dt.timedelta(days=8))
    cases.close_public_notice(users["caseworker"], application)
    application.refresh_from_db()
    amount = cases.default_amount(application)
    cases.propose_decision(
        users["officer"], application, outcome="approve", monthly_amount=amount, reasons="符合"
    )
    _today(settings, ON + dt.timedelta(days=9))
    cases.confirm_decision(users["officer2"], application)
    application.refresh_from_db()
    assert application.stage == Stage.APPROVED
    return application


@pytest.mark.django_db
def test_c26_payment_starts_the_month_after_the_decision(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    application = _approve_application(users, settings, townships[0])
    decided = application.decided_on
    assert decided is not None and decided.month == 10
    entitlement = Entitlement.objects.get(application=application)
    assert entitlement.start_month == "2025-11"
    # Its first review is due from the start: 6 or 12 months after the first paid month.
    assert entitlement.next_review_due in (dt.date(2026, 5, 1), dt.date(2026, 11, 1))
    # The caseworker records the account at the counter, the township head checks it.
    account = actions.record_account(
        users["caseworker"],
        application.household,
        bank_name="天津农村商业银行",
        account_number="6231900000012345670",
        holder_name=application.applicant.name,
        holder_id=application.applicant.resident_id,
    )
    actions.check_account(users["head"], account)
    # The decision month: the household is not paid.
    october = _through_check(users, "2025-10")
    assert entitlement.pk not in _regular(october)
    assert not Payment.objects.filter(entitlement=entitlement).exists()
    # The month after: paid the decided amount, once.
    november = actions.draft_run(users["officer"], "2025-11", "dibao")
    assert _regular(november) == {entitlement.pk: application.monthly_amount}
    payment = november.payments.get()
    assert payment.month == "2025-11" and payment.version.number == 1
    assert payment.bank_account is not None and payment.household_id == application.household_id


@pytest.mark.django_db
def test_a_month_after_next_cannot_be_drafted_and_an_earlier_draft_blocks(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    _today(settings, dt.date(2025, 10, 15))
    grant(households_of(townships[0], 2), start="2025-08")
    with pytest.raises(ValidationError, match="本月或下月"):
        actions.draft_run(users["officer"], "2025-12", "dibao")
    actions.draft_run(users["officer"], "2025-09", "dibao")
    with pytest.raises(ValidationError, match="尚未复核"):
        actions.draft_run(users["officer"], "2025-10", "dibao")
    assert not PayrollRun.objects.filter(month="2025-10").exists()


# --- Arrears -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retroactive_version_pays_the_arrears_once(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    _today(settings, dt.date(2025, 10, 20))
    raised, unchanged = grant(households_of(townships[0], 2), start="2025-08", amount=101_000)
    for month in ("2025-08", "2025-09", "2025-10"):
        _through_check(users, month)
    # The standard rises from September (published late): a version valid from 2025-09, while
    # September and October were already paid at the old amount.
    new_version(raised, valid_from="2025-09", amount=104_500)
    november = actions.draft_run(users["officer"], "2025-11", "dibao")
    assert _regular(november) == {raised.pk: 104_500, unchanged.pk: 101_000}
    arrears = list(
        november.payments.filter(kind=Kind.ARREARS).values_list("entitlement_id", "month", "amount")
    )
    assert sorted(arrears) == [(raised.pk, "2025-09", 3_500), (raised.pk, "2025-10", 3_500)]
    assert november.totals["by_kind"]["arrears"] == {"count": 2, "amount": 7_000}
    assert november.totals["amount"] == 104_500 + 101_000 + 7_000
    # A re-run of the draft and the next month's run pay nothing again.
    again = actions.draft_run(users["officer"], "2025-11", "dibao")
    assert again.payments.count() == 4
    actions.check_run(users["officer2"], again)
    _today(settings, dt.date(2025, 11, 20))
    december = actions.draft_run(users["officer"], "2025-12", "dibao")
    assert not december.payments.filter(kind=Kind.ARREARS).exists()
    assert _regular(december) == {raised.pk: 104_500, unchanged.pk: 101_000}
    # The household ledger: September paid twice — the old amount and the arrears.
    september = Payment.objects.filter(entitlement=raised, month="2025-09")
    assert sorted(september.values_list("kind", "amount", "version__number")) == [
        ("arrears", 3_500, 2),
        ("regular", 101_000, 1),
    ]


@pytest.mark.django_db
def test_an_entitlement_created_after_its_first_months_run_is_paid_that_month_as_arrears(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    _today(settings, dt.date(2025, 10, 20))
    grant(households_of(townships[0], 1), start="2025-08", prefix="EA")
    _through_check(users, "2025-10")
    # Confirmed on 30 September, entered after October's run was drafted.
    (late,) = grant(households_of(townships[1], 1), start="2025-10", amount=90_000, prefix="EL")
    november = actions.draft_run(users["officer"], "2025-11", "dibao")
    assert sorted(
        november.payments.filter(entitlement=late).values_list("month", "kind", "amount")
    ) == [("2025-10", "arrears", 90_000), ("2025-11", "regular", 90_000)]


# --- Recoveries ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_overpayment_is_deducted_and_fraud_is_a_separate_path(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    _today(settings, dt.date(2025, 10, 20))
    overpaid, defrauded = grant(households_of(townships[0], 2), start="2025-10", amount=100_000)
    officer = users["officer"]
    recovery = actions.record_recovery(
        officer,
        overpaid,
        amount=150_000,
        reason="收入变化未及时报告，多发两个月",
        kind=Recovery.RecoveryKind.OVERPAYMENT,
        monthly_deduction=60_000,
    )
    with pytest.raises(ValidationError):
        actions.record_recovery(
            officer, defrauded, amount=200_000, reason="隐瞒收入", kind="fraud", fine_multiple="0.5"
        )
    with pytest.raises(ValidationError):
        actions.record_recovery(
            officer, defrauded, amount=200_000, reason="隐瞒收入", kind="fraud", fine_multiple="3.5"
        )
    with pytest.raises(ValidationError):
        actions.record_recovery(
            officer, overpaid, amount=1, reason="x", kind="overpayment", fine_multiple="2"
        )
    fraud = actions.record_recovery(
        officer,
        defrauded,
        amount=200_000,
        reason="隐瞒收入骗取低保",
        kind="fraud",
        fine_multiple="2",
    )
    assert fraud.fine_amount == 400_000 and fraud.fine_multiple == Decimal("2.00")
    with pytest.raises(PermissionDenied):
        actions.record_recovery(
            users["caseworker"], overpaid, amount=1, reason="x", kind="overpayment"
        )

    months = ["2025-10", "2025-11", "2025-12"]
    deducted = []
    for number, month in enumerate(months):
        _today(settings, dt.date(2025, 10 + number, 20))
        run = _through_check(users, month)
        deducted.append(
            run.payments.filter(kind=Kind.RECOVERY).values_list("entitlement_id", "amount").first()
        )
        # Fraud is never deducted by the payroll.
        assert not run.payments.filter(entitlement=defrauded, kind=Kind.RECOVERY).exists()
    assert deducted == [
        (overpaid.pk, -60_000),
        (overpaid.pk, -60_000),
        (overpaid.pk, -30_000),
    ]
    recovery.refresh_from_db()
    assert recovery.status == Recovery.RecoveryStatus.SETTLED
    actions.settle_recovery(officer, fraud, note="已缴回骗取金额并缴纳罚款")
    fraud.refresh_from_db()
    assert fraud.status == Recovery.RecoveryStatus.SETTLED
    # The sign convention is the database's: a positive recovery is refused.
    run = PayrollRun.objects.get(month="2025-12")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(run=run, kind=Kind.RECOVERY).update(amount=10)


# --- Maker–checker -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_maker_checker_on_check_and_approval(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    grant(households_of(townships[0], 2), start="2025-08")
    officer, officer2, director = users["officer"], users["officer2"], users["director"]
    for outsider in ("caseworker", "head", "auditor", "director"):
        with pytest.raises(PermissionDenied):
            actions.draft_run(users[outsider], "2025-10", "dibao")
    run = actions.draft_run(officer, "2025-10", "dibao")
    with pytest.raises(PermissionDenied):
        actions.check_run(officer, run)  # the drafter
    with pytest.raises(PermissionDenied):
        actions.check_run(director, run)  # checking is an officer's work
    with pytest.raises(ValidationError):
        actions.approve_run(director, run)  # not checked yet
    run = actions.check_run(officer2, run)
    assert run.status == RunStatus.CHECKED and run.checked_by == officer2
    with pytest.raises(PermissionDenied):
        actions.approve_run(officer2, run)  # the checker
    with pytest.raises(PermissionDenied):
        actions.approve_run(officer, run)  # the drafter
    run = actions.approve_run(director, run)
    assert run.status == RunStatus.APPROVED and run.approved_by == director
    actions_done = list(
        AuditEvent.objects.filter(object_id=str(run.pk), action__startswith="payments.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions_done == [
        "payments.draft_start",
        "payments.draft",
        "payments.check",
        "payments.approve",
    ]


@pytest.mark.django_db
def test_whoever_reruns_a_draft_becomes_a_maker(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    grant(households_of(townships[0], 1), start="2025-08")
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    run = actions.draft_run(users["officer2"], "2025-10", "dibao")
    assert run.drafters == [users["officer"].pk, users["officer2"].pk]
    with pytest.raises(PermissionDenied):
        actions.check_run(users["officer2"], run)


@pytest.mark.django_db
def test_a_household_without_an_account_in_force_holds_the_check_until_checked(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    (household,) = households_of(townships[0], 1)
    grant([household], start="2025-08", with_accounts=False)
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert run.totals["missing_account"] == 1
    assert run.payments.get().bank_account is None
    with pytest.raises(ValidationError, match="银行账户"):
        actions.check_run(users["officer2"], run)
    first = actions.record_account(
        users["caseworker"], household, **holder_fields(household, "6217 0000 1111 2222 337")
    )
    # Recorded but not checked: the payroll does not pay into it, and says why.
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert run.payments.get().bank_account is None
    with pytest.raises(ValidationError, match="其中 1 户的账户待复核"):
        actions.check_run(users["officer2"], run)
    actions.check_account(users["head"], first)
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert run.payments.get().bank_account.account_number == "6217000011112222337"
    # A replacement recorded before the check: the account in force stays in force (the run
    # may be checked) until the replacement is checked; then the draft must take it.
    second = actions.record_account(
        users["caseworker"], household, **holder_fields(household, "6217000011112222444")
    )
    assert BankAccount.objects.get(pk=first.pk).status == AccountStatus.IN_FORCE
    actions.check_account(users["officer"], second)
    assert BankAccount.objects.get(pk=first.pk).status == AccountStatus.REPLACED
    with pytest.raises(ValidationError, match="银行账户"):
        actions.check_run(users["officer2"], run)
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert run.payments.get().bank_account.account_number == "6217000011112222444"
    actions.check_run(users["officer2"], run)


# --- Exactly-once ----------------------------------------------------------------------------------


class Crash(Exception):
    pass


@pytest.mark.django_db
def test_a_crash_between_batches_and_a_rerun_pay_everyone_exactly_once(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    households = households_of(townships[0], 7) + households_of(townships[1], 6)
    entitlements = grant(households, start="2025-08", amount=100_000)

    def crash_after_two(number: int) -> None:
        if number == 2:
            raise Crash

    with pytest.raises(Crash):
        actions.draft_run(
            users["officer"], "2025-10", "dibao", batch_size=4, after_batch=crash_after_two
        )
    run = PayrollRun.objects.get(month="2025-10")
    assert run.payments.count() == 8 and run.draft_completed_at is None
    with pytest.raises(ValidationError, match="尚未生成完毕"):
        actions.check_run(users["officer2"], run)
    run = actions.draft_run(users["officer"], "2025-10", "dibao", batch_size=4)
    assert sorted(_regular(run)) == sorted(e.pk for e in entitlements)
    assert run.payments.count() == len(entitlements)
    assert run.totals["amount"] == 100_000 * len(entitlements)
    # The database refuses a second regular payment for the month, whatever the run.
    payment = run.payments.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            run=run,
            entitlement_id=payment.entitlement_id,
            version_id=payment.version_id,
            household_id=payment.household_id,
            division_code=payment.division_code,
            month="2025-10",
            kind=Kind.REGULAR,
            amount=1,
        )


# --- Bank file -------------------------------------------------------------------------------------


def _rows(content: bytes, encoding: str) -> list[list[str]]:
    text = content.decode(encoding)
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_bank_file_has_a_title_row_and_one_row_per_transfer_with_the_payees_id(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    _today(settings, dt.date(2025, 10, 20))
    households = households_of(townships[0], 3)
    entitlements = grant(households, start="2025-10", amount=104_550)
    actions.record_recovery(
        users["officer"], entitlements[0], amount=4_550, reason="多发", kind="overpayment"
    )
    run = _approved(users, "2025-10")
    with pytest.raises(PermissionDenied):
        actions.export_run(users["caseworker"], run)
    bank_file = actions.export_run(users["officer"], run, "tjrcb-csv", "gb18030")
    assert bank_file.format == "tjrcb-csv" and bank_file.filename == "payroll-2025-10-dibao.csv"
    with pytest.raises(UnicodeDecodeError):
        bytes(bank_file.content).decode("utf-8")
    rows = _rows(bytes(bank_file.content), "gb18030")
    assert rows[0] == ["账号", "户名", "身份证号码", "金额（元）", "开户银行", "业务参考号"]
    # No summary rows a bank importer would read as transfers: the totals stay with the file.
    body = rows[1:]
    assert len(body) == 3 == bank_file.rows
    first = next(r for r in body if r[0] == account_number(households[0]))
    # The recovery is netted into the household's transfer; accounts are whole in the file only.
    assert first[3] == "1000.00"
    assert first[2] == holder_id(households[0])
    assert first[5] == f"202510DB{entitlements[0].pk:010d}"
    assert bank_file.total == 309_100
    recomputed = exporters.row_checksum(
        [exporters.BankRow(r[0], r[1], r[2], r[4], int(Decimal(r[3]) * 100), r[5]) for r in body]
    )
    assert recomputed == bank_file.checksum
    assert holder_name_in(body, households)
    run.refresh_from_db()
    assert run.status == RunStatus.EXPORTED
    assert set(run.payments.values_list("status", flat=True)) == {PaymentStatus.EXPORTED}
    assert set(
        run.payments.filter(entitlement=entitlements[0]).values_list("reference", flat=True)
    ) == {first[5]}
    with pytest.raises(ValidationError):
        actions.export_run(users["officer"], run)  # exported once


def holder_name_in(body: list[list[str]], households: list[Any]) -> bool:
    from tests.web.payments.conftest import holder

    return {r[1] for r in body} == {holder(h) for h in households}


ROWS = [
    exporters.BankRow(
        "6222021234567890128", "张三", "11010519491231002X", "工商银行", 104_500, "202511DB01"
    ),
    exporters.BankRow(
        "6228480011223344556", "李四", "110105194912310037", "农业银行", 52_250, "202511DB02"
    ),
]
META = exporters.FileMeta(month="2025-11", program="dibao", purpose="initial")


def test_the_csv_quotes_accounts_and_ids_and_the_xlsx_keeps_them_as_text() -> None:
    """Failed before: the CSV's 19-digit accounts were bare numbers (Excel shows 6.2231E+18),
    it had no payee ID, and it ended with totals and checksum rows."""
    layout = layouts.get_layout("tjrcb-csv")
    utf8 = exporters.write(layout, ROWS, META, "utf-8")
    assert utf8.startswith(b"\xef\xbb\xbf")
    text = utf8.decode("utf-8-sig")
    assert text.splitlines()[1] == (
        '"6222021234567890128",张三,"11010519491231002X",1045.00,工商银行,"202511DB01"'
    )
    assert "合计" not in text and "SHA-256" not in text and text.endswith("\r\n")
    gb = exporters.write(layout, ROWS, META, "gb18030")
    assert "李四" in gb.decode("gb18030")
    xlsx = layouts.get_layout("tjrcb-xlsx")
    book = load_workbook(io.BytesIO(exporters.write(xlsx, ROWS, META, "")))
    sheet = book["代发明细"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "6222021234567890128"  # text: a number would lose digits
    assert values[1][2] == "11010519491231002X" and sheet["C3"].value == "110105194912310037"
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    assert sheet["C3"].data_type == "s" and sheet["C3"].number_format == "@"
    assert float(values[1][3]) == 1045.0 and len(values) == 3
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["笔数"] == 2 and float(summary["金额合计（元）"]) == 1567.5
    assert summary["校验值（SHA-256）"] == exporters.row_checksum(ROWS)
    assert mask_account("6222021234567890128") == "6222***********0128"
    assert exporters.filename(META, xlsx) == "payroll-2025-11-dibao.xlsx"


def test_a_layout_is_data_with_summary_rows_and_fixed_widths_in_bytes() -> None:
    """A bank with its own layout is one more entry: here a fixed-width GBK file with a header
    line (count and total) and widths counted in bytes."""
    fixed = layouts.Layout(
        key="example-fixed",
        bank="示例银行",
        label="示例",
        format="fixed",
        columns=(
            layouts.Column("sequence", "序号", width=4, align="right"),
            layouts.Column("account", "账号", width=20),
            layouts.Column("name", "户名", width=10),
            layouts.Column("amount", "金额", width=12, align="right"),
        ),
        encodings=("gbk",),
        titles=False,
        leading=(("H", "{count}", "|", "{total}"),),
    )
    content = exporters.write(fixed, ROWS, META, "gbk")
    lines = content.split(b"\r\n")
    assert lines[0] == b"H2|1567.50"
    assert lines[1] == ("   1" + "6222021234567890128 " + "张三" + " " * 11 + "1045.00").encode(
        "gbk"
    )
    assert {len(line) for line in lines[1:3]} == {46}
    too_long = exporters.BankRow("6222021234567890128", "欧阳娜娜娜娜", "", "", 1, "")
    assert exporters.problems(fixed, [too_long], "gbk") == [(0, "户名超过文件格式规定的10字节")]
    with pytest.raises(ValueError):
        exporters.write(fixed, [too_long], META, "gbk")
    csv_layout = layouts.Layout(
        key="example-csv",
        bank="示例银行",
        label="示例",
        format="csv",
        columns=layouts.OUR_COLUMNS,
        trailing=(("合计", "{count}", "{total}", "{checksum}"),),
        quote_text=False,
    )
    text = exporters.write(csv_layout, ROWS, META, "gb18030").decode("gb18030")
    assert text.splitlines()[1].startswith("6222021234567890128,张三,")
    assert text.splitlines()[-1] == f"合计,2,1567.50,{exporters.row_checksum(ROWS)}"
    with pytest.raises(ValueError, match="width"):
        layouts.Layout(
            key="x", bank="x", label="x", format="fixed", columns=(layouts.Column("name", "户名"),)
        )


# --- Reconciliation and re-issue -------------------------------------------------------------------


def _return_file(lines: list[tuple[str, str, str, str]], encoding: str = "gb18030") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["账号", "金额", "状态", "原因"])
    writer.writerows(lines)
    return out.getvalue().encode(encoding)


@pytest.mark.django_db
def test_reconciliation_with_a_failed_row_and_its_reissue(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    _today(settings, dt.date(2025, 10, 20))
    households = households_of(townships[0], 3)
    grant(households, start="2025-10", amount=104_500)
    run = _approved(users, "2025-10")
    officer = users["officer"]
    initial = actions.export_run(officer, run, "tjrcb-csv", "utf-8")
    accounts = [account_number(h) for h in households]
    # A line that matches nothing refuses the whole file.
    with pytest.raises(ValidationError, match="不在待回盘"):
        actions.reconcile_run(
            officer,
            run,
            _return_file(
                [(accounts[0], "1045.00", "成功", ""), ("6222000000000000000", "1.00", "成功", "")]
            ),
        )
    assert not run.payments.filter(status=PaymentStatus.PAID).exists()
    returned = actions.reconcile_run(
        officer,
        run,
        _return_file(
            [
                (accounts[0], "1045.00", "成功", ""),
                (accounts[1], "1045.00", "失败", "账户已销户"),
                (accounts[2], "1,045.00", "成功", ""),
            ]
        ),
        "return.csv",
    )
    assert (returned.succeeded, returned.failed) == (2, 1)
    run.refresh_from_db()
    assert run.status == RunStatus.RECONCILED
    failed = run.payments.get(status=PaymentStatus.FAILED)
    assert failed.household_id == households[1].pk and failed.failure_reason == "账户已销户"
    with pytest.raises(ValidationError, match="失败 1 笔"):
        actions.close_run(officer, run)
    # The corrected account is recorded; it is paid into only once another person checked it.
    corrected = actions.record_account(
        users["caseworker"],
        households[1],
        **holder_fields(households[1], "6212260000000000125", bank="天津银行"),
    )
    with pytest.raises(ValidationError, match="尚待复核"):
        actions.reissue_payment(officer, failed)
    assert run.payments.get(pk=failed.pk).status == PaymentStatus.FAILED
    actions.check_account(users["head"], corrected)
    failed_account = BankAccount.objects.get(pk=failed.failed_account_id)
    assert failed_account.status == AccountStatus.REPLACED
    with pytest.raises(ValidationError, match="只有发放失败"):
        actions.reissue_payment(officer, run.payments.filter(status=PaymentStatus.PAID).first())
    (reissue,) = actions.reissue_payment(officer, failed)
    # A new payment linked to the failed one, which keeps its account, file, reference and
    # reason (failed before: the re-issue overwrote them).
    failed.refresh_from_db()
    assert failed.status == PaymentStatus.REISSUED and failed.bank_account == failed_account
    assert failed.bank_file == initial and failed.reference.startswith("202510DB")
    assert failed.failure_reason == "账户已销户" and failed.reissued_by == officer
    assert reissue.reissue_of == failed and reissue.bank_account == corrected
    assert reissue.status == PaymentStatus.PENDING and reissue.amount == failed.amount
    assert (reissue.kind, reissue.month, reissue.run) == (failed.kind, failed.month, run)
    with pytest.raises(ValidationError, match="没有发放失败的款项"):
        actions.reissue_payment(officer, failed)  # re-issued once: nothing has failed now
    with pytest.raises(ValidationError, match="待重新生成银行文件"):
        actions.close_run(officer, run)
    reissue_file = actions.export_run(officer, run, "tjrcb-csv", "utf-8")
    assert reissue_file.purpose == BankFile.Purpose.REISSUE and reissue_file.rows == 1
    lines = _rows(bytes(reissue_file.content), "utf-8-sig")
    assert lines[1][0] == "6212260000000000125" and lines[1][5].endswith("R1")
    actions.reconcile_run(
        officer, run, _return_file([("6212260000000000125", "1045.00", "成功", "")], "utf-8")
    )
    reissue.refresh_from_db()
    assert reissue.status == PaymentStatus.PAID
    # The household's ledger shows both; the money is counted once.
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    page = client.get(f"/payments/households/{households[1].pk}/")
    ledger = [r for r in page.context["rows"] if r.month == "2025-10"]
    assert [(r.status, r.superseded) for r in ledger] == [
        ("失败，已重新发放", True),
        ("已到账", False),
    ]
    assert page.context["total"] == 104_500
    assert "重新发放（原账户" in page.content.decode()
    assert run_totals_amount(run) == 3 * 104_500
    run = actions.close_run(users["director"], run)
    assert run.status == RunStatus.CLOSED


def run_totals_amount(run: PayrollRun) -> int:
    return int(actions.run_totals(run)["amount"])


# --- Jurisdiction ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_township_user_sees_only_its_payments_and_cannot_act(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    from django.test import Client

    from tests.web.conftest import PASSWORD

    ours = households_of(townships[0], 2)
    theirs = households_of(townships[1], 2)
    grant(ours + theirs, start="2025-08")
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    outsider = users["outsider"]  # a caseworker of the other township
    with pytest.raises(PermissionDenied, match="复核由区民政局经办人办理"):
        actions.check_run(outsider, run)
    for act in (actions.approve_run, actions.close_run):
        with pytest.raises((PermissionDenied, ValidationError)):
            act(outsider, run)
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get(f"/payments/runs/{run.pk}/").content.decode()
    assert ours[0].number in page and theirs[0].number not in page
    assert "step-check" not in page and "export-form" not in page
    refused = client.post(f"/payments/runs/{run.pk}/check/", follow=True).content.decode()
    assert "复核由区民政局经办人办理" in refused
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert client.get(f"/payments/households/{ours[0].pk}/").status_code == 200
    assert client.get(f"/payments/households/{theirs[0].pk}/").status_code == 404
    listing = client.get("/payments/").content.decode()
    assert "2,000.00" in listing and "4,000.00" not in listing  # their township's total only
    summary = client.get("/payments/summary/?month=2025-10").content.decode()
    assert "2,000.00" in summary and "4,000.00" not in summary
    workbook = load_workbook(
        io.BytesIO(client.get(f"/payments/runs/{run.pk}/payments.xlsx").content)
    )
    numbers = {row[2] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert numbers == {h.number for h in ours}
    anonymous = Client()
    assert anonymous.get(f"/payments/runs/{run.pk}/").status_code == 302
