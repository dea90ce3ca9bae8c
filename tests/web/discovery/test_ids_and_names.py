"""Discovery end to end with the IDs and names of real registries: a person whose registry row
holds the 15-digit form of an ID (written by an old import, not through a form) is found by a
department record carrying the 18-digit form, and a record matched by ID under another name
raises its alert with a note the caseworker sees, in either language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.discovery import actions
from jiuzhu.web.discovery.models import Alert
from jiuzhu.web.entitlements.models import ReviewTask, TaskKind
from jiuzhu.web.registry.models import Household, Membership, Person
from tests.web.conftest import PASSWORD
from tests.web.payments.conftest import grant

pytestmark = pytest.mark.django_db
MONTH = "2025-10"
LEGACY, CONVERTED = "120224650301002", "120224196503010021"
"""The registry row's 15-digit number and the 18-digit form the department writes."""
MODERN = "120224197208150317"


def _household(township: str, number: str, resident_id: str, name: str, born: dt.date) -> Person:
    """A household of ``township`` receiving dibao, its applicant written straight into the
    registry as an old import did (no form, no check)."""
    community = (
        Household.objects.filter(township_code=township)
        .values_list("division_code", flat=True)
        .first()
    )
    assert community is not None
    household = Household.objects.create(
        number=number, division_code=community, township_code=township, area_type="urban"
    )
    person = Person.objects.create(resident_id=resident_id, name=name, sex="1", birth_date=born)
    Membership.objects.create(
        household=household, person=person, relation="01", valid_from=dt.date(2024, 1, 1)
    )
    grant([household], start="2025-09", amount=104_500)
    return person


def _deaths(folder: Path, *rows: tuple[str, str]) -> Path:
    """The month's deaths file of the public-security bureau (ID, name, date of death)."""
    folder.mkdir(exist_ok=True)
    lines = ["身份证号,姓名,死亡日期", *(f"{rid},{name},2025-10-05" for rid, name in rows)]
    (folder / "deaths.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_registry_row_with_the_15_digit_form_gets_its_alert(
    tmp_path: Path, users: dict[str, User], townships: tuple[str, str]
) -> None:
    person = _household(townships[0], "HLEGACY01", LEGACY, "张三", dt.date(1965, 3, 1))
    # The department writes the 18-digit form, and the name with a zero-width space: the same
    # name, so no note.
    folder = _deaths(tmp_path / "feeds", (CONVERTED, "张\u200b三"))
    run = actions.run_discovery(users["officer"], MONTH, folder=folder)
    alert = Alert.objects.get(run=run, signal="MEMBER_DIED")
    assert alert.person == person and alert.household == person.memberships.get().household
    assert alert.resident_key == CONVERTED
    # The registry row now holds the 18-digit form, the conversion recorded once, by the run's
    # user, in the household's history.
    person.refresh_from_db()
    assert person.resident_id == CONVERTED
    event = AuditEvent.objects.get(action="registry.convert_resident_id", object_id=str(person.pk))
    assert event.user == users["officer"] and event.household_id == alert.household_id
    assert event.before == {"resident_id": mask_id(LEGACY)} and event.after == {
        "resident_id": mask_id(CONVERTED)
    }
    actions.run_discovery(users["officer"], MONTH, folder=folder)
    assert AuditEvent.objects.filter(action="registry.convert_resident_id").count() == 1
    assert "姓名" not in alert.explanation_zh and "names" not in alert.evidence
    # The death is adverse: the entitlement gets its check task, nothing is cut.
    assert ReviewTask.objects.filter(
        kind=TaskKind.DISCOVERY_CHECK, key=f"alert:{alert.pk}"
    ).exists()


def test_a_record_matched_by_id_under_another_name_is_flagged_on_the_alert(
    tmp_path: Path, users: dict[str, User], townships: tuple[str, str]
) -> None:
    person = _household(townships[0], "HNAMES01", MODERN, "李四", dt.date(1972, 8, 15))
    folder = _deaths(tmp_path / "feeds", (MODERN, "李泗"))
    run = actions.run_discovery(users["officer"], MONTH, folder=folder)
    alert = Alert.objects.get(run=run, signal="MEMBER_DIED")
    assert alert.person == person
    assert "与登记姓名“李四”不同" in alert.explanation_zh and "“李泗”" in alert.explanation_zh
    assert "the registry “李四”" in alert.explanation_en
    assert alert.evidence["names"] == {"registered_name": "李四", "department_names": "李泗"}

    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get(f"/discovery/alerts/{alert.pk}/").content.decode()
    assert 'id="name-mismatch"' in page and "已按身份证号匹配" in page
    assert "姓名不一致（身份证号相同）" in page and "登记姓名" in page and "李泗" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(f"/discovery/alerts/{alert.pk}/").content.decode()
    assert "Name differs (same ID number)" in page and "Name in the registry" in page
    assert "matched by ID number" in page
    # Another township's caseworker still cannot open it.
    outsider = Client()
    assert outsider.login(username="outsider", password=PASSWORD)
    assert outsider.get(f"/discovery/alerts/{alert.pk}/").status_code == 404


def test_a_15_digit_row_whose_18_digit_form_another_person_holds_is_left(
    tmp_path: Path, users: dict[str, User], townships: tuple[str, str]
) -> None:
    """One ID never stands for two people: the person registered under the 18-digit form gets
    the alert, the other row is left for a caseworker to merge, and nothing is recorded."""
    _household(townships[0], "HLEGACY02", LEGACY, "张三", dt.date(1965, 3, 1))
    holder = _household(townships[0], "HMODERN02", CONVERTED, "张三", dt.date(1965, 3, 1))
    run = actions.run_discovery(
        users["officer"], MONTH, folder=_deaths(tmp_path / "feeds", (CONVERTED, "张三"))
    )
    assert Alert.objects.get(run=run, signal="MEMBER_DIED").person == holder
    assert Person.objects.filter(sealed_match("resident_id", LEGACY)).exists()
    assert not AuditEvent.objects.filter(action="registry.convert_resident_id").exists()
