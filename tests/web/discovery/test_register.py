"""The low-income population register: kept current from the platform's decisions (entitlements
and applications), idempotent, ended rather than deleted, exported in ``REGISTER_SCHEMA``, and
shown within the jurisdiction only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from jiuzhu.batch.pipelines.discover import REGISTER_SCHEMA
from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.core.programs import Program
from jiuzhu.web.discovery.actions import refresh_register, register_frame
from jiuzhu.web.discovery.models import RegisterCategory, RegisterEntry
from jiuzhu.web.entitlements.models import Entitlement, Status
from jiuzhu.web.registry.models import Household, Person
from tests.web.conftest import PASSWORD
from tests.web.payments.conftest import grant

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 10, 15)


def _members(household: Household) -> set[int]:
    return set(
        household.memberships.filter(valid_to__isnull=True).values_list("person_id", flat=True)
    )


def test_recipients_rejected_applicants_and_exits_enter_the_register(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:4])
    dibao, near = grant(households[:1], start="2025-09", amount=104_500) + grant(
        households[1:2], program="near_dibao", start="2025-08", amount=30_000, prefix="ND"
    )
    (exited,) = grant(households[2:3], start="2025-01", amount=50_000, prefix="EX")
    Entitlement.objects.filter(pk=exited.pk).update(
        status=Status.TERMINATED,
        end_month="2025-07",
        terminated_on=dt.date(2025, 6, 20),
        termination_reason="收入超过低保标准",
    )
    applicant = households[3].memberships.filter(valid_to__isnull=True).first().person
    rejected = Application.objects.create(
        number="SQ-TEST-1",
        program=Program.DIBAO,
        household=households[3],
        applicant=applicant,
        division_code=households[3].division_code,
        channel=Channel.COUNTER,
        stage=Stage.REJECTED,
        decided_on=dt.date(2025, 3, 1),
        created_by=users["caseworker"],
    )
    result = refresh_register(None, today=TODAY)
    assert result.created == sum(len(_members(h)) for h in households)
    entries = RegisterEntry.objects.all()
    by_household = {
        h.pk: set(entries.filter(household=h).values_list("person_id", flat=True))
        for h in households
    }
    assert all(by_household[h.pk] == _members(h) for h in households)
    first = entries.filter(household=households[0]).first()
    assert first.category == RegisterCategory.DIBAO and first.receiving
    assert first.included_on == dt.date(2025, 9, 1) and first.monthly_amount == 104_500
    assert first.entitlement_id == dibao.pk and first.ends_on is None
    assert entries.filter(household=households[1]).first().category == RegisterCategory.NEAR_DIBAO
    gone = entries.filter(household=households[2]).first()
    assert gone.category == RegisterCategory.MONITORED and not gone.receiving
    assert gone.included_on == dt.date(2025, 6, 20) and gone.ends_on == dt.date(2026, 6, 20)
    assert "收入超过低保标准" in gone.reason
    refused = entries.filter(household=households[3]).first()
    assert refused.category == RegisterCategory.MONITORED and refused.application_id == rejected.pk
    assert refused.ends_on == dt.date(2026, 3, 1)

    # A second refresh changes nothing.
    again = refresh_register(None, today=TODAY)
    assert (again.created, again.updated, again.ended) == (0, 0, 0)

    # The near-dibao entitlement ends: its entries end (kept), monitored entries begin.
    Entitlement.objects.filter(pk=near.pk).update(
        status=Status.TERMINATED, end_month="2025-11", terminated_on=TODAY
    )
    later = refresh_register(None, today=TODAY)
    assert later.ended == len(_members(households[1]))
    assert later.created == len(_members(households[1]))
    ended = RegisterEntry.objects.filter(household=households[1], category="near_dibao")
    assert all(e.ends_on == TODAY and not e.receiving for e in ended)

    # The frame the batch reads: REGISTER_SCHEMA, keyed by household number and resident ID.
    frame = register_frame(today=TODAY)
    assert frame.schema == REGISTER_SCHEMA
    assert households[0].number in frame["household_id"].to_list()
    assert frame.height == RegisterEntry.objects.filter(ends_on__isnull=True).count() + (
        RegisterEntry.objects.filter(ends_on__gt=TODAY).count()
    )


def test_a_confirmed_decision_updates_the_register(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    from jiuzhu.web.cases import actions as cases
    from jiuzhu.web.cases.models import Opinion

    household = Household.objects.filter(township_code=townships[0]).order_by("pk")[5]
    applicant = household.memberships.filter(valid_to__isnull=True).first().person
    application = Application.objects.create(
        number="SQ-TEST-2",
        program=Program.DIBAO,
        household=household,
        applicant=applicant,
        division_code=household.division_code,
        channel=Channel.COUNTER,
        stage=Stage.DISTRICT_CONFIRMATION,
        proposed_outcome=Opinion.REJECT,
        proposed_reasons="收入超过标准",
        proposed_by=users["officer"],
        created_by=users["caseworker"],
    )
    cases.confirm_decision(users["officer2"], application)
    entries = RegisterEntry.objects.filter(household=household)
    assert set(entries.values_list("person_id", flat=True)) == _members(household)
    assert set(entries.values_list("category", flat=True)) == {RegisterCategory.MONITORED}


def test_the_register_page_filters_within_the_jurisdiction(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    own = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    other = Household.objects.filter(township_code=townships[1]).order_by("pk").first()
    grant([own, other], start="2025-09", amount=104_500)
    grant(
        [own],
        program="near_dibao",
        start="2025-09",
        amount=30_000,
        prefix="ND",
        with_accounts=False,
    )
    refresh_register(None, today=TODAY)
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get("/discovery/register/").content.decode()
    assert own.number in page and other.number not in page
    page = client.get("/discovery/register/", {"category": "near_dibao"}).content.decode()
    assert "低保边缘家庭成员" in page and "低保对象" not in page.split('id="register"')[1]
    page = client.get("/discovery/register/", {"current": "0"}).content.decode()
    assert own.number not in page
    # ID numbers are masked.
    person = own.memberships.filter(valid_to__isnull=True).first().person
    page = client.get("/discovery/register/", {"q": own.number}).content.decode()
    assert person.resident_id not in page and person.resident_id[:6] + "********" in page


def test_a_register_file_is_imported_and_feeds_the_run(
    district_folder: Any, users: dict[str, User]
) -> None:
    """The synthetic district's ``register.parquet`` (REGISTER_SCHEMA): imported once (a second
    import updates, creates nothing), left alone by a refresh from the platform's decisions,
    and read by the discovery run (signals about recipients fire)."""
    import polars as pl

    from jiuzhu.web.discovery.actions import import_register, run_discovery
    from jiuzhu.web.discovery.models import Alert

    path = district_folder / "register.parquet"
    rows = pl.read_parquet(path).height
    first = import_register(None, path, today=TODAY)
    assert first.created + first.ended == rows and first.created > 0
    again = import_register(None, path, today=TODAY)
    assert again.created == 0 and again.updated == first.created
    refreshed = refresh_register(None, today=TODAY)
    assert refreshed.ended == 0
    frame = register_frame(today=TODAY)
    assert frame.schema == REGISTER_SCHEMA and frame.height > 0
    with pytest.raises(PermissionDenied):
        import_register(users["caseworker"], path)
    run = run_discovery(None, "2025-10", folder=district_folder / "feeds")
    assert run.register_size == refreshed.current
    signals = set(Alert.objects.values_list("signal", flat=True))
    assert signals & {"REVIEW_DUE", "AGE_MILESTONE", "ASSET_REGISTERED", "UNCLAIMED_ASSISTANCE"}


def test_the_register_page_counts_people_and_lists_each_person_once(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    """A person in the register for two reasons (here a dibao and a near-dibao entitlement) is
    one person: counted once, listed once with both reasons; the township filter offers each
    township once."""
    own = Household.objects.filter(township_code=townships[0]).order_by("pk")[:2]
    other = Household.objects.filter(township_code=townships[1]).order_by("pk").first()
    grant([*own, other], start="2025-09", amount=104_500)
    grant(
        [own[0]],
        program="near_dibao",
        start="2025-09",
        amount=30_000,
        prefix="ND",
        with_accounts=False,
    )
    refresh_register(None, today=TODAY)
    members = _members(own[0]) | _members(own[1])
    entries = RegisterEntry.objects.filter(household__in=own, ends_on__isnull=True).count()
    assert entries == len(_members(own[0])) * 2 + len(_members(own[1]))
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get("/discovery/register/").content.decode()
    counts = page.split('id="register-counts"')[1].split("</p>")[0]
    assert f"共 {len(members)} 人" in counts and "2 户" in counts
    assert f"低保对象 {len(members)}" in counts
    assert f"低保边缘家庭成员 {len(_members(own[0]))}" in counts
    table = page.split('id="register"')[1]
    person = Person.objects.get(pk=next(iter(_members(own[0]))))
    cells = (
        f"<td>{person.name}</td>\n    "
        f"<td>{person.resident_id[:6]}********{person.resident_id[-4:]}</td>"
    )
    assert table.count(cells) == 1  # one row for the person …
    row = table.split(cells)[1].split("</tr>")[0]
    assert "低保对象" in row and "低保边缘家庭成员" in row  # … with both reasons
    # The district sees every township once in the filter.
    assert client.login(username="officer", password=PASSWORD)
    page = client.get("/discovery/register/").content.decode()
    select = page.split('name="township"')[1].split("</select>")[0]
    for code in townships:
        assert select.count(f'value="{code}"') == 1
    # Filtering by category counts the people of that category.
    page = client.get("/discovery/register/", {"category": "near_dibao"}).content.decode()
    counts = page.split('id="register-counts"')[1].split("</p>")[0]
    assert f"共 {len(_members(own[0]))} 人" in counts
    # Odd input: no server error.
    for query in ({"page": "NaN"}, {"township": "x" * 300}, {"q": "１２３"}, {"current": "2"}):
        assert client.get("/discovery/register/", query).status_code == 200


def test_a_child_welfare_entitlement_flags_the_orphan_allowance_and_not_low_income(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    """A child's allowance is not a category of the register: the child is monitored with the
    orphan allowance flagged (discovery's missing-allowance check then leaves them alone, and a
    parent's change raises the child's review); a refused funeral claim says nothing of low
    income and enters nobody."""
    household, other = Household.objects.filter(township_code=townships[0]).order_by("pk")[:2]
    child = household.memberships.filter(valid_to__isnull=True).first().person
    (welfare,) = grant([household], program="child_welfare", start="2025-09", prefix="GE")
    Entitlement.objects.filter(pk=welfare.pk).update(person=child)
    Application.objects.create(
        number="SZ-TEST-1",
        program=Program.FUNERAL,
        household=other,
        applicant=other.memberships.filter(valid_to__isnull=True).first().person,
        division_code=other.division_code,
        channel=Channel.COUNTER,
        stage=Stage.REJECTED,
        decided_on=dt.date(2025, 3, 1),
        created_by=users["caseworker"],
    )
    refresh_register(None, today=TODAY)
    (entry,) = RegisterEntry.objects.all()
    assert entry.person_id == child.pk and entry.orphan_allowance
    assert entry.category == RegisterCategory.MONITORED and not entry.receiving
    frame = register_frame(today=TODAY)
    assert frame.schema == REGISTER_SCHEMA and frame["orphan_allowance"].to_list() == [True]
    # Ended, the flag goes with the entry; a second refresh changes nothing.
    assert refresh_register(None, today=TODAY).updated == 0
    Entitlement.objects.filter(pk=welfare.pk).update(status=Status.SUSPENDED)
    assert refresh_register(None, today=TODAY).updated == 1
    assert not RegisterEntry.objects.get().orphan_allowance


def test_a_children_in_hardship_entitlement_flags_its_allowance_and_keeps_it_in_step(
    townships: tuple[str, str],
) -> None:
    """The platform pays the children-in-hardship allowance itself: a payable entitlement flags
    the child's entry (and only this allowance), a suspension clears the flag, a resumption sets
    it again, and the frame discovery reads carries it."""
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    child = household.memberships.filter(valid_to__isnull=True).first().person
    (allowance,) = grant([household], program="children_in_hardship", start="2025-09", prefix="KJ")
    Entitlement.objects.filter(pk=allowance.pk).update(person=child)
    refresh_register(None, today=TODAY)
    (entry,) = RegisterEntry.objects.all()
    assert entry.person_id == child.pk and entry.children_in_hardship_allowance
    assert not entry.orphan_allowance and not entry.receiving
    assert entry.category == RegisterCategory.MONITORED
    frame = register_frame(today=TODAY)
    assert frame.schema == REGISTER_SCHEMA
    assert frame["children_in_hardship_allowance"].to_list() == [True]
    assert frame["orphan_allowance"].to_list() == [False]
    assert refresh_register(None, today=TODAY).updated == 0
    Entitlement.objects.filter(pk=allowance.pk).update(status=Status.SUSPENDED)
    assert refresh_register(None, today=TODAY).updated == 1
    assert not RegisterEntry.objects.get().children_in_hardship_allowance
    Entitlement.objects.filter(pk=allowance.pk).update(status=Status.ACTIVE)
    assert refresh_register(None, today=TODAY).updated == 1
    assert RegisterEntry.objects.get().children_in_hardship_allowance
