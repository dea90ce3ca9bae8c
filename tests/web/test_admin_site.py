"""The admin site: every registered model's list and add (or read-only) page opens for the
administrator, so that no admin class fails at run time."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from tests.web.conftest import PASSWORD, make_user


@pytest.mark.django_db
def test_every_admin_list_opens_for_the_administrator() -> None:
    user = make_user("site_admin", Role.ADMINISTRATOR, DISTRICT_CODE)
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    assert client.login(username="site_admin", password=PASSWORD)
    opened = 0
    for model in admin.site._registry:
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(url).status_code == 200, url
        opened += 1
    assert opened >= 15
