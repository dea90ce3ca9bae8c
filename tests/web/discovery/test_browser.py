"""An alert in a real browser (Playwright with Debian's Chromium): a township caseworker finds a
high medical-cost alert in the inbox, reads its evidence and what it waits for, records the home
visit by two staff and concludes "included in assistance", which opens the new-application page
prefilled with the household, the program and the applicant while the alert stays open awaiting
the application; the application is registered, and the alert closes linked to it. Screenshots:
``test-artifacts/screenshots/discovery-*`` (desktop, and the inbox on a phone)."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.web.accounts.models import Role
from jiuzhu.web.cases.models import Application
from jiuzhu.web.discovery.actions import write_alerts
from jiuzhu.web.discovery.models import Alert, AlertStatus, DiscoveryRun, Outcome
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import login, needs_chromium, shot
from tests.web.conftest import ON, make_user
from tests.web.discovery.conftest import alert_frame, alert_row

pytestmark = needs_chromium


def _shot(page: Any, name: str) -> None:
    shot(page, f"discovery-{name}")


@pytest.mark.django_db(transaction=True)
def test_an_alert_from_the_inbox_to_a_prefilled_application(
    committed_district: None, live_server: Any, browser_page: Any, settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": ON.isoformat()}
    township = Household.objects.order_by("township_code").values_list("township_code", flat=True)[
        0
    ]
    household = Household.objects.filter(township_code=township).order_by("pk").first()
    assert household is not None
    make_user("caseworker", Role.TOWNSHIP_CASEWORKER, township)
    run = DiscoveryRun.objects.create(month="2025-09", division_code="120115")
    write_alerts(None, alert_frame([alert_row(household)]), run=run)
    alert = Alert.objects.get()
    entitlements_before = list(Entitlement.objects.values())
    page, base = browser_page, live_server.url

    # 1. The inbox: the alert, its deadline, a link to it.
    login(page, base, "caseworker")
    page.click("header nav >> text=预警")
    page.wait_for_url(f"{base}/discovery/")
    assert page.locator("#alerts tbody tr").count() == 1
    assert page.inner_text("#open-count") == "1"
    _shot(page, "01-inbox")

    # 2. The alert: explanation, evidence (masked ID numbers, labels, yuan), thresholds with
    # their legal source in words, and the next step.
    page.click(f"#alerts a[href='/discovery/alerts/{alert.pk}/']")
    page.wait_for_url(f"{base}/discovery/alerts/{alert.pk}/")
    assert "12,000" in page.inner_text("#explanation")
    evidence = page.inner_text("#evidence")
    assert "120224********1234" in evidence and "120224198001011234" not in evidence
    assert (
        "无法规依据" in evidence
        and "10,000.00 元" in evidence
        and "《社会救助暂行办法》" in evidence
    )
    assert "spec" not in evidence and "MED_HIGH_OOP" not in evidence
    assert "医疗个人负担过高" in page.inner_text("h1")
    assert "待处理" in page.inner_text("#next-step")
    assert page.locator("#step-conclude").count() == 0  # a visit first
    _shot(page, "02-alert")

    # 3. The home visit: one visitor is refused, two are recorded.
    page.fill(
        "#step-visit textarea[name=findings]",
        "入户核实：户主患重病住院，家庭收入低，符合申请低保条件",
    )
    page.click("#step-visit button")
    page.wait_for_selector("text=入户核实人员不得少于2人")
    assert not Alert.objects.get(pk=alert.pk).visits.exists()
    page.fill("#step-visit input[name=staff_2]", "刘协理")
    page.click("#step-visit button")
    page.wait_for_selector("text=已记录入户核实情况")
    assert "刘协理" in page.inner_text("#visits")
    assert "已入户核实" in page.inner_text("#alert-status")
    _shot(page, "03-visited")

    # 4. Included in assistance: the new-application page opens prefilled; the alert stays open.
    page.check("#step-conclude input[value=included]")
    page.select_option("#step-conclude select[name=program]", "dibao")
    page.fill("#step-conclude textarea[name=note]", "建议申请最低生活保障")
    _shot(page, "04-outcome")
    page.click("#step-conclude button")
    page.wait_for_url(f"{base}/households/{household.pk}/apply/?*")
    assert page.input_value("select[name=program]") == "dibao"
    assert page.input_value("select[name=applicant]") == str(alert.person_id)
    assert page.locator("#from-alert").count() == 1
    _shot(page, "05-prefilled-application")
    waiting = Alert.objects.get(pk=alert.pk)
    assert waiting.status == AlertStatus.AWAITING_APPLICATION
    assert waiting.outcome == Outcome.INCLUDED and waiting.is_open

    # 5. Before registering, the alert says it waits for the application, and by when.
    page.goto(f"{base}/discovery/alerts/{alert.pk}/")
    assert "待受理申请" in page.inner_text("#next-step")
    assert page.locator("#step-link").count() == 1
    _shot(page, "06-awaiting-application")
    page.click("#apply")
    page.wait_for_url(f"{base}/households/{household.pk}/apply/?*")

    # 6. The caseworker registers the application; the alert closes and lists it.
    for material in (
        "application_form",
        "income_asset_declaration",
        "verification_authorisation",
        "truthfulness_undertaking",
        "diagnosis",
    ):
        page.check(f"input[name=materials][value={material}]")
    page.click("form.card button.primary")
    page.wait_for_url(f"{base}/applications/*/")
    application = Application.objects.get(household=household)
    assert application.program == "dibao" and application.applicant_id == alert.person_id
    closed = Alert.objects.get(pk=alert.pk)
    assert closed.application == application and closed.status == AlertStatus.CLOSED
    page.goto(f"{base}/discovery/alerts/{alert.pk}/")
    assert application.number in page.inner_text("#applications")
    assert "已办结" in page.inner_text("#next-step")
    _shot(page, "07-alert-closed")
    # The alert changed no entitlement.
    assert list(Entitlement.objects.values()) == entitlements_before

    # 7. The inbox on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/discovery/?status=")
    _shot(page, "08-inbox-phone")
