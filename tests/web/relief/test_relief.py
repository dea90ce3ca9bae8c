"""Homeless relief records: voluntary admission, the usual 10 days on the workbench, services
and family contact, the ways a stay ends, a search by description, jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.clock import today
from jiuzhu.web.relief import actions
from jiuzhu.web.relief.models import Stay, StayStatus
from jiuzhu.web.relief.queries import search, work_items
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _admit(user: User, township: str, **fields: Any) -> Stay:
    values: dict[str, Any] = {
        "division_code": township,
        "voluntary": True,
        "description": "男，约50岁，身高170厘米，灰色棉外套，左手背有疤痕，河北口音",
        "found_at": "宝坻汽车站候车室",
        "sex": "1",
        **fields,
    }
    return actions.admit(user, **values)


def test_only_a_voluntary_stay_is_recorded_and_it_is_due_in_ten_days(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    with pytest.raises(ValidationError, match="自愿"):
        _admit(users["caseworker"], townships[0], voluntary=False)
    assert not Stay.objects.exists()
    stay = _admit(users["caseworker"], townships[0])
    assert stay.leave_due_on == stay.arrived_on + dt.timedelta(days=10)
    listed = work_items(users["caseworker"], today())
    assert listed.total == 1 and not listed.items[0].overdue
    later = work_items(users["caseworker"], today() + dt.timedelta(days=11))
    assert later.items[0].overdue


def test_services_contact_and_the_ways_a_stay_ends(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    stay = _admit(users["caseworker"], townships[0])
    actions.update(
        users["caseworker"],
        stay,
        services=["food", "lodging", "contact"],
        family_contact="经公安协查联系到其子，同意接回",
    )
    with pytest.raises(ValidationError, match="目的地和乘车凭证"):
        actions.end(users["caseworker"], stay, outcome=StayStatus.RETURNED)
    ended = actions.end(
        users["caseworker"],
        stay,
        outcome=StayStatus.RETURNED,
        destination="河北省沧州市",
        ticket="K1234 次",
    )
    assert ended.status == StayStatus.RETURNED and "ticket" in ended.services
    with pytest.raises(ValidationError, match="已离站"):
        actions.update(users["caseworker"], ended, services=[], family_contact="")
    other = _admit(users["caseworker"], townships[0])
    with pytest.raises(ValidationError, match="接收单位"):
        actions.end(users["caseworker"], other, outcome=StayStatus.RESETTLED)


def test_a_search_by_description_finds_a_person_without_documents(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    stay = _admit(users["caseworker"], townships[0])
    _admit(users["caseworker"], townships[0], description="女，约30岁，红色上衣")
    assert list(search(users["caseworker"], "疤痕 灰色")) == [stay]
    assert not list(search(users["outsider"], "疤痕"))


def test_another_township_neither_records_nor_reads(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    stay = _admit(users["caseworker"], townships[0])
    with pytest.raises(PermissionDenied):
        _admit(users["outsider"], townships[0])
    client = Client()
    client.login(username="outsider", password=PASSWORD)
    assert client.get(f"/relief/stays/{stay.pk}/").status_code == 404
    own = Client()
    own.login(username="caseworker", password=PASSWORD)
    page = own.get(f"/relief/stays/{stay.pk}/").content.decode()
    assert "宝坻汽车站候车室" in page and 'id="step-end"' in page
    assert own.get("/relief/?q=疤痕").status_code == 200


def test_a_district_resident_is_linked_to_their_household_and_resettled_with_a_letter(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    from jiuzhu.web.registry.models import Household

    household = Household.objects.filter(township_code=townships[1]).order_by("pk").first()
    assert household is not None
    person = household.memberships.filter(valid_to__isnull=True).first().person  # type: ignore[union-attr]
    stay = _admit(users["caseworker"], townships[0], resident_id=person.resident_id)
    client = Client()
    assert client.login(username=users["caseworker"].username, password=PASSWORD)
    page = client.get(f"/relief/stays/{stay.pk}/").content.decode()
    # Registered in the other township: named, not linked (outside the caseworker's records).
    assert "不在您的辖区" in page and f"/registry/households/{household.pk}/" not in page
    officer = Client()
    assert officer.login(username=users["officer"].username, password=PASSWORD)
    assert (
        f"/registry/households/{household.pk}/"
        in officer.get(f"/relief/stays/{stay.pk}/").content.decode()
    )
    assert client.get(f"/relief/stays/{stay.pk}/letter/").status_code == 404  # not resettled
    actions.end(
        users["caseworker"],
        stay,
        outcome=StayStatus.RESETTLED,
        referred_to="天津市宝坻区某镇人民政府",
    )
    letter = client.get(f"/relief/stays/{stay.pk}/letter/").content.decode()
    assert "关于接收安置受助人员的函" in letter and "天津市宝坻区某镇人民政府" in letter
    assert "国务院令第381号" in letter and person.resident_id not in letter
    unknown = _admit(users["caseworker"], townships[0])
    assert "未登记" in client.get(f"/relief/stays/{unknown.pk}/").content.decode()
