"""动态管理: reviews by class, change reports, suspension, gradual exit, termination with notice,
employment conditionality (C28), death checks and tekun minors reaching 18."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiuzhu.rules import procedure
from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.months import add_months_to_date
from jiuzhu.web.entitlements import scheduled
from jiuzhu.web.entitlements.actions import (
    employment,
    reassessment,
    reviews,
    suspension,
    termination,
)
from jiuzhu.web.entitlements.assessment import apply_sanctions, member_share
from jiuzhu.web.entitlements.models import (
    EmploymentSanction,
    Entitlement,
    ReviewClass,
    ReviewTask,
    Status,
    TaskKind,
    TaskOutcome,
    TaskStatus,
    TerminationGrounds,
    VersionBasis,
)
from jiuzhu.web.entitlements.queries import amount_in, payable_in
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.verification.models import DepartmentRecord, FeedImport
from jiuzhu.web.workcalendar.working_days import add_working_days
from tests.web.conftest import ON
from tests.web.entitlements.conftest import (
    assessed,
    dibao_households,
    make_entitlement,
    member,
    set_today,
)

# The procedure's numbers under the names these tests read them by (jiuzhu.rules.procedure).
params = SimpleNamespace(
    GRADUAL_EXIT_MONTHS=procedure.rule(procedure.GRADUAL_EXIT),
    REVIEW_MONTHS={c: procedure.review_cycle("dibao", c) for c in ReviewClass},
)


# --- employment conditionality (C28) ---------------------------------------------------------


def test_c28_the_member_share_is_the_household_amount_over_its_members() -> None:
    """cases.yaml C28: 1,635 yuan for 3 members; the member's share is 545, 1,090 remains."""
    assert member_share(163_500, 3) == 54_500
    assert 163_500 - member_share(163_500, 3) == 109_000
    assert member_share(163_500, 3, 50) == 27_250
    frame = pl.DataFrame(
        {"entitlement_id": [1, 2], "amount": [163_500, 90_000], "unit_members": [3, 2]}
    )
    sanctions = pl.DataFrame({"entitlement_id": [1], "share_percent": [100]})
    reduced = apply_sanctions(frame, sanctions)
    assert reduced["amount"].to_list() == [109_000, 90_000]


def _three_member_household() -> Household:
    found = assessed().filter(pl.col("unit_members") == 3)
    assert found.height, "the test district needs a household of 3 counted members"
    return Household.objects.get(pk=found["household_id"][0])


@pytest.mark.django_db
def test_c28_refusing_three_job_offers_stops_only_the_members_share(
    users: dict[str, User],
) -> None:
    household = _three_member_household()
    entitlement = make_entitlement(household, amount=163_500, start_month="2025-05")
    refuser = member(household)
    with pytest.raises(ValidationError):
        employment.apply_employment_sanction(
            users["officer"], entitlement, person=refuser, refusals=2, good_reason=False
        )
    with pytest.raises(ValidationError):
        employment.apply_employment_sanction(
            users["officer"], entitlement, person=refuser, refusals=3, good_reason=True
        )
    with pytest.raises(PermissionDenied):
        employment.apply_employment_sanction(
            users["caseworker"], entitlement, person=refuser, refusals=3, good_reason=False
        )
    employment.apply_employment_sanction(
        users["officer"], entitlement, person=refuser, refusals=3, good_reason=False
    )
    first, second = entitlement.versions.order_by("number")
    assert (first.monthly_amount, first.valid_to) == (163_500, "2025-11")
    assert second.monthly_amount == 109_000  # 1,635 − 1,635 / 3
    assert second.valid_from == "2025-11"  # from the month after the decision
    assert second.basis == VersionBasis.EMPLOYMENT_SANCTION
    assert "545.00" in second.reason and "1,635.00" in second.reason
    sanction = EmploymentSanction.objects.get(entitlement=entitlement)
    assert (sanction.person, sanction.share_percent, sanction.from_month) == (
        refuser,
        100,
        "2025-11",
    )
    # Later recomputations keep the sanction: the engine's amount less the member's share.
    again = reassessment.reassess(entitlement, ON, month="2025-11")
    if again.eligible:
        engine_amount = again.amount + again.sanction_reduction  # type: ignore[operator]
        assert again.sanction_reduction == engine_amount // 3


