"""Audit test fixtures: a fast password hasher (every test logs users in), and the session
district put back for the browser test (a transactional test) if an earlier one flushed it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.payments.conftest import committed_district

__all__ = ["committed_district"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The ``users`` fixture hashes eight passwords per test; MD5 keeps that out of the way (a
    test setting only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
