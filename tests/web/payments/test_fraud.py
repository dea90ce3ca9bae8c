"""Fraud (《社会救助暂行办法》第六十八条) in the browser: a district officer decides the recovery
with its fine on the household's payment history, the repayments are recorded in instalments
until it is settled, and the numbered decision (决定书) is printed with the amount, the fine,
the time to pay and the remedies. Refusals say why and write nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.documents.models import IssuedDocument
from jiuzhu.web.payments.models import Recovery, Repayment
from tests.web.conftest import ON, PASSWORD
from tests.web.payments.conftest import grant, households_of

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _decide(officer: Client, household_pk: int, entitlement_pk: int, **fields: str) -> object:
    data = {
        "entitlement": str(entitlement_pk),
        "kind": "fraud",
        "amount": "2,000",
        "fine_multiple": "2",
        "reason": "隐瞒家庭成员经营收入，2025年4月至9月多领低保金",
        **fields,
    }
    return officer.post(f"/payments/households/{household_pk}/recoveries/new/", data)


def test_a_fraud_is_decided_repaid_in_instalments_and_its_decision_issued(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    fill_example_offices()
    (household,) = households_of(townships[0], 1)
    (entitlement,) = grant([household], start="2025-04", amount=100_000)
    officer = _client(users["officer"])
    ledger = f"/payments/households/{household.pk}/"
    assert (
        f"/payments/households/{household.pk}/recoveries/new/"
        in officer.get(ledger).content.decode()
    )
    # A fine outside 1–3 times is refused, naming the range; nothing is written.
    refused = _decide(officer, household.pk, entitlement.pk, fine_multiple="4")
    assert refused.status_code == 400 and "1倍以上3倍以下" in refused.content.decode()
    assert not Recovery.objects.exists()
    response = _decide(officer, household.pk, entitlement.pk)
    assert response.status_code == 302
    recovery = Recovery.objects.get()
    assert (recovery.amount, recovery.fine_amount) == (200_000, 400_000)

    # Repaid in two instalments: more than is owed is refused; the second settles it.
    repay = f"/payments/recoveries/{recovery.pk}/repay/"
    first = {"amount": "1500", "paid_on": ON.isoformat(), "note": "收据 No.0012"}
    assert officer.post(repay, first).status_code == 302
    recovery.refresh_from_db()
    assert recovery.status == Recovery.RecoveryStatus.RECOVERING
    too_much = {"amount": "4600", "paid_on": ON.isoformat(), "note": "收据 No.0013"}
    # A refusal shows the history again with the error on the recovery's form (400).
    refused = officer.post(repay, too_much)
    assert refused.status_code == 400 and Repayment.objects.count() == 1
    assert "超过尚欠金额 4,500.00 元" in refused.content.decode()
    future = {"amount": "10", "paid_on": (ON + dt.timedelta(days=1)).isoformat(), "note": "x"}
    refused = officer.post(repay, future)
    assert refused.status_code == 400 and "日期不能晚于今天" in refused.content.decode()
    assert Repayment.objects.count() == 1
    blank = officer.post(repay, {"amount": "", "paid_on": ON.isoformat(), "note": "x"})
    assert blank.status_code == 400 and Repayment.objects.count() == 1
    last = {"amount": "4500", "paid_on": ON.isoformat(), "note": "收据 No.0013"}
    officer.post(repay, last)
    recovery.refresh_from_db()
    assert recovery.status == Recovery.RecoveryStatus.SETTLED
    page = officer.get(ledger).content.decode()
    assert "收据 No.0012" in page and "已追回" in page

    # The decision: previewed as a draft, then numbered by the district bureau.
    url = f"/documents/recoveries/{recovery.pk}/fraud-decision/"
    draft = officer.get(url).content.decode()
    assert "样稿" in draft and "第六十八条" in draft and "2,000.00" in draft
    assert "4,000.00" in draft and "6,000.00" in draft
    assert "15日内" in draft and "行政复议" in draft
    # Not before the prior notice (行政处罚法第四十四条) and the statement period after it.
    assert officer.post(f"{url}issue/").status_code == 400
    notice = f"/documents/recoveries/{recovery.pk}/penalty-notice/"
    assert "陈述和申辩" in officer.get(notice).content.decode()
    assert officer.post(f"{notice}issue/").status_code == 302
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": (ON + dt.timedelta(days=30)).isoformat()}
    assert officer.post(f"{url}issue/").status_code == 302
    issued = IssuedDocument.objects.get(recovery=recovery, kind="fraud_decision")
    assert "未提出陈述、申辩" in officer.get(url).content.decode()
    assert issued.number == f"宝坻区民政罚〔{ON.year}〕1号"
    assert issued.number in officer.get(url).content.decode()
    assert officer.get(f"/documents/recoveries/{recovery.pk}/fraud-decision.pdf").status_code == 200


def test_only_the_district_decides_and_an_overpayment_has_no_decision(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    (household,) = households_of(townships[0], 1)
    (entitlement,) = grant([household], start="2025-04", amount=100_000)
    caseworker = _client(users["caseworker"])
    assert (
        "recoveries/new"
        not in caseworker.get(f"/payments/households/{household.pk}/").content.decode()
    )
    assert _decide(caseworker, household.pk, entitlement.pk).status_code == 403
    officer = _client(users["officer"])
    _decide(officer, household.pk, entitlement.pk, kind="overpayment", fine_multiple="")
    recovery = Recovery.objects.get()
    assert recovery.kind == Recovery.RecoveryKind.OVERPAYMENT and recovery.fine_amount == 0
    assert officer.get(f"/documents/recoveries/{recovery.pk}/fraud-decision/").status_code == 404
    # Another township's caseworker sees nothing of it.
    outsider = _client(users["outsider"])
    assert outsider.get(f"/payments/recoveries/{recovery.pk}/").status_code == 404
