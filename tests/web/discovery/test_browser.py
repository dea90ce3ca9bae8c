"""An alert in a real browser (Playwright with Debian's Chromium): a township caseworker finds a
high medical-cost alert in the inbox, reads its evidence, records the home visit and concludes
"included in assistance", which opens the new-application page prefilled with the household, the
program and the applicant; the application is registered and the alert links it. Screenshots:
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

    # 2. The alert: explanation, evidence (masked ID numbers), thresholds with references.
    page.click(f"#alerts a[href='/discovery/alerts/{alert.pk}/']")
    page.wait_for_url(f"{base}/discovery/alerts/{alert.pk}/")
    assert "12,000" in page.inner_text("#explanation")
    evidence = page.inner_text("#evidence")
    assert "120224********1234" in evidence and "120224198001011234" not in evidence
    assert "中" in evidence and "津民发" in evidence and "10,000.00 元" in evidence
    assert "医疗个人负担过高" in page.inner_text("h1")
    assert page.locator("#outcome-form").count() == 0  # a visit first
    _shot(page, "02-alert")

    # 3. The home visit.
    page.fill("#visit-form input[name=staff_2]", "刘协理")
    page.fill(
        "#visit-form textarea[name=findings]",
        "入户核实：户主患重病住院，家庭收入低，符合申请低保条件",
    )
    page.click("#visit-form button")
    page.wait_for_selector("text=已记录入户核实情况")
    assert "刘协理" in page.inner_text("#visits")
    assert "已入户核实" in page.inner_text("#alert-status")
    _shot(page, "03-visited")

    # 4. Included in assistance: the new-application page opens prefilled.
    page.check("#outcome-form input[value=included]")
    page.select_option("#outcome-form select[name=program]", "dibao")
    page.fill("#outcome-form textarea[name=note]", "建议申请最低生活保障")
    _shot(page, "04-outcome")
    page.click("#outcome-form button")
    page.wait_for_url(f"{base}/households/{household.pk}/apply/?*")
    assert page.input_value("select[name=program]") == "dibao"
    assert page.input_value("select[name=applicant]") == str(alert.person_id)
    assert page.locator("#from-alert").count() == 1
    _shot(page, "05-prefilled-application")
    closed = Alert.objects.get(pk=alert.pk)
    assert closed.status == AlertStatus.CLOSED and closed.outcome == Outcome.INCLUDED

    # 5. The caseworker registers the application; the alert lists it.
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
    assert Alert.objects.get(pk=alert.pk).application == application  # the chain is recorded
    page.goto(f"{base}/discovery/alerts/{alert.pk}/")
    assert application.number in page.inner_text("#applications")
    _shot(page, "06-alert-closed")
    # The alert changed no entitlement.
    assert list(Entitlement.objects.values()) == entitlements_before

    # 6. The inbox on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/discovery/?status=")
    _shot(page, "07-inbox-phone")
