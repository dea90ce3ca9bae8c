"""The main journey in a real browser (Playwright with Debian's Chromium): a township caseworker
takes a dibao application from the counter through verification, the home visit, the township
opinion, the public notice and its objection period; district officers propose and confirm; the
decision shows the right amount and first paid month. A screenshot of each step is saved under
``test-artifacts/screenshots/``."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON, PASSWORD, make_user
from tests.web.test_workflow import eligible_household

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")


@pytest.fixture
def browser_page() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
    # still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


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
    _login(page, base, "caseworker")
    _shot(page, "01-workbench")
    page.goto(f"{base}/registry/?q={household.number}")
    page.click(f"text={household.number}")
    page.wait_for_url(f"{base}/registry/households/{household.pk}/")
    assert "*" * 8 in page.content()  # IDs masked
    _shot(page, "02-household")
    page.click("button:has-text('受理新申请')")
    page.select_option("select[name=program]", "dibao")
    for box in page.locator("input[name=materials]").all():
        box.check()
    _shot(page, "03-intake")
    page.click("button:has-text('登记申请')")
    page.wait_for_selector("#stage")
    assert "已受理" in page.inner_text("#stage")
    application = Application.objects.get(household=household)

    # 2. Verification with the departments' data, then the rules on the verified data.
    page.click("button:has-text('发起核对')")
    page.wait_for_selector("text=已完成核对并评估")
    assert "入户调查" in page.inner_text("#stage")
    assert "符合" in page.inner_text("#assessment")
    _shot(page, "04-verified")
    expected_amount = (
        Application.objects.get(pk=application.pk).assessments.first().results["dibao"]["amount"]
    )

    # 3. Home visit by two staff; a visit with one person is refused on the field.
    page.fill("input[name=staff_1]", "王经办")
    page.fill("textarea[name=findings]", "家中确有困难，与申报相符")
    page.check("input[name=applicant_signed]")
    page.click("button:has-text('保存调查记录')")
    assert page.locator(".errorlist").count() > 0
    _shot(page, "05-home-visit-refused")
    page.fill("input[name=staff_2]", "刘协理")
    page.click("button:has-text('保存调查记录')")
    page.wait_for_selector("text=已记录入户调查")
    assert "乡镇审核" in page.inner_text("#stage")

    # 4. The township head's opinion publishes the notice.
    _login(page, base, "head")
    page.goto(f"{base}/applications/{application.pk}/")
    page.check("input[name=opinion][value=approve]")
    page.fill("textarea[name=note]", "经入户调查和核对，符合低保条件")
    offered = application.assessments.first().results.get("single_person_unit", {}).get("status")
    if offered:
        page.select_option("select[name=single_person_choice]", "household_near_dibao")
    page.click("button:has-text('提交审核意见')")
    page.wait_for_selector("text=已提出审核意见")
    assert "公示中" in page.inner_text("#stage")

    # 5. The notice list masks names; closing before 7 days is refused.
    _login(page, base, "caseworker")
    page.goto(f"{base}/public-notice/")
    applicant = application.applicant.name
    assert applicant not in page.content() and applicant[0] + "*" in page.content()
    _shot(page, "06-public-notice")
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("button:has-text('结束公示并报送')")
    assert "公示期未满" in page.content()
    _today(settings, ON + dt.timedelta(days=8))
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("button:has-text('结束公示并报送')")
    page.wait_for_selector("text=公示期满")
    assert "区级审核确认" in page.inner_text("#stage")
    _shot(page, "07-sent-to-district")

    # 6. A district officer proposes (amount prefilled from the assessment), another confirms.
    _login(page, base, "officer")
    page.goto(f"{base}/applications/{application.pk}/")
    assert page.input_value("input[name=monthly_amount]") == f"{expected_amount / 100:.2f}"
    page.check("input[name=outcome][value=approve]")
    page.fill("textarea[name=reasons]", "符合低保条件")
    page.click("button:has-text('提出拟确认意见')")
    page.wait_for_selector("text=待另一人确认")
    # Maker–checker: the proposer is not offered the confirmation.
    assert page.locator("form[action$='/confirm/']").count() == 0
    _shot(page, "08-proposed")
    decided = ON + dt.timedelta(days=9)
    _today(settings, decided)
    _login(page, base, "officer2")
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("form[action$='/confirm/'] button")
    page.wait_for_selector("#decision")
    assert "确认同意" in page.inner_text("#decision")
    assert page.inner_text("#amount").startswith(f"{expected_amount / 100:,.2f}")
    assert page.inner_text("#first-month") == next_month(decided)
    _shot(page, "09-decided")
    page.goto(f"{base}/applications/{application.pk}/notice/")
    assert next_month(decided) in page.content()
    _shot(page, "10-decision-notice")
    final = Application.objects.get(pk=application.pk)
    assert final.stage == Stage.APPROVED and final.monthly_amount == expected_amount