@pytest.mark.django_db
def test_lifting_a_sanction_restores_the_share_from_the_month_after(
    users: dict[str, User], settings: Any
) -> None:
    eligible = assessed().filter(pl.col("dibao_eligible") & (pl.col("unit_members") >= 2))
    assert eligible.height, "the test district needs an eligible household of 2+ members"
    household = Household.objects.get(pk=eligible["household_id"][0])
    amount = int(eligible["dibao_amount"][0])
    members = int(eligible["unit_members"][0])
    entitlement = make_entitlement(household, amount=amount, start_month="2025-05")
    refuser = member(household)
    employment.apply_employment_sanction(
        users["officer"], entitlement, person=refuser, refusals=3, good_reason=False
    )
    assert entitlement.versions.order_by("-number").first().monthly_amount == (
        amount - amount // members
    )
    # Not in the month the sanction was decided: one version per start month, nothing written.
    with pytest.raises(ValidationError):
        employment.lift_employment_sanction(
            users["officer"], entitlement, person=refuser, reason="已就业"
        )
    assert EmploymentSanction.objects.get(entitlement=entitlement).to_month == ""
    set_today(settings, dt.date(2025, 11, 10))
    with pytest.raises(PermissionDenied):
        employment.lift_employment_sanction(
            users["caseworker"], entitlement, person=refuser, reason="已就业"
        )
    with pytest.raises(ValidationError):
        employment.lift_employment_sanction(
            users["officer"], entitlement, person=refuser, reason=""
        )
    outcome, version = employment.lift_employment_sanction(
        users["officer"], entitlement, person=refuser, reason="已在公益性岗位就业"
    )
    expected = assessed(on=dt.date(2025, 11, 10)).filter(pl.col("household_id") == household.pk)[
        "dibao_amount"
    ][0]
    assert outcome == TaskOutcome.NEW_VERSION
    assert version is not None and version.valid_from == "2025-12"
    assert version.monthly_amount == expected
    assert version.basis == VersionBasis.EMPLOYMENT_SANCTION
    assert refuser.name in version.reason and "已在公益性岗位就业" in version.reason
    assert EmploymentSanction.objects.get(entitlement=entitlement).to_month == "2025-12"
    # November is still paid with the sanction; December without it.
    versions = list(entitlement.versions.all())
    assert amount_in(versions, "2025-11") == amount - amount // members
    assert amount_in(versions, "2025-12") == expected
    with pytest.raises(ValidationError):
        employment.lift_employment_sanction(
            users["officer"], entitlement, person=refuser, reason="再次解除"
        )


@pytest.mark.django_db
def test_a_reduced_share_takes_a_percentage_of_the_share(users: dict[str, User]) -> None:
    household = _three_member_household()
    entitlement = make_entitlement(household, amount=163_500)
    employment.apply_employment_sanction(
        users["director"],
        entitlement,
        person=member(household),
        refusals=3,
        good_reason=False,
        share_percent=50,
    )
    assert entitlement.versions.order_by("-number").first().monthly_amount == 136_250


# --- suspension ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_suspension_stops_payment_and_resumption_restores_it(
    users: dict[str, User], first_township: str
) -> None:
    household = Household.objects.filter(township_code=first_township).first()
    entitlement = make_entitlement(household, start_month="2025-05")
    assert payable_in(entitlement, "2025-11")
    assert not payable_in(entitlement, "2025-04")
    for refused in ("auditor", "community", "outsider"):
        with pytest.raises(PermissionDenied):
            suspension.suspend(users[refused], entitlement, reason="无法联系")
    with pytest.raises(ValidationError):
        suspension.suspend(users["caseworker"], entitlement, reason=" ")
    entitlement = suspension.suspend(users["caseworker"], entitlement, reason="入户核查无法联系")
    assert entitlement.status == Status.SUSPENDED
    assert not payable_in(entitlement, "2025-11")
    with pytest.raises(ValidationError):
        suspension.suspend(users["caseworker"], entitlement, reason="再次")
    entitlement = suspension.resume(users["head"], entitlement, reason="已配合核查")
    assert entitlement.status == Status.ACTIVE
    assert payable_in(entitlement, "2025-11")
    assert [e.action for e in entitlement.events.order_by("at", "id")] == ["suspend", "resume"]


