"""The platform's main actions, run once each so that the audit trail holds their events: an
application from the counter to the decision (with verification), registry upkeep, an
entitlement suspended and resumed, a payroll through the bank file, a recovery, a batch job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client

from jiuzhu.feeds.ids import check_character
from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Application, Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.entitlements.actions import suspension
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.jobs.actions import start_batch_assessment
from jiuzhu.web.payments import actions as payments
from jiuzhu.web.registry import actions as registry
from jiuzhu.web.registry import membership, upkeep
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON, PASSWORD
from tests.web.payments.test_payroll import _approve_application
from tests.web.test_workflow import MATERIALS, eligible_household


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def applicant_of(household: Household) -> Any:
    return household.memberships.filter(valid_to__isnull=True, relation="01").first().person


def side_steps(users: dict[str, User], household: Household) -> Application:
    """An application that waits for materials, is extended and terminated."""
    application = cases.submit_application(
        users["caseworker"],
        household,
        program=Program.NEAR_DIBAO,
        applicant=applicant_of(household),
        channel=Channel.COUNTER,
        materials=["application_form"],
    )
    cases.complete_materials(users["caseworker"], application, ["income_asset_declaration"])
    cases.complete_materials(users["caseworker"], application, MATERIALS)
    cases.extend_deadline(users["caseworker"], application, reason="需补充调查")
    return cases.terminate(users["head"], application, reason="申请人撤回申请")


def registry_upkeep(users: dict[str, User], household: Household) -> None:
    applicant = applicant_of(household)
    upkeep.update_member(
        users["caseworker"],
        household.memberships.get(person=applicant, valid_to__isnull=True),
        disability_category="physical",
        disability_grade=2,
    )
    membership.add_member(
        users["caseworker"],
        household,
        resident_id=f"{'12022420150304001'}{check_character('12022420150304001')}",
        name="张小明",
        birth_date=dt.date(2015, 3, 4),
        relation="20",
        disability_category="none",
    )
    registry.declare(
        users["caseworker"],
        household,
        [{"person_id": applicant.pk, "wage_income": 123_456, "monetary_assets": 500_000}],
    )
    login("caseworker").post(f"/registry/households/{household.pk}/persons/{applicant.pk}/unmask/")


def payroll(users: dict[str, User], application: Application, settings: Any) -> None:
    entitlement = Entitlement.objects.get(application=application)
    suspension.suspend(users["caseworker"], entitlement, reason="联系不上")
    suspension.resume(users["caseworker"], entitlement, reason="已联系")
    account = payments.record_account(
        users["caseworker"],
        application.household,
        bank_name="天津农商银行",
        account_number="6231900000012345670",
        holder_name=application.applicant.name,
        holder_id=application.applicant.resident_id,
    )
    payments.check_account(users["head"], account)
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": "2025-11-20"}
    run = payments.draft_run(users["officer"], "2025-11", "dibao")
    run = payments.check_run(users["officer2"], run)
    run = payments.approve_run(users["director"], run)
    bank_file = payments.export_run(users["officer"], run)
    login("officer").get(f"/payments/runs/{run.pk}/files/{bank_file.pk}/")
    recovery = payments.record_recovery(
        users["officer"],
        entitlement,
        amount=50_000,
        reason="多发",
        kind="fraud",
        fine_multiple=Decimal("1.5"),
    )
    payments.settle_recovery(users["officer"], recovery, note="已缴回")


def run_all(
    users: dict[str, User], townships: tuple[str, str], settings: Any, capture: Any
) -> Application:
    """Every flow above; returns the approved application."""
    application = _approve_application(users, settings, townships[0])
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": ON.isoformat()}
    other = eligible_household(townships[0], "near_dibao_status")
    side_steps(users, other)
    registry_upkeep(users, application.household)
    payroll(users, application, settings)
    with capture(execute=False):
        start_batch_assessment(users["caseworker"], ON)
    return application
