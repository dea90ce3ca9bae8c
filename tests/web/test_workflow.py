"""The statutory workflow through its actions: every transition, the deadlines in working days
(with a holiday 调休 case), maker–checker, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiuzhu.rules import load_system
from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases import actions
from jiuzhu.web.cases.models import Application, ApplicationEvent, Channel, Stage
from jiuzhu.web.cases.workflow import TransitionError, deadlines, next_month
from jiuzhu.web.core.programs import Program
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household
from jiuzhu.web.workcalendar.working_days import load_calendar
from tests.web.conftest import ON

MATERIALS = [
    "application_form",
    "income_asset_declaration",
    "verification_authorisation",
    "truthfulness_undertaking",
    "diagnosis",
]


def _today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def eligible_household(township: str, status: str = "dibao_eligible") -> Household:
    """A household of the township that the rules find eligible on its verified-or-declared data."""
    system = load_system("tianjin")
    ids = list(Household.objects.filter(township_code=township).values_list("pk", flat=True))
    frames = engine_frames(system, ids, ON)
    result = system.simulate(
        frames["household"], frames["person"], frames["obligor"], outputs=[status]
    )
    found = result.households.filter(pl.col(status).fill_null(False))["household_id"].to_list()
    assert found, f"no {status} household in {township}"
    return Household.objects.get(pk=found[0])


def _applicant(household: Household) -> Any:
    return household.memberships.filter(valid_to__isnull=True, relation="01").first().person


@pytest.fixture
def application(users: dict[str, User], townships: tuple[str, str]) -> Application:
    household = eligible_household(townships[0])
    return actions.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=_applicant(household),
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )


@pytest.mark.django_db
def test_missing_materials_are_listed_at_once_and_acceptance_waits(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    application = actions.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=_applicant(household),
        channel=Channel.ON_BEHALF,
        materials=["application_form"],
    )
    assert application.stage == Stage.AWAITING_MATERIALS and application.accepted_on is None
    assert set(application.missing_materials) >= {
        "income_asset_declaration",
        "verification_authorisation",
        "truthfulness_undertaking",
        "power_of_attorney",
    }
    # A partial delivery is recorded; the application waits for the rest.
    actions.complete_materials(users["caseworker"], application, ["income_asset_declaration"])
    application.refresh_from_db()
    assert application.stage == Stage.AWAITING_MATERIALS
    assert "income_asset_declaration" in application.materials
    assert "income_asset_declaration" not in application.missing_materials
    actions.complete_materials(users["caseworker"], application, application.missing_materials)
    application.refresh_from_db()
    assert application.stage == Stage.ACCEPTED and application.accepted_on == ON


@pytest.mark.django_db
def test_a_dibao_application_from_the_counter_to_the_decision(
    application: Application, users: dict[str, User], settings: Any
) -> None:
    caseworker, head = users["caseworker"], users["head"]
    assert application.stage == Stage.ACCEPTED
    actions.verify(caseworker, application)
    application.refresh_from_db()
    assert application.stage == Stage.HOME_VISIT
    assessment = application.assessments.first()
    assert assessment is not None and assessment.results["dibao"]["status"] is True
    amount = assessment.results["dibao"]["amount"]
    assert amount > 0

    with pytest.raises(ValidationError):
        actions.record_home_visit(
            caseworker,
            application,
            visited_on=ON,
            staff=["王经办"],
            findings="属实",
            applicant_signed=True,
        )
    actions.record_home_visit(
        caseworker,
        application,
        visited_on=ON,
        staff=["王经办", "刘协理"],
        findings="家中确有困难",
        applicant_signed=True,
    )
    application.refresh_from_db()
    assert application.stage == Stage.TOWNSHIP_REVIEW
    offered = (assessment.results.get("single_person_unit") or {}).get("status")
    actions.give_township_opinion(
        head,
        application,
        opinion="approve",
        note="符合条件",
        single_person_choice="household_near_dibao" if offered else "",
    )
    application.refresh_from_db()
    assert application.stage == Stage.PUBLIC_NOTICE
    assert application.notice_ends_on == ON + dt.timedelta(days=7)

    with pytest.raises(ValidationError, match="公示期未满"):
        actions.close_public_notice(caseworker, application)
    _today(settings, ON + dt.timedelta(days=3))
    actions.record_objection(
        caseworker, application, content="邻居反映有车", received_on=ON + dt.timedelta(days=3)
    )
    application.refresh_from_db()
    assert application.stage == Stage.OBJECTION_REVIEW
    objection = application.objections.get()
    actions.resolve_objection(
        caseworker,
        objection,
        method="community_review",
        upheld=False,
        outcome="民主评议：车辆为亲属所有",
    )
    application.refresh_from_db()
    assert application.stage == Stage.TOWNSHIP_REVIEW
    actions.give_township_opinion(
        head,
        application,
        opinion="approve",
        note="复核后仍符合",
        single_person_choice="household_near_dibao" if offered else "",
    )
    application.refresh_from_db()
    notice_end = application.notice_ends_on
    _today(settings, notice_end + dt.timedelta(days=1))
    actions.close_public_notice(caseworker, application)
    application.refresh_from_db()
    assert application.stage == Stage.DISTRICT_CONFIRMATION
    assert application.district_received_on == notice_end + dt.timedelta(days=1)

    officer, officer2 = users["officer"], users["officer2"]
    actions.propose_decision(
        officer, application, outcome="approve", monthly_amount=amount, reasons="经审核符合"
    )
    with pytest.raises(PermissionDenied):
        actions.confirm_decision(officer, application)  # the maker cannot check
    application.refresh_from_db()
    assert application.stage == Stage.DISTRICT_CONFIRMATION
    decided = notice_end + dt.timedelta(days=2)
    _today(settings, decided)
    actions.confirm_decision(officer2, application)
    application.refresh_from_db()
    assert application.stage == Stage.APPROVED
    assert application.monthly_amount == amount
    assert application.decided_on == decided
    assert application.first_paid_month == next_month(decided)
    steps = list(application.events.values_list("action", flat=True))
    assert steps == [
        "submit",
        "verify",
        "home_visit",
        "approve",
        "objection",
        "resolve_objection",
        "approve",
        "close_notice",
        "propose",
        "confirm_approve",
    ]
    assert AuditEvent.objects.filter(
        object_id=str(application.pk), action__startswith="cases."
    ).count() >= len(steps)


@pytest.mark.django_db
def test_moves_the_workflow_does_not_allow_change_nothing(
    application: Application, users: dict[str, User]
) -> None:
    events = ApplicationEvent.objects.count()
    with pytest.raises(TransitionError):
        actions.record_home_visit(
            users["caseworker"],
            application,
            visited_on=ON,
            staff=["a", "b"],
            findings="x",
            applicant_signed=True,
        )
    with pytest.raises(TransitionError):
        actions.close_public_notice(users["caseworker"], application)
    with pytest.raises(TransitionError):
        actions.propose_decision(
            users["officer"], application, outcome="approve", monthly_amount=100, reasons=""
        )
    application.refresh_from_db()
    assert application.stage == Stage.ACCEPTED
    assert ApplicationEvent.objects.count() == events


@pytest.mark.django_db
def test_roles_and_jurisdiction_are_enforced_by_the_actions(
    application: Application, users: dict[str, User]
) -> None:
    with pytest.raises(PermissionDenied):
        actions.verify(users["outsider"], application)  # another township's caseworker
    with pytest.raises(PermissionDenied):
        actions.verify(users["auditor"], application)
    with pytest.raises(PermissionDenied):
        actions.verify(users["officer"], application)  # verification is the township's step
    application.refresh_from_db()
    assert application.stage == Stage.ACCEPTED


@pytest.mark.django_db
def test_a_rejection_is_notified_within_three_working_days(
    application: Application, users: dict[str, User], settings: Any
) -> None:
    actions.verify(users["caseworker"], application)
    actions.record_home_visit(
        users["caseworker"],
        application,
        visited_on=ON,
        staff=["甲", "乙"],
        findings="有稳定收入",
        applicant_signed=True,
    )
    with pytest.raises(ValidationError):
        actions.give_township_opinion(users["head"], application, opinion="reject", note="")
    latest = application.assessments.first()
    offered = (latest.results.get("single_person_unit") or {}).get("status")
    actions.give_township_opinion(
        users["head"],
        application,
        opinion="reject",
        note="入户发现有稳定收入",
        single_person_choice="household_near_dibao" if offered else "",
    )
    application.refresh_from_db()
    assert application.stage == Stage.DISTRICT_CONFIRMATION  # a rejection is not published
    actions.propose_decision(
        users["officer"],
        application,
        outcome="reject",
        monthly_amount=None,
        reasons="家庭收入超过标准",
    )
    # 2025-09-30 (Tuesday) is followed by the National Day holiday: three working days after it
    # are 2025-10-09, 10-10 and the make-up Saturday 10-11 (调休上班).
    _today(settings, dt.date(2025, 9, 30))
    actions.confirm_decision(users["director"], application)
    application.refresh_from_db()
    assert application.stage == Stage.REJECTED and application.first_paid_month == ""
    calendar = load_calendar({2025, 2026})
    notice = [d for d in deadlines(application, calendar) if "书面告知" in d.label]
    assert notice and notice[0].due == dt.date(2025, 10, 11) and not notice[0].done
    actions.issue_decision_notice(users["caseworker"], application, issued_on=dt.date(2025, 10, 9))
    application.refresh_from_db()
    assert next(d for d in deadlines(application, calendar) if "书面告知" in d.label).done


@pytest.mark.django_db
def test_deadlines_count_working_days_from_acceptance(application: Application) -> None:
    calendar = load_calendar({2025, 2026})
    found = {d.label: d.due for d in deadlines(application, calendar)}
    # Accepted Wednesday 2025-10-15: 3 working days → Monday 10-20; 30 → 2025-11-26.
    assert found["启动调查（受理后3个工作日）"] == dt.date(2025, 10, 20)
    assert found["办结（受理后30个工作日）"] == dt.date(2025, 11, 26)
    application.extended = True
    assert {d.label: d.due for d in deadlines(application, calendar)}[
        "办结（受理后45个工作日）"
    ] == dt.date(2025, 12, 17)


@pytest.mark.django_db
def test_a_close_relative_of_staff_is_registered_separately(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    application = actions.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=_applicant(household),
        channel=Channel.COUNTER,
        materials=MATERIALS,
        relative_of_staff=True,
        relative_note="申请人为村委会委员之兄",
    )
    assert application.separately_registered
    with pytest.raises(ValidationError, match="在办申请"):
        actions.submit_application(
            users["caseworker"],
            household,
            program=Program.DIBAO,
            applicant=_applicant(household),
            channel=Channel.COUNTER,
            materials=MATERIALS,
        )


@pytest.mark.django_db
def test_delegated_confirmation_moves_to_the_township(
    application: Application, users: dict[str, User], settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "CONFIRMATION_DELEGATED_TO_TOWNSHIP": True}
    calendar = load_calendar({2025, 2026})
    labels = [d.label for d in deadlines(application, calendar)]
    assert "办结（受理后20个工作日）" in labels
    actions.verify(users["caseworker"], application)
    actions.record_home_visit(
        users["caseworker"],
        application,
        visited_on=ON,
        staff=["甲", "乙"],
        findings="属实",
        applicant_signed=True,
    )
    latest = application.assessments.first()
    offered = (latest.results.get("single_person_unit") or {}).get("status")
    actions.give_township_opinion(
        users["head"],
        application,
        opinion="approve",
        note="符合",
        single_person_choice="household_near_dibao" if offered else "",
    )
    _today(settings, ON + dt.timedelta(days=8))
    actions.close_public_notice(users["caseworker"], application)
    amount = latest.results["dibao"]["amount"]
    actions.propose_decision(
        users["caseworker"], application, outcome="approve", monthly_amount=amount, reasons="符合"
    )
    with pytest.raises(PermissionDenied):
        actions.confirm_decision(users["caseworker"], application)
    actions.confirm_decision(users["head"], application)
    application.refresh_from_db()
    assert application.stage == Stage.APPROVED and application.decided_by == users["head"]


@pytest.mark.django_db
def test_the_opinion_is_the_heads_and_amounts_off_the_assessment_need_reasons(
    application: Application, users: dict[str, User], settings: Any
) -> None:
    actions.verify(users["caseworker"], application)
    actions.record_home_visit(
        users["caseworker"],
        application,
        visited_on=ON,
        staff=["甲", "乙"],
        findings="属实",
        applicant_signed=True,
    )
    with pytest.raises(PermissionDenied):
        actions.give_township_opinion(users["caseworker"], application, opinion="approve", note="")
    latest = application.assessments.first()
    offered = (latest.results.get("single_person_unit") or {}).get("status")
    actions.give_township_opinion(
        users["head"],
        application,
        opinion="approve",
        note="",
        single_person_choice="household_near_dibao" if offered else "",
    )
    _today(settings, ON + dt.timedelta(days=8))
    actions.close_public_notice(users["caseworker"], application)
    assessed = latest.results["dibao"]["amount"]
    with pytest.raises(ValidationError, match="须写明理由"):
        actions.propose_decision(
            users["officer"],
            application,
            outcome="approve",
            monthly_amount=assessed + 100_00,
            reasons="",
        )
    actions.propose_decision(
        users["officer"],
        application,
        outcome="approve",
        monthly_amount=assessed + 100_00,
        reasons="入户发现额外医疗负担",
    )
    note = application.events.get(action="propose").note
    assert "拟同意" in note and "评估" in note and "入户发现额外医疗负担" in note
