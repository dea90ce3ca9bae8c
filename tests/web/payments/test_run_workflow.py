"""The payroll run's transition table: maker–checker refusals say the rule and write nothing,
the checker or the approver sends a run back to its drafters with a reason (redrafted before
the next check), the run's page shows who acts next and its history, and the workbench lists
the runs waiting for each user's step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.transitions import NotPermitted, Refused
from jiuzhu.web.payments import actions
from jiuzhu.web.payments.models import PayrollRun, RunStatus
from jiuzhu.web.payments.queries import work_items
from jiuzhu.web.payments.workflow import RUN
from tests.web.conftest import ON, PASSWORD
from tests.web.payments.conftest import grant, households_of


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _runs_work(user: User) -> list[Any]:
    for work in work_items(user, ON):
        if str(work.kind) == "发放名册":
            return work.items
    return []


@pytest.fixture
def run(users: dict[str, User], townships: tuple[str, str]) -> PayrollRun:
    grant(households_of(townships[0], 2), start="2025-08")
    return actions.draft_run(users["officer"], "2025-10", "dibao")


@pytest.mark.django_db
def test_maker_checker_refusals_say_the_rule_and_write_nothing(
    users: dict[str, User], run: PayrollRun
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(NotPermitted, match="制单人不能复核自己制作的名册"):
        actions.check_run(users["officer"], run)
    with pytest.raises(NotPermitted, match="复核由区民政局经办人办理"):
        actions.check_run(users["director"], run)
    with pytest.raises(Refused, match="“草拟”时不能审批"):
        actions.approve_run(users["director"], run)
    with pytest.raises(NotPermitted, match="制单人不能复核自己制作的名册"):
        actions.return_run(users["officer"], run, reason="金额有误")
    run = actions.check_run(users["officer2"], run)
    with pytest.raises(NotPermitted, match="复核人不能审批自己复核的名册"):
        actions.approve_run(users["officer2"], run)
    with pytest.raises(NotPermitted, match="制单人不能审批自己制作的名册"):
        actions.approve_run(users["officer"], run)
    with pytest.raises(NotPermitted, match="复核人不能审批自己复核的名册"):
        actions.return_run(users["officer2"], run, reason="再看看")
    assert AuditEvent.objects.count() == events + 1  # the check only
    assert PayrollRun.objects.get(pk=run.pk).status == RunStatus.CHECKED
    assert RUN.refusal(users["director"], run, "approve", ON) is None


@pytest.mark.django_db
def test_a_checker_sends_a_draft_back_with_a_reason_and_it_is_redrafted_first(
    users: dict[str, User], run: PayrollRun
) -> None:
    with pytest.raises(ValidationError, match="请写明退回理由"):
        actions.return_run(users["officer2"], run, reason=" ")
    run = actions.return_run(users["officer2"], run, reason="新增家庭的金额与决定不符")
    assert run.status == RunStatus.DRAFT and run.returned
    with pytest.raises(Refused, match="新增家庭的金额与决定不符"):
        actions.check_run(users["officer2"], run)
    with pytest.raises(Refused, match="须重新生成"):
        actions.return_run(users["officer2"], run, reason="again")
    # The drafters are who acts next, and the workbench says so.
    assert [item.action for item in _runs_work(users["officer"])] == ["重新生成名册"]
    assert _runs_work(users["officer2"]) == []
    page = _client("officer").get(f"/payments/runs/{run.pk}/").content.decode()
    assert "新增家庭的金额与决定不符" in page.split('id="returned"')[1][:400]
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert not run.returned
    run = actions.check_run(users["officer2"], run)
    assert run.status == RunStatus.CHECKED


@pytest.mark.django_db
def test_an_approver_sends_a_checked_run_back_and_the_history_shows_it(
    users: dict[str, User], run: PayrollRun
) -> None:
    run = actions.check_run(users["officer2"], run)
    director = _client("director")
    response = director.post(f"/payments/runs/{run.pk}/return/", {"reason": ""})
    assert response.status_code == 400
    assert PayrollRun.objects.get(pk=run.pk).status == RunStatus.CHECKED
    response = director.post(
        f"/payments/runs/{run.pk}/return/", {"reason": "停发家庭未核实"}, follow=True
    )
    assert "已退回制单人" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT and run.checked_by is None and run.returned
    assert run.returned_by == users["director"]
    history = director.get(f"/payments/runs/{run.pk}/").content.decode().split('id="history"')[1]
    for text in ("生成名册", "复核", "退回制单人", "停发家庭未核实", "director"):
        assert text in history, text
    assert AuditEvent.objects.filter(
        action="payments.return", object_id=str(run.pk), detail__reason="停发家庭未核实"
    ).exists()
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    run = actions.check_run(users["officer2"], run)
    run = actions.approve_run(users["director"], run)
    assert run.status == RunStatus.APPROVED


@pytest.mark.django_db
def test_the_run_page_shows_who_acts_next_and_offers_only_the_users_moves(
    users: dict[str, User], run: PayrollRun
) -> None:
    page = _client("officer").get(f"/payments/runs/{run.pk}/").content.decode()
    next_step = page.split('id="next-step"')[1].split("</section>")[0]
    assert "区民政局经办人" in next_step and "复核人不能是制单人（officer）" in next_step
    assert "2025-10-31" in next_step  # paid within the month
    assert 'id="step-check"' not in page and 'id="step-return"' not in page
    assert 'id="step-redraft"' in page
    page = _client("officer2").get(f"/payments/runs/{run.pk}/").content.decode()
    assert 'id="step-check"' in page and 'id="step-return"' in page
    assert 'href="#step-check"' in page
    page = _client("caseworker").get(f"/payments/runs/{run.pk}/").content.decode()
    assert 'id="not-mine"' in page and 'id="step-' not in page


@pytest.mark.django_db
def test_the_workbench_lists_the_runs_waiting_for_each_users_step(
    users: dict[str, User], run: PayrollRun, settings: Any
) -> None:
    assert _runs_work(users["officer"]) == []  # the maker
    (item,) = _runs_work(users["officer2"])
    assert item.action == "复核" and item.url == f"/payments/runs/{run.pk}/"
    assert item.due == dt.date(2025, 10, 31) and not item.overdue
    assert _runs_work(users["director"]) == []  # checking is an officer's work
    assert work_items(users["caseworker"], ON)[0].kind != "发放名册"
    actions.check_run(users["officer2"], run)
    assert [i.action for i in _runs_work(users["director"])] == ["审批"]
    assert _runs_work(users["officer2"]) == []  # the checker does not approve
    assert _runs_work(users["officer"]) == []  # nor the drafter
    actions.approve_run(users["director"], run)
    assert [i.action for i in _runs_work(users["officer"])] == ["生成银行文件"]
    later = dt.date(2025, 11, 3)
    assert [i.overdue for i in work_items(users["officer"], later)[0].items] == [True]
