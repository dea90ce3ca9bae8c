"""Programs whose applications give the rules facts of their own (``Program.application_inputs``):
funeral assistance from a member's recorded death, heating assistance with the season's fee,
a medical settlement with its own costs and the year's running total, temporary assistance of
the expenditure type through the ordinary procedure. Each is applied for at the counter,
assessed with those facts, decided without public notice and paid once; bad input is refused
field by field and writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.assessment import aid_decided_this_year, program_result
from jiuzhu.web.cases.materials import required_materials
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.payments import oneoff
from jiuzhu.web.payments.models import OneOffPayment
from jiuzhu.web.registry import membership as members
from jiuzhu.web.registry.models import Household, Person
from tests.web.conftest import ON, PASSWORD
from tests.web.test_workflow import MATERIALS, eligible_household

pytestmark = pytest.mark.django_db


def _today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def _applicant(household: Household) -> Person:
    return household.memberships.filter(valid_to__isnull=True, relation="01").first().person  # type: ignore[union-attr]


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _decide(users: dict[str, User], settings: Any, application: Application) -> Application:
    """Verified, the township approves (no public notice for these programs), the district
    confirms the assessed amount."""
    cases.verify(users["caseworker"], application)
    cases.record_home_visit(
        users["caseworker"],
        application,
        visited_on=ON,
        staff=["王经办", "刘协理"],
        findings="情况属实",
        applicant_signed=True,
    )
    cases.give_township_opinion(users["head"], application, opinion="approve", note="符合条件")
    application.refresh_from_db()
    assert application.stage == Stage.DISTRICT_CONFIRMATION and not application.notice_starts_on
    cases.propose_decision(
        users["officer"],
        application,
        outcome="approve",
        monthly_amount=cases.default_amount(application),
        reasons="符合",
    )
    _today(settings, ON + dt.timedelta(days=1))
    cases.confirm_decision(users["officer2"], application)
    application.refresh_from_db()
    return application


def test_a_funeral_claim_opened_from_a_recorded_death_is_decided_and_paid_once(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    household = eligible_household(townships[0])
    applicant = _applicant(household)
    membership = (
        household.memberships.filter(valid_to__isnull=True).exclude(person=applicant).first()
    )
    assert membership is not None
    died_on = ON - dt.timedelta(days=20)
    decedent = members.record_death(users["caseworker"], membership, died_on=died_on)
    caseworker = _client(users["caseworker"])
    household_page = caseworker.get(f"/registry/households/{household.pk}/").content.decode()
    link = f"/households/{household.pk}/apply/?program=funeral&amp;decedent={decedent.pk}&amp;"
    assert link in household_page
    url = f"/households/{household.pk}/apply/"
    page = caseworker.get(f"{url}?program=funeral&decedent={decedent.pk}&status=none")
    html = page.content.decode()
    assert 'id="inputs-funeral"' in html and 'id="from-death"' in html
    assert f'value="{decedent.died_on.isoformat()}"' in html
    response = caseworker.post(
        url,
        {
            "program": "funeral",
            "applicant": str(applicant.pk),
            "channel": "counter",
            "materials": [*MATERIALS, "death_certificate"],
            "decedent_died_on": decedent.died_on.isoformat(),
            "decedent_cremated_on": (ON - dt.timedelta(days=17)).isoformat(),
            "decedent_status": "dibao",
            "decedent_eco_burial": "on",
            # Another program's field, typed and then not chosen, is ignored.
            "heating_fee": "not a number",
        },
    )
    assert response.status_code == 302, response.content.decode()
    application = Application.objects.get(household=household, program="funeral")
    assert application.number.startswith(f"SZ{ON.year}-")
    assert application.program_inputs == {
        "decedent_died_on": decedent.died_on.isoformat(),
        "decedent_cremated_on": (ON - dt.timedelta(days=17)).isoformat(),
        "decedent_status": "dibao",
        "decedent_other_funeral_grant": False,
        "decedent_cremated_outside_tianjin": False,
        "decedent_eco_burial": True,
    }
    # No means test: the declaration and the authorisation are not asked for, and verification
    # queries no department (the claim is assessed on the register).
    assert required_materials("funeral", "counter", False) == [
        "application_form",
        "truthfulness_undertaking",
        "death_certificate",
    ]
    application = _decide(users, settings, application)
    assert not application.verification_runs.exists()
    # 1,800 residents' subsidy + eco-burial reward 1,000 + basic-service subsidy 1,420.
    assert application.stage == Stage.APPROVED and application.monthly_amount == 422_000
    page = caseworker.get(f"/applications/{application.pk}/").content.decode()
    assert "逝者火化日期" in page and "4,220.00" in page and "元（一次性）" in page
    payment = oneoff.pay_once(users["caseworker"], application, form="cash")
    assert payment.amount == 422_000 and payment.fund is None and payment.program == "funeral"
    # The month's summary counts it among the payments made once, page and workbook.
    officer = _client(users["officer"])
    summary = officer.get(f"/payments/summary/?month={ON:%Y-%m}").content.decode()
    table = summary[summary.index('id="one-off-summary"') :]
    assert "丧葬救助" in table and "4,220.00" in table
    workbook = load_workbook(
        io.BytesIO(officer.get(f"/payments/summary/?month={ON:%Y-%m}&format=xlsx").content)
    )
    rows = [r for r in workbook.active.iter_rows(values_only=True) if "丧葬救助" in r]
    assert rows and rows[0][-1] == 4220


def test_heating_assistance_follows_the_season_fee(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    household = eligible_household(townships[0])
    application = cases.submit_application(
        users["caseworker"],
        household,
        program="heating",
        applicant=_applicant(household),
        channel="counter",
        materials=MATERIALS,
        inputs={"central_heating": True, "heating_fee": "1,000.00"},
    )
    assert application.number.startswith("QN")
    assert application.program_inputs["heating_fee"] == 100_000
    application = _decide(users, settings, application)
    # A centrally heated dibao home: 60 % of the fee (at most 750 yuan).
    assert application.monthly_amount == 60_000


def test_bad_inputs_are_refused_by_name_and_nothing_is_written(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    before = Application.objects.count()
    with pytest.raises(ValidationError) as refused:
        cases.submit_application(
            users["caseworker"],
            household,
            program="funeral",
            applicant=_applicant(household),
            channel="counter",
            materials=MATERIALS,
            inputs={
                "decedent_died_on": "31/02/2025",
                "decedent_status": "mayor",
                "heating_fee": 5,
            },
        )
    errors = refused.value.message_dict
    assert set(errors) == {"decedent_died_on", "decedent_status", "heating_fee"}
    assert "2025-01-31" in errors["decedent_died_on"][0]
    caseworker = _client(users["caseworker"])
    response = caseworker.post(
        f"/households/{household.pk}/apply/",
        {
            "program": "heating",
            "applicant": str(_applicant(household).pk),
            "channel": "counter",
            "materials": MATERIALS,
            "central_heating": "on",
            "heating_fee": "-300",
        },
    )
    assert response.status_code == 200 and "金额不能为负数" in response.content.decode()
    assert Application.objects.count() == before


def test_temporary_assistance_of_the_expenditure_type_through_the_ordinary_procedure(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    application = cases.submit_application(
        users["caseworker"],
        household,
        program="temporary_assistance",
        applicant=_applicant(household),
        channel="counter",
        materials=MATERIALS,
        inputs={
            "temporary_assistance_type": "expenditure",
            "expenditure_beyond_means": True,
            "temporary_assistance_requested": "2000",
        },
    )
    assert application.number.startswith("LS") and not application.fast_path
    cases.verify(users["caseworker"], application)
    result = program_result(application.assessments.first(), application)  # type: ignore[arg-type]
    # The expenditure type compares income with last year's per-capita disposable income,
    # unknown for 2024 until the bureau enters it as a local value: undetermined, saying why.
    assert result is not None and result.status is None and "参数未知待定" in result.reasons
    assert "支出型" in application.assessments.first().explanation  # type: ignore[union-attr]


def test_a_medical_settlement_counts_the_aid_already_decided_this_year(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    household = eligible_household(townships[0])
    applicant = _applicant(household)
    first = cases.submit_application(
        users["caseworker"],
        household,
        program="medical_assistance",
        applicant=applicant,
        channel="counter",
        materials=[*MATERIALS, "settlement_statement"],
        inputs={"medical_own_costs": "12000"},
    )
    assert first.number.startswith("YL")
    cases.verify(users["caseworker"], first)
    assessment = first.assessments.first()
    assert assessment is not None
    result = program_result(assessment, first)
    # A dibao member is covered; the 2025 ratios are unknown, so the amount waits (待定).
    assert result is not None and result.status is True and result.amount is None
    assert "救助金额待定" in assessment.explanation
    page = _client(users["caseworker"]).get(f"/applications/{first.pk}/").content.decode()
    assert "本次政策范围内个人自付医疗费用" in page and "12,000.00" in page
    Application.objects.filter(pk=first.pk).update(
        stage=Stage.APPROVED, decided_on=ON, monthly_amount=300_000
    )
    second = Application(program="medical_assistance", applicant=applicant, pk=-1)
    assert aid_decided_this_year(second, ON) == 300_000
    assert aid_decided_this_year(second, ON.replace(year=ON.year + 1)) == 0
    assert not OneOffPayment.objects.exists()
