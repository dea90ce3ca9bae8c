"""The scenario form refuses what cannot be measured with one clear message on its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiuzhu.web.accounts.models import User
from jiuzhu.web.scenarios.models import Scenario
from tests.web.scenarios.test_scenarios import login, measure

pytestmark = pytest.mark.django_db

FORM = {"label": "测试", "effective": "2025-11-01", "reference": "依据"}


def test_an_effective_date_beyond_next_year_is_refused_naming_the_limit(
    users: dict[str, User],
) -> None:
    """The business date is 2025-10-15: the latest effective date is 2026-12-01."""
    with pytest.raises(ValidationError) as far:
        measure(users["officer"], effective=dt.date(2027, 1, 1))
    assert "2026-12-01" in far.value.error_dict["effective"][0].message
    page = login(users["officer"]).post(
        reverse("scenarios:list"), {**FORM, "effective": "9999-12-01", "standard": "1100"}
    )
    assert page.status_code == 400
    assert "生效日期不能晚于 2026-12-01" in page.text
    assert not Scenario.objects.exists()


OTHER = "statistics.per_capita_disposable_income_previous_year"


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "“abc”不是数字"), ("-5", "取值不能为负数"), ("12.345", "金额最多两位小数")],
)
def test_a_bad_other_value_is_a_plain_error_on_its_field(
    users: dict[str, User], value: str, message: str
) -> None:
    page = login(users["officer"]).post(
        reverse("scenarios:list"),
        {**FORM, "standard": "1100", "other_parameter": OTHER, "other_value": value},
    )
    assert page.status_code == 400
    form = page.context["form"]
    assert form.errors["other_value"] == [message]
    assert "__all__" not in form.errors
    assert "statistics." not in page.text.split('id="new-scenario"')[1].split("<select")[0]
    assert "is not a number" not in page.text and "is negative" not in page.text


def test_the_value_field_asks_for_plain_numbers_and_names_the_categories(
    users: dict[str, User],
) -> None:
    page = login(users["officer"]).get(reverse("scenarios:list")).text
    assert "{代码: 值}" not in page and "该参数的新取值" in page
    assert "特困人员基本生活标准：城市特困人员、农村特困人员集中供养" in page
    english = login(users["officer"])
    english.cookies["django_language"] = "en"
    assert "{code: value}" not in english.get(reverse("scenarios:list")).text


def test_a_category_value_keeps_the_others_in_force(users: dict[str, User]) -> None:
    """ "农村特困人员分散供养：1,600" changes that category only (a percentage reads as a ratio)."""
    client = login(users["officer"])
    done = client.post(
        reverse("scenarios:list"),
        {
            **FORM,
            "other_parameter": "tekun.basic_standard",
            "other_value": "农村特困人员分散供养：1,600",
        },
    )
    assert done.status_code == 302, done.context["form"].errors
    assert Scenario.objects.get().changes["tekun.basic_standard"] == {
        "urban": 1870,
        "rural_institutional": 1870,
        "rural_home_based": 1600,
    }
    ratio = client.post(
        reverse("scenarios:list"),
        {**FORM, "other_parameter": "near_dibao.cash_ratio", "other_value": "35%"},
    )
    assert ratio.status_code == 302
    assert Scenario.objects.order_by("pk").last().changes["near_dibao.cash_ratio"] == 0.35  # type: ignore[union-attr]
    wrong = client.post(
        reverse("scenarios:list"),
        {**FORM, "other_parameter": "tekun.basic_standard", "other_value": "火星：1600"},
    )
    assert wrong.status_code == 400
    assert "类别可为" in wrong.context["form"].errors["other_value"][0]


BUDGET = {**FORM, "label": "按预算", "budget_low": "1045", "budget_high": "3000"}


def test_an_over_large_budget_gets_one_error_in_yuan(users: dict[str, User]) -> None:
    page = login(users["officer"]).post(
        reverse("scenarios:list"), {**BUDGET, "budget_annual": "10000000000000"}
    )
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert errors == {"budget_annual": ["不能超过 1,000,000,000,000 元"]}
    assert "须同时填写" not in page.text


def test_the_budget_page_names_the_programs_covered_and_separates_thousands(
    users: dict[str, User],
) -> None:
    """No program ticked: the budget covers every monthly program, and the page says which."""
    client = login(users["officer"])
    form = client.get(reverse("scenarios:list")).text
    assert "不选则涵盖下列全部项目" in form
    done = client.post(reverse("scenarios:list"), {**BUDGET, "budget_annual": "1,000,000"})
    assert done.status_code == 302, done.context["form"].errors
    page = client.get(done["Location"]).text
    assert "年度预算 1,000,000 元" in page
    covered = page.split('id="budget-programs">')[1].split("</dd>")[0]
    assert covered.startswith("最低生活保障、低保边缘家庭、特困人员救助供养")
    assert "单人户" not in covered
