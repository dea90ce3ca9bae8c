"""Records are matched to members by ID number; where a department writes another name under
that number, the records still count (matched, not dropped) and a ``name`` warning is raised.
Widths, middle-dot variants and invisible characters are not another name (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jiuzhu.batch.pipelines.verify import Delivery, HouseholdFacts, MemberFacts, derive

ON = dt.date(2025, 10, 15)
RECEIVED = dt.datetime(2025, 10, 15, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ID = "120115198001010011"


def _tax(name: str, period: str = "2025-09") -> dict[str, Any]:
    return {
        "period": period,
        "received_at": RECEIVED.isoformat(),
        "name": name,
        "income": 300_000,
        "tax_withheld": 0,
        "employer": "某公司",
    }


def _findings(registered: str, *written: str) -> Any:
    member = MemberFacts(1, ID, registered, "01")
    records = {ID: {"tax": [_tax(name) for name in written]}}
    deliveries = {"tax": Delivery(RECEIVED, "2025-09")}
    return derive([member], records, {}, {}, HouseholdFacts(), deliveries, ON)


def test_another_name_under_the_members_id_is_a_warning_and_the_records_still_count() -> None:
    findings = _findings("张三", "张山", "张山")
    [name] = [c for c in findings.comparisons if c.item == "name"]
    assert name.warning and name.severity == "warning" and name.source == "tax"
    assert (name.declared, name.found) == ("张三", "张山")
    assert "已按身份证号计入" in name.note
    # Matched, not dropped: the wage is verified from the same records.
    assert findings.incomes[(1, "wage_income")].value == 100_000  # 300,000 fen over 6 months
    assert next(c for c in findings.comparisons if c.item == "wage_income").found == 100_000


@pytest.mark.parametrize(
    ("registered", "written"),
    [
        ("阿卜杜拉·买买提", "阿卜杜拉・买买提"),  # katakana middle dot
        ("阿卜杜拉·买买提", "阿卜杜拉．买买提"),  # full-width full stop
        ("张三", "张\u200b三"),  # zero-width space
        ("张三", "张三 "),  # a trailing space
        ("ＡＢＣ", "ABC"),  # full-width letters
    ],
)
def test_the_same_name_written_otherwise_is_no_warning(registered: str, written: str) -> None:
    findings = _findings(registered, written)
    assert not [c for c in findings.comparisons if c.item == "name"]
