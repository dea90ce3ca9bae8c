"""The auditor's log and a batch assessment's list in a real browser (Playwright with Debian's
Chromium): the auditor filters the log by a household's number, reads the events in words and
exports them; a caseworker's batch assessment ends on its list of households, filtered by a
program's result, with its workbook. Screenshots: ``test-artifacts/screenshots/audit-*``
(desktop, and the log on a phone)."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.registry import actions as registry
from jiuzhu.web.registry.models import Household
from tests.web.audit.flows import applicant_of
from tests.web.browser.support import login, needs_chromium, shot
from tests.web.conftest import ON, make_user
from tests.web.test_workflow import MATERIALS

pytestmark = needs_chromium


@pytest.mark.django_db(transaction=True)
def test_the_auditor_filters_reads_and_exports_the_log(
    committed_district: None, live_server: Any, browser_page: Any, settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": ON.isoformat()}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    household = Household.objects.order_by("township_code", "pk").first()
    assert household is not None
    caseworker = make_user("caseworker", Role.TOWNSHIP_CASEWORKER, household.township_code)
    make_user("auditor", Role.AUDITOR, DISTRICT_CODE)
    applicant = applicant_of(household)
    application = cases.submit_application(
        caseworker,
        household,
        program=Program.DIBAO,
        applicant=applicant,
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )
    registry.declare(caseworker, household, [{"person_id": applicant.pk, "wage_income": 123_456}])
    page, base = browser_page, live_server.url

    # 1. The log filtered by the household's number: who, what, which record, in words.
    login(page, base, "auditor")
    page.goto(f"{base}/audit/")
    page.fill("input[name=household]", household.number)
    page.click("#audit-filters button.primary")
    table = page.inner_text("#audit-log")
    assert "登记申请" in table and application.number in table
    assert "工资性收入（月均）" in table and "1,234.56 元" in table
    assert applicant.resident_id not in table
    shot(page, "audit-01-log-by-household")

    # 2. The record is a link to its page.
    page.click(f"#audit-log a[href='/applications/{application.pk}/']")
    page.wait_for_url(f"{base}/applications/{application.pk}/")
    page.go_back()

    # 3. The export: a workbook of what is filtered, itself in the log.
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert AuditEvent.objects.filter(action="audit.export", household_id=household.pk).exists()

    # 4. A date that does not exist: a message, not an error page.
    page.goto(f"{base}/audit/?date_from=2025-13-45")
    assert "日期" in page.inner_text("#audit-filters")

    # 5. On a phone the rows stack.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/audit/?household={household.number}")
    shot(page, "audit-02-log-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 6. A batch assessment ends on its list, filtered by a program's result, and its workbook.
    login(page, base, "caseworker")
    page.goto(f"{base}/jobs/")
    page.click("text=对辖区家庭批量评估")
    page.wait_for_url(f"{base}/jobs/*/")
    page.reload()
    assert page.locator("#assessed tbody tr").count() > 0
    page.click("#totals a[href='?program=dibao&result=eligible']")
    rows = page.locator("#assessed tbody tr")
    assert rows.count() > 0 and "符合" in rows.first.inner_text()
    assert "元" in rows.first.inner_text()
    shot(page, "audit-03-batch-assessment")
    with page.expect_download() as download:
        page.click("text=下载 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
