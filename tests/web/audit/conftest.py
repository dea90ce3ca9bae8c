"""Audit test fixtures: a fast password hasher (every test logs users in)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The ``users`` fixture hashes eight passwords per test; MD5 keeps that out of the way (a
    test setting only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
