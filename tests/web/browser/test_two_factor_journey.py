"""A district officer's first log-in with the second factor on a 390-px phone: the password,
then enrolment (the QR code drawn, the key for manual entry), the backup codes, the workbench;
the next log-in asks for the code. Screenshots under ``test-artifacts/screenshots/twofactor-*``."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.accounts.twofactor import code_at
from tests.web.browser.support import needs_chromium, shot
from tests.web.conftest import PASSWORD, make_user

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


def _password(page: Any, base: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "quke")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")


def _fits(page: Any) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_a_district_officer_enrols_on_a_phone_and_is_asked_next_time(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "SECOND_FACTOR_REQUIRED": True}
    make_user("quke", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    page, base = browser_page, live_server.url
    page.set_viewport_size(PHONE)

    # 1. After the password: enrolment, with the QR code drawn and the key to type.
    _password(page, base)
    page.wait_for_url(f"{base}/accounts/two-factor/enrol/?next=%2F")
    assert page.evaluate("document.querySelector('img[src$=\"qr.svg\"]').naturalWidth") > 0
    _fits(page)
    shot(page, "twofactor-01-enrol-phone")
    secret = page.inner_text("#secret").replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.fill("input[name=code]", "000000")
    page.click("button.primary")
    page.wait_for_selector("text=验证码不正确")
    time.sleep(1.1)  # the throttle's wait after one wrong code
    page.fill("input[name=code]", code_at(key))
    page.click("button.primary")

    # 2. The backup codes, once; then the workbench.
    page.wait_for_selector("#backup-codes")
    assert page.locator("#backup-codes li").count() == 10
    _fits(page)
    shot(page, "twofactor-02-backup-codes-phone")
    page.click("a.button.primary")
    page.wait_for_url(f"{base}/")

    # 3. The next log-in asks for the code (the next step's: this step's is used up).
    _password(page, base)
    page.wait_for_url(f"{base}/accounts/two-factor/?next=%2F")
    _fits(page)
    shot(page, "twofactor-03-verify-phone")
    page.fill("input[name=code]", code_at(key, time.time() + 30))
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