# --- gradual exit ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_gradual_exit_pays_six_more_months_then_ends(
    users: dict[str, User], first_township: str, settings: Any
) -> None:
    rule = params.GRADUAL_EXIT_MONTHS.at(ON)
    assert rule is not None and (rule.value, rule.confidence) == (6, "low")
    assert params.GRADUAL_EXIT_MONTHS.at(dt.date(2023, 12, 31)) is None
    household = Household.objects.filter(township_code=first_township).first()
    entitlement = make_entitlement(household, amount=50_000, start_month="2025-01")
    with pytest.raises(PermissionDenied):
        termination.start_gradual_exit(users["caseworker"], entitlement, reason="成员就业")
    entitlement = termination.start_gradual_exit(
        users["officer"], entitlement, reason="成员就业后人均收入超过低保标准"
    )
    assert entitlement.status == Status.GRADUAL_EXIT
    assert entitlement.gradual_exit_until == entitlement.end_month == "2026-05"
    versions = list(entitlement.versions.order_by("number"))
    assert versions[-1].basis == VersionBasis.GRADUAL_EXIT
    assert (versions[-1].valid_from, versions[-1].valid_to) == ("2025-11", "2026-05")
    paid = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    for month in paid:
        assert payable_in(entitlement, month)
        assert amount_in(versions, month) == 50_000
    assert not payable_in(entitlement, "2026-05")
    # It stays payable until its end month comes, then ends.
    assert scheduled.finalise_terminations(on=dt.date(2026, 4, 30)) == 0
    assert scheduled.finalise_terminations(on=dt.date(2026, 5, 1)) == 1
    entitlement.refresh_from_db()
    assert entitlement.status == Status.TERMINATED
    assert not any(payable_in(entitlement, m) for m in paid)


@pytest.mark.django_db
def test_no_gradual_exit_before_tianjin_adopted_it(
    users: dict[str, User], first_township: str, settings: Any
) -> None:
    set_today(settings, dt.date(2023, 6, 1))
    household = Household.objects.filter(township_code=first_township).first()
    entitlement = make_entitlement(household, start_month="2023-01")
    with pytest.raises(ValidationError):
        termination.start_gradual_exit(users["officer"], entitlement, reason="成员就业")


# --- termination -----------------------------------------------------------------------------


def _tekun(household: Household, **kwargs: Any) -> Entitlement:
    return make_entitlement(
        household, program="tekun", person=member(household), amount=150_000, **kwargs
    )


@pytest.mark.django_db
def test_a_tekun_termination_is_published_seven_days_and_stops_the_following_month(
    users: dict[str, User], first_township: str, settings: Any
) -> None:
    household = Household.objects.filter(township_code=first_township).first()
    entitlement = _tekun(household)
    with pytest.raises(ValidationError):  # tekun is not ended by a written notice alone
        termination.terminate(
            users["officer"],
            entitlement,
            grounds=TerminationGrounds.CAPACITY,
            reason="恢复劳动能力",
            notice_issued_on=ON,
        )
    entitlement = termination.start_termination_notice(
        users["caseworker"],
        entitlement,
        grounds=TerminationGrounds.CAPACITY,
        reason="经鉴定恢复劳动能力",
    )
    assert entitlement.status == Status.TERMINATION_NOTICE
    assert (entitlement.notice_starts_on, entitlement.notice_ends_on) == (
        ON,
        ON + dt.timedelta(days=7),
    )
    assert payable_in(entitlement, "2025-10")  # paid during the notice
    set_today(settings, ON + dt.timedelta(days=7))
    with pytest.raises(ValidationError):
        termination.conclude_termination(users["officer"], entitlement)
    set_today(settings, ON + dt.timedelta(days=8))
    with pytest.raises(PermissionDenied):
        termination.conclude_termination(users["caseworker"], entitlement)
    entitlement = termination.conclude_termination(users["officer"], entitlement)
    assert entitlement.end_month == "2025-11"
    assert payable_in(entitlement, "2025-10")
    assert not payable_in(entitlement, "2025-11")
    follow_up = ReviewTask.objects.get(entitlement=entitlement, kind=TaskKind.FOLLOW_UP)
    assert follow_up.due_on == dt.date(2025, 11, 1)
    assert entitlement.versions.get().valid_to == "2025-11"
    assert scheduled.finalise_terminations(on=dt.date(2025, 11, 1)) == 1
    entitlement.refresh_from_db()
    assert entitlement.status == Status.TERMINATED


@pytest.mark.django_db
def test_an_objection_is_decided_within_fifteen_working_days(
    users: dict[str, User], first_township: str, settings: Any
) -> None:
    household = Household.objects.filter(township_code=first_township).first()
    entitlement = termination.start_termination_notice(
        users["caseworker"],
        _tekun(household),
        grounds=TerminationGrounds.OBLIGOR,
        reason="子女具备赡养能力",
    )
    task = termination.record_termination_objection(
        users["caseworker"], entitlement, content="子女长期患病", received_on=ON
    )
    assert task.due_on == add_working_days(ON, 15)
    set_today(settings, ON + dt.timedelta(days=9))
    with pytest.raises(ValidationError):  # the objection is still open
        termination.conclude_termination(users["officer"], entitlement)
    entitlement = termination.cancel_termination(users["officer"], entitlement, reason="异议成立")
    assert entitlement.status == Status.ACTIVE and entitlement.end_month == ""
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


