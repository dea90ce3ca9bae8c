"""Money is typed in yuan and kept in fen: NaN, infinities, scientific notation, digits of other
scripts and misplaced separators are refused with a message saying which, everywhere money is
entered (``core.forms.YuanField``: the registry's declarations and household facts, the
district's proposed amount)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.forms import YuanField, yuan_to_fen
from jiuzhu.web.registry.models import Household, Income
from tests.web.conftest import PASSWORD


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("1045", 104_500),
        ("1,045.50", 104_550),
        ("１，０４５．５", 104_550),
        ("1045.5元", 104_550),
        ("¥12", 1_200),
        ("", 0),
        ("100000000", 10_000_000_000),
    ],
)
def test_an_amount_in_yuan_is_kept_in_fen(typed: str, fen: int) -> None:
    assert yuan_to_fen(typed) == fen
    assert YuanField().clean(typed) == fen


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        # Failed before: accepted as 100 yuan, 123 yuan, 1,000 yuan and 123 yuan.
        ("1e2", "不能用科学计数法"),
        ("1E+5", "不能用科学计数法"),
        ("١٢٣", "须使用数字 0–9"),
        ("1_000", "如 1234.50"),
        ("1,2,3", "如 1234.50"),
        # Refused before too, now with a message that names the problem.
        ("NaN", "不能是 NaN 或无穷大"),
        ("-nan", "不能是 NaN 或无穷大"),
        ("Infinity", "不能是 NaN 或无穷大"),
        ("-inf", "不能是 NaN 或无穷大"),
        ("1e400", "不能用科学计数法"),
        ("-5", "不能为负数"),
        ("1.234", "最多两位小数"),
        ("100000000.01", "单项不超过1亿元"),
        ("0x10", "如 1234.50"),
        ("1.2.3", "如 1234.50"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_the_reason(typed: str, message: str) -> None:
    with pytest.raises(forms.ValidationError, match=message):
        YuanField().clean(typed)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["NaN", "inf", "1e5", "١٢٣"])
def test_a_declaration_with_a_non_amount_is_a_message_on_the_field_and_saves_nothing(
    users: dict[str, User], townships: tuple[str, str], typed: str
) -> None:
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    members = list(
        household.memberships.filter(valid_to__isnull=True).values_list("person_id", flat=True)
    )
    before = list(Income.objects.filter(person_id__in=members).values_list("pk", "monthly_amount"))
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(members)),
        "form-INITIAL_FORMS": str(len(members)),
    }
    for index, person in enumerate(members):
        data[f"form-{index}-person_id"] = str(person)
        data[f"form-{index}-wage_income"] = typed if index == 0 else "1200.50"
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    response = client.post(f"/registry/households/{household.pk}/declaration/", data)
    assert response.status_code < 500
    assert 'class="errorlist' in response.content.decode()
    after = list(Income.objects.filter(person_id__in=members).values_list("pk", "monthly_amount"))
    assert after == before
