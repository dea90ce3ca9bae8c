"""Local values in the platform: entered by one district officer, checked by another, then
used by every assessment, whose explanation names them; refused where the package holds a firm
value, for a user who may not, or for the officer who entered it."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jiuzhu.rules.engine.explain import explain_household, render
from jiuzhu.web.accounts.models import User
from jiuzhu.web.localvalues import actions
from jiuzhu.web.localvalues.models import LocalValue, Status
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db
INCOME = "statistics.per_capita_disposable_income_previous_year"
BULLETIN = "天津市2024年国民经济和社会发展统计公报"
ON = dt.date(2025, 10, 15)


def _enter(user: User, **fields: object) -> LocalValue:
    values = {
        "parameter": INCOME,
        "start": dt.date(2025, 1, 1),
        "value": 53000,
        "document": BULLETIN,
        **fields,
    }
    return actions.enter(user, **values)  # type: ignore[arg-type]


def test_entered_checked_by_another_and_used_with_its_name(users: dict[str, User]) -> None:
    entry = _enter(users["officer"])
    assert entry.status == Status.AWAITING_CHECK
    assert actions.system().parameters[INCOME].at(ON).confidence == "unknown"
    with pytest.raises(ValidationError, match="另一人复核"):
        actions.check(users["officer"], entry)
    actions.check(users["officer2"], entry)
    system = actions.system()
    assert system.parameters[INCOME].at(ON).confidence == "local"
    # A household with large medical costs: its rigid-expenditure decision now rests on the
    # local value, and the explanation says so with the document and both officers.
    household = Household.objects.order_by("pk").first()
    assert household is not None
    frames = engine_frames(system, [household.pk], ON, public_keys=True)
    frames["household"] = frames["household"].with_columns(
        pl.lit(50_000_000, dtype=pl.Int64).alias("rigid_medical_expenditure"),
        pl.lit(1_000_000, dtype=pl.Int64).alias("declared_annual_income"),
    )
    text = render(explain_household(system, frames, household.number), system.variables, "zh")
    assert "本地值" in text and BULLETIN in text and "录入 officer，复核 officer2" in text


def test_refused_where_the_package_is_firm_or_the_user_may_not(users: dict[str, User]) -> None:
    with pytest.raises(ValidationError, match="only replace an unknown or low"):
        _enter(users["officer"], parameter="dibao.standard", start=dt.date(2025, 9, 1), value=1100)
    with pytest.raises(ValidationError, match="no parameter"):
        _enter(users["officer"], parameter="no.such.thing")
    with pytest.raises(ValidationError, match="依据文件"):
        _enter(users["officer"], document=" ")
    for name in ("caseworker", "head", "auditor"):
        with pytest.raises(PermissionDenied):
            _enter(users[name])
    entry = _enter(users["officer"])
    with pytest.raises(PermissionDenied):
        actions.check(users["caseworker"], entry)
    actions.reject(users["director"], entry, reason="公报数值有误")
    assert LocalValue.objects.get().status == Status.REJECTED
    assert actions.system().parameters[INCOME].at(ON).confidence == "unknown"


def test_a_newer_check_replaces_the_value_in_force(users: dict[str, User]) -> None:
    first = _enter(users["officer"])
    actions.check(users["officer2"], first)
    second = _enter(users["officer2"], value=53500)
    actions.check(users["officer"], second)
    assert LocalValue.objects.get(pk=first.pk).status == Status.REJECTED
    assert actions.system().parameters[INCOME].at(ON).value == 5_350_000


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "这个字段是必填项"),
        ("abc", "“abc”不是数字"),
        ("[1, 2]", "不是数字"),
        ("{unclosed", "不是数字"),
        ("-5", "取值不能为负数"),
        ("5%", "该参数是金额：请填元，不要用百分数"),
        ("530.005", "金额最多两位小数"),
        ("城镇：1900", "不是数字"),
    ],
)
def test_a_value_that_cannot_be_read_is_refused_on_its_field(
    users: dict[str, User], text: str, error: str
) -> None:
    """Refused on the value field in the user's words: never the rules' internal message
    naming the parameter's path, and nothing is recorded."""
    client = Client()
    client.login(username="officer", password=PASSWORD)
    response = client.post(
        "/local-values/",
        {"parameter": INCOME, "start": "2025-01-01", "value": text, "document": BULLETIN},
    )
    assert response.status_code == 200
    message = response.context["form"].errors["value"][0]
    assert error in message and INCOME not in message
    assert not LocalValue.objects.exists()


def test_a_value_is_read_as_people_write_money(users: dict[str, User]) -> None:
    client = Client()
    client.login(username="officer", password=PASSWORD)
    response = client.post(
        "/local-values/",
        {"parameter": INCOME, "start": "2025-01-01", "value": "53,000元", "document": BULLETIN},
    )
    assert response.status_code == 302
    assert LocalValue.objects.get().value == 53000


def test_the_page_enters_and_shows_the_value(users: dict[str, User]) -> None:
    client = Client()
    client.login(username="officer", password=PASSWORD)
    response = client.post(
        "/local-values/",
        {
            "parameter": INCOME,
            "start": "2025-01-01",
            "value": "53000",
            "document": BULLETIN,
        },
    )
    assert response.status_code == 302
    page = client.get("/local-values/").content.decode()
    assert BULLETIN in page and "待复核" in page
    township = Client()
    township.login(username="caseworker", password=PASSWORD)
    seen = township.get("/local-values/").content.decode()
    assert BULLETIN in seen and 'id="enter-value"' not in seen


def _adopted_standard(users: dict[str, User]) -> LocalValue:
    """The dibao standard a scenario adopted from 2025-11-01 (the business date is 2025-10-15)."""
    return actions.adopt(
        users["officer"],
        users["officer2"],
        parameter="dibao.standard",
        start=dt.date(2025, 11, 1),
        value={"urban": 1100, "rural": 1100},
        document="测算方案 1",
    )


def _row(page: str, entry: LocalValue) -> str:
    start = page.index(f'id="value-{entry.pk}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.parametrize(
    ("language", "value", "status"),
    [
        ("zh-hans", "城镇 1,100.00 元，农村 1,100.00 元", "待生效（自 2025-11-01）"),
        ("en", "urban 1,100.00 yuan, rural 1,100.00 yuan", "Takes effect 2025-11-01"),
    ],
)
def test_an_adopted_standard_reads_in_words_and_waits_for_its_start(
    users: dict[str, User], language: str, value: str, status: str
) -> None:
    entry = _adopted_standard(users)
    client = Client()
    client.login(username="officer2", password=PASSWORD)
    client.cookies["django_language"] = language
    row = _row(client.get("/local-values/").content.decode(), entry)
    assert value in row and "{" not in row
    assert status in row
    assert "已生效" not in row and ">In force<" not in row


def test_a_value_in_force_since_its_start_reads_as_in_force(users: dict[str, User]) -> None:
    entry = _enter(users["officer"])
    actions.check(users["officer2"], entry)
    client = Client()
    client.login(username="officer2", password=PASSWORD)
    row = _row(client.get("/local-values/").content.decode(), entry)
    assert "53,000.00 元" in row and "已生效" in row and "待生效" not in row
