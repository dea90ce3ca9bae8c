"""The payroll in a real browser (Playwright with Debian's Chromium): a district officer drafts
October's dibao payroll, a second officer checks it against September (a raised amount, a new
and a stopped household highlighted), the director approves, the officer exports the bank file
(GB18030, with the payees' ID numbers) and uploads the bank's return with one failure, records
the corrected account, which a second officer checks before the officer re-issues the transfer
(a new payment beside the failed one in the household's ledger); the officer reconciles the
re-issue and closes the run. Screenshots: ``test-artifacts/screenshots/payroll-*``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.entitlements.models import Status
from jiuzhu.web.payments import actions
from jiuzhu.web.payments.models import Payment, PaymentStatus, PayrollRun, RunStatus
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import login, needs_chromium, shot
from tests.web.conftest import make_user
from tests.web.payments.conftest import grant, holder_fields, new_version

pytestmark = needs_chromium


def _shot(page: Any, name: str) -> None:
    shot(page, f"payroll-{name}")


def _return_file(path: Path, bank_file: bytes, fail_account: str) -> Path:
    """The bank's answer to a bank file: every transfer paid, but one account closed."""
    rows = list(csv.reader(io.StringIO(bank_file.decode("gb18030"))))[1:]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["账号", "户名", "金额", "状态", "原因"])
    for account, name, _id, amount, _bank, _reference in rows:
        failed = account == fail_account
        writer.writerow(
            [account, name, amount, "失败" if failed else "成功", "账户已销户" if failed else ""]
        )
    path.write_bytes(out.getvalue().encode("gb18030"))
    return path


