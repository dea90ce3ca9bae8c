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
