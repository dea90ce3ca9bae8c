"""The procedure before a fraud's fine (《行政处罚法》第四十四条、第四十五条、第六十三条、第六十四条):
the decision waits for the prior notice and then the party's statement (or its period), a
hearing requested waits for its outcome, the fine may not be made heavier, and an overpayment
is untouched. Pages show only within the jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.transitions import Refused
from jiuzhu.web.documents.actions import fill_example_offices, issue_notice
from jiuzhu.web.documents.models import IssuedDocument
from jiuzhu.web.payments import penalty
from jiuzhu.web.payments.models import Recovery
from jiuzhu.web.payments.recoveries import record_recovery, record_repayment
from tests.web.conftest import ON, PASSWORD
from tests.web.payments.conftest import grant, households_of

pytestmark = pytest.mark.django_db


def _fraud(users: dict[str, User], township: str, kind: str = "fraud") -> Recovery:
    fill_example_offices()
    (household,) = households_of(township, 1)
    (entitlement,) = grant([household], start="2025-04", amount=100_000)
    return record_recovery(
        users["officer"],
        entitlement,
        amount=200_000,
        reason="隐瞒经营收入",
        kind=kind,
        fine_multiple="2" if kind == "fraud" else None,
    )


def _later(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def test_the_decision_waits_for_the_notice_and_the_statement_period(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    officer = users["officer"]
    recovery = _fraud(users, townships[0])
    with pytest.raises(Refused, match="事先告知书"):
        issue_notice(officer, "fraud_decision", recovery)
    notice = issue_notice(officer, "penalty_notice", recovery)
    assert notice.number == f"宝坻区民政罚告〔{ON.year}〕1号"
    assert "陈述和申辩" in str(notice.data) or notice.data["statement_days"] == 5
    # The hearing threshold is unknown: the notice states the right conditionally.
    assert notice.data["hearing_right"] is None
    recovery.refresh_from_db()
    assert (recovery.notified_on, recovery.notified_fine_amount) == (ON, 400_000)
    with pytest.raises(Refused, match="陈述、申辩期限至"):
        issue_notice(officer, "fraud_decision", recovery)
    # Past the period with no statement: the decision says none was made in time.
    _later(settings, ON + dt.timedelta(days=30))
    decision = issue_notice(officer, "fraud_decision", recovery)
    assert decision.data["notice_number"] == notice.number and not decision.data["statement_on"]
    recovery.refresh_from_db()
    assert recovery.penalty_decided_on == ON + dt.timedelta(days=30)
    with pytest.raises(ValidationError, match="处罚决定已作出"):
        penalty.record_statement(
            officer, recovery, received_on=ON, statement="x", adopted=False, finding="y"
        )
    assert AuditEvent.objects.filter(action="payments.penalty_decided").count() == 1


def test_a_statement_is_heard_and_the_fine_may_not_be_raised(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    officer = users["officer"]
    recovery = _fraud(users, townships[0])
    with pytest.raises(ValidationError, match="事先告知书出具后"):
        penalty.record_statement(
            officer, recovery, received_on=ON, statement="x", adopted=False, finding="y"
        )
    issue_notice(officer, "penalty_notice", recovery)
    with pytest.raises(ValidationError, match="更重的处罚"):
        penalty.record_statement(
            officer,
            recovery,
            received_on=ON,
            statement="收入系亲属借款",
            adopted=False,
            finding="银行流水显示为经营收入",
            fine_multiple="3",
        )
    recovery.refresh_from_db()
    assert recovery.fine_amount == 400_000 and recovery.statement_on is None
    # Adopted in part: the fine is lowered. A statement may be recorded once.
    penalty.record_statement(
        officer,
        recovery,
        received_on=ON,
        statement="收入系亲属借款",
        adopted=True,
        finding="部分收入确系借款",
        fine_multiple="1",
    )
    recovery.refresh_from_db()
    assert recovery.fine_amount == 200_000 and recovery.statement_adopted is True
    with pytest.raises(ValidationError, match="不能重复登记"):
        penalty.record_statement(
            officer, recovery, received_on=ON, statement="再述", adopted=False, finding="x"
        )
    # The statement heard does not end the time to ask for a hearing (the threshold of a
    # 较大数额罚款 is unknown, so the right may apply): the decision waits for it.
    with pytest.raises(Refused, match="要求听证"):
        issue_notice(officer, "fraud_decision", recovery)
    _later(settings, ON + dt.timedelta(days=30))
    decision = issue_notice(officer, "fraud_decision", recovery)
    assert decision.data["statement_adopted"] == "予以采纳"
    assert decision.data["fine"] == "2,000.00"


def test_a_statement_not_adopted_keeps_the_notified_fine(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    officer = users["officer"]
    recovery = _fraud(users, townships[0])
    issue_notice(officer, "penalty_notice", recovery)
    with pytest.raises(ValidationError) as refused:
        penalty.record_statement(
            officer, recovery, received_on=ON, statement=" ", adopted=False, finding=""
        )
    assert set(refused.value.message_dict) == {"statement", "finding"}
    penalty.record_statement(
        officer, recovery, received_on=ON, statement="不服", adopted=False, finding="证据确凿"
    )
    _later(settings, ON + dt.timedelta(days=30))
    decision = issue_notice(officer, "fraud_decision", recovery)
    assert decision.data["statement_adopted"] == "不予采纳" and decision.data["fine"] == "4,000.00"


def test_a_hearing_request_blocks_the_decision_until_its_outcome(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    officer = users["officer"]
    recovery = _fraud(users, townships[0])
    issue_notice(officer, "penalty_notice", recovery)
    penalty.record_hearing_request(officer, recovery, requested_on=ON)
    _later(settings, ON + dt.timedelta(days=30))
    with pytest.raises(Refused, match="听证结果"):
        issue_notice(officer, "fraud_decision", recovery)
    with pytest.raises(ValidationError, match="更重的处罚"):
        penalty.record_hearing_outcome(
            officer, recovery, held_on=ON, outcome="维持", fine_multiple="2.5"
        )
    penalty.record_hearing_outcome(officer, recovery, held_on=ON, outcome="维持告知的处罚")
    decision = issue_notice(officer, "fraud_decision", recovery)
    assert decision.data["hearing_outcome"] == "维持告知的处罚"


def test_an_overpayment_is_no_penalty_and_others_may_not_act(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    overpayment = _fraud(users, townships[0], kind="overpayment")
    with pytest.raises(Refused):
        issue_notice(users["officer"], "penalty_notice", overpayment)
    assert penalty.decision_refusal(overpayment, ON) is None
    recovery = Recovery.objects.create(
        entitlement=overpayment.entitlement,
        division_code=overpayment.division_code,
        kind="fraud",
        amount=100,
        fine_multiple=1,
        fine_amount=100,
        reason="x",
        decided_by=users["officer"],
    )
    caseworker = Client()
    assert caseworker.login(username=users["caseworker"].username, password=PASSWORD)
    url = f"/documents/recoveries/{recovery.pk}/penalty-notice/"
    assert caseworker.post(f"{url}issue/").status_code in (302, 400, 403)
    assert not IssuedDocument.objects.exists()
    officer = Client()
    assert officer.login(username=users["officer"].username, password=PASSWORD)
    page = officer.get(url)
    assert page.status_code == 200 and "较大数额的标准尚未确定" in page.content.decode()
    outsider = Client()
    assert outsider.login(username=users["outsider"].username, password=PASSWORD)
    assert outsider.get(url).status_code == 404


def test_a_lower_fine_may_not_leave_less_owed_than_repaid(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    officer = users["officer"]
    recovery = _fraud(users, townships[0])  # 2,000 yuan and a fine of 4,000
    issue_notice(officer, "penalty_notice", recovery)
    record_repayment(officer, recovery, amount=500_000, paid_on=ON, note="收据 0001")
    with pytest.raises(ValidationError, match=r"已缴回 5,000\.00 元"):
        penalty.record_statement(
            officer,
            recovery,
            received_on=ON,
            statement="确有困难",
            adopted=True,
            finding="酌情减轻",
            fine_multiple="1",
        )
    recovery.refresh_from_db()
    assert recovery.fine_amount == 400_000 and recovery.statement_on is None


def test_decisions_issued_before_the_procedure_mark_their_recovery_decided(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module(
        "jiuzhu.web.documents.migrations.0004_fraud_decisions_issued_before_the_procedure"
    )
    officer = users["officer"]
    recovery = _fraud(users, townships[0])
    issue_notice(officer, "penalty_notice", recovery)
    _later(settings, ON + dt.timedelta(days=30))
    issue_notice(officer, "fraud_decision", recovery)
    # As a decision issued before the procedure was recorded left it.
    Recovery.objects.filter(pk=recovery.pk).update(penalty_decided_on=None)
    migration.mark_decided(apps, None)
    recovery.refresh_from_db()
    issued = IssuedDocument.objects.get(kind="fraud_decision", recovery=recovery)
    assert recovery.penalty_decided_on == timezone.localdate(issued.issued_at)
