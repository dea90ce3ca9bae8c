"""The admin shows verification data and lets nobody change it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.registry.models import Household
from jiuzhu.web.verification.actions import run_verification
from jiuzhu.web.verification.models import DepartmentRecord, FeedImport

pytestmark = pytest.mark.django_db


def test_records_are_read_only_in_the_admin(new_application: Any) -> None:
    admin = User.objects.create_superuser(
        "root", password="test-password-123", role=Role.ADMINISTRATOR, division_code=DISTRICT_CODE
    )
    client = Client()
    client.force_login(admin)
    record = DepartmentRecord.objects.first()
    feed_import = FeedImport.objects.first()
    assert record is not None and feed_import is not None
    for name in ("departmentrecord", "feedimport", "verificationrun"):
        assert client.get(reverse(f"admin:verification_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:verification_{name}_add")).status_code == 403
    page = client.get(reverse("admin:verification_departmentrecord_change", args=[record.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    response = client.post(
        reverse("admin:verification_feedimport_delete", args=[feed_import.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert FeedImport.objects.filter(pk=feed_import.pk).exists()
    household = Household.objects.order_by("pk").first()
    assert household is not None
    application, user = new_application(household)
    run = run_verification(user, application)
    page = client.get(reverse("admin:verification_verificationrun_change", args=[run.pk]))
    assert page.status_code == 200 and application.number.encode() in page.content
