"""Bad input on the forms gets a message on the field and saves nothing; the key pages run a
fixed number of queries whatever the number of rows (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jiuzhu.feeds.ids import check_character
from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases.models import Application
from jiuzhu.web.registry.models import Household, Income, Person
from tests.web.conftest import PASSWORD


@pytest.fixture
def caseworker(users: dict[str, User]) -> Client:
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    return client


@pytest.fixture
def household(townships: tuple[str, str]) -> Household:
    found = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert found is not None
    return found


def _valid_id(first17: str) -> str:
    return first17 + check_character(first17)


MEMBER = {"name": "张小明", "relation": "20", "disability_category": "none", "disability_grade": ""}


@pytest.mark.django_db
def test_a_member_with_a_bad_check_character_is_refused_on_the_field(
    caseworker: Client, household: Household
) -> None:
    good = _valid_id("12022420100304001")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    before = Person.objects.count()
    response = caseworker.post(
        f"/registry/households/{household.pk}/members/new/",
        {**MEMBER, "resident_id": wrong, "birth_date": "2010-03-04"},
    )
    assert response.status_code == 400
    assert "校验码应为" in response.content.decode()
    assert Person.objects.count() == before
    ok = caseworker.post(
        f"/registry/households/{household.pk}/members/new/",
        {**MEMBER, "resident_id": good, "birth_date": "2010-03-04"},
    )
    assert ok.status_code == 302 and Person.objects.count() == before + 1
    assert AuditEvent.objects.filter(action="registry.add_member").exists()


@pytest.mark.django_db
def test_a_future_birth_date_and_a_date_that_contradicts_the_id_are_refused(
    caseworker: Client, household: Household
) -> None:
    before = Person.objects.count()
    future = _valid_id("12022420300101002")
    response = caseworker.post(
        f"/registry/households/{household.pk}/members/new/",
        {**MEMBER, "resident_id": future, "birth_date": "2030-01-01"},
    )
    assert "晚于今天" in response.content.decode()
    other = _valid_id("12022420100304003")
    response = caseworker.post(
        f"/registry/households/{household.pk}/members/new/",
        {**MEMBER, "resident_id": other, "birth_date": "2011-03-04"},
    )
    assert "出生日期与身份证号不一致" in response.content.decode()
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_a_negative_income_is_refused_and_nothing_is_saved(
    caseworker: Client, household: Household
) -> None:
    members = list(
        household.memberships.filter(valid_to__isnull=True).values_list("person_id", flat=True)
    )
    incomes = list(Income.objects.filter(person_id__in=members).values_list("pk", "monthly_amount"))
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(members)),
        "form-INITIAL_FORMS": str(len(members)),
    }
    for index, person in enumerate(members):
        data[f"form-{index}-person_id"] = str(person)
        data[f"form-{index}-wage_income"] = "-100" if index == 0 else "1200.50"
    response = caseworker.post(f"/registry/households/{household.pk}/declaration/", data)
    assert response.status_code == 200
    assert "金额不能为负数" in response.content.decode()
    assert (
        list(Income.objects.filter(person_id__in=members).values_list("pk", "monthly_amount"))
        == incomes
    )
    data["form-0-wage_income"] = "12.345"
    assert (
        "金额最多两位小数"
        in caseworker.post(
            f"/registry/households/{household.pk}/declaration/", data
        ).content.decode()
    )


@pytest.mark.django_db
def test_missing_materials_are_listed_on_the_field_unless_registered_as_incomplete(
    caseworker: Client, household: Household
) -> None:
    applicant = household.memberships.filter(valid_to__isnull=True).first().person_id
    form = {
        "program": "dibao",
        "applicant": str(applicant),
        "channel": "counter",
        "materials": ["application_form"],
    }
    before = Application.objects.count()
    response = caseworker.post(f"/households/{household.pk}/apply/", form)
    text = response.content.decode()
    assert response.status_code == 200
    assert (
        "缺少以下材料（一次性告知）" in text
        and "家庭经济状况核对授权书" in text
        and "承诺书" in text
    )
    assert Application.objects.count() == before
    registered = caseworker.post(
        f"/households/{household.pk}/apply/", {**form, "register_incomplete": "on"}
    )
    assert registered.status_code == 302
    assert Application.objects.count() == before + 1
    assert Application.objects.latest("pk").stage == "awaiting_materials"


PAGES = [
    "/registry/",
    "/registry/?q=H00",
    "/applications/",
    "/documents/public-notice/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_list_pages_run_a_fixed_number_of_queries(
    path: str, caseworker: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        response = caseworker.get(path)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_workbench_runs_a_fixed_number_of_queries(
    caseworker: Client, users: dict[str, User], household: Household
) -> None:
    """Every app's work list on one page: more pending items cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiuzhu.web.cases import actions
    from jiuzhu.web.cases.models import Channel
    from jiuzhu.web.core.programs import Program

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert caseworker.get("/").status_code == 200
        return len(captured)

    before = count()
    others = Household.objects.filter(township_code=household.township_code).order_by("pk")[1:4]
    for other in others:
        applicant = other.memberships.filter(valid_to__isnull=True).first().person
        actions.submit_application(
            users["caseworker"],
            other,
            program=Program.DIBAO,
            applicant=applicant,
            channel=Channel.COUNTER,
            materials=["application_form"],
        )
    assert count() == before <= 25


@pytest.mark.django_db
def test_the_household_page_runs_a_fixed_number_of_queries(
    caseworker: Client, townships: tuple[str, str], django_assert_max_num_queries: Any
) -> None:
    households = Household.objects.filter(township_code=townships[0]).order_by("pk")
    counts = []
    for household in households[:5]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert caseworker.get(f"/registry/households/{household.pk}/").status_code == 200
        counts.append(len(captured))
    # Larger households do not cost more queries.
    assert max(counts) == min(counts) and max(counts) <= 12


@pytest.mark.django_db
def test_a_second_applicant_is_refused(caseworker: Client, household: Household) -> None:
    before = Person.objects.count()
    response = caseworker.post(
        f"/registry/households/{household.pk}/members/new/",
        {
            **MEMBER,
            "relation": "01",
            "resident_id": _valid_id("12022420100304005"),
            "birth_date": "2010-03-04",
        },
    )
    assert "本户已有申请人" in response.content.decode()
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_search_by_id_name_number_and_address(caseworker: Client, household: Household) -> None:
    person = household.memberships.filter(valid_to__isnull=True).first().person
    resident_id = person.resident_id
    link = f"/registry/households/{household.pk}/"
    texts = (
        resident_id,
        resident_id[-4:],
        resident_id[-6:],
        resident_id[-6:].lower(),
        # Full-width digits, as an input method types them.
        resident_id[-6:].translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        person.name,
        person.name[:1],
        household.number,
        household.number.lower(),
        household.address[-5:],
    )
    for text in texts:
        # A whole ID number is posted (issue 12: never in an address); the rest go either way.
        found = caseworker.post("/registry/", {"q": text}).content.decode()
        assert link in found, text
        if text != resident_id:
            assert link in caseworker.get("/registry/", {"q": text}).content.decode(), text
    # A household that has nothing of the text is not found.
    for text in ("000000000000000000", "不存在的姓名", "ZZ-0000"):
        found = caseworker.post("/registry/", {"q": text}).content.decode()
        assert link not in found and "没有符合条件的家庭" in found, text
