"""A program plugged into the rules' registry (the toy old-age allowance of
tests/fixtures/toy_program) is applied for at the counter, numbered with its own prefix, decided
with its amount, paid by the monthly payroll and listed by a batch assessment's results page and
workbook, with no change to the platform."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from jiuzhu.rules import registry
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core.programs import (
    PROGRAM_LABELS,
    Program,
    number_prefix,
    payroll_choices,
    program_choices,
)
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.jobs.actions import start_batch_assessment
from jiuzhu.web.jobs.models import AssessedHousehold, Result
from jiuzhu.web.payments import actions as payments
from jiuzhu.web.payments.models import Kind
from tests.fixtures.toy_program import TOY_PROGRAM
from tests.web.conftest import ON, PASSWORD
from tests.web.test_workflow import MATERIALS, eligible_household


@pytest.fixture
def toy() -> Iterator[registry.Program]:
    """The toy program plugged in for one test, unplugged after it whatever happens."""
    with registry.plugged_in(TOY_PROGRAM) as plugin:
        yield plugin


def _today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def _approve(users: dict[str, User], settings: Any, application: Application) -> Application:
    """The application from acceptance to the district's approval at its default amount."""
    cases.verify(users["caseworker"], application)
    cases.record_home_visit(
        users["caseworker"],
        application,
        visited_on=ON,
        staff=["王经办", "刘协理"],
        findings="家中确有困难",
        applicant_signed=True,
    )
    cases.give_township_opinion(users["head"], application, opinion="approve", note="符合条件")
    _today(settings, ON + dt.timedelta(days=8))
    cases.close_public_notice(users["caseworker"], application)
    application.refresh_from_db()
    cases.propose_decision(
        users["officer"],
        application,
        outcome="approve",
        monthly_amount=cases.default_amount(application),
        reasons="符合",
    )
    _today(settings, ON + dt.timedelta(days=9))
    cases.confirm_decision(users["officer2"], application)
    application.refresh_from_db()
    return application


@pytest.mark.django_db
def test_a_plugged_in_program_is_applied_for_numbered_decided_and_paid(
    users: dict[str, User], townships: tuple[str, str], settings: Any, toy: registry.Program
) -> None:
    household = eligible_household(townships[0], "toy_allowance_eligible")
    applicant = household.memberships.filter(valid_to__isnull=True, relation="01").first().person
    caseworker = Client()
    assert caseworker.login(username=users["caseworker"].username, password=PASSWORD)
    form_page = caseworker.get(f"/households/{household.pk}/apply/").content.decode()
    assert 'value="toy_allowance"' in form_page and "示例高龄补贴" in form_page
    response = caseworker.post(
        f"/households/{household.pk}/apply/",
        {
            "program": "toy_allowance",
            "applicant": str(applicant.pk),
            "channel": "counter",
            "materials": MATERIALS,
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(household=household, program="toy_allowance")
    assert application.number == f"WJ{ON.year}-{household.township_code}-00001"
    application = _approve(users, settings, application)
    assert application.stage == Stage.APPROVED and application.monthly_amount == 15_000
    entitlement = Entitlement.objects.get(application=application)
    assert entitlement.program == "toy_allowance" and entitlement.start_month == "2025-11"
    # The payroll of the month after the decision pays the toy program's monthly amount.
    run = payments.draft_run(users["officer"], "2025-11", "toy_allowance")
    regular = dict(run.payments.filter(kind=Kind.REGULAR).values_list("entitlement_id", "amount"))
    assert regular == {entitlement.pk: 15_000}


@pytest.mark.django_db
def test_without_the_plug_in_its_program_is_refused(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    applicant = household.memberships.filter(valid_to__isnull=True, relation="01").first().person
    caseworker = Client()
    assert caseworker.login(username=users["caseworker"].username, password=PASSWORD)
    assert (
        "示例高龄补贴" not in caseworker.get(f"/households/{household.pk}/apply/").content.decode()
    )
    response = caseworker.post(
        f"/households/{household.pk}/apply/",
        {
            "program": "toy_allowance",
            "applicant": str(applicant.pk),
            "channel": "counter",
            "materials": MATERIALS,
        },
    )
    assert response.status_code != 302  # the form again, with the field's message
    assert not Application.objects.filter(program="toy_allowance").exists()


def test_the_web_look_ups_follow_the_registry_and_the_language(toy: registry.Program) -> None:
    assert Program.DIBAO == "dibao" and Program.TOY_ALLOWANCE == "toy_allowance"
    with pytest.raises(AttributeError):
        _ = Program.NOT_A_PROGRAM
    # The single-person unit is an option of near-dibao: nobody applies for it alone.
    assert Program.values == [
        "dibao",
        "near_dibao",
        "tekun",
        "child_welfare",
        "children_in_hardship",
        "rigid_expenditure",
        "temporary_assistance",
        "medical_assistance",
        "funeral",
        "heating",
        "toy_allowance",
    ]
    assert [name for name, _ in payroll_choices()] == [
        "dibao",
        "near_dibao",
        "tekun",
        "child_welfare",
        "children_in_hardship",
        "toy_allowance",
    ]
    assert number_prefix("toy_allowance") == "WJ"
    with pytest.raises(KeyError):
        number_prefix("single_person_unit")
    with translation.override("en"):
        assert dict(program_choices())["toy_allowance"] == "Toy old-age allowance"
        assert PROGRAM_LABELS["dibao"] == "Dibao (minimum living guarantee)"
    with translation.override("zh-hans"):
        assert str(dict(program_choices())["toy_allowance"]) == "示例高龄补贴"
        assert Program.label("tekun") == "特困人员救助供养"


def test_the_registry_labels_read_as_the_glossary() -> None:
    for program in registry.PROGRAMS:
        if program.applicable:
            with translation.override("en"):
                assert translation.gettext(program.label) == program.label_en


@pytest.mark.django_db
def test_a_batch_assessment_stores_and_shows_a_plugged_in_program(
    users: dict[str, User],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    toy: registry.Program,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = start_batch_assessment(users["caseworker"], ON)
    eligible = AssessedHousehold.objects.with_programs(["toy_allowance"]).filter(
        job=job, toy_allowance_result=Result.ELIGIBLE
    )
    assert eligible.exists()
    assert set(eligible.values_list("toy_allowance_amount", flat=True)) == {15_000}
    client = Client()
    assert client.login(username=users["caseworker"].username, password=PASSWORD)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "示例高龄补贴" in page and "?program=toy_allowance&amp;result=eligible" in page
    filtered = client.get(
        f"/jobs/{job.pk}/", {"program": "toy_allowance", "result": "eligible"}
    ).content.decode()
    table = filtered[filtered.index('<table id="assessed">') :]
    assert table.count("<tr>") - 1 == min(50, eligible.count())
    assert "150.00 元" in table and "符合示例高龄补贴" in table
    workbook = client.get(f"/jobs/{job.pk}/households.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("示例高龄补贴：结果")
    assert rows[0][column + 1 : column + 3] == (
        "示例高龄补贴：月救助金（元）",
        "示例高龄补贴：主要理由",
    )
    number = eligible.first().number
    line = next(r for r in rows if r[0] == number)
    assert line[column] == "符合" and line[column + 1] == 150
    client.cookies["django_language"] = "en"
    assert "Toy old-age allowance" in client.get(f"/jobs/{job.pk}/").content.decode()
