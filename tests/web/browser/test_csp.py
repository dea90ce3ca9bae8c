"""The strict Content-Security-Policy breaks nothing (issue 12): in a real browser (Playwright with
Debian's Chromium), the main pages of each kind of user load, htmx searches and refreshes, a
filter submits itself and the print page's button is wired, with no violation of the policy
reported by the browser (neither a ``securitypolicyviolation`` event nor a console error).
"""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.registry.models import Household
from tests.web.browser.support import login, needs_chromium
from tests.web.conftest import make_user
from tests.web.documents.conftest import submit
from tests.web.test_workflow import eligible_household

pytestmark = needs_chromium

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""
"""Run before every page's own scripts (Playwright's init script is not subject to the page's
policy): collects what the browser refused."""

PAGES = {
    "caseworker": [
        "/",
        "/registry/",
        "/applications/",
        "/entitlements/",
        "/discovery/",
        "/jobs/",
        "/documents/public-notice/",
        "/help/",
    ],
    "officer": ["/", "/payments/", "/discovery/register/"],
    "auditor": ["/audit/"],
    "admin": ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/"],
}


@pytest.mark.django_db(transaction=True)
def test_the_main_pages_work_under_the_policy(
    committed_district: None, live_server: Any, browser_page: Any
) -> None:
    first = Household.objects.order_by("township_code").values_list("township_code", flat=True)
    township = first.first()
    users = {
        "caseworker": make_user("caseworker", Role.TOWNSHIP_CASEWORKER, township),
        "officer": make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        "auditor": make_user("auditor", Role.AUDITOR, DISTRICT_CODE),
        "admin": make_user("admin", Role.ADMINISTRATOR, DISTRICT_CODE),
    }
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    fill_example_offices()
    # Not the cached pk of the documents' tests: this test's district was loaded again after a
    # flush, with new keys.
    household = eligible_household(township)
    application = submit(users, household)
    page, base = browser_page, live_server.url
    console: list[str] = []
    page.on(
        "console",
        lambda message: console.append(message.text) if message.type == "error" else None,
    )
    page.add_init_script(WATCH)
    violations: list[str] = []

    def check(where: str) -> None:
        page.wait_for_load_state("networkidle")
        violations.extend(f"{where}: {v}" for v in page.evaluate("window.__violations || []"))

    # The detector works: an injected <style> element is refused and reported.
    page.goto(f"{base}/accounts/login/")
    page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>p{}</style>')")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__violations.length") == 1
    assert any("Content Security Policy" in text for text in console), console
    console.clear()

    for username, paths in PAGES.items():
        login(page, base, username)
        check(f"{username} login")
        for path in paths:
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, (username, path)
            assert "script-src 'self'" in response.headers["content-security-policy"]
            check(f"{username} {path}")

    login(page, base, "caseworker")
    # htmx: the search box posts as one types, and the results are swapped in.
    page.goto(f"{base}/registry/")
    page.fill("#q", household.number)
    page.wait_for_selector(f"#results a:has-text('{household.number}')")
    assert household.number not in page.url
    check("search")
    # The application list's filter submits itself (site.js, no inline handler).
    page.goto(f"{base}/applications/")
    with page.expect_navigation():
        page.select_option("select[name=stage]", index=1)
    assert "stage=" in page.url
    check("filter")
    # The application's page and a printable document (its print button is wired by print.js).
    page.goto(f"{base}/applications/{application.pk}/")
    check("application")
    page.goto(f"{base}/documents/applications/{application.pk}/acceptance/")
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed === true")
    check("document")
    # A background job's page refreshes itself through htmx.
    page.goto(f"{base}/jobs/")
    check("jobs")

    assert not violations, "\n".join(violations)
    refused = [text for text in console if "Content Security Policy" in text]
    assert not refused, "\n".join(refused)
