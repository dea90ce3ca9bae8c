"""Records are matched to members by ID number; where a department writes another name under
that number, the records still count (matched, not dropped) and a ``name`` warning is raised
for the caseworker to check, on the application page, in either language. (The rule on
hand-made records is tested in ``tests/batch/verify/test_names.py``.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.feeds import ids
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.registry.models import Person
from jiuzhu.web.verification.actions import run_verification
from jiuzhu.web.verification.models import DepartmentRecord, Discrepancy
from tests.web.conftest import PASSWORD
from tests.web.verification.test_run import household_of, under_declared_earner


@pytest.mark.django_db
def test_the_caseworker_sees_the_name_warning_on_the_application_in_both_languages(
    new_application: Any,
) -> None:
    person = under_declared_earner()
    written = (
        DepartmentRecord.objects.filter(
            sealed_match("resident_id", person.resident_id), source="tax"
        )
        .values_list("data__name", flat=True)
        .first()
    )
    assert written
    Person.objects.filter(pk=person.pk).update(name="欧阳某某")
    application, user = new_application(household_of(person))
    run = run_verification(user, application)
    row = Discrepancy.objects.get(run=run, person=person, item="name", source="tax")
    assert row.severity == "warning" and row.declared == "欧阳某某" and row.found == written
    # The tax records still verified the wage.
    wage = Discrepancy.objects.get(run=run, person=person, item="wage_income")
    assert wage.found is not None and wage.found > 0

    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "姓名（身份证号相同）" in page and "欧阳某某" in page and written in page
    assert "身份证号相同而姓名不同" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Name (same ID number)" in page


@pytest.mark.django_db
def test_a_member_whose_registry_row_holds_the_15_digit_form_is_verified(
    new_application: Any,
) -> None:
    """The departments write 18-digit IDs: a registry row still holding the 15-digit form (an
    old import) finds its records, not an empty verification."""
    person = under_declared_earner()
    legacy = ids.legacy_form(person.resident_id)
    assert legacy is not None  # the district's earners were born in the 1900s
    Person.objects.filter(pk=person.pk).update(resident_id=legacy)
    application, user = new_application(household_of(person))
    run = run_verification(user, application)
    wage = Discrepancy.objects.get(run=run, person=person, item="wage_income")
    assert wage.found is not None and wage.found > 0
    assert not Discrepancy.objects.filter(run=run, person=person, item="name").exists()
