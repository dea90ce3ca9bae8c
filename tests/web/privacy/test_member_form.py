"""The member edit form never carries the stored ID number in full: it starts blank with the
number masked in its help; left blank the number stays; a 15-digit number still stored asks for
the 18-digit one (never a server error)."""

from __future__ import annotations

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.registry.models import Household, Person
from tests.web.conftest import PASSWORD


def _fields(person: Person, relation: str, **changes: str) -> dict[str, str]:
    return {
        "resident_id": "",
        "name": person.name,
        "relation": relation,
        "disability_category": person.disability_category,
        "disability_grade": str(person.disability_grade or ""),
        "serious_illness": person.serious_illness,
        "student_level": person.student_level,
        "self_care": person.self_care,
        "work_capacity": person.work_capacity,
        "marital_status": person.marital_status,
        "employment": person.employment,
        "hukou_tianjin": "on",
        **changes,
    }


@pytest.mark.django_db
def test_the_edit_form_shows_the_id_masked_and_a_blank_keeps_it(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    member = household.memberships.filter(valid_to__isnull=True).exclude(relation="01").first()
    assert member is not None
    person = member.person
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    url = f"/registry/households/{household.pk}/members/{member.pk}/edit/"
    page = client.get(url).content.decode()
    assert person.resident_id not in page and mask_id(person.resident_id) in page
    response = client.post(url, _fields(person, member.relation, name="张改名"))
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Person.objects.get(pk=person.pk)
    assert stored.name == "张改名" and stored.resident_id == person.resident_id
    assert stored.birth_date == person.birth_date
    # A birth date that contradicts the stored number is refused.
    wrong = client.post(url, _fields(person, member.relation, birth_date="1901-01-01"))
    assert wrong.status_code == 400 and "出生日期与身份证号不一致" in wrong.content.decode()
    # A 15-digit number still stored: the 18-digit one is asked for, not guessed.
    Person.objects.filter(pk=person.pk).update(
        resident_id=person.resident_id[:6] + person.resident_id[8:17]
    )
    legacy = client.post(url, _fields(person, member.relation))
    assert legacy.status_code == 400 and "15位旧号码" in legacy.content.decode()
    assert "errorlist" in legacy.content.decode()
    fixed = client.post(url, _fields(person, member.relation, resident_id=person.resident_id))
    assert fixed.status_code == 302
    assert Person.objects.get(pk=person.pk).resident_id == person.resident_id
