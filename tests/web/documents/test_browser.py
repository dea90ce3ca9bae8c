"""Materials and documents in a real browser (Playwright with Debian's Chromium): a township
caseworker prints the 一次性告知书, attaches the missing materials as scans (a fake PDF is
refused with the reason), sees the application accepted and prints the 受理通知书; the same
pages on a 390-px phone. Screenshots under ``test-artifacts/screenshots/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import Role
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.documents.models import MaterialFile
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import login, needs_chromium, shot
from tests.web.conftest import make_user
from tests.web.documents.conftest import PDF, PNG, submit

pytestmark = needs_chromium


@pytest.mark.django_db(transaction=True)
def test_a_caseworker_attaches_scans_and_prints_the_notices(
    committed_district: None, live_server: Any, browser_page: Any, tmp_path: Path
) -> None:
    household = (
        Household.objects.filter(memberships__relation="01").order_by("township_code", "pk").first()
    )
    assert household is not None
    caseworker = make_user("caseworker", Role.TOWNSHIP_CASEWORKER, household.township_code)
    fill_example_offices()
    application = submit(
        {"caseworker": caseworker},
        household,
        ["application_form", "truthfulness_undertaking", "verification_authorisation"],
    )
    missing = application.missing_materials
    assert application.stage == Stage.AWAITING_MATERIALS and missing
    page, base = browser_page, live_server.url
    login(page, base, "caseworker")

    page.goto(f"{base}/documents/applications/{application.pk}/missing_materials/")
    assert "一次性告知书" in page.inner_text("#document")
    assert page.is_visible("button[data-print]") and page.is_visible("#pdf-link")
    pdf = page.request.get(f"{base}/documents/applications/{application.pk}/missing_materials.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    shot(page, "documents-01-missing-materials")

    page.goto(f"{base}/documents/applications/{application.pk}/materials/")
    fake = tmp_path / "declaration.pdf"
    fake.write_bytes(b"not really a PDF, just text\n")
    page.select_option("#step-upload select[name=material]", missing[0])
    page.set_input_files("#step-upload input[name=file]", str(fake))
    page.click("#step-upload button.primary")
    assert "文件内容不是 PDF、JPEG 或 PNG" in page.inner_text("#step-upload")
    shot(page, "documents-02-fake-refused")
    assert not MaterialFile.objects.exists()

    for index, code in enumerate(missing):
        scan = tmp_path / (f"{index}.png" if index % 2 == 0 else f"{index}.pdf")
        scan.write_bytes(PNG if index % 2 == 0 else PDF)
        page.select_option("#step-upload select[name=material]", code)
        page.set_input_files("#step-upload input[name=file]", str(scan))
        page.click("#step-upload button.primary")
        page.wait_for_selector(".messages")
    assert "申请已受理" in page.inner_text(".messages")
    assert Application.objects.get(pk=application.pk).stage == Stage.ACCEPTED
    assert "已上传扫描件" in page.inner_text("#materials-checklist")
    shot(page, "documents-03-materials-complete")
    link = page.locator("#materials-checklist a").first.get_attribute("href")
    served = page.request.get(f"{base}{link}")
    assert served.ok and served.headers["x-content-type-options"] == "nosniff"

    page.goto(f"{base}/documents/applications/{application.pk}/acceptance/")
    assert application.applicant.name in page.inner_text("#document")
    shot(page, "documents-04-acceptance")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/documents/applications/{application.pk}/materials/")
    shot(page, "documents-05-materials-phone")
    page.goto(f"{base}/documents/applications/{application.pk}/home_visit_form/")
    shot(page, "documents-06-home-visit-form-phone")