@pytest.mark.django_db(transaction=True)
def test_a_month_of_payroll_from_draft_to_close(
    committed_district: None, live_server: Any, browser_page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": dt.date(2025, 10, 15).isoformat()}
    officer = make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    officer2 = make_user("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE)
    townships = list(
        Household.objects.order_by("township_code")
        .values_list("township_code", flat=True)
        .distinct()
    )
    households = [
        h for t in townships for h in Household.objects.filter(township_code=t).order_by("pk")[:3]
    ]
    entitlements = grant(households[:-1], start="2025-09", amount=104_500)
    # September's payroll, checked: October is compared with it.
    september = actions.draft_run(officer, "2025-09", "dibao")
    actions.check_run(officer2, september)
    raised, stopped = entitlements[0], entitlements[1]
    new_version(raised, valid_from="2025-10", amount=120_000)
    type(stopped).objects.filter(pk=stopped.pk).update(
        status=Status.TERMINATED, end_month="2025-10"
    )
    grant(households[-1:], start="2025-10", amount=80_000, prefix="EN")
    page, base = browser_page, live_server.url

    # 1. The officer drafts October's payroll.
    login(page, base, "officer")
    page.click("header nav >> text=发放")
    page.wait_for_url(f"{base}/payments/")
    page.fill("input[name=month]", "2025-10")
    page.select_option("select[name=program]", "dibao")
    _shot(page, "01-runs")
    page.click("#draft-form button")
    page.wait_for_selector("text=已生成 2025-10 发放名册")
    run = PayrollRun.objects.get(month="2025-10", program="dibao")
    assert "草拟" in page.inner_text("#run-status")
    # The maker is offered no check.
    assert page.locator("#step-check").count() == 0
    expected = 104_500 * (len(entitlements) - 2) + 120_000 + 80_000
    assert page.inner_text("#total-amount") == f"{expected / 100:,.2f}"
    assert page.inner_text("#changed-count") == "1"
    assert page.inner_text("#new-count") == "1"
    assert page.inner_text("#stopped-count") == "1"
    _shot(page, "02-drafted")

    # 2. A second officer checks it against September.
    login(page, base, "officer2")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    changes = page.inner_text("#changes")
    assert "金额变化" in changes and "新增" in changes and "停发" in changes
    assert page.locator("#changes tr.diff").count() == 3
    page.click("#step-check button")
    page.wait_for_selector("text=已复核")
    assert page.locator("#step-approve").count() == 0  # the checker does not approve
    _shot(page, "03-checked")

    # 3. The director approves.
    login(page, base, "director")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-approve button")
    page.wait_for_selector("#run-status >> text=已审批")
    _shot(page, "04-approved")

    # 4. The officer exports the bank file (GB18030) and downloads it.
    login(page, base, "officer")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.select_option("select[name=layout]", "tjrcb-csv")
    page.select_option("select[name=encoding]", "gb18030")
    page.click("#step-export button")
    page.wait_for_selector("text=已生成银行文件")
    with page.expect_download() as download:
        page.click("#files a")
    content = Path(download.value.path()).read_bytes()
    text = content.decode("gb18030")
    # One row per transfer, the payee's ID with it, accounts and IDs quoted; no summary rows.
    assert len(text.splitlines()) == 1 + len(households) - 1  # the stopped one is not paid
    failing = households[2]
    account = failing.bank_accounts.get()
    assert f'"{account.account_number}",{account.holder_name},"{account.holder_id}",' in text
    account = account.account_number
    # Masked everywhere but the file.
    assert account not in page.content()
    assert f"{account[:4]}{'*' * (len(account) - 8)}{account[-4:]}" in page.content()
    _shot(page, "05-exported")

    # 5. The bank's return: one account was closed.
    page.set_input_files(
        "input[name=file]", str(_return_file(tmp_path / "return.csv", content, account))
    )
    page.click("#step-reconcile button")
    page.wait_for_selector("text=已导入回盘")
    assert "账户已销户" in page.inner_text("#step-failed")
    assert "已对账" in page.inner_text("#run-status")
    _shot(page, "06-reconciled")

    # 6. The corrected account is recorded, checked by a second officer, and the transfer
    # re-issued into it, in a re-issue file.
    page.click("#step-failed >> text=登记更正账户")
    page.wait_for_url(f"{base}/payments/households/{failing.pk}/accounts/#step-record")
    fields = holder_fields(failing, "6212 2600 0000 0000 125", bank="天津银行宝坻支行")
    for name, value in fields.items():
        page.fill(f"#step-record input[name={name}]", value)
    _shot(page, "07-account-recorded")
    page.click("#step-record button")
    page.wait_for_selector("text=待另一人复核后生效")
    assert "待复核" in page.inner_text("#account-status")
    assert page.locator("#step-check").count() == 0  # the recorder does not check it
    _shot(page, "08-account-awaiting-check")
    account_url = page.url
    login(page, base, "officer2")
    page.goto(account_url)
    page.check("#step-check input[name=confirmed]")
    page.click("#step-check button")
    page.wait_for_selector("#account-status >> text=有效")
    _shot(page, "09-account-checked")
    login(page, base, "officer")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-failed form.reissue button")
    page.wait_for_selector("text=已重新发放至更正后的账户")
    page.click("#step-export button")
    page.wait_for_selector("text=reissue1")
    return_path = tmp_path / "return-reissue.csv"
    return_path.write_bytes("账号,金额,状态,原因\n6212260000000000125,1045.00,成功,\n".encode())
    page.set_input_files("input[name=file]", str(return_path))
    page.click("#step-reconcile button")
    page.wait_for_selector("text=已导入回盘")
    page.click("#step-close button")
    page.wait_for_selector("#run-status >> text=已结账")
    _shot(page, "10-closed")
    # Every payment paid, but the failed one: re-issued as a new payment, which was paid.
    statuses = list(Payment.objects.filter(run=run).values_list("status", flat=True))
    assert sorted(set(statuses)) == [PaymentStatus.PAID, PaymentStatus.REISSUED]
    assert statuses.count(PaymentStatus.REISSUED) == 1
    assert PayrollRun.objects.get(pk=run.pk).status == RunStatus.CLOSED

    # 7. The household's payment history and the month's summary.
    page.goto(f"{base}/payments/households/{failing.pk}/")
    # September, October's failed transfer and its re-issue (a new payment).
    assert page.locator("#ledger tbody tr").count() == 3
    ledger = page.inner_text("#ledger")
    assert "失败，已重新发放" in ledger and "重新发放（原账户" in ledger
    _shot(page, "11-ledger")
    page.goto(f"{base}/payments/summary/?month=2025-10")
    assert page.locator("#summary tbody tr").count() == len(townships)
    _shot(page, "12-summary")
