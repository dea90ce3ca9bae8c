"""The standard-change run page reads in the user's language (trial finding B3): the source of an
adopted standard names its document and the two officers by name, its confidence as a label,
and no parameter path is shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.entitlements.actions.standard_change_runs import start_standard_change
from jiuzhu.web.entitlements.models import StandardChangeRun
from jiuzhu.web.localvalues import actions as local_values
from tests.web.conftest import PASSWORD


@pytest.fixture
def run(users: dict[str, User]) -> StandardChangeRun:
    """A dibao standard adopted from 2025-11-01 (a scenario's approval: measured by one
    officer, approved by another) and the recomputation it starts."""
    for key, name in (("officer", "陈科员"), ("officer2", "周科员")):
        users[key].full_name = name
        users[key].save(update_fields=["full_name"])
    local_values.adopt(
        users["officer"],
        users["officer2"],
        parameter="dibao.standard",
        start=dt.date(2025, 11, 1),
        value={"urban": 1100, "rural": 1100},
        document="关于调整城乡最低生活保障标准的通知",
        document_number="宝民发〔2025〕9号",
    )
    return start_standard_change(
        users["officer2"], parameter_path="dibao.standard", effective_month="2025-11"
    )


def _page(run: StandardChangeRun, language: str) -> str:
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    client.cookies["django_language"] = language
    response = client.get(f"/entitlements/standard-changes/{run.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_an_adopted_standard_is_named_in_chinese_with_the_officers_names(
    run: StandardChangeRun,
) -> None:
    page = _page(run, "zh-hans")
    assert (
        "本地调整：关于调整城乡最低生活保障标准的通知（宝民发〔2025〕9号）；录入 陈科员，复核 周科员"
        in page
    )
    assert "置信度：本地（区民政局录入并复核）" in page
    assert "dibao.standard" not in page and "adopted change" not in page
    assert "城乡最低生活保障标准" in page
    # The record keeps the rules' text as it was; only the page renders it per language.
    assert "adopted change" in run.parameter_reference


@pytest.mark.django_db
def test_an_adopted_standard_is_named_in_english_without_chinese_punctuation(
    run: StandardChangeRun,
) -> None:
    page = _page(run, "en")
    reference = page[page.index('id="reference"') : page.index("</dd>", page.index("reference"))]
    assert (
        "Adopted change: 关于调整城乡最低生活保障标准的通知 (宝民发〔2025〕9号); "
        "entered by 陈科员, checked by 周科员" in reference
    )
    assert "Confidence: local (entered and checked by the district bureau)" in reference
    assert "本地调整" not in reference and "：" not in reference
    assert "dibao.standard" not in page


@pytest.mark.django_db
def test_the_run_list_and_the_workbench_name_the_parameter_in_the_users_language(
    run: StandardChangeRun,
) -> None:
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    client.cookies["django_language"] = "en"
    listed = client.get("/entitlements/standard-changes/").content.decode()
    # The run's row and the form's choices (a path only as an option's value).
    assert "城乡最低生活保障标准" not in listed and ">dibao.standard<" not in listed
    assert "<td>Dibao standard</td>" in listed
    workbench = client.get("/").content.decode()
    assert f"/entitlements/standard-changes/{run.pk}/" in workbench
    assert "城乡最低生活保障标准" not in workbench
