"""The household search offers help first for a resident of another township only to the users
that page lets in (trial finding B5: an administrator, who holds every permission asked without
a record, was shown the link and refused by the page)."""

from __future__ import annotations

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from tests.web.conftest import PASSWORD


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "offered"),
    [
        ("caseworker", True),
        ("head", True),
        ("officer", False),
        ("community", False),
        ("root", False),
    ],
)
def test_the_link_is_shown_exactly_to_those_the_page_lets_in(
    users: dict[str, User], username: str, offered: bool
) -> None:
    User.objects.create_superuser(
        username="root",
        password=PASSWORD,
        role=Role.ADMINISTRATOR,
        division_code=DISTRICT_CODE,
        full_name="管理员",
    )
    client = _client(username)
    page = client.get("/registry/").content.decode()
    assert ('id="help-elsewhere"' in page) is offered
    assert client.get("/payments/emergency/").status_code == (200 if offered else 403)
