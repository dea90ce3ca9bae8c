"""The demo's plan registers: a fictitious set of elderly-care institutions, day-care centres
and counselling places, one or two of each per township, so that the plan dashboard has
something to show. Every name says 【示例】 and every record is marked ``demo``: none of it
is Baodi's real data (the real beds and coverage are not known to this project)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from jiuzhu.web.core.users import Staff
from jiuzhu.web.plan import actions
from jiuzhu.web.plan.models import Facility, Kind, Medical, Outcome, Status, Venue

SEED = 20251015


def seed_plan(officer: Staff) -> int:
    """Facilities (with inspections) and counselling places for every township, recorded by
    ``officer`` through the plan's actions; the count of facilities (0 when already seeded)."""
    if Facility.objects.exists():
        return 0
    chance = random.Random(SEED)
    townships = actions.townships()
    for index, (code, name) in enumerate(townships.items()):
        _institution(officer, chance, code, name, index)
        _day_care(officer, chance, code, name, index)
        if index % 5 == 2:
            # A small private home that closed last year: its beds no longer count.
            _save(
                officer,
                code,
                f"【示例】{name}康乐养老院",
                Kind.INSTITUTION,
                beds=40,
                operator="【示例】个人举办",
                opened=dt.date(2016, 5, 1),
                status=Status.CLOSED,
                closed=dt.date(2024, 12, 31),
            )
    actions.save_point(
        officer,
        demo=True,
        venue=Venue.MARRIAGE_REGISTRY,
        name="【示例】区婚姻登记处婚姻家庭辅导室",
        provider="【示例】社会工作服务机构",
        started_on=dt.date(2021, 3, 1),
        ended_on=None,
    )
    for index, (code, name) in enumerate(townships.items()):
        if index % 3 == 0:
            actions.save_point(
                officer,
                demo=True,
                venue=Venue.TOWNSHIP,
                division_code=code,
                name=f"【示例】{name}婚姻家庭辅导站",
                provider="",
                started_on=dt.date(2023, 6, 1),
                ended_on=None,
            )
    return Facility.objects.count()


def _institution(officer: Staff, chance: random.Random, code: str, name: str, index: int) -> None:
    """The township's home for the elderly (敬老院), with a clinic or an agreement (one in
    seven agreements expired in the summer: not covered)."""
    beds = chance.randrange(60, 260, 10)
    if index % 2:
        medical: dict[str, Any] = {
            "medical": Medical.IN_HOUSE,
            "medical_start": dt.date(2019, 1, 1),
        }
    else:
        end = dt.date(2025, 6, 30) if index % 7 == 0 else dt.date(2026, 12, 31)
        medical = {
            "medical": Medical.AGREEMENT,
            "medical_partner": f"【示例】{name}卫生院",
            "medical_start": dt.date(2023, 7, 1),
            "medical_end": end,
        }
    facility = _save(
        officer,
        code,
        f"【示例】{name}敬老院",
        Kind.INSTITUTION,
        beds=beds,
        operator=f"【示例】{name}人民政府",
        opened=dt.date(2008, 9, 1),
        **medical,
    )
    outcome = Outcome.RECTIFY if index % 4 == 0 else Outcome.PASSED
    actions.record_inspection(
        officer,
        facility,
        inspected_on=dt.date(2025, 3 + index % 6, 10 + index % 15),
        inspector="【示例】区民政局养老服务科",
        outcome=outcome,
        findings="【示例】消防通道堆放杂物，限期清理" if outcome == Outcome.RECTIFY else "",
    )


def _day_care(officer: Staff, chance: random.Random, code: str, name: str, index: int) -> None:
    """The township's day-care centre: most with an agreement, one in six with none."""
    medical: dict[str, Any] = {"medical": Medical.NONE}
    if index % 6:
        medical = {
            "medical": Medical.AGREEMENT,
            "medical_partner": f"【示例】{name}卫生院",
            "medical_start": dt.date(2024, 1, 1),
            "medical_end": dt.date(2026, 12, 31),
        }
    _save(
        officer,
        code,
        f"【示例】{name}日间照料中心",
        Kind.DAY_CARE,
        beds=chance.randrange(0, 12, 2),
        operator="【示例】社区养老服务中心",
        opened=dt.date(2020, 10, 1),
        **medical,
    )


def _save(
    officer: Staff,
    code: str,
    name: str,
    kind: str,
    *,
    beds: int,
    operator: str,
    opened: dt.date,
    status: str = Status.OPERATING,
    closed: dt.date | None = None,
    **medical: Any,
) -> Facility:
    return actions.save_facility(
        officer,
        demo=True,
        division_code=code,
        name=name,
        kind=kind,
        operator=operator,
        beds=beds,
        opened_on=opened,
        status=status,
        closed_on=closed,
        medical=medical.get("medical", Medical.NONE),
        medical_partner=medical.get("medical_partner", ""),
        medical_start=medical.get("medical_start"),
        medical_end=medical.get("medical_end"),
    )
