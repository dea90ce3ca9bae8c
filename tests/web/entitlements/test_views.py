"""The entitlement pages: jurisdiction isolation (another township's records answer 404), what
each role may do, the task queue's deadlines, and the standard-change review and approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.entitlements import scheduled
from jiuzhu.web.entitlements.models import (
    Entitlement,
    ReviewClass,
    ReviewTask,
    RunStatus,
    StandardChangeRun,
    Status,
)
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON, PASSWORD
from tests.web.entitlements.conftest import make_entitlement


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def entitlement(users: dict[str, User], first_township: str) -> Entitlement:
    household = Household.objects.filter(township_code=first_township).order_by("pk").first()
    made = make_entitlement(household, review_class=ReviewClass.UNSTABLE, start_month="2025-04")
    scheduled.schedule_reviews(on=dt.date(2025, 10, 15))  # due 2025-10-01: overdue
    return made


@pytest.mark.django_db
def test_another_township_sees_nothing_of_an_entitlement(entitlement: Entitlement) -> None:
    outsider = _client("outsider")
    task = ReviewTask.objects.get(entitlement=entitlement)
    for url in (
        f"/entitlements/{entitlement.pk}/",
        f"/entitlements/tasks/{task.pk}/",
        f"/documents/entitlements/{entitlement.pk}/termination/",
    ):
        assert outsider.get(url).status_code == 404, url
    for url in (
        f"/entitlements/{entitlement.pk}/suspend/",
        f"/entitlements/tasks/{task.pk}/complete/",
        f"/entitlements/tasks/{task.pk}/close/",
    ):
        assert outsider.post(url, {"reason": "x", "note": "x"}).status_code == 404, url
    assert entitlement.number not in outsider.get("/entitlements/").content.decode()
    assert entitlement.number not in outsider.get("/entitlements/tasks/").content.decode()
    entitlement.refresh_from_db()
    assert entitlement.status == Status.ACTIVE
    assert ReviewTask.objects.get(pk=task.pk).status == "open"


@pytest.mark.django_db
def test_the_township_reads_lists_and_acts_within_its_role(entitlement: Entitlement) -> None:
    caseworker = _client("caseworker")
    listing = caseworker.get("/entitlements/", {"program": "dibao", "status": "active"})
    assert entitlement.number in listing.content.decode()
    assert (
        entitlement.number
        not in caseworker.get("/entitlements/", {"program": "tekun"}).content.decode()
    )
    page = caseworker.get(f"/entitlements/{entitlement.pk}/").content.decode()
    assert "版本时间线" in page and "1,000.00" in page
    # The gradual exit's low confidence is shown on a dibao entitlement.
    assert "低（依据不足，待核实）" in page
    # The household page lists the entitlement and links its payment ledger.
    household_page = caseworker.get(
        f"/registry/households/{entitlement.household_id}/"
    ).content.decode()
    assert f"/entitlements/{entitlement.pk}/" in household_page and "1,000.00" in household_page
    assert f"/payments/households/{entitlement.household_id}/" in household_page
    queue = caseworker.get("/entitlements/tasks/").content.decode()
    assert entitlement.number in queue and "已超期" in queue
    # The auditor reads but never writes.
    auditor = _client("auditor")
    assert auditor.get(f"/entitlements/{entitlement.pk}/").status_code == 200
    assert (
        auditor.post(f"/entitlements/{entitlement.pk}/suspend/", {"reason": "x"}).status_code == 403
    )
    entitlement.refresh_from_db()
    assert entitlement.status == Status.ACTIVE
    # A refused form writes nothing and says why on the field.
    refused = caseworker.post(f"/entitlements/{entitlement.pk}/suspend/", {"reason": ""})
    assert refused.status_code == 400
    response = caseworker.post(f"/entitlements/{entitlement.pk}/suspend/", {"reason": "无法联系"})
    assert response.status_code == 302
    entitlement.refresh_from_db()
    assert entitlement.status == Status.SUSPENDED


@pytest.mark.django_db
def test_a_task_page_shows_the_reassessment_before_completing(entitlement: Entitlement) -> None:
    caseworker = _client("caseworker")
    task = ReviewTask.objects.get(entitlement=entitlement)
    page = caseworker.get(f"/entitlements/tasks/{task.pk}/").content.decode()
    assert "按现有登记数据重新核算" in page
    response = caseworker.post(f"/entitlements/tasks/{task.pk}/complete/", {"note": "入户核查"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"


@pytest.mark.django_db
def test_the_list_and_the_queue_run_a_fixed_number_of_queries(
    users: dict[str, User], first_township: str, django_assert_max_num_queries: Any
) -> None:
    for household in Household.objects.filter(township_code=first_township)[:30]:
        make_entitlement(household, review_class=ReviewClass.UNSTABLE)
    scheduled.schedule_reviews(on=dt.date(2025, 11, 1))
    caseworker = _client("caseworker")
    with django_assert_max_num_queries(12):
        assert caseworker.get("/entitlements/").status_code == 200
    with django_assert_max_num_queries(12):
        assert caseworker.get("/entitlements/tasks/").status_code == 200


@pytest.mark.django_db
def test_a_standard_change_is_reviewed_on_its_page_and_approved_by_another_person(
    users: dict[str, User], entitlement: Entitlement
) -> None:
    officer = _client("officer")
    assert officer.get("/entitlements/standard-changes/").status_code == 200
    response = officer.post(
        "/entitlements/standard-changes/",
        {"parameter_path": "dibao.standard", "effective_month": "2025-09", "description": "测试"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = StandardChangeRun.objects.get()
    page = officer.get(f"/entitlements/standard-changes/{run.pk}/").content.decode()
    assert "按乡镇和项目汇总" in page and "津民规〔2025〕6号" in page
    assert "批准并生效" not in page  # the starter does not approve
    assert officer.post(f"/entitlements/standard-changes/{run.pk}/approve/").status_code == 403
    # Township users do not see district runs.
    assert _client("caseworker").get(f"/entitlements/standard-changes/{run.pk}/").status_code == 404
    assert (
        _client("caseworker")
        .post(
            "/entitlements/standard-changes/",
            {"parameter_path": "dibao.standard", "effective_month": "2025-09"},
        )
        .status_code
        == 403
    )
    checker = _client("officer2")
    assert "批准并生效" in checker.get(f"/entitlements/standard-changes/{run.pk}/").content.decode()
    assert (
        checker.post(f"/entitlements/standard-changes/{run.pk}/approve/", {"note": ""}).status_code
        == 302
    )
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED and run.decided_by == users["officer2"]
    bad = officer.post(
        "/entitlements/standard-changes/",
        {"parameter_path": "dibao.standard", "effective_month": "2025-13"},
    )
    assert bad.status_code == 400


@pytest.mark.django_db
def test_texts_kept_in_the_record_are_chinese_whatever_the_users_language(
    entitlement: Entitlement,
) -> None:
    """A version's reason is part of the case file: an officer working in English still writes
    it in Chinese (the record's language), while the page answers in English."""
    officer = _client("officer")
    officer.cookies["django_language"] = "en"
    member = entitlement.household.memberships.filter(valid_to__isnull=True).first()
    response = officer.post(
        f"/entitlements/{entitlement.pk}/sanction/",
        {"person": member.person_id, "refusals": 3, "share_percent": 100, "note": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "Entitlement" in response.content.decode()  # the page in English
    reason = entitlement.versions.order_by("-number").first().reason
    assert "连续3次无正当理由拒绝介绍的工作" in reason and "refus" not in reason


@pytest.mark.django_db
def test_every_action_form_renders_for_the_roles_that_may_use_it(
    users: dict[str, User], first_township: str
) -> None:
    from jiuzhu.web.entitlements.actions import termination
    from tests.web.entitlements.conftest import member

    households = Household.objects.filter(township_code=first_township).order_by("pk")
    dibao = make_entitlement(households[0])
    tekun = make_entitlement(
        households[1], program="tekun", person=member(households[1]), amount=150_000
    )
    officer = _client("officer")
    page = officer.get(f"/entitlements/{dibao.pk}/").content.decode()
    for title in ("减发或停发本人份额", "渐退期（成员就业后收入超过低保标准）", "终止救助"):
        assert title in page, title
    caseworker = _client("caseworker")
    page = caseworker.get(f"/entitlements/{tekun.pk}/").content.decode()
    for title in ("终止公示", "家庭变化报告", "登记成员死亡（3个月内核查家庭状况）", "暂停发放"):
        assert title in page, title
    assert "减发或停发本人份额" not in page  # a decision of the confirming level
    response = caseworker.post(
        f"/entitlements/{tekun.pk}/notice/", {"grounds": "capacity", "reason": "恢复劳动能力"}
    )
    assert response.status_code == 302
    assert "登记终止公示异议" in caseworker.get(f"/entitlements/{tekun.pk}/").content.decode()
    termination.terminate(
        users["officer"],
        dibao,
        grounds="income_assets",
        reason="家庭人均收入超过低保标准",
        notice_issued_on=ON,
    )
    notice = officer.get(f"/documents/entitlements/{dibao.pk}/termination/").content.decode()
    assert "终止通知书" in notice and "家庭人均收入超过低保标准" in notice
    assert caseworker.get(f"/documents/entitlements/{tekun.pk}/termination/").status_code == 404