@pytest.mark.django_db
def test_a_dibao_termination_is_notified_in_writing_and_stops_the_following_month(
    users: dict[str, User], first_township: str
) -> None:
    household = Household.objects.filter(township_code=first_township).first()
    entitlement = make_entitlement(household)
    with pytest.raises(ValidationError):
        termination.terminate(
            users["officer"],
            entitlement,
            grounds=TerminationGrounds.INCOME_ASSETS,
            reason="",
            notice_issued_on=ON,
        )
    entitlement = termination.terminate(
        users["officer"],
        entitlement,
        grounds=TerminationGrounds.INCOME_ASSETS,
        reason="家庭人均收入超过低保标准",
        notice_issued_on=ON,
    )
    assert (entitlement.end_month, entitlement.status) == ("2025-11", Status.ACTIVE)
    assert entitlement.notice_issued_on == ON
    assert payable_in(entitlement, "2025-10") and not payable_in(entitlement, "2025-11")


# --- tekun minors ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_tekun_minor_turning_18_out_of_school_ends_from_the_month_after(
    users: dict[str, User], first_township: str, settings: Any
) -> None:
    households = Household.objects.filter(township_code=first_township).order_by("pk")
    leaving, staying = households[0], households[1]
    birthday = ON + dt.timedelta(days=20)  # 2025-11-04
    for household, level in ((leaving, "none"), (staying, "senior_secondary")):
        person = member(household)
        Person.objects.filter(pk=person.pk).update(
            birth_date=birthday.replace(year=birthday.year - 18),
            student_level=level,
            disability_category="none",
            disability_grade=None,
        )
        _tekun(household, start_month="2024-01")
    opened = scheduled.check_tekun_minors(on=ON)
    assert opened == 1
    task = ReviewTask.objects.get(kind=TaskKind.TEKUN_AGE)
    assert task.entitlement.household_id == leaving.pk
    assert task.due_on == birthday
    assert scheduled.check_tekun_minors(on=ON) == 0  # idempotent
    entitlement = termination.start_termination_notice(
        users["caseworker"],
        task.entitlement,
        grounds=TerminationGrounds.AGE,
        reason="年满18周岁且未在校就读",
        task=task,
    )
    set_today(settings, ON + dt.timedelta(days=8))
    entitlement = termination.conclude_termination(users["officer"], entitlement)
    # Support continues to the 18th birthday (November) and stops from December.
    assert entitlement.end_month == "2025-12"
    assert payable_in(entitlement, "2025-11")
    assert not payable_in(entitlement, "2025-12")
    task.refresh_from_db()
    assert task.outcome == TaskOutcome.TERMINATION_PROPOSED


# --- deaths ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_death_in_the_feed_opens_a_check_due_within_three_months(
    users: dict[str, User], first_township: str
) -> None:
    household = Household.objects.filter(township_code=first_township).order_by("pk")[2]
    entitlement = make_entitlement(household)
    deceased = member(household)
    died_on = dt.date(2025, 9, 20)
    delivery = FeedImport.objects.create(
        path="deaths.xlsx", source="deaths", received_at=timezone.now()
    )
    DepartmentRecord.objects.create(
        source="deaths",
        resident_id=deceased.resident_id,
        period="2025-09",
        received_at=timezone.now(),
        data={"died_on": died_on.isoformat(), "name": deceased.name},
        feed_import=delivery,
    )
    assert scheduled.scan_deaths(on=ON) >= 1
    task = ReviewTask.objects.get(
        entitlement=entitlement, kind=TaskKind.DEATH_CHECK, person=deceased
    )
    assert task.due_on == dt.date(2025, 12, 20)
    assert task.due_on <= add_months_to_date(died_on, 3)
    assert scheduled.scan_deaths(on=ON) == 0  # idempotent
    # Registered by hand for another member: the same rule.
    other = household.memberships.filter(valid_to__isnull=True).exclude(person=deceased).first()
    if other is not None:
        manual = reviews.register_death(
            users["caseworker"], entitlement, person=other.person, died_on=dt.date(2025, 10, 1)
        )
        assert manual.due_on == dt.date(2026, 1, 1)


