"""A caseworker's whole case in a real browser (Playwright with Debian's Chromium), from a person
who is not in the registry to the first payment (issue 9's acceptance journey):

register the household with two members, one disabled; declare the income; register the dibao
application with materials missing, print the 一次性告知书, attach the missing scans (accepted);
print the 受理通知书; verify; print the 入户调查表 and record the visit by two staff; the
township opinion and the community's 公示 list; close the notice after seven days; district
confirmation by a second officer and the 确认通知书 (numbered, PDF); the bank account entered
and checked by another person; next month's payroll drafted, checked and approved, the household
paid in the bank file. Screenshots of every step under ``test-artifacts/screenshots/journey-*``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.payments.models import BankFile, PayrollRun
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import full_id, login, needs_chromium, set_today, shot
from tests.web.conftest import ON, make_user
from tests.web.documents.conftest import PDF, PNG

pytestmark = needs_chromium

APPLICANT = "12022419700512301"
SPOUSE = "12022419721108302"
ACCOUNT = "6217 0000 1234 5678 907"


def _step(page: Any, name: str) -> None:
    shot(page, f"journey-{name}")


@pytest.mark.django_db(transaction=True)
def test_from_the_counter_to_the_first_payment(
    committed_district: None,
    live_server: Any,
    browser_page: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path
    community = (
        Household.objects.order_by("division_code").values_list("division_code", flat=True).first()
    )
    township = community[:9]
    for name, role, division in (
        ("caseworker", Role.TOWNSHIP_CASEWORKER, township),
        ("head", Role.TOWNSHIP_HEAD, township),
        ("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        ("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        ("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE),
    ):
        make_user(name, role, division)
    fill_example_offices()
    page, base = browser_page, live_server.url
    applicant_id, spouse_id = full_id(APPLICANT), full_id(SPOUSE)

    # 1. Not in the registry: the search says so and offers to register the household.
    login(page, base, "caseworker")
    _step(page, "01-workbench")
    # The whole ID is posted by the search box, never put in the address (issue 12).
    page.goto(f"{base}/registry/")
    page.fill("#q", applicant_id)
    page.press("#q", "Enter")
    page.wait_for_selector("#register-instead")
    assert "没有符合条件的家庭" in page.inner_text("#results")
    assert applicant_id not in page.url
    page.click("#register-instead")
    page.select_option("select[name=h-division_code]", community)
    page.fill("input[name=h-address]", "天津市宝坻区示例村8号")
    page.select_option("select[name=h-area_type]", "rural")
    page.fill("input[name=h-homes]", "1")
    page.fill("input[name=h-floor_area]", "62.5")
    assert page.input_value("input[name=p-resident_id]") == applicant_id
    page.fill("input[name=p-name]", "郑大勇")
    page.select_option("select[name=p-marital_status]", "20")
    page.select_option("select[name=p-work_capacity]", "partial_loss")
    _step(page, "02-new-household")
    page.click("button:has-text('登记家庭')")
    page.wait_for_selector("text=已登记家庭")
    household = Household.objects.get(
        sealed_match("memberships__person__resident_id", applicant_id)
    )

    # 2. The second member, disabled; the declaration of income.
    page.click("#household-actions >> text=添加成员")
    page.fill("input[name=resident_id]", spouse_id)
    page.fill("input[name=name]", "冯秀兰")
    page.select_option("select[name=relation]", "12")
    page.select_option("select[name=disability_category]", "physical")
    page.select_option("select[name=disability_grade]", "2")
    page.select_option("select[name=work_capacity]", "full_loss")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已添加成员")
    assert "肢体" in page.inner_text("#members")
    page.click("#household-actions >> text=申报收入和财产")
    page.fill("input[name=form-0-wage_income]", "650")
    page.fill("input[name=form-0-monetary_assets]", "3000")
    page.click("button:has-text('保存申报')")
    page.wait_for_selector("text=已保存申报的收入和财产")
    assert "31.25" in page.inner_text("#household-facts")  # 62.5 m² for two people
    _step(page, "03-household")

    # 3. The application at the counter with two materials missing: the one-time notice.
    page.click("#household-actions >> text=受理新申请")
    page.select_option("select[name=program]", "dibao")
    for code in ("application_form", "income_asset_declaration", "verification_authorisation"):
        page.check(f"input[name=materials][value={code}]")
    page.check("input[name=register_incomplete]")
    page.click("button:has-text('登记申请')")
    page.wait_for_selector("#stage")
    application = Application.objects.get(household=household)
    assert application.stage == Stage.AWAITING_MATERIALS
    page.goto(f"{base}/documents/applications/{application.pk}/missing_materials/")
    assert "一次性告知书" in page.inner_text("#document")
    _step(page, "04-missing-materials-notice")

    # 4. The missing materials scanned and attached: the application is accepted.
    page.goto(f"{base}/applications/{application.pk}/")
    for index, code in enumerate(application.missing_materials):
        scan = tmp_path / f"scan-{index}.pdf"
        scan.write_bytes(PDF if index % 2 == 0 else PNG)
        page.select_option("#step-upload select[name=material]", code)
        page.set_input_files("#step-upload input[name=file]", str(scan))
        page.click("#step-upload button.primary")
        page.wait_for_selector(".messages")
    assert "已受理" in page.inner_text("#stage")
    _step(page, "05-accepted-with-scans")
    page.goto(f"{base}/documents/applications/{application.pk}/acceptance/")
    assert "郑大勇" in page.inner_text("#document")
    _step(page, "06-acceptance-notice")

    # 5. Verification: the departments know nothing of the new household; the declared
    # disability without a certificate is flagged for the home visit.
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("#step-verify button")
    page.wait_for_selector("text=已完成核对并评估")
    assert "入户调查" in page.inner_text("#stage")
    assert "符合" in page.inner_text("#assessment")
    assert "冯秀兰" in page.inner_text("#unit-members")
    assert "残疾人证" in page.inner_text("#visit-checks")
    _step(page, "07-verified")

    # 6. The home visit with the printed form, by two staff.
    page.goto(f"{base}/documents/applications/{application.pk}/home_visit_form/")
    assert "冯秀兰" in page.inner_text("#document")
    _step(page, "08-home-visit-form")
    page.goto(f"{base}/applications/{application.pk}/")
    page.fill("input[name=staff_1]", "王经办")
    page.fill("input[name=staff_2]", "刘协理")
    page.fill("textarea[name=findings]", "入户查看：肢体残疾二级属实（残疾人证待补办），住房简陋")
    page.check("input[name=living_conditions_match][value=yes]")
    page.check("input[name=applicant_signed]")
    page.click("#step-home_visit button")
    page.wait_for_selector("text=已记录入户调查")

    # 7. The township head's opinion publishes the notice; the community's 公示 list.
    login(page, base, "head")
    page.goto(f"{base}/applications/{application.pk}/")
    page.check("input[name=opinion][value=approve]")
    page.fill("textarea[name=note]", "经调查核实，符合低保条件")
    if page.locator("select[name=single_person_choice]").count():
        page.select_option("select[name=single_person_choice]", index=0)
    page.click("#step-opinion button")
    page.wait_for_selector("text=已提出审核意见")
    assert "公示中" in page.inner_text("#stage")
    login(page, base, "caseworker")
    page.goto(f"{base}/documents/public-notice/{community}/")
    notice = page.inner_text("#document")
    assert "郑**" in notice and "郑大勇" not in notice
    _step(page, "09-public-notice")
    page.goto(f"{base}/applications/{application.pk}/")
    assert page.locator("#step-close_notice").count() == 0
    assert "公示期未满" in page.inner_text("#next-step")

    # 8. Seven days later the notice closes and the file goes to the district.
    set_today(settings, ON + dt.timedelta(days=8))
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("#step-close_notice button")
    page.wait_for_selector("text=公示期满")
    assert "区级审核确认" in page.inner_text("#stage")

    # 9. A district officer proposes, a second officer confirms; the numbered 确认通知书.
    login(page, base, "officer")
    page.goto(f"{base}/applications/{application.pk}/")
    amount = page.input_value("input[name=monthly_amount]")
    page.check("input[name=outcome][value=approve]")
    page.click("#step-propose button")
    page.wait_for_selector("text=待另一人确认")
    assert page.locator("#step-confirm").count() == 0  # the proposer never confirms
    decided = ON + dt.timedelta(days=9)
    set_today(settings, decided)
    login(page, base, "officer2")
    page.goto(f"{base}/applications/{application.pk}/")
    assert "officer" in page.inner_text("#next-step")
    page.click("#step-confirm button")
    page.wait_for_selector("#decision")
    assert "确认同意" in page.inner_text("#decision")
    assert page.inner_text("#first-month") == next_month(decided)
    _step(page, "10-decided")
    page.click("#decision-notice")
    page.click("#step-issue button")
    page.wait_for_selector("#issued")
    text = page.inner_text("#document")
    assert "确认通知书" in text and "郑大勇" in text and "冯秀兰" in text
    assert "行政复议" in text and "行政诉讼" in text and amount in text.replace(",", "")
    pdf = page.request.get(f"{base}/documents/applications/{application.pk}/approval.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    _step(page, "11-approval-notice")

    # 10. The bank account, entered by the caseworker and checked by the head.
    login(page, base, "caseworker")
    page.goto(f"{base}/payments/households/{household.pk}/accounts/")
    page.fill("#step-record input[name=bank_name]", "天津农商银行宝坻支行")
    page.fill("#step-record input[name=account_number]", ACCOUNT)
    page.fill("#step-record input[name=holder_name]", "郑大勇")
    page.fill("#step-record input[name=holder_id]", applicant_id)
    page.click("#step-record button")
    page.wait_for_selector("text=待另一人复核后生效")
    _step(page, "12-account-recorded")
    account_url = page.url
    login(page, base, "head")
    page.goto(account_url)
    page.check("#step-check input[name=confirmed]")
    page.click("#step-check button")
    page.wait_for_selector("#account-status >> text=有效")
    _step(page, "13-account-checked")

    # 11. Next month's payroll: drafted, checked, approved; the household in the bank file.
    month = next_month(decided)
    login(page, base, "officer")
    page.goto(f"{base}/payments/")
    page.fill("#draft-form input[name=month]", month)
    page.select_option("#draft-form select[name=program]", "dibao")
    page.click("#draft-form button")
    page.wait_for_selector("text=发放名册")
    run = PayrollRun.objects.get(month=month, program="dibao")
    login(page, base, "officer2")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-check button")
    page.wait_for_selector("#run-status >> text=已复核")
    login(page, base, "director")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-approve button")
    page.wait_for_selector("#run-status >> text=已审批")
    login(page, base, "officer")
    page.goto(f"{base}/payments/runs/{run.pk}/")
    page.click("#step-export button")
    page.wait_for_selector("#files a")
    _step(page, "14-payroll-exported")
    bank_file = BankFile.objects.get(run=run)
    content = bytes(bank_file.content).decode(bank_file.encoding or "utf-8")
    line = next(row for row in content.splitlines() if ACCOUNT.replace(" ", "") in row)
    assert "郑大勇" in line and amount.rstrip("0").rstrip(".") in line.replace(",", "")
