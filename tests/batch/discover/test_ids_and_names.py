"""Discovery matches department records to the registry by ID number: a registry row that still
holds the 15-digit form of an ID is found by the 18-digit form the feeds give, and a record
matched by ID whose name is not the registered one raises the alert with a note saying so."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from tests.batch.discover.world import World, keys

D = dt.date
LEGACY, CONVERTED = "120224650301002", "120224196503010021"
"""A registry row's 15-digit number and the 18-digit form a department writes."""
OTHER_LEGACY, OTHER_CONVERTED = "120224720815031", "120224197208150317"


def _died(w: World, resident_id: str, name: str | None = None) -> None:
    w.record("deaths", resident_id=resident_id, name=name, died_on=D(2025, 10, 5))


def test_a_registry_row_with_the_15_digit_form_is_matched_by_the_18_digit_form() -> None:
    """On the registry and the register alike: the person is found, the alert names the
    18-digit form (the register's 15-digit row no longer stops the run)."""
    w = World()
    home = w.household(1)
    w.person(home, 1, D(1965, 3, 1), resident_id=LEGACY)
    w.enrol(home, "dibao", monthly_amount=104_500)
    other = w.household(2)
    w.person(other, 2, D(1972, 8, 15), resident_id=OTHER_LEGACY)  # not in the register
    _died(w, CONVERTED)
    w.stay(OTHER_CONVERTED, D(2025, 10, 9), 1_000_001)
    alerts = w.run("MEMBER_DIED", "MED_HIGH_OOP")
    assert keys(alerts) == [
        f"MED_HIGH_OOP:{OTHER_CONVERTED}:2025-10-09/1000001",
        f"MEMBER_DIED:{CONVERTED}:2025-10-05",
    ]
    assert set(alerts["resident_id"]) == {CONVERTED, OTHER_CONVERTED}
    assert set(alerts["household_id"]) == {home, other}


def test_an_invalid_15_character_registry_id_is_left_and_matches_nothing() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, D(1965, 1, 1), resident_id="120224651301003")  # 13th month
    w.stay("120224196513010031", D(2025, 10, 9), 1_000_001)
    assert w.run("MED_HIGH_OOP").is_empty()


def test_a_record_matched_by_id_under_another_name_is_matched_and_says_so() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, D(1965, 3, 1), resident_id=CONVERTED, name="张三")
    w.enrol(home, "dibao", monthly_amount=104_500)
    _died(w, CONVERTED, "张山")
    [alert] = w.run("MEMBER_DIED").to_dicts()
    assert alert["resident_id"] == CONVERTED
    assert alert["explanation_zh"].endswith(
        "（部门记录中该身份证号的姓名为“张山”，与登记姓名“张三”不同："
        "已按身份证号匹配，请核实姓名或是否同一人）"
    )
    assert "names “张山”, the registry “张三”: matched by ID number" in alert["explanation_en"]
    evidence = json.loads(alert["evidence"])
    assert evidence["names"] == {"registered_name": "张三", "department_names": "张山"}
    assert evidence["record"]["died_on"] == "2025-10-05"


def test_names_differing_only_in_dots_widths_or_invisible_characters_are_the_same() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, D(1965, 3, 1), resident_id=CONVERTED, name="阿卜杜拉·买买提")
    w.person(home, 2, D(1972, 8, 15), "10", resident_id=OTHER_CONVERTED, name="李四")
    w.enrol(home, "dibao", monthly_amount=104_500)
    _died(w, CONVERTED, "阿卜杜拉・买买提")  # katakana middle dot
    w.stay(CONVERTED, D(2025, 10, 9), 1_000_001, name="阿卜杜拉．买买提")  # full-width stop
    w.stay(OTHER_CONVERTED, D(2025, 10, 9), 1_000_001, name="李\u200b四 ")  # zero-width space
    w.record(  # a blank name is no evidence of a difference
        "unemployment",
        resident_id=OTHER_CONVERTED,
        name=None,
        registered_on=D(2025, 10, 3),
        status="registered",
    )
    alerts = w.run("MEMBER_DIED", "MED_HIGH_OOP", "UNEMPLOYMENT_REGISTERED")
    assert alerts.height == 4
    assert not any("姓名" in text for text in alerts["explanation_zh"])
    assert not any("names" in json.loads(e) for e in alerts["evidence"])


def test_only_the_signals_own_sources_are_compared() -> None:
    """A death record under another name says nothing about a hospital stay's alert; every
    other name of the person in the signal's source is listed once."""
    w = World()
    home = w.household(1)
    w.person(home, 1, D(1965, 3, 1), resident_id=CONVERTED, name="张三")
    w.enrol(home, "dibao", monthly_amount=104_500)
    _died(w, CONVERTED, "张山")
    w.stay(CONVERTED, D(2025, 10, 2), 1_000_001, name="张叁")
    w.stay(CONVERTED, D(2025, 10, 3), 1_000_002, name="张叁")
    w.stay(CONVERTED, D(2025, 10, 4), 1_000_003, name="张三")
    alerts = w.run("MEMBER_DIED", "MED_HIGH_OOP")
    stays = alerts.filter(pl.col("signal") == "MED_HIGH_OOP")
    assert stays.height == 3
    for text in stays["explanation_zh"]:
        assert "“张叁”" in text and "张山" not in text
    died = alerts.filter(pl.col("signal") == "MEMBER_DIED")["explanation_zh"][0]
    assert "“张山”" in died and "张叁" not in died


def test_a_15_digit_row_whose_18_digit_form_another_person_holds_is_left() -> None:
    """One ID never stands for two people: the person registered under the 18-digit form is
    the one found (the other row is a data error for a person to resolve)."""
    w = World()
    home, other = w.household(1), w.household(2)
    w.person(home, 1, D(1965, 3, 1), resident_id=LEGACY)
    w.person(other, 2, D(1965, 3, 1), resident_id=CONVERTED)
    w.enrol(home, "dibao", monthly_amount=104_500)  # both on the register
    w.enrol(other, "dibao", monthly_amount=104_500)
    w.stay(CONVERTED, D(2025, 10, 9), 1_000_001)
    _died(w, CONVERTED)
    alerts = w.run("MED_HIGH_OOP", "MEMBER_DIED")
    assert keys(alerts) == [
        f"MED_HIGH_OOP:{CONVERTED}:2025-10-09/1000001",
        f"MEMBER_DIED:{CONVERTED}:2025-10-05",
    ]
    assert alerts["household_id"].to_list() == [other, other]
