"""Verification fixtures. The district and its feeds are loaded once per session by
``tests/web/conftest.py`` (``import_feeds`` of the synthetic district's ``feeds/``); these
fixtures find households with the facts a test needs and make applications for them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import rules
from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.core.programs import Program
from jiuzhu.web.registry.models import Household, Membership
from tests.web.conftest import ON

if not rules.perm_exists("cases.view"):  # the permission rules, if nothing registered them yet
    import jiuzhu.web.accounts.permissions  # noqa: F401

_numbers = itertools.count(1)


def caseworker(township_code: str, name: str = "") -> User:
    """A township caseworker of ``township_code`` (9 digits)."""
    username = name or f"caseworker{next(_numbers)}"
    return User.objects.create_user(
        username=username,
        password="test-password-123",
        role=Role.TOWNSHIP_CASEWORKER,
        division_code=township_code,
        full_name=username,
    )


def make_application(household: Household, user: User) -> Application:
    """An accepted dibao application of the household, made on the district's date."""
    applicant = (
        Membership.objects.filter(household=household, valid_to__isnull=True)
        .order_by("relation", "person_id")
        .first()
    )
    assert applicant is not None
    return Application.objects.create(
        number=f"DB{ON:%Y%m%d}{next(_numbers):04d}",
        program=Program.DIBAO,
        household=household,
        applicant=applicant.person,
        division_code=household.division_code,
        channel=Channel.COUNTER,
        stage=Stage.ACCEPTED,
        authorisation_signed=True,
        undertaking_signed=True,
        created_by=user,
        accepted_on=ON,
    )


@pytest.fixture
def new_application(db: Any) -> Any:
    """``new_application(household)``: an application and its township's caseworker."""

    def make(household: Household) -> tuple[Application, User]:
        user = caseworker(household.township_code)
        return make_application(household, user), user

    return make
