"""Registry upkeep at the counter: a household registered for a person not in the registry, a
member's facts edited, moves, a death, living apart, a new applicant, a duplicate merged — each
kept in the history, each refusing what the registry forbids, and each opening the matching
check where the household has an open application or an entitlement in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiuzhu.feeds.ids import check_character
from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Channel, Stage
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.transitions import NotPermitted, Refused
from jiuzhu.web.entitlements.models import ReviewTask, TaskKind, TaskStatus
from jiuzhu.web.registry import membership, upkeep
from jiuzhu.web.registry.models import Household, Income, Membership, Person, Source
from tests.web.conftest import ON, PASSWORD
from tests.web.entitlements.conftest import make_entitlement
from tests.web.test_workflow import MATERIALS, eligible_household


def new_id(first17: str) -> str:
    return first17 + check_character(first17)


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def community_of(township: str) -> str:
    code = Household.objects.filter(township_code=township).values_list("division_code", flat=True)[
        0
    ]
    return str(code)


def applicant_data(number: str, name: str = "孙新户") -> dict[str, Any]:
    return {
        "resident_id": number,
        "name": name,
        "birth_date": dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        "disability_category": "none",
        "disability_grade": None,
    }


@pytest.mark.django_db
def test_a_person_not_in_the_registry_is_registered_at_the_counter(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    client = login("caseworker")
    number = new_id("12022419800101301")
    # A whole ID is posted, never in an address (issue 12), and so is it carried over.
    empty = client.post("/registry/", {"q": number}).content.decode()
    assert "没有符合条件的家庭" in empty and "登记新家庭" in empty
    form = client.post("/registry/households/new/", {"search": number}).content.decode()
    assert number in form  # the searched ID is carried over
    response = client.post(
        "/registry/households/new/",
        {
            "h-division_code": community_of(townships[0]),
            "h-address": "天津市宝坻区某村1号",
            "h-area_type": "rural",
            "h-homes": "1",
            "h-floor_area": "90",
            "p-resident_id": number.lower(),
            "p-name": "孙新户",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get(sealed_match("memberships__person__resident_id", number))
    assert response["Location"] == f"/registry/households/{household.pk}/"
    assert household.per_capita_floor_area == Decimal("90.00")
    applicant = household.memberships.get()
    assert applicant.relation == "01" and applicant.person.birth_date == dt.date(1980, 1, 1)
    assert AuditEvent.objects.filter(action="registry.register_household").exists()
    # The same person cannot head a second household; the message names the first.
    again = client.post(
        "/registry/households/new/",
        {
            "h-division_code": community_of(townships[0]),
            "h-address": "另一地址",
            "h-area_type": "rural",
            "h-homes": "0",
            "p-resident_id": number,
            "p-name": "孙新户",
        },
    )
    assert again.status_code == 400
    assert household.number in again.content.decode()
    assert (
        Household.objects.filter(sealed_match("memberships__person__resident_id", number)).count()
        == 1
    )


@pytest.mark.django_db
def test_a_township_registers_only_in_its_own_communities(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    with pytest.raises(NotPermitted):
        upkeep.register_household(
            users["caseworker"],
            household={"division_code": community_of(townships[1]), "area_type": "urban"},
            applicant=applicant_data(new_id("12022419800101302")),
        )
    client = login("caseworker")
    page = client.get("/registry/households/new/").content.decode()
    assert community_of(townships[1]) not in page
    assert login("auditor").get("/registry/households/new/").status_code == 403


@pytest.mark.django_db
def test_a_member_edit_is_kept_in_the_history_with_labels(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = Household.objects.filter(township_code=townships[0]).first()
    member = household.memberships.filter(valid_to__isnull=True).exclude(relation="01").first()
    assert member is not None
    client = login("caseworker")
    page = client.get(f"/registry/households/{household.pk}/members/{member.pk}/edit/")
    assert page.status_code == 200
    person = member.person
    response = client.post(
        f"/registry/households/{household.pk}/members/{member.pk}/edit/",
        {
            "resident_id": person.resident_id,
            "name": person.name,
            "relation": member.relation,
            "disability_category": "physical",
            "disability_grade": "2",
            "serious_illness": "none",
            "student_level": person.student_level,
            "self_care": "partial_loss",
            "work_capacity": "full_loss",
            "marital_status": "20",
            "employment": "not_working",
            "hukou_tianjin": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.disability_category, person.disability_grade) == ("physical", 2)
    event = AuditEvent.objects.filter(action="registry.update_member").latest("pk")
    assert event.after["disability_category"] == "physical"
    history = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert "disability_category" not in history and "完全丧失劳动能力" in history


@pytest.mark.django_db
def test_moving_out_recomputes_the_per_capita_floor_area(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = upkeep.register_household(
        users["caseworker"],
        household={
            "division_code": community_of(townships[0]),
            "area_type": "urban",
            "floor_area": Decimal("80"),
        },
        applicant=applicant_data(new_id("12022419700101303")),
    )
    child = membership.add_member(
        users["caseworker"],
        household,
        relation="20",
        on=ON - dt.timedelta(days=30),
        **applicant_data(new_id("12022420000101305"), "孙子"),
    )
    household.refresh_from_db()
    assert household.per_capita_floor_area == Decimal("40.00")
    with pytest.raises(ValidationError, match="更换申请人"):
        membership.move_out(
            users["caseworker"],
            household.memberships.get(relation="01"),
            on=ON,
            reason="迁往外地",
        )
    membership.move_out(
        users["caseworker"], household.memberships.get(person=child), on=ON, reason="婚后迁出"
    )
    household.refresh_from_db()
    assert household.per_capita_floor_area == Decimal("80.00")
    ended = household.memberships.get(person=child)
    assert ended.valid_to == ON - dt.timedelta(days=1)
    # Back in later: the registered person moves in again, no second record.
    membership.add_member(
        users["caseworker"], household, relation="20", **applicant_data(child.resident_id, "孙子")
    )
    assert Person.objects.filter(sealed_match("resident_id", child.resident_id)).count() == 1


@pytest.mark.django_db
def test_a_death_in_an_entitled_household_opens_the_death_check(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    entitlement = make_entitlement(household)
    member = household.memberships.filter(valid_to__isnull=True).exclude(relation="01").first()
    assert member is not None, "an eligible household with more than one member"
    membership.record_death(users["caseworker"], member, died_on=ON - dt.timedelta(days=5))
    task = ReviewTask.objects.get(entitlement=entitlement, kind=TaskKind.DEATH_CHECK)
    assert task.status == TaskStatus.OPEN and task.person_id == member.person_id
    assert task.due_on == dt.date(2026, 1, 10)  # 3 months after the death
    member.refresh_from_db()
    assert member.valid_to is not None and member.person.died_on == ON - dt.timedelta(days=5)


@pytest.mark.django_db
def test_a_change_after_the_assessment_waits_for_a_reassessment(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    applicant = household.memberships.get(valid_to__isnull=True, relation="01").person
    application = cases.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=applicant,
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )
    cases.verify(users["caseworker"], application)
    cases.record_home_visit(
        users["caseworker"],
        application,
        visited_on=ON,
        staff=["王经办", "刘协理"],
        findings="属实",
        applicant_signed=True,
    )
    upkeep.update_household(users["caseworker"], household, vehicles=household.vehicles + 1)
    application.refresh_from_db()
    assert application.reassessment_due and "修改家庭" in application.reassessment_note
    with pytest.raises(Refused, match="重新评估"):
        cases.give_township_opinion(users["head"], application, opinion="reject", note="有车")
    before = application.assessments.count()
    cases.reassess(users["caseworker"], application)
    application.refresh_from_db()
    assert not application.reassessment_due
    assert application.assessments.count() == before + 1
    assert application.stage == Stage.TOWNSHIP_REVIEW


@pytest.mark.django_db
def test_a_duplicate_person_is_merged_into_one(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = upkeep.register_household(
        users["caseworker"],
        household={"division_code": community_of(townships[0]), "area_type": "urban"},
        applicant=applicant_data(new_id("12022419600101307")),
    )
    typo = membership.add_member(
        users["caseworker"], household, relation="10", **applicant_data(new_id("12022419610101308"))
    )
    right = Person.objects.create(
        resident_id=new_id("12022419610101309"),
        name="孙配偶",
        sex="2",
        birth_date=dt.date(1961, 1, 1),
    )
    Income.objects.create(
        person=right, component="wage_income", monthly_amount=50_000, source=Source.VERIFIED
    )
    kept = membership.merge_persons(users["caseworker"], right, typo, reason="身份证号录入错误")
    assert not Person.objects.filter(pk=typo.pk).exists()
    assert Membership.objects.get(household=household, relation="10").person == kept
    assert kept.incomes.count() == 1
    assert AuditEvent.objects.filter(action="registry.merge_persons").exists()


ODD = [
    "",
    "NaN",
    "1e400",
    "-1",
    "１２３",
    "١٢٠٢٢٤١٩٨٠٠١٠١٣٠١٣",
    "张\u200b三",
    "9" * 300,
    "2025-13-45",
    "<script>",
]


@pytest.mark.django_db
def test_no_input_to_the_upkeep_forms_gives_a_server_error(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = Household.objects.filter(township_code=townships[0]).first()
    member = household.memberships.filter(valid_to__isnull=True).first()
    client = login("caseworker")
    forms = {
        "/registry/households/new/": [
            "h-division_code",
            "h-address",
            "h-area_type",
            "h-homes",
            "h-floor_area",
            "p-resident_id",
            "p-name",
            "p-birth_date",
            "p-disability_grade",
        ],
        f"/registry/households/{household.pk}/edit/": [
            "division_code",
            "floor_area",
            "vehicles",
            "business_capital",
            "rigid_medical_expenditure",
        ],
        f"/registry/households/{household.pk}/members/new/": [
            "resident_id",
            "name",
            "relation",
            "on",
            "birth_date",
        ],
        f"/registry/households/{household.pk}/members/{member.pk}/edit/": [
            "resident_id",
            "birth_date",
            "relation",
            "disability_grade",
        ],
        f"/registry/households/{household.pk}/members/{member.pk}/move_out/": ["on", "reason"],
        f"/registry/households/{household.pk}/members/{member.pk}/death/": ["died_on"],
        f"/registry/households/{household.pk}/members/{member.pk}/absence/": ["reason", "since"],
        f"/registry/households/{household.pk}/members/{member.pk}/merge/": [
            "other_resident_id",
            "keep",
        ],
        f"/registry/households/{household.pk}/applicant/": ["applicant"],
    }
    for url, fields in forms.items():
        for value in ODD:
            response = client.post(url, dict.fromkeys(fields, value))
            assert response.status_code in (200, 302, 400), (url, value, response.status_code)
    member.refresh_from_db()
    assert member.valid_to is None  # nothing odd ended the membership