@pytest.mark.django_db
def test_a_death_check_leaves_the_deceased_out_and_proposes_ending_a_tekun_entitlement(
    users: dict[str, User], first_township: str
) -> None:
    household = Household.objects.filter(township_code=first_township).order_by("pk")[3]
    entitlement = _tekun(household)
    task = reviews.register_death(
        users["caseworker"], entitlement, person=entitlement.person, died_on=dt.date(2025, 10, 1)
    )
    task = reviews.complete_review(users["caseworker"], task, note="核实死亡")
    assert task.outcome == TaskOutcome.TERMINATION_PROPOSED
    entitlement.refresh_from_db()
    assert entitlement.termination_grounds == TerminationGrounds.DEATH
    assert entitlement.termination_proposed_on == ON
    assert entitlement.status == Status.ACTIVE  # never cut by itself


# --- reviews ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reviews_are_scheduled_every_6_or_12_months_by_class(first_township: str) -> None:
    households = Household.objects.filter(township_code=first_township).order_by("pk")
    stable = make_entitlement(households[0], review_class=ReviewClass.STABLE)
    unstable = make_entitlement(households[1], review_class=ReviewClass.UNSTABLE)
    assert scheduled.schedule_reviews(on=ON) == 1  # only the half-yearly one is due soon
    stable.refresh_from_db()
    unstable.refresh_from_db()
    assert stable.next_review_due == dt.date(2026, 5, 1)  # 2025-05 + 12 months
    assert unstable.next_review_due == dt.date(2025, 11, 1)  # 2025-05 + 6 months
    task = ReviewTask.objects.get(kind=TaskKind.PERIODIC_REVIEW)
    assert (task.entitlement, task.due_on) == (unstable, dt.date(2025, 11, 1))
    assert scheduled.schedule_reviews(on=ON) == 0
    assert scheduled.schedule_reviews(on=dt.date(2026, 4, 15)) == 1
    assert params.REVIEW_MONTHS[ReviewClass.STABLE].at(ON).value == 12  # type: ignore[union-attr]
    assert params.REVIEW_MONTHS[ReviewClass.UNSTABLE].at(ON).value == 6  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_review_keeps_an_unchanged_amount_and_versions_a_changed_one(
    users: dict[str, User],
) -> None:
    rows = dibao_households().sort("household_id").rows(named=True)
    kept = make_entitlement(rows[0]["household_id"], amount=rows[0]["dibao_amount"])
    changed = make_entitlement(rows[1]["household_id"], amount=rows[1]["dibao_amount"] + 1_000)
    scheduled.schedule_reviews(on=dt.date(2026, 6, 1))
    for entitlement, outcome in ((kept, TaskOutcome.KEPT), (changed, TaskOutcome.NEW_VERSION)):
        task = ReviewTask.objects.get(entitlement=entitlement, kind=TaskKind.PERIODIC_REVIEW)
        with pytest.raises(PermissionDenied):
            reviews.complete_review(users["outsider"], task)
        task = reviews.complete_review(users["caseworker"], task, note="入户核查")
        assert task.outcome == outcome
        entitlement.refresh_from_db()
        months = params.REVIEW_MONTHS[entitlement.review_class].at(ON).value  # type: ignore[union-attr]
        assert entitlement.next_review_due == add_months_to_date(ON, months)
    assert kept.versions.count() == 1
    latest = changed.versions.order_by("-number").first()
    assert (latest.basis, latest.valid_from, latest.monthly_amount) == (
        VersionBasis.REVIEW,
        "2025-11",
        rows[1]["dibao_amount"],
    )


@pytest.mark.django_db
def test_a_change_report_reassesses_from_the_month_after_the_change(
    users: dict[str, User],
) -> None:
    rows = dibao_households("", dt.date(2025, 10, 1)).sort("household_id").rows(named=True)
    entitlement = make_entitlement(rows[0]["household_id"], amount=rows[0]["dibao_amount"] - 500)
    with pytest.raises(ValidationError):
        reviews.report_change(
            users["caseworker"],
            entitlement,
            category="income",
            description="工资变化",
            effective_on=dt.date(2025, 4, 1),  # before the current version
        )
    report = reviews.report_change(
        users["caseworker"],
        entitlement,
        category="income",
        description="工资减少",
        effective_on=dt.date(2025, 10, 1),
    )
    assert report.outcome == TaskOutcome.NEW_VERSION
    assert (report.version.valid_from, report.version.monthly_amount) == (
        "2025-11",
        rows[0]["dibao_amount"],
    )
    assert report.version.basis == VersionBasis.CHANGE_REPORT
