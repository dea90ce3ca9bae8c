"""The penalty procedure's page: the state of each step, a form for each open step that calls
its action (a refusal shown on the form, nothing written), reading for every staff role of the
jurisdiction, writing for the deciding officers only, 404 outside it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.documents.actions import issue_notice
from jiuzhu.web.payments.models import Recovery
from tests.web.conftest import ON, PASSWORD
from tests.web.payments.test_penalty import _fraud

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _page(client: Client, recovery: Recovery, **post: Any) -> Any:
    url = f"/payments/recoveries/{recovery.pk}/penalty/"
    return client.post(url, post) if post else client.get(url)


def test_the_officer_records_a_statement_and_a_hearing_from_the_page(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    officer = users["officer"]
    recovery = _fraud(users, townships[0])
    client = _client(officer)
    before = _page(client, recovery).content.decode()
    assert "尚未告知" in before and "statement-form" not in before  # nothing open yet
    issue_notice(officer, "penalty_notice", recovery)
    page = _page(client, recovery).content.decode()
    assert 'id="statement-form"' in page and 'id="hearing_request-form"' in page
    assert 'id="hearing_outcome-form"' not in page and 'id="period"' in page
    # A heavier fine than notified is refused on the form; nothing is written.
    refused = _page(
        client,
        recovery,
        step="statement",
        received_on=ON.isoformat(),
        statement="收入系亲属赠与",
        adopted="no",
        finding="有银行流水为证，不予采纳",
        fine_multiple="3",
    )
    assert refused.status_code == 400 and "不得高于告知的" in refused.content.decode()
    recovery.refresh_from_db()
    assert recovery.statement_on is None
    done = _page(
        client,
        recovery,
        step="statement",
        received_on=ON.isoformat(),
        statement="收入系亲属赠与",
        adopted="yes",
        finding="部分属实，罚款减为1.5倍",
        fine_multiple="1.5",
    )
    assert done.status_code == 302
    recovery.refresh_from_db()
    assert recovery.statement_adopted and recovery.fine_amount == 300_000
    asked = _page(client, recovery, step="hearing_request", requested_on=ON.isoformat())
    assert asked.status_code == 302
    page = _page(client, recovery).content.decode()
    assert 'id="hearing_outcome-form"' in page and "请先登记听证结果" in page
    held = _page(
        client, recovery, step="hearing_outcome", held_on=ON.isoformat(), outcome="维持1.5倍"
    )
    assert held.status_code == 302
    recovery.refresh_from_db()
    assert recovery.hearing_outcome == "维持1.5倍"
    assert (
        AuditEvent.objects.filter(
            action__in=["payments.penalty_statement", "payments.hearing_request"]
        ).count()
        == 2
    )


def test_readers_see_the_state_only_and_other_townships_nothing(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    recovery = _fraud(users, townships[0])
    issue_notice(users["officer"], "penalty_notice", recovery)
    for name in ("caseworker", "auditor"):
        page = _page(_client(users[name]), recovery)
        assert page.status_code == 200 and "statement-form" not in page.content.decode()
        posted = _page(
            _client(users[name]), recovery, step="hearing_request", requested_on=ON.isoformat()
        )
        assert posted.status_code == 403
    assert _page(_client(users["outsider"]), recovery).status_code == 404
    assert _page(_client(users["officer"]), recovery, step="nonsense").status_code == 403
    recovery.refresh_from_db()
    assert recovery.hearing_requested_on is None


def test_an_overpayment_has_no_penalty_procedure(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    recovery = _fraud(users, townships[0], kind="overpayment")
    response = _page(_client(users["officer"]), recovery)
    assert response.status_code == 302
