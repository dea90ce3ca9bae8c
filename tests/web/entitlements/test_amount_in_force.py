"""The monthly amount shown is the one in force on today's business date: an approved standard
change from a later month is shown beside it as the change to come, and the timeline reads each
version's stored exclusive end as the last month it covers (trial finding B1)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import User
from jiuzhu.web.entitlements.models import Entitlement, EntitlementVersion, VersionBasis
from jiuzhu.web.entitlements.queries import timeline
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD
from tests.web.entitlements.conftest import make_entitlement
from tests.web.test_exports import HEADER_ROW


def _client(username: str, language: str = "zh-hans") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def changed(users: dict[str, User], first_township: str) -> Entitlement:
    """1,000.00 a month from 2025-05; a standard change approved for 2025-11 (1,100.00), as
    the approval writes it: the first version closed at 2025-11 (exclusive), the second open.
    The business date is 2025-10-15."""
    household = Household.objects.filter(township_code=first_township).order_by("pk").first()
    entitlement = make_entitlement(household, amount=100_000, start_month="2025-05")
    EntitlementVersion.objects.filter(entitlement=entitlement).update(valid_to="2025-11")
    EntitlementVersion.objects.create(
        entitlement=entitlement,
        number=2,
        valid_from="2025-11",
        monthly_amount=110_000,
        basis=VersionBasis.STANDARD_CHANGE,
    )
    return entitlement


def _row_of(page: str, number: str) -> str:
    start = page.index(number)
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
def test_the_list_shows_todays_amount_and_the_change_to_come(changed: Entitlement) -> None:
    row = _row_of(_client("caseworker").get("/entitlements/").content.decode(), changed.number)
    assert "1,000.00" in row
    assert "自 2025-11 起 1,100.00" in row
    english = _row_of(
        _client("caseworker", "en").get("/entitlements/").content.decode(), changed.number
    )
    assert "from 2025-11: 1,100.00" in english


@pytest.mark.django_db
def test_the_household_page_shows_todays_amount(changed: Entitlement) -> None:
    page = (
        _client("caseworker").get(f"/registry/households/{changed.household_id}/").content.decode()
    )
    row = _row_of(page, changed.number)
    assert "1,000.00" in row and "自 2025-11 起 1,100.00" in row


@pytest.mark.django_db
def test_the_timeline_shows_periods_without_overlap(changed: Entitlement) -> None:
    page = _client("caseworker").get(f"/entitlements/{changed.pk}/").content.decode()
    amount = page[page.index('id="amount-now"') :]
    assert amount.index("1,000.00") < amount.index("自 2025-11 起 1,100.00")
    versions = page[page.index('id="versions"') : page.index("</table>", page.index("versions"))]
    assert "2025-05 至 2025-10" in versions
    assert "2025-11 起" in versions and "至今" not in versions
    assert "2025-11 至" not in versions  # November is in one period only
    rows = timeline(changed.versions.order_by("number"), "2025-11")
    assert [(r.period, r.state) for r in rows] == [
        ("2025-05 至 2025-10", "ended"),
        ("2025-11 起至今", "in_force"),
    ]


@pytest.mark.django_db
def test_a_version_closed_before_it_began_is_shown_as_never_in_force(
    changed: Entitlement,
) -> None:
    EntitlementVersion.objects.filter(entitlement=changed, number=2).update(valid_to="2025-11")
    rows = timeline(changed.versions.order_by("number"), "2025-10")
    assert [(r.period, r.state) for r in rows] == [
        ("2025-05 至 2025-10", "in_force"),
        ("2025-11（未执行）", "never"),
    ]
    row = _row_of(_client("caseworker").get("/entitlements/").content.decode(), changed.number)
    assert "1,000.00" in row and "自 2025-11" not in row


@pytest.mark.django_db
def test_the_export_gives_todays_amount_and_the_change_to_come(
    changed: Entitlement, settings: Any
) -> None:
    response = _client("caseworker").get("/entitlements/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[HEADER_ROW]]
    row = next(
        [cell.value for cell in r]
        for r in sheet.iter_rows(min_row=HEADER_ROW + 1)
        if r[0].value == changed.number
    )
    values = dict(zip(header, row, strict=True))
    assert values["月救助金（元）"] == 1000
    assert values["待生效调整月份"] == "2025-11"
    assert values["调整后月救助金（元）"] == 1100


@pytest.mark.django_db
def test_a_review_before_a_scheduled_version_says_when_it_can_be_completed(
    users: dict[str, User], changed: Entitlement
) -> None:
    """A review completed in October, whose result differs from November's approved version,
    is refused with the month from which it can be completed, and writes nothing."""
    from django.core.exceptions import ValidationError

    from jiuzhu.web.entitlements.actions.reassessment import Reassessment, _apply_reassessment

    october = Reassessment(
        on=dt.date(2025, 10, 15),
        month="2025-11",
        eligible=True,
        amount=105_000,
        current=110_000,
        unit_members=1,
        income_above_standard=False,
        sanction_reduction=0,
        parameter_digest="",
    )
    with pytest.raises(ValidationError, match="请于 2025-11 起再完成本次核查"):
        _apply_reassessment(
            users["caseworker"], changed, october, basis="review", note="", grounds_if_ineligible=""
        )
    assert changed.versions.count() == 2
