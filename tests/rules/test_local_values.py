"""Local values (本地值): a district's values for unknown or low-confidence parameters."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.rules import load_system
from jiuzhu.rules.engine.explain import explain_household, render
from jiuzhu.rules.engine.local_values import LocalValue, LocalValuesError, read_local_values
from tests.rules.policy_cases import build_frames

INCOME = "statistics.per_capita_disposable_income_previous_year"
BULLETIN = "天津市2024年国民经济和社会发展统计公报"


def local(
    parameter: str = INCOME, start: dt.date = dt.date(2025, 1, 1), value: Any = 53000, **fields: str
) -> LocalValue:
    officers = {"entered_by": "张敏", "checked_by": "李强", **fields}
    return LocalValue(parameter, start, value, BULLETIN, **officers)


RIGID_2025: dict[str, Any] = {
    "date": dt.date(2025, 10, 15),
    "household": {"declared_annual_income": 100000, "rigid_medical_expenditure": 65000},
    "persons": [
        {"relation": "01", "age": 45, "other_transfer_income": 2083.33},
        {"relation": "10", "age": 44, "other_transfer_income": 2083.33},
        {"relation": "20", "age": 16, "other_transfer_income": 2083.33},
        {"relation": "30", "age": 14, "other_transfer_income": 2083.33},
    ],
}


def test_a_rigid_expenditure_case_in_2025_is_decided_and_names_the_local_value() -> None:
    """Without the 2024 per-capita disposable income the case is undetermined; with the
    bureau's value it is decided, and the explanation names the value as a local one."""
    base = load_system("tianjin")
    frames = build_frames(base, RIGID_2025)
    before = base.simulate(
        frames["household"], frames["person"], outputs=["rigid_expenditure_eligible"]
    )
    assert before.households["rigid_expenditure_eligible"].to_list() == [None]

    system = base.with_local_values([local()])
    after = system.simulate(
        frames["household"],
        frames["person"],
        outputs=["rigid_expenditure_eligible", "rigid_income_threshold"],
    )
    assert after.households["rigid_expenditure_eligible"].to_list() == [True]
    assert after.households["rigid_income_threshold"].to_list() == [4 * 53000 * 100]
    text = render(explain_household(system, frames, "H"), system.variables, "zh")
    assert "本地值" in text
    assert BULLETIN in text
    assert "录入 张敏，复核 李强" in text
    english = render(explain_household(system, frames, "H"), system.variables, "en")
    assert "local value" in english


def test_a_local_value_applies_until_the_next_dated_value() -> None:
    """Set from mid-2024 on a low-confidence value, it holds from that day only."""
    system = load_system("tianjin").with_local_values(
        [local(start=dt.date(2024, 7, 1), value=52000)]
    )
    parameter = system.parameters[INCOME]
    assert parameter.at(dt.date(2024, 6, 30)).value == 51271 * 100
    assert parameter.at(dt.date(2024, 7, 1)).value == 52000 * 100
    assert parameter.at(dt.date(2024, 7, 1)).confidence == "local"
    assert parameter.at(dt.date(2025, 3, 1)).confidence == "unknown"


def test_a_broken_down_value_may_settle_only_its_unknown_code() -> None:
    system = load_system("tianjin").with_local_values(
        [local("funeral.basic_services_waived", dt.date(2016, 4, 1), {"dibao": True})]
    )
    value = system.parameters["funeral.basic_services_waived"].at(dt.date(2025, 10, 15)).value
    assert value == {"none": False, "near_dibao": False, "tekun": True, "dibao": True}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (local("dibao.standard", dt.date(2025, 9, 1), 1100), "may only replace an unknown or low"),
        (local("no.such.parameter"), "no parameter 'no.such.parameter'"),
        (local(value="a lot"), "is not a number"),
        (local(start=dt.date(2000, 1, 1)), "before the parameter's first value"),
        (
            local("funeral.basic_services_waived", dt.date(2016, 4, 1), {"tekun": False}),
            "tekun is known in the package",
        ),
    ],
)
def test_a_value_on_firm_ground_or_malformed_is_refused(value: LocalValue, message: str) -> None:
    with pytest.raises(LocalValuesError) as caught:
        load_system("tianjin").with_local_values([value])
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_the_file_names_each_bad_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(
        "values:\n"
        f"  - {{parameter: {INCOME}, from: 2025-01-01, value: 53000, document: 公报,"
        " entered_by: 张敏, checked_by: 张敏}\n"
        f"  - {{parameter: {INCOME}, from: 2025-13-01, value: 53000, entered_by: 张敏,"
        " checked_by: 李强, colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(LocalValuesError) as caught:
        read_local_values(path)
    problems = caught.value.problems
    assert (
        f"{path} entry 1: checked_by must be a second officer, not '张敏' who entered it"
        in problems
    )
    assert f"{path} entry 2: unknown field 'colour'" in problems
    assert f"{path} entry 2: missing 'document'" in problems
    assert any("entry 2: 'from'" in p for p in problems)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text("values: [unclosed", encoding="utf-8")
    with pytest.raises(LocalValuesError, match="cannot be read as YAML"):
        read_local_values(path)


def test_the_example_file_reads_and_applies() -> None:
    values = read_local_values(Path(__file__).parents[2] / "examples" / "local_values.yaml")
    system = load_system("tianjin").with_local_values(values)
    assert system.parameters[INCOME].at(dt.date(2025, 10, 15)).confidence == "local"


def adopted(start: dt.date, value: Any = 1100) -> LocalValue:
    return LocalValue(
        "dibao.standard",
        start,
        value,
        "宝坻区低保标准调整方案（测算）",
        "张敏",
        "李强",
        adopted=True,
    )


def test_an_adopted_change_starts_a_new_period_after_a_firm_value() -> None:
    """A standard the bureau adopted follows the published one from its date; before it the
    published value stands, and the explanation calls it an adopted change."""
    base = load_system("tianjin")
    system = base.with_local_values([adopted(dt.date(2025, 11, 1))])
    standard = system.parameters["dibao.standard"]
    assert (
        standard.at(dt.date(2025, 10, 31)).value
        == base.parameters["dibao.standard"].at(dt.date(2025, 10, 31)).value
    )
    now = standard.at(dt.date(2025, 11, 1))
    assert now.value == {"urban": 110000, "rural": 110000}
    assert now.reference.startswith("本地调整 adopted change：宝坻区低保标准调整方案")
    # Without the flag the same value is refused: the standard is known on firm ground.
    with pytest.raises(LocalValuesError, match="may only replace an unknown"):
        base.with_local_values([replace(adopted(dt.date(2025, 11, 1)), adopted=False)])


@pytest.mark.parametrize("start", [dt.date(2025, 9, 1), dt.date(2025, 6, 1)])
def test_an_adopted_change_never_rewrites_a_published_value(start: dt.date) -> None:
    """Not on the day the published 1,045 starts, nor before it (the months of 1,010 and the
    start of 1,045 would be rewritten)."""
    with pytest.raises(LocalValuesError, match="never rewrites"):
        load_system("tianjin").with_local_values([adopted(start)])


def test_the_file_reads_the_adopted_flag(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    entry = (
        "values:\n  - {parameter: dibao.standard, from: 2025-11-01, value: 1100,"
        " document: 方案, entered_by: 甲, checked_by: 乙, adopted: %s}\n"
    )
    path.write_text(entry % "true", encoding="utf-8")
    assert read_local_values(path)[0].adopted is True
    path.write_text(entry % "maybe", encoding="utf-8")
    with pytest.raises(LocalValuesError, match="'adopted' must be true or false"):
        read_local_values(path)
