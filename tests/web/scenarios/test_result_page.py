"""A scenario's result page: every figure readable, none missing or misleading."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiuzhu.web.accounts.models import User
from tests.web.scenarios.test_scenarios import login, measure

pytestmark = pytest.mark.django_db


def test_a_missing_after_value_is_a_dash(users: dict[str, User]) -> None:
    """At 1 yuan no household keeps dibao: its average after the change is "—", not blank."""
    scenario = measure(users["officer"], standard=1)
    dibao = next(r for r in scenario.summary if r["program"] == "dibao")
    assert dibao["scenario_average"] is None and dibao["baseline_average"] is not None
    page = login(users["officer"]).get(reverse("scenarios:detail", args=[scenario.pk])).text
    assert not re.search(r"→\s*<", page)
    assert not re.search(r">\s*→", page)
    assert "→ —" in page
