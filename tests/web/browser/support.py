"""What every browser test shares (Playwright with Debian's Chromium): the screenshots under
``test-artifacts/screenshots/`` and the log-in through the form. The ``browser_page`` fixture is
in ``tests/web/conftest.py``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium not installed"
)


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot as ``SHOTS/<name>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page: Any, base: str, username: str) -> None:
    """Sign in through the log-in form (a fresh session) and land on the workbench."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


def set_today(settings: Any, day: Any) -> None:
    """Move the platform's today (``JIUZHU["TODAY"]``) to ``day`` for the live server."""
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def full_id(first17: str) -> str:
    """An 18-character resident ID: ``first17`` and its check character."""
    from jiuzhu.feeds.ids import check_character

    return first17 + check_character(first17)
