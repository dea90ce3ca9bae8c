"""Two people doing the same thing at the same instant: one succeeds, the other is told why, no
server error, nothing doubled (issue 10, point 8).

The same-instant cases run on PostgreSQL (``tests.web.concurrency``: threads released together
by a barrier, each on its own connection, against the committed district); the database
constraint that backs the application check runs on both databases.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.transitions import Refused
from jiuzhu.web.payments.draft import draft_run
from jiuzhu.web.payments.models import Payment, PayrollRun
from jiuzhu.web.registry import membership
from jiuzhu.web.registry.models import Household, Membership, Person
from jiuzhu.web.verification.actions import import_feed
from jiuzhu.web.verification.models import DepartmentRecord, FeedImport
from tests.web.concurrency import at_once, postgresql_only
from tests.web.conftest import ON, make_user
from tests.web.payments.conftest import grant
from tests.web.test_registry_upkeep import applicant_data, new_id
from tests.web.test_workflow import MATERIALS


def _township() -> str:
    return str(
        Household.objects.order_by("township_code").values_list("township_code", flat=True)[0]
    )


def _households(township: str, count: int) -> list[Household]:
    found = list(
        Household.objects.filter(township_code=township, memberships__relation="01")
        .distinct()
        .order_by("pk")[:count]
    )
    assert len(found) == count
    return found


def _applicant(household: Household) -> Person:
    found = household.memberships.filter(valid_to__isnull=True, relation="01").first()
    assert found is not None
    return found.person


def _submit(user: User, household: Household) -> Any:
    return lambda: cases.submit_application(
        user,
        household,
        program=Program.DIBAO,
        applicant=_applicant(household),
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )


# --- applications ------------------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_one_household_at_once_make_one_application(
    committed_district: None,
) -> None:
    township = _township()
    household = _households(township, 1)[0]
    clerks = [make_user(f"clerk{i}", Role.TOWNSHIP_CASEWORKER, township) for i in (1, 2)]
    outcomes = at_once(*(_submit(clerk, household) for clerk in clerks))
    succeeded = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if o.error is not None]
    assert len(succeeded) == 1, [o.error for o in outcomes]
    assert isinstance(refused[0].error, ValidationError), refused[0].error
    assert "已有同一项目的在办申请" in refused[0].message
    assert succeeded[0].value.number in refused[0].message  # names the application
    assert Application.objects.filter(household=household, program=Program.DIBAO).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_applications_of_many_households_at_once_get_consecutive_numbers(
    committed_district: None,
) -> None:
    township = _township()
    households = _households(township, 6)
    clerks = [make_user(f"clerk{i}", Role.TOWNSHIP_CASEWORKER, township) for i in range(6)]
    outcomes = at_once(*(_submit(c, h) for c, h in zip(clerks, households, strict=True)))
    assert [o.error for o in outcomes] == [None] * 6
    numbers = sorted(o.value.number for o in outcomes)
    prefix = f"DB{ON.year}-{township}-"
    assert all(n.startswith(prefix) for n in numbers), numbers
    assert [int(n[len(prefix) :]) for n in numbers] == [1, 2, 3, 4, 5, 6]  # no gap, no repeat


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_number_back(users: dict[str, User]) -> None:
    first, second = _households(users["caseworker"].division_code, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(users["caseworker"], first)()
        raise RuntimeError("the counter's printer jammed")
    application = _submit(users["caseworker"], second)()
    assert application.number == f"DB{ON.year}-{users['caseworker'].division_code}-00001"
    assert _submit(users["caseworker"], first)().number.endswith("-00002")


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_application_whatever_the_code(
    users: dict[str, User],
) -> None:
    """The partial unique constraint: a writer that skips the action's check (or its lock) is
    still refused; a decided application does not count."""
    household = _households(users["caseworker"].division_code, 1)[0]
    first = _submit(users["caseworker"], household)()

    def another(stage: str, number: str) -> Application:
        return Application.objects.create(
            number=number,
            program=Program.DIBAO,
            household=household,
            applicant=first.applicant,
            division_code=household.division_code,
            channel=Channel.COUNTER,
            stage=stage,
            created_by=users["caseworker"],
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        another(Stage.ACCEPTED, "DBTEST-SECOND")
    another(Stage.REJECTED, "DBTEST-DECIDED")  # a decided one may sit beside the open one
    with pytest.raises(ValidationError, match=re.escape(first.number)):
        _submit(users["caseworker"], household)()


# --- the registry ------------------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_requests_adding_one_person_at_once_add_one_member(committed_district: None) -> None:
    township = _township()
    household = _households(township, 1)[0]
    clerk = make_user("clerk", Role.TOWNSHIP_CASEWORKER, township)
    number = new_id("12022420100101305")

    def add() -> Person:
        return membership.add_member(
            clerk,
            household,
            relation="20",
            on=ON - dt.timedelta(days=3),
            **applicant_data(number, "孙同时"),
        )

    outcomes = at_once(add, add)
    assert sorted(o.error is None for o in outcomes) == [False, True], [o.error for o in outcomes]
    refused = next(o for o in outcomes if o.error is not None)
    assert isinstance(refused.error, ValidationError), refused.error
    assert household.number in refused.message  # where the person is a member now
    assert Person.objects.filter(sealed_match("resident_id", number)).count() == 1
    assert (
        Membership.objects.filter(
            sealed_match("person__resident_id", number), valid_to__isnull=True
        ).count()
        == 1
    )


# --- payroll -----------------------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_drafting_one_payroll_at_once(committed_district: None) -> None:
    entitlements = grant(_households(_township(), 12))
    officers = [make_user(f"officer{i}", Role.DISTRICT_OFFICER, DISTRICT_CODE) for i in (1, 2)]
    outcomes = at_once(*(lambda o=o: draft_run(o, "2025-10", "dibao") for o in officers))
    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) < 2 and all(isinstance(e, Refused) for e in errors), errors
    if errors:
        assert "正在由其他人生成" in " ".join(errors[0].messages)
    assert PayrollRun.objects.filter(month="2025-10", program="dibao").count() == 1
    payments = Payment.objects.filter(run__month="2025-10", kind="regular")
    assert payments.count() == len(entitlements)


# --- department feeds --------------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_feed_at_once_leave_its_records_once(
    committed_district: None, district_folder: Any
) -> None:
    path = district_folder / "feeds" / "social_insurance.csv"
    outcomes = at_once(lambda: import_feed(None, path), lambda: import_feed(None, path))
    assert [o.error for o in outcomes] == [None, None]
    current = FeedImport.objects.filter(source="social_insurance", superseded_by__isnull=True)
    assert current.count() == 1
    # The later import superseded the earlier one: its records only, once.
    assert DepartmentRecord.objects.filter(source="social_insurance").count() == current[0].accepted
