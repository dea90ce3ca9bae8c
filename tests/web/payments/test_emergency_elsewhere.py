"""Temporary assistance where the emergency happened (急难发生地实施临时救助): a township helps a
resident of another township of the district first, numbers, handles and pays the application
from its own reserve fund; the household's township sees it listed; only temporary assistance
may be handled away from the household; the look-up by ID number is audited and shows only what
the help needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.actions import complete_materials, submit_application
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.cases.queries import applications_for
from jiuzhu.web.core.clock import today
from jiuzhu.web.core.masking import mask_name
from jiuzhu.web.payments import oneoff
from jiuzhu.web.payments.models import OneOffPayment
from jiuzhu.web.registry.models import Household, Person
from tests.web.conftest import ON, PASSWORD, make_user
from tests.web.test_workflow import MATERIALS

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _resident(township: str) -> tuple[Household, Person]:
    household = (
        Household.objects.filter(township_code=township, applications__isnull=True)
        .order_by("pk")
        .first()
    )
    assert household is not None
    membership = household.memberships.filter(valid_to__isnull=True).first()
    assert membership is not None
    return household, membership.person


def test_the_township_of_the_emergency_helps_from_its_own_fund(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    home, elsewhere = townships
    household, person = _resident(home)
    fund = oneoff.set_reserve_fund(
        users["officer"], elsewhere, today().year, amount=100_000, registered_residents=1_000
    )
    application, payment = oneoff.help_first(
        users["outsider"],
        household,
        applicant=person,
        emergency="在本镇集市突发急病，无钱就医",
        amount=50_000,
        form="cash",
        persons=1,
        handled_in=elsewhere,
    )
    assert application.division_code == elsewhere
    assert f"-{elsewhere}-" in application.number
    assert payment.fund == fund and payment.division_code == elsewhere
    assert oneoff.fund_balance(fund) == 50_000
    # The township that helped handles the follow-up; the household's own township does not.
    assert applications_for(users["outsider"]).filter(pk=application.pk).exists()
    assert not applications_for(users["caseworker"]).filter(pk=application.pk).exists()
    complete_materials(users["outsider"], application, ["application_form"])
    with pytest.raises(PermissionDenied):
        complete_materials(users["caseworker"], application, ["application_form"])


def test_only_temporary_assistance_and_only_in_ones_own_township(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    home, elsewhere = townships
    household, person = _resident(home)
    with pytest.raises(ValidationError, match="只有临时救助"):
        submit_application(
            users["outsider"],
            household,
            program="dibao",
            applicant=person,
            channel="counter",
            materials=[],
            handled_in=elsewhere,
        )
    with pytest.raises(PermissionDenied):
        # A township may not register aid in a township it does not cover.
        oneoff.help_first(
            users["caseworker"],
            _resident(elsewhere)[0],
            applicant=_resident(elsewhere)[1],
            emergency="火灾",
            amount=10_000,
            form="cash",
            handled_in=elsewhere,
        )
    for name in ("officer", "community", "auditor"):
        with pytest.raises(PermissionDenied):
            oneoff.help_first(
                users[name],
                household,
                applicant=person,
                emergency="火灾",
                amount=10_000,
                form="cash",
                handled_in=elsewhere,
            )
    assert not Application.objects.exists() and not OneOffPayment.objects.exists()


def test_the_page_finds_the_resident_by_id_and_helps(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household, person = _resident(townships[0])
    client = _client("outsider")
    assert client.get("/payments/emergency/").status_code == 200
    found = client.post("/payments/emergency/", {"resident_id": person.resident_id})
    page = found.content.decode()
    assert found.status_code == 200 and mask_name(person.name) in page
    assert person.name not in page or len(person.name) == 1
    assert 'id="home-township"' in page and household.number not in page
    lookup = AuditEvent.objects.get(action="payments.emergency_lookup")
    assert lookup.user == users["outsider"] and lookup.household_id == household.pk
    helped = client.post(
        "/payments/emergency/",
        {
            "resident_id": person.resident_id,
            "applicant": person.pk,
            "emergency": "在本镇遭遇车祸",
            "persons": "1",
            "form": "cash",
            "amount": "500",
        },
    )
    application = Application.objects.get(household=household)
    assert helped.status_code == 302 and helped["Location"] == f"/applications/{application.pk}/"
    assert application.fast_path and application.stage == Stage.AWAITING_MATERIALS
    shown = client.get(helped["Location"]).content.decode()
    assert 'id="home-township"' in shown and f"/registry/households/{household.pk}/" not in shown
    # The household's own township sees it on the household, named by who handles it.
    listed = _client("caseworker").get(f"/registry/households/{household.pk}/").content.decode()
    assert application.number in listed and f"/applications/{application.pk}/" not in listed
    assert _client("caseworker").get(f"/applications/{application.pk}/").status_code == 404


def test_a_resident_of_ones_own_township_or_of_nowhere(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household, person = _resident(townships[0])
    client = _client("caseworker")
    own = client.post("/payments/emergency/", {"resident_id": person.resident_id})
    assert own.status_code == 302
    assert own["Location"] == f"/payments/households/{household.pk}/help-first/"
    stranger = client.post("/payments/emergency/", {"resident_id": "11010519491231002X"})
    assert 'id="not-registered"' in stranger.content.decode()
    bad = client.post("/payments/emergency/", {"resident_id": "1201"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert not AuditEvent.objects.filter(action="payments.emergency_lookup").exists()
    for name in ("officer", "community", "auditor"):
        assert _client(name).get("/payments/emergency/").status_code == 403


def test_the_township_of_the_emergency_completes_the_paperwork_to_the_decision(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    home, elsewhere = townships
    head = make_user("head2", Role.TOWNSHIP_HEAD, elsewhere)
    household, person = _resident(home)
    application, _payment = oneoff.help_first(
        users["outsider"],
        household,
        applicant=person,
        emergency="在本镇务工时受伤",
        amount=30_000,
        form="cash",
        persons=1,
        handled_in=elsewhere,
    )
    complete_materials(users["outsider"], application, MATERIALS)
    cases.verify(users["outsider"], application)
    cases.record_home_visit(
        users["outsider"],
        application,
        visited_on=ON,
        staff=["王经办", "刘协理"],
        findings="情况属实",
        applicant_signed=True,
    )
    cases.give_township_opinion(head, application, opinion="approve", note="符合急难型条件")
    application.refresh_from_db()
    if application.stage == Stage.PUBLIC_NOTICE:
        settings.JIUZHU = {
            **settings.JIUZHU,
            "TODAY": (application.notice_ends_on + dt.timedelta(days=1)).isoformat(),
        }
        cases.close_public_notice(users["outsider"], application)
        application.refresh_from_db()
    assert application.stage == Stage.DISTRICT_CONFIRMATION
    cases.propose_decision(
        users["officer"], application, outcome="approve", monthly_amount=30_000, reasons="属实"
    )
    cases.confirm_decision(users["officer2"], application)
    application.refresh_from_db()
    assert application.stage == Stage.APPROVED and application.division_code == elsewhere
    # Paid once already, by help first: nothing more to pay.
    with pytest.raises(ValidationError, match="已发放"):
        oneoff.pay_once(users["outsider"], application, form="cash")
