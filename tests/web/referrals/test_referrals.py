"""Referral to legal aid or judicial assistance (C34): from the household page, the rules decide
on the day whether the economic-hardship check is waived (《中华人民共和国法律援助法》第四十二条),
the referral is kept and its letter printed (audited); refusals say why and write nothing;
another township sees nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.referrals import actions
from jiuzhu.web.referrals.models import Referral
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD
from tests.web.payments.conftest import grant
from tests.web.test_workflow import eligible_household

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _applicant(household: Household) -> object:
    return household.memberships.filter(valid_to__isnull=True, relation="01").first().person  # type: ignore[union-attr]


def test_a_dibao_member_is_referred_with_the_check_waived_and_the_letter_printed(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = eligible_household(townships[0])
    grant([household], start="2025-08", amount=100_000)
    person = _applicant(household)
    caseworker = _client(users["caseworker"])
    page = caseworker.get(f"/registry/households/{household.pk}/").content.decode()
    assert f"/referrals/households/{household.pk}/new/" in page
    response = caseworker.post(
        f"/referrals/households/{household.pk}/new/",
        {
            "person": str(person.pk),  # type: ignore[attr-defined]
            "kind": "legal_aid",
            "matter": "追索拖欠的劳动报酬 8,000 元",
            "receiving_body": "宝坻区法律援助中心",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.check_waived is True and "社会救助对象" in referral.reasons
    letter = caseworker.get(response["Location"]).content.decode()
    assert "法律援助转介函" in letter and "免予核查经济困难状况" in letter
    assert "第四十二条" in letter and "追索拖欠的劳动报酬" in letter
    assert AuditEvent.objects.filter(action="referrals.print").count() == 1
    listed = caseworker.get(f"/referrals/households/{household.pk}/").content.decode()
    assert "宝坻区法律援助中心" in listed and f"/referrals/{referral.pk}/letter/" in listed
    # Another township's caseworker sees neither the form nor the letter.
    outsider = _client(users["outsider"])
    assert outsider.get(f"/referrals/{referral.pk}/letter/").status_code == 404
    assert outsider.get(f"/referrals/households/{household.pk}/new/").status_code == 404


def test_refusals_name_the_field_and_write_nothing(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household, other = Household.objects.filter(township_code=townships[0]).order_by("pk")[:2]
    with pytest.raises(ValidationError) as refused:
        actions.refer(
            users["caseworker"],
            household,
            _applicant(other),  # type: ignore[arg-type]
            kind="legal_aid",
            matter=" ",
            receiving_body="",
        )
    assert set(refused.value.message_dict) == {"matter", "receiving_body", "person"}
    assert not Referral.objects.exists()
    auditor = _client(users["auditor"])
    assert auditor.get(f"/referrals/households/{household.pk}/new/").status_code == 403
