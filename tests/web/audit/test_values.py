"""How values read, kind by kind: ID numbers masked wherever they appear, divisions by name,
a merged duplicate by its masked identity, money in yuan, choices by label — including the
registry upkeep's events (moves, deaths, merges), which carry no raw code either."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.presenting import Presenter

PERSON_ID = "120224198001011234"


def shown(event: AuditEvent, user: Any = None) -> dict[str, tuple[str | None, str]]:
    presenter = Presenter(user)
    presenter.load([event])
    return {
        c.label: (c.before, c.after) for c in presenter.changes(event) + presenter.details(event)
    }


def event(action: str, object_type: str = "registry.person", **parts: Any) -> AuditEvent:
    return AuditEvent(
        action=action,
        object_type=object_type,
        object_id="",
        before=parts.pop("before", None),
        after=parts.pop("after", None),
        detail=parts,
    )


@pytest.mark.django_db
def test_id_numbers_are_masked_and_divisions_named(users: dict[str, User]) -> None:
    merged = shown(
        event(
            "registry.merge_persons",
            before={
                "duplicate": {
                    "name": "张三丰",
                    "resident_id": PERSON_ID,
                    "birth_date": "1980-01-01",
                }
            },
            after={"kept": PERSON_ID},
            dropped=["income:wage_income:declared:100", "membership:3"],
            reason="重复登记",
        )
    )
    assert merged["重复登记的人员"] == ("张** 120224********1234", "—")
    assert merged["保留的人员"] == ("—", "120224********1234")
    assert merged["合并时舍弃的重复记录"] == (None, "2")
    assert PERSON_ID not in str(merged)
    edited = shown(
        event(
            "registry.update_member",
            before={"resident_id": PERSON_ID, "relation": "20"},
            after={"resident_id": "120224198001011250", "relation": "30"},
        )
    )
    assert edited["公民身份号码"] == ("120224********1234", "120224********1250")
    assert edited["与申请人关系"][1] not in ("30", "")
    household = shown(
        event(
            "registry.update_household",
            "registry.household",
            before={"division_code": users["community"].division_code},
            after={"division_code": users["community"].division_code[:9] + "999"},
        )
    )
    before, _after = household["村（居）区划代码"]
    assert before and not before.isdigit()


@pytest.mark.django_db
def test_registry_upkeep_events_read_in_words() -> None:
    moved = shown(
        event(
            "registry.move_out",
            before={"valid_to": None},
            after={"valid_to": "2025-10-01"},
            reason="婚嫁",
        )
    )
    assert moved == {"迁出日期": ("—", "2025-10-01"), "理由": (None, "婚嫁")}
    due = shown(
        event("cases.reassessment_due", "cases.application", change="died", registry_event=12)
    )
    assert due["登记变更"] == (None, "成员死亡")
    relations = shown(
        event(
            "registry.change_applicant",
            "registry.household",
            before={"relations": {"张三": "本人", "李四": "配偶"}},
            after={"relations": {"张三": "配偶", "李四": "本人"}},
        )
    )
    assert relations["成员与申请人关系"] == ("张三：本人；李四：配偶", "张三：配偶；李四：本人")
    absent = shown(
        event(
            "registry.absence",
            before={"absence_reason": "", "absent_since": None},
            after={"absence_reason": "prison", "absent_since": "2025-09-01"},
        )
    )
    assert absent["离家日期"] == ("—", "2025-09-01")
    with translation.override("en"):
        english = shown(event("registry.return", on="2025-10-02"))
    assert english == {"Date of return": (None, "2025-10-02")}
