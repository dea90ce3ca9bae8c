"""The approver's workbench lists the scenarios waiting for approval (trial finding B4): for the
users who may approve scenarios, never the officer who measured one (maker–checker)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.scenarios.actions import create_scenario
from jiuzhu.web.scenarios.models import Scenario
from tests.web.conftest import PASSWORD


@pytest.fixture
def scenario(users: dict[str, User]) -> Scenario:
    return create_scenario(
        users["officer"],
        label="低保标准提高到1,100元",
        effective=dt.date(2025, 11, 1),
        reference="区民政局局务会测算",
        changes={"dibao.standard": 1100},
    )


def _workbench(username: str, language: str = "zh-hans") -> str:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies["django_language"] = language
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_approver_sees_the_scenario_waiting_for_approval(scenario: Scenario) -> None:
    page = _workbench("officer2")
    assert "待审批的标准测算" in page and "（1）" in page
    assert f'href="/scenarios/{scenario.pk}/"' in page and "低保标准提高到1,100元" in page
    assert "自 2025-11-01 起施行" in page
    english = _workbench("officer2", "en")
    assert "Scenarios to approve" in english and "(1)" in english and "（1）" not in english


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["officer", "caseworker", "auditor"])
def test_not_for_the_officer_who_measured_it_nor_those_who_may_not_approve(
    scenario: Scenario, username: str
) -> None:
    page = _workbench(username)
    assert "待审批的标准测算" not in page and f"/scenarios/{scenario.pk}/" not in page


@pytest.mark.django_db
def test_a_scenario_that_can_no_longer_be_approved_is_listed_for_return(
    users: dict[str, User],
) -> None:
    """Another scenario put the same standard in force from the same day: the first stays on
    the approver's list (someone must decide it) with the reason and the action left."""
    from jiuzhu.web.scenarios.actions import approve_scenario
    from tests.web.scenarios.test_scenarios import measure

    first, second = measure(users["officer"]), measure(users["officer"], standard=1300)
    approve_scenario(users["officer2"], second)
    page = _workbench("officer2")
    item = page.split(f'href="/scenarios/{first.pk}/"')[1].split("</li>")[0]
    assert "另一测算方案已自 2025-11-01 起施行该参数" in item and "退回" in item
    assert f'href="/scenarios/{second.pk}/"' not in page
