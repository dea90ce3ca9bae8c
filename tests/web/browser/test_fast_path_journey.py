"""An emergency helped first (先行救助) in a real browser, paid once, its paperwork completed
before the deadline (issue 13's acceptance journey):

the district records the township's temporary-assistance reserve fund; a fire leaves a household
without its belongings; the caseworker helps at once — 3,000 yuan in cash, within the emergency
cap and the township's limit the page shows — which registers the application waiting for its
materials, due for completion in 20 working days, and pays it once from the fund; the workbench
lists the follow-up with its day; the materials are scanned, the household verified and visited,
the township approves, the notice runs its 7 days, and two district officers confirm the amount
given — before the day; no monthly entitlement is created and the household's ledger shows the
one-off payment. A second help beyond the cap is refused. Screenshots under
``test-artifacts/screenshots/fastpath-*``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments.models import OneOffPayment, ReserveFund
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import login, needs_chromium, set_today, shot
from tests.web.conftest import ON, make_user
from tests.web.documents.conftest import PDF

pytestmark = needs_chromium


def _shot(page: Any, name: str) -> None:
    shot(page, f"fastpath-{name}")


@pytest.mark.django_db(transaction=True)
def test_help_first_pay_once_and_complete_the_paperwork_in_time(
    committed_district: None,
    live_server: Any,
    browser_page: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path
    set_today(settings, ON)
    household = (
        Household.objects.filter(applications__isnull=True, entitlements__isnull=True)
        .order_by("township_code", "pk")
        .first()
    )
    assert household is not None
    township = household.township_code
    for name, role, division in (
        ("caseworker", Role.TOWNSHIP_CASEWORKER, township),
        ("head", Role.TOWNSHIP_HEAD, township),
        ("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        ("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE),
    ):
        make_user(name, role, division)
    fill_example_offices()
    page, base = browser_page, live_server.url

    # 1. The district records the township's reserve fund: at least 1 yuan a resident.
    login(page, base, "officer")
    page.goto(f"{base}/payments/reserve-funds/")
    page.select_option("#record-fund select[name=township_code]", township)
    page.fill("#record-fund input[name=registered_residents]", "52000")
    page.fill("#record-fund input[name=amount]", "50000")
    page.click("#record-fund button")
    page.wait_for_selector("text=备用金不低于户籍人口每人每年1元")
    page.fill("#record-fund input[name=amount]", "60000")
    page.click("#record-fund button")
    page.wait_for_selector("text=已登记临时救助备用金")
    assert "60,000.00" in page.inner_text("#funds")
    _shot(page, "01-reserve-fund")

    # 2. The caseworker helps first: the page shows the limits; too much is refused.
    login(page, base, "caseworker")
    page.goto(f"{base}/registry/households/{household.pk}/")
    page.click("#help-first")
    cap = page.inner_text("#cap")
    assert "元" in cap
    page.fill(
        "textarea[name=emergency]", "2025-10-14夜间住房失火，衣物被褥和家电烧毁，全家暂住亲戚家"
    )
    page.check("input[name=form][value=cash]")
    page.fill("input[name=amount]", "99999")
    page.click("#help-first button.primary")
    page.wait_for_selector("text=超过先行救助上限")
    page.fill("input[name=amount]", "3000")
    _shot(page, "02-help-first-form")
    page.click("#help-first button.primary")
    page.wait_for_selector("text=已先行救助 3,000.00 元")
    application = Application.objects.get(household=household, program="temporary_assistance")
    assert application.fast_path and application.stage == Stage.AWAITING_MATERIALS
    assert application.number.startswith("LS2025-")
    due_on = application.followup_due_on
    assert due_on is not None and due_on > ON
    assert "3,000.00" in page.inner_text("#fast-path")
    payment = OneOffPayment.objects.get(application=application)
    assert payment.amount == 300_000 and payment.fund == ReserveFund.objects.get()
    _shot(page, "03-application-fast-path")

    # 3. The workbench lists the follow-up with its day.
    page.goto(f"{base}/")
    item = page.locator("li, tr", has_text=application.number).first
    assert due_on.isoformat() in page.content()
    assert item.count() == 1
    _shot(page, "04-workbench")

    # 4. The paperwork: the materials scanned, verification, the home visit.
    page.goto(f"{base}/applications/{application.pk}/")
    for index, code in enumerate(application.missing_materials):
        scan = tmp_path / f"scan-{index}.pdf"
        scan.write_bytes(PDF)
        page.select_option("#step-upload select[name=material]", code)
        page.set_input_files("#step-upload input[name=file]", str(scan))
        page.click("#step-upload button.primary")
        page.wait_for_selector(".messages")
    assert "已受理" in page.inner_text("#stage")
    page.click("#step-verify button")
    page.wait_for_selector("text=已完成核对并评估")
    assert "符合" in page.inner_text("#assessment")
    page.fill("input[name=staff_1]", "王经办")
    page.fill("input[name=staff_2]", "刘协理")
    page.fill("textarea[name=findings]", "入户查看：住房失火属实，消防部门出具火灾事故认定书")
    page.check("input[name=living_conditions_match][value=yes]")
    page.check("input[name=applicant_signed]")
    page.click("#step-home_visit button")
    page.wait_for_selector("text=已记录入户调查")

    # 5. The township approves; the notice runs 7 days; the district confirms the amount given.
    login(page, base, "head")
    page.goto(f"{base}/applications/{application.pk}/")
    page.check("input[name=opinion][value=approve]")
    page.fill("textarea[name=note]", "火灾致基本生活暂时困难，已先行救助3000元")
    page.click("#step-opinion button")
    page.wait_for_selector("text=已提出审核意见")
    set_today(settings, ON + dt.timedelta(days=8))
    login(page, base, "caseworker")
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("#step-close_notice button")
    page.wait_for_selector("text=公示期满")
    login(page, base, "officer")
    page.goto(f"{base}/applications/{application.pk}/")
    assert page.input_value("input[name=monthly_amount]").replace(",", "") == "3000.00"
    page.check("input[name=outcome][value=approve]")
    page.click("#step-propose button")
    page.wait_for_selector("text=待另一人确认")
    decided = ON + dt.timedelta(days=9)
    set_today(settings, decided)
    login(page, base, "officer2")
    page.goto(f"{base}/applications/{application.pk}/")
    page.click("#step-confirm button")
    page.wait_for_selector("#decision")
    done = Application.objects.get(pk=application.pk)
    assert done.stage == Stage.APPROVED and done.decided_on == decided <= due_on
    assert not Entitlement.objects.filter(application=application).exists()
    assert OneOffPayment.objects.filter(application=application).count() == 1
    _shot(page, "05-paperwork-complete")
    page.click("#decision-notice")
    page.click("#step-issue button")
    page.wait_for_selector("#issued")
    notice = page.inner_text("#document")
    assert "3,000.00元（一次性）" in notice and "已先行救助发放" in notice
    assert "按月发放" not in notice
    _shot(page, "05b-approval-notice")

    # 6. The ledger shows the one-off payment.
    page.goto(f"{base}/payments/households/{household.pk}/")
    assert "3,000.00" in page.inner_text("#one-off")
    _shot(page, "06-ledger")
