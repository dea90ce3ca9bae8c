"""The main journey in a real browser (Playwright with Debian's Chromium): a township caseworker
takes a dibao application from the counter through verification, the home visit, the township
opinion, the public notice and its objection period; district officers propose and confirm; the
decision shows the right amount and first paid month. A screenshot of each step is saved under
``test-artifacts/screenshots/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import login, needs_chromium, shot
from tests.web.conftest import ON, make_user
from tests.web.test_workflow import eligible_household

pytestmark = needs_chromium


def _today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


@pytest.mark.django_db(transaction=True)
def test_a_dibao_application_through_every_step(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    # The session's district, calendar and feeds are committed: a transactional test sees them.
    first_township = Household.objects.order_by("township_code").values_list(
        "township_code", flat=True
    )[0]
    household = eligible_household(first_township)
    township = household.township_code
    make_user("caseworker", Role.TOWNSHIP_CASEWORKER, township)
    make_user("head", Role.TOWNSHIP_HEAD, township)
    make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    make_user("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    page, base = browser_page, live_server.url

    # 1. The caseworker finds the household and registers the application at the counter.
    login(page, base, "caseworker")
    shot(page, "01-workbench")
    page.goto(f"{base}/registry/?q={household.number}")
    page.click(f"text={household.number}")
    page.wait_for_url(f"{base}/registry/households/{household.pk}/")
    assert "*" * 8 in page.content()  # IDs masked
    shot(page, "02-household")
    page.click("a:has-text('受理新申请')")
    page.select_option("select[name=program]", "dibao")
    for box in page.locator("input[name=materials]").all():
        box.check()
    shot(page, "03-intake")
    page.click("button:has-text('登记申请')")
    page.wait_for_selector("#stage")
    assert "已受理" in page.inner_text("#stage")
    application = Application.objects.get(household=household)

    # 2. Verification with the departments' data, then the rules on the verified data.
    page.click("button:has-text('发起核对')")
    page.wait_for_selector("text=已完成核对并评估")
    assert "入户调查" in page.inner_text("#stage")
    assert "符合" in page.inner_text("#assessment")
    shot(page, "04-verified")
    expected_amount = (
        Application.objects.get(pk=application.pk).assessments.first().results["dibao"]["amount"]
    )

    # 3. Home visit by two staff; a visit with one person is refused on the field.
    page.fill("input[name=staff_1]", "王经办")
    page.fill("textarea[name=findings]", "家中确有困难，与申报相符")
    page.check("input[name=applicant_signed]")
    page.click("button:has-text('保存调查记录')")
    assert page.locator(".errorlist").count() > 0
    shot(page, "05-home-visit-refused")
    page.fill("input[name=staff_2]", "刘协理")
    page.click("button:has-text('保存调查记录')")
    page.wait_for_selector("text=已记录入户调查")
    assert "乡镇审核" in page.inner_text("#stage")

    # 4. The township head's opinion publishes the notice.
    login(page, base, "head")
    page.goto(f"{base}/applications/{application.pk}/")
    page.check("input[name=opinion][value=approve]")
    page.fill("textarea[name=note]", "经入户调查和核对，符合低保条件")
    offered = application.assessments.first().results.get("single_person_unit", {}).get("status")
    if offered:
        page.select_option("select[name=single_person_choice]", "household_near_dibao")
    page.click("button:has-text('提交审核意见')")
    page.wait_for_selector("text=已提出审核意见")
    assert "公示中" in page.inner_text("#stage")

    # 5. The notice list masks names; closing is offered only after the 7 days.
    login(page, base, "caseworker")
    page.goto(f"{base}/public-notice/")
    applicant = application.applicant.name
    assert applicant not in page.content() and applicant[0] + "*" in page.content()
    shot(page, "06-public-notice")
    page.goto(f"{base}/applications/{application.pk}/")
    # Not offered before the 7 days end: the next step says when it can be.
    assert page.locator("button:has-text('结束公示并报送')").count() == 0
    assert "公示期未满" in page.inner_text("#next-step")
    _today(settings, ON + dt.timedelta(days=8))
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("button:has-text('结束公示并报送')")
    page.wait_for_selector("text=公示期满")
    assert "区级审核确认" in page.inner_text("#stage")
    shot(page, "07-sent-to-district")

    # 6. A district officer proposes (amount prefilled from the assessment), another confirms.
    login(page, base, "officer")
    page.goto(f"{base}/applications/{application.pk}/")
    assert page.input_value("input[name=monthly_amount]") == f"{expected_amount / 100:.2f}"
    page.check("input[name=outcome][value=approve]")
    page.fill("textarea[name=reasons]", "符合低保条件")
    page.click("button:has-text('提出拟确认意见')")
    page.wait_for_selector("text=待另一人确认")
    # Maker–checker: the proposer is not offered the confirmation.
    assert page.locator("form[action$='/confirm/']").count() == 0
    shot(page, "08-proposed")
    decided = ON + dt.timedelta(days=9)
    _today(settings, decided)
    login(page, base, "officer2")
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("form[action$='/confirm/'] button")
    page.wait_for_selector("#decision")
    assert "确认同意" in page.inner_text("#decision")
    assert page.inner_text("#amount").startswith(f"{expected_amount / 100:,.2f}")
    assert page.inner_text("#first-month") == next_month(decided)
    shot(page, "09-decided")
    page.goto(f"{base}/applications/{application.pk}/notice/")
    assert next_month(decided) in page.content()
    shot(page, "10-decision-notice")
    final = Application.objects.get(pk=application.pk)
    assert final.stage == Stage.APPROVED and final.monthly_amount == expected_amount
