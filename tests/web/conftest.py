"""Web test fixtures: a tiny synthetic district loaded once per session, and users of every role
in two townships (so that every test can check jurisdiction isolation)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from jiuzhu.synth.run import synthesise
from jiuzhu.web.accounts.expiry import BEIJING
from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.core import clock
from jiuzhu.web.registry.models import Household

ON = dt.date(2025, 10, 15)
PASSWORD = "test-password-123"


@pytest.fixture(scope="session")
def district_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("district")
    synthesise(folder, scale=0.003, seed=7, on=ON)
    return folder


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: Any, django_db_blocker: Any, district_folder: Path
) -> Iterator[None]:
    """The test database with the holiday calendar, the district and its feeds, once."""
    from jiuzhu.web.registry.actions import import_district
    from jiuzhu.web.verification.actions import import_feeds

    with django_db_blocker.unblock():
        call_command("seed_calendar", verbosity=0)
        import_district(None, district_folder)
        import_feeds(None, district_folder / "feeds", received_at=None)
    yield
    # The live server of the browser tests answers each keep-alive browser connection in a
    # daemon thread that is not joined when the server stops; one still holding its database
    # connection would keep PostgreSQL from dropping the test database.
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request in English leaves English active in
    the thread, and actions called directly afterwards would write their texts in English."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


def a_day_end_far_away() -> str:
    """A working day's end (``JIUZHU_DAY_END``, Beijing time) twelve hours from now."""
    later = clock.now().astimezone(BEIJING) + dt.timedelta(hours=12)
    return later.strftime("%H:%M")


@pytest.fixture(autouse=True)
def _working_day_outlasts_the_test(request: pytest.FixtureRequest, settings: Any) -> None:
    """A log-in ends at the working day's end, 20:00 Beijing time by the real clock. A suite
    running across 12:00 UTC saw its log-ins end mid-test: every page of the first role in the
    page scan came back as the log-in page (a CI run at 20:0x Beijing). The tests of the day end
    itself (marked ``day_end``) set their own clock and are written for the default 20:00;
    every other test's day ends far away."""
    marked = request.node.get_closest_marker("day_end") is not None
    settings.JIUZHU_DAY_END = "20:00" if marked else a_day_end_far_away()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Tests create and log in many users; MD5 keeps password hashing out of the way (a test
    setting only: the platform's hasher is Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Log-in lockout (issue 12, login) ---------------------------------------------------------
@pytest.fixture(autouse=True)
def _client_login_through_axes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django's test client logs in by calling ``authenticate()`` without a request, which axes
    (the lockout, first of the authentication backends) refuses: it counts failures per address.
    Give it a request from the test client's own address, so that ``client.login`` goes through
    the lockout exactly as the log-in form does (nothing is switched off for tests)."""
    from django.test import Client, RequestFactory

    original = Client.login

    def login(self: Client, **credentials: Any) -> bool:
        credentials.setdefault("request", RequestFactory().post("/accounts/login/"))
        return original(self, **credentials)

    monkeypatch.setattr(Client, "login", login)


# --- end of log-in lockout -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fixed_today(settings: Any) -> None:
    """The workflow's today: the synthetic district's assessment date."""
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": ON.isoformat()}


# --- Issue 12, the second factor: off for the tests that are not about it -------------------
@pytest.fixture(autouse=True)
def _second_factor_off(settings: Any) -> None:
    """District staff and administrators log in with a password only (``force_login``, the
    browser tests' log-in form); ``tests/web/test_two_factor.py`` turns the second factor on."""
    settings.JIUZHU = {**settings.JIUZHU, "SECOND_FACTOR_REQUIRED": False}


# --- end of the second factor ----------------------------------------------------------------


@pytest.fixture
def committed_district(district_folder: Path) -> None:
    """For ``transaction=True`` tests: each one ends with a flush of every table, so a test that
    ran before may have emptied the session district; load it again, as the session set-up
    did."""
    if Household.objects.exists():
        return
    from jiuzhu.web.registry.actions import import_district
    from jiuzhu.web.verification.actions import import_feeds

    call_command("seed_calendar", verbosity=0)
    import_district(None, district_folder)
    import_feeds(None, district_folder / "feeds", received_at=None)


def _townships() -> tuple[str, str]:
    codes = list(
        Household.objects.order_by("township_code")
        .values_list("township_code", flat=True)
        .distinct()
    )
    return codes[0], codes[-1]


@pytest.fixture
def townships(db: Any) -> tuple[str, str]:
    first, other = _townships()
    assert first != other
    return first, other


def make_user(username: str, role: str, division_code: str) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        division_code=division_code,
        full_name=username,
    )
    return user


@pytest.fixture
def users(townships: tuple[str, str]) -> dict[str, User]:
    """One user per role in the first township (district roles at the district), and a
    caseworker of the other township."""
    first, other = townships
    community = (
        Household.objects.filter(township_code=first)
        .values_list("division_code", flat=True)
        .first()
    )
    return {
        "community": make_user("community", Role.COMMUNITY_WORKER, community),
        "caseworker": make_user("caseworker", Role.TOWNSHIP_CASEWORKER, first),
        "head": make_user("head", Role.TOWNSHIP_HEAD, first),
        "officer": make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        "officer2": make_user("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE),
        "director": make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE),
        "auditor": make_user("auditor", Role.AUDITOR, DISTRICT_CODE),
        "outsider": make_user("outsider", Role.TOWNSHIP_CASEWORKER, other),
    }


def feeds_dir(folder: Path) -> Path:
    return folder / "feeds"


__all__ = ["ON", "PASSWORD", "make_user", "settings"]


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A Chromium page (Playwright) for the browser tests, 1280×900, Chinese, downloads on."""
    from tests.web.browser.support import CHROMIUM

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
    # still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
