"""Discovery fixtures: alert frames built by hand in ``ALERT_SCHEMA`` (so that the workflow is
tested whatever signals the catalogue holds), written through ``write_alerts`` for households of
both townships; a fast password hasher."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from jiuzhu.batch.pipelines.discover import ALERT_SCHEMA
from jiuzhu.web.discovery.actions import write_alerts
from jiuzhu.web.discovery.models import Alert, DiscoveryRun
from jiuzhu.web.registry.models import Household

EVIDENCE = {
    "signal": "MED_HIGH_OOP",
    "label": "医疗个人负担过高",
    "label_en": "High medical out-of-pocket cost",
    "sources": ["medical_insurance"],
    "rule": {
        "reference": "社会救助暂行办法 第二十八条",
        "text": "{date}住院结算个人负担{amount}元，超过{group}阈值{threshold}元",
        "text_en": "Inpatient settlement of {date}: own share {amount} yuan",
    },
    "thresholds": [
        {
            "parameter": "discover.MED_HIGH_OOP.other_threshold",
            "description": "其他人员单次住院个人负担预警线",
            "value": 1_000_000,
            "unit": "fen",
            "reference": "津民发〔2023〕 示例",
            "confidence": "medium",
        }
    ],
    "month": "2025-09",
    "record": {
        "resident_id": "120224198001011234",
        "settled_on": "2025-09-20",
        "out_of_pocket": 1_200_000,
    },
    "values": {"amount": "12,000.00", "threshold": "10,000.00"},
}


def alert_row(household: Household, signal: str = "MED_HIGH_OOP", **values: Any) -> dict[str, Any]:
    """One alert about ``household`` (its applicant), routed to its township."""
    member = household.memberships.filter(valid_to__isnull=True).order_by("relation").first()
    row = {
        "alert_key": f"{signal}:{member.person.resident_id if member else household.number}:2025-09",
        "signal": signal,
        "category": "needs",
        "severity": "high",
        "owner_level": "township",
        "owner_division": household.township_code,
        "township_code": household.township_code,
        "month": "2025-09",
        "household_id": household.number,
        "resident_id": member.person.resident_id if member else None,
        "adverse": False,
        "deadline_working_days": 10,
        "evidence": json.dumps(EVIDENCE, ensure_ascii=False),
        "explanation_zh": "住院个人自付 12,000 元，超过 10,000 元",
        "explanation_en": "Out-of-pocket inpatient cost of 12,000 yuan, above 10,000 yuan",
    }
    row.update(values)
    return row


def alert_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ALERT_SCHEMA)


@pytest.fixture
def raise_alerts() -> Callable[..., dict[str, int]]:
    """Write alert rows as a district discovery run would."""

    def raise_(rows: list[dict[str, Any]], month: str = "2025-09", **kwargs: Any) -> dict[str, int]:
        run = DiscoveryRun.objects.create(month=month, division_code="120115")
        return write_alerts(None, alert_frame(rows), run=run, **kwargs)

    return raise_


@pytest.fixture
def two_alerts(
    townships: tuple[str, str], raise_alerts: Callable[..., dict[str, int]]
) -> tuple[Alert, Alert]:
    """One alert in each township (the first township's, the other's)."""
    first = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    other = Household.objects.filter(township_code=townships[1]).order_by("pk").first()
    assert first is not None and other is not None
    raise_alerts([alert_row(first), alert_row(other)])
    return (
        Alert.objects.get(household=first),
        Alert.objects.get(household=other),
    )
