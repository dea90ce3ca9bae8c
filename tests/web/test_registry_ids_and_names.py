"""No path stores a 15-digit ID in the registry, and no path drops a rare character of a name.

A 15-digit number (GB 11643-1989) given at the counter, to an action, in a workbook or in a
district import is stored in its 18-digit form (the admin site changes no ID), each conversion an audit
event (as migration 0003 records the numbers held before); an invalid number is refused and
nothing is written. A name with a private-use character or one outside GB 18030's two-byte set
is kept as written and flagged 生僻字待核 where the caseworker reads the household."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import Client

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.registry import membership, upkeep
from jiuzhu.web.registry.actions import import_district
from jiuzhu.web.registry.models import Household, Obligor, Person
from tests.web.conftest import ON, PASSWORD, make_user

pytestmark = pytest.mark.django_db
CONVERT = "registry.convert_resident_id"
PRIVATE_USE, EXTENSION_B = "王\ue000", "李𣵦"
"""A name with a 造字 of an older system, and one with a character of CJK extension B."""


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def community_of(township: str) -> str:
    return str(
        Household.objects.filter(township_code=township).values_list("division_code", flat=True)[0]
    )


def conversion(person: Person | Obligor) -> AuditEvent:
    return AuditEvent.objects.get(
        action=CONVERT, object_type=person._meta.label_lower, object_id=str(person.pk)
    )


def register(client: Client, township: str, resident_id: str, name: str) -> Any:
    return client.post(
        "/registry/households/new/",
        {
            "h-division_code": community_of(township),
            "h-address": "天津市宝坻区某村2号",
            "h-area_type": "rural",
            "h-homes": "1",
            "h-floor_area": "60",
            "p-resident_id": resident_id,
            "p-name": name,
        },
    )


def test_a_15_digit_id_typed_at_the_counter_is_stored_in_18_digits_and_recorded(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    response = register(login("caseworker"), townships[0], "120224610705013", "周旧号")
    assert response.status_code == 302, response.content.decode()[:1000]
    person = Person.objects.get(sealed_match("resident_id", "120224196107050136"))
    assert person.birth_date == dt.date(1961, 7, 5)
    event = conversion(person)
    assert event.before == {"resident_id": mask_id("120224610705013")}
    assert event.after == {"resident_id": mask_id("120224196107050136")}
    assert event.user == users["caseworker"]
    household = person.memberships.get().household
    assert event.household_id == household.pk and event.division_code == household.division_code
    # The household's history reads it in words, the numbers masked.
    page = login("caseworker").get(f"/registry/households/{household.pk}/").content.decode()
    assert "15位身份证号升级为18位" in page and "120224610705013" not in page


def test_an_action_given_a_15_digit_id_converts_it_and_refuses_an_invalid_one(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    person = membership.add_member(
        users["caseworker"],
        household,
        relation="20",
        resident_id="120224880214025",
        name="吴旧号",
        birth_date=dt.date(1988, 2, 14),
    )
    assert person.resident_id == "120224198802140255"
    assert conversion(person).after == {"resident_id": mask_id("120224198802140255")}
    before = Person.objects.count()
    with pytest.raises(ValidationError) as refused:
        membership.add_member(
            users["caseworker"],
            household,
            relation="20",
            resident_id="120224881314025",  # the 13th month
            name="吴错号",
            birth_date=dt.date(1988, 1, 14),
        )
    assert "resident_id" in refused.value.message_dict
    assert Person.objects.count() == before
    # An edit given the 15-digit form of the number already stored changes nothing and
    # records no conversion.
    upkeep.update_member(
        users["caseworker"], person.memberships.get(), resident_id="120224880214025"
    )
    assert Person.objects.get(pk=person.pk).resident_id == "120224198802140255"
    assert AuditEvent.objects.filter(action=CONVERT, object_id=str(person.pk)).count() == 1


def test_the_admin_site_never_changes_an_id_number(
    townships: tuple[str, str],
) -> None:
    """Issue 12: the admin shows ID numbers masked and read-only (``privacy.admin_site``); an
    ID is corrected at the counter, where a 15-digit number is stored in 18 digits."""
    admin = make_user("registry_admin", Role.ADMINISTRATOR, DISTRICT_CODE)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    person = Person.objects.order_by("pk").first()
    assert person is not None
    data = {
        key: ("" if value is None else value.isoformat() if isinstance(value, dt.date) else value)
        for key, value in model_to_dict(person).items()
        if value is not False
    }
    client = login("registry_admin")
    url = f"/admin/registry/person/{person.pk}/change/"
    saved = client.post(url, {**data, "resident_id": "120224550101037"})
    assert saved.status_code == 302
    assert Person.objects.get(pk=person.pk).resident_id == person.resident_id
    assert not AuditEvent.objects.filter(action=CONVERT, object_id=str(person.pk)).exists()


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    households = book.active
    households.title = "家庭"
    households.append(["家庭编号", "区划代码", "城乡类别"])
    households.append(["WB1", "120115001001", "城镇"])
    members = book.create_sheet("成员")
    members.append(["家庭编号", "姓名", "身份证号", "与申请人关系"])
    members.append(["WB1", PRIVATE_USE, "120224700303041", "01"])  # text cell, 15 digits
    members.append(["WB1", EXTENSION_B, "12022419870315001X", "10"])
    book.save(path)
    return path


def test_a_workbook_import_converts_15_digit_ids_and_keeps_rare_names_flagged(
    tmp_path: Path, users: dict[str, User]
) -> None:
    out = io.StringIO()
    call_command(
        "import_workbook", str(_workbook(tmp_path / "counter.xlsx")), "--on", str(ON), stdout=out
    )
    first = Person.objects.get(sealed_match("resident_id", "120224197003030418"))
    second = Person.objects.get(sealed_match("resident_id", "12022419870315001X"))
    assert not Person.objects.filter(sealed_match("resident_id", "120224700303041")).exists()
    assert (first.name, second.name) == (PRIVATE_USE, EXTENSION_B)
    event = AuditEvent.objects.get(action="registry.import_workbook")
    warnings = "\n".join(event.detail["warnings"])
    assert "15位旧号码已升级为18位" in warnings
    assert "生僻字待核" in warnings and "U+E000" in warnings and "U+23D66" in warnings
    printed = out.getvalue()
    assert "15位旧号码已升级为18位" in printed and "生僻字待核" in printed
    household = first.memberships.get().household
    officer = login("officer")
    page = officer.get(f"/registry/households/{household.pk}/").content.decode()
    assert f'id="rare-{first.pk}"' in page and "U+E000" in page
    assert f'id="rare-{second.pk}"' in page and "U+23D66" in page
    assert PRIVATE_USE in page and EXTENSION_B in page


def test_the_person_form_keeps_a_rare_character_and_flags_it(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    client = login("caseworker")
    response = register(client, townships[0], "120224199001010017", PRIVATE_USE)
    assert response.status_code == 302, response.content.decode()[:1000]
    person = Person.objects.get(sealed_match("resident_id", "120224199001010017"))
    assert person.name == PRIVATE_USE
    page = client.get(response["Location"]).content.decode()
    assert f'id="rare-{person.pk}"' in page and "生僻字待核：U+E000" in page
    # An invisible character is still refused, with the field named.
    refused = register(client, townships[0], "120224199001010025", "王\u200b五")
    assert refused.status_code == 400 and "不可见字符" in refused.content.decode()
    assert not Person.objects.filter(sealed_match("resident_id", "120224199001010025")).exists()


def test_a_district_import_converts_15_digit_ids_and_records_each(
    tmp_path: Path, district_folder: Path
) -> None:
    households = pl.read_parquet(district_folder / "households.parquet").head(1)
    persons = pl.read_parquet(district_folder / "persons.parquet").filter(
        pl.col("household_id") == households["household_id"][0]
    )
    numbers = ["120224660909063", *(f"2{i:017d}" for i in range(1, persons.height))]
    persons = persons.with_columns(pl.Series("resident_id", numbers[: persons.height]))
    folder = tmp_path / "district"
    folder.mkdir()
    households.write_parquet(folder / "households.parquet")
    persons.write_parquet(folder / "persons.parquet")
    import_district(None, folder)
    person = Person.objects.get(sealed_match("resident_id", "12022419660909063X"))
    event = conversion(person)
    assert event.before == {"resident_id": mask_id("120224660909063")}
    assert event.household_id == person.memberships.get().household_id
    assert AuditEvent.objects.filter(action=CONVERT).count() == 1


@pytest.mark.django_db
def test_searching_by_the_old_15_digit_number_finds_the_person(users: dict[str, User]) -> None:
    from jiuzhu.feeds.ids import legacy_form
    from jiuzhu.web.registry.queries import search

    township = users["caseworker"].division_code
    person = (
        Person.objects.filter(
            memberships__household__township_code=township,
            memberships__valid_to__isnull=True,
            birth_date__year__lt=2000,  # the ID is sealed: born in the 1900s, so it has a 15-digit form
        )
        .order_by("pk")
        .first()
    )
    assert person is not None
    old = legacy_form(person.resident_id)
    assert old is not None and len(old) == 15
    household = person.memberships.get(valid_to__isnull=True).household
    assert list(search(users["caseworker"], old)) == [household]
    assert household in search(users["caseworker"], person.resident_id[-6:])  # an ending
