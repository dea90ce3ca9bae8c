"""A standard raised through a scenario, in a real browser (issue 14's acceptance journey):

a district officer measures raising the dibao standard to 1,100 yuan from November over the
registry and reads its cost by township on the chart (and its table); a second officer approves
it, which puts the standard in force as an adopted dated value and starts the recomputation of
the entitlements in payment; the first officer sees the new dated parameter among the local
values, approves the recomputation and finds the entitlement paying the new amount from
November; the plan-indicator dashboard opens. Screenshots under
``test-artifacts/screenshots/scenario-*``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.demo.plan import seed_plan
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.scenarios.models import Scenario
from tests.web.browser.support import login, needs_chromium, set_today, shot
from tests.web.conftest import ON, make_user
from tests.web.entitlements.conftest import dibao_households, make_entitlement

pytestmark = needs_chromium


def _shot(page: Any, name: str) -> None:
    shot(page, f"scenario-{name}")


def _yuan(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.django_db(transaction=True)
def test_raise_the_standard_approve_it_and_see_the_entitlements_follow(
    committed_district: None, live_server: Any, browser_page: Any, settings: Any
) -> None:
    set_today(settings, ON)
    officer = make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    make_user("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    entitlement = make_entitlement(int(dibao_households()["household_id"][0]), amount=50_000)
    seed_plan(officer)
    page, base = browser_page, live_server.url

    # 1. The officer measures the raise from the scenario page (the methods listed above it).
    login(page, base, "officer")
    page.goto(f"{base}/scenarios/")
    page.wait_for_selector("#proposals")
    page.fill("#new-scenario input[name=label]", "低保标准提高到1,100元")
    page.fill("#new-scenario input[name=effective]", "2025-11-01")
    page.fill("#new-scenario input[name=reference]", "区民政局局务会测算")
    page.fill("#new-scenario input[name=standard]", "1100")
    page.click("#new-scenario button.primary")
    page.wait_for_selector("text=已完成测算，待另一人审批")
    scenario = Scenario.objects.get()
    assert page.url.endswith(f"/scenarios/{scenario.pk}/")

    # 2. Its cost by township on the chart: ECharts drew it, the table under it holds the
    # figures, and the chart saves as an image.
    chart = f"#chart-scenario-{scenario.pk}-cost-by-township"
    page.wait_for_selector(f"{chart} canvas")
    page.click(f"{chart} summary")
    first = page.locator(f"{chart} tbody tr").first
    cells = first.locator("td").all_inner_texts()
    assert re.fullmatch(r"\S+", cells[0]) and _yuan(cells[2]) > _yuan(cells[1])
    with page.expect_download() as saved:
        page.click(f"{chart} [data-chart-save]")
    assert saved.value.suggested_filename.endswith("-cost-by-township.png")
    _shot(page, "1-measured")

    # 3. A second officer approves: the standard is in force from November and the
    # recomputation of the entitlements in payment starts.
    login(page, base, "officer2")
    page.goto(f"{base}/scenarios/{scenario.pk}/")
    page.click("#decide button.primary")
    page.wait_for_selector("text=方案已批准")
    page.wait_for_selector("#adopted")
    _shot(page, "2-approved")

    # 4. The new dated parameter, among the local values, marked as an adopted change.
    login(page, base, "officer")
    page.goto(f"{base}/local-values/")
    row = page.locator("#local-values tbody tr", has_text="本地调整")
    assert "2025-11-01" in row.inner_text() and "1,100.00 元" in row.inner_text()
    _shot(page, "3-dated-parameter")

    # 5. The recomputation, approved by the officer (not its starter), and the entitlement
    # paying the new amount from November.
    run = scenario.runs.get()
    page.goto(f"{base}/entitlements/standard-changes/{run.pk}/")
    page.click(f"form[action$='/standard-changes/{run.pk}/approve/'] button")
    page.wait_for_selector("text=已批准")
    page.goto(f"{base}/entitlements/{entitlement.pk}/")
    page.wait_for_selector("text=2025-11")
    latest = Entitlement.objects.get(pk=entitlement.pk).versions.order_by("-number").first()
    assert latest is not None and latest.valid_from == "2025-11"
    assert latest.monthly_amount != 50_000
    _shot(page, "4-recomputed")

    # 6. The plan-indicator dashboard.
    page.goto(f"{base}/plan/")
    assert re.search(r"3,?560", page.content())
    _shot(page, "5-plan-dashboard")
