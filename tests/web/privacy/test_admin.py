"""The admin site shows ID numbers and accounts masked and read-only, and no health details,
whichever app registered the model (``privacy.admin_site``)."""

from __future__ import annotations

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.registry.models import Person
from jiuzhu.web.verification.models import DepartmentRecord
from tests.web.conftest import PASSWORD, make_user


@pytest.fixture
def admin_client(db: object) -> Client:
    user = make_user("site_admin", Role.ADMINISTRATOR, DISTRICT_CODE)
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    assert client.login(username="site_admin", password=PASSWORD)
    return client


@pytest.mark.django_db
def test_a_persons_id_is_masked_and_read_only_and_health_left_out(admin_client: Client) -> None:
    person = Person.objects.exclude(disability_category="none").order_by("pk").first()
    assert person is not None
    listing = admin_client.get("/admin/registry/person/").content.decode()
    assert "残疾类别" not in listing
    page = admin_client.get(f"/admin/registry/person/{person.pk}/change/").content.decode()
    assert person.resident_id not in page and mask_id(person.resident_id) in page
    assert 'name="resident_id"' not in page and 'name="disability_category"' not in page
    assert "残疾类别" not in page and "重特大疾病病种" not in page
    # Saving the page changes what it may change and leaves the ID as it was.
    name = person.name
    response = admin_client.post(
        f"/admin/registry/person/{person.pk}/change/",
        {
            "name": name,
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat(),
            "hukou_tianjin": "on",
            "student_level": person.student_level,
            "marital_status": person.marital_status,
            "work_capacity": person.work_capacity,
            "employment": person.employment,
            "tekun_support_form": person.tekun_support_form,
            "resident_id": "110101199003070011",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Person.objects.get(pk=person.pk)
    assert stored.resident_id == person.resident_id
    assert stored.disability_category == person.disability_category


@pytest.mark.django_db
def test_department_records_and_audit_values_are_masked(admin_client: Client) -> None:
    record_ = DepartmentRecord.objects.order_by("pk").first()
    assert record_ is not None
    for path in (
        "/admin/verification/departmentrecord/",
        f"/admin/verification/departmentrecord/{record_.pk}/change/",
    ):
        page = admin_client.get(path).content.decode()
        assert record_.resident_id not in page and mask_id(record_.resident_id) in page
    person = Person.objects.order_by("pk").first()
    assert person is not None
    event = record(None, "registry.update_member", person, before={}, after=snapshot(person))
    page = admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/").content.decode()
    assert person.resident_id not in page and mask_id(person.resident_id) in page
