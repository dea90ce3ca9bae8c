"""The calendar tests start from an empty holiday table (the session database seeds one for the
other web tests); the test transaction restores it afterwards."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _empty_calendar(request: pytest.FixtureRequest) -> None:
    if "db" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()


__all__: list[Any] = []
