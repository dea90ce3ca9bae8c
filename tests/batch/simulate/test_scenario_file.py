"""Scenario files: one value for every breakdown key, every problem named by file and field,
nothing run from a bad file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jiuzhu.batch.pipelines.simulate.scenario_file import ScenarioFileError, read_scenario
from jiuzhu.rules import load_system

SYSTEM = load_system("tianjin")
EXAMPLES = Path(__file__).parents[3] / "examples"


def _write(folder: Path, text: str) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_examples_read() -> None:
    raised = read_scenario(EXAMPLES / "scenario_standard_1100.yaml", SYSTEM)
    assert raised.scenario.effective == dt.date(2026, 1, 1)
    # One value for the standard's every breakdown key (城镇, 农村).
    assert raised.scenario.overrides == {"dibao.standard": {"urban": 1100, "rural": 1100}}
    assert raised.budget is None
    fitted = read_scenario(EXAMPLES / "scenario_budget.yaml", SYSTEM)
    assert fitted.budget is not None
    assert fitted.budget.annual == 200_000 * 100
    assert (fitted.budget.low, fitted.budget.high) == (1045, 2000)
    assert [p.name for p in fitted.budget.programs] == ["dibao", "near_dibao"]


def test_the_default_budget_programs_are_the_monthly_ones_with_an_amount(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "label: x\neffective: 2026-01-01\n"
        "budget: {parameter: dibao.standard, annual: 1000000, between: [1045, 1200]}\n",
    )
    budget = read_scenario(path, SYSTEM).budget
    assert budget is not None
    names = {p.name for p in budget.programs}
    assert {"dibao", "near_dibao", "tekun"} <= names
    assert not names & {"single_person_unit", "temporary_assistance", "funeral"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a list\n", "expected a mapping"),
        ("label: x\neffective: 2026-13-01\nchanges: {dibao.standard: 1100}\n", "'effective'"),
        ("effective: 2026-01-01\nchanges: {dibao.standard: 1100}\n", "'label' is missing"),
        ("label: x\neffective: 2026-01-01\nchanges: {dibao.standrad: 1100}\n", "unknown parameter"),
        ("label: x\neffective: 2026-01-01\nchanges: {dibao.standard: abc}\n", "dibao.standard"),
        (
            "label: x\neffective: 2026-01-01\nchange: {dibao.standard: 1}\n",
            "unknown field 'change'",
        ),
        ("label: x\neffective: 2026-01-01\n", "nothing to simulate"),
        (
            "label: x\neffective: 2026-01-01\nbudget: {parameter: dibao.standard, annual: -5, "
            "between: [1045, 2000]}\n",
            "'annual' must be a positive amount",
        ),
        (
            "label: x\neffective: 2026-01-01\nbudget: {parameter: dibao.standard, annual: 5, "
            "between: [2000, 1045]}\n",
            "'between' must be [lowest, highest]",
        ),
        (
            "label: x\neffective: 2026-01-01\nbudget: {parameter: dibao.standard, annual: 5, "
            "between: [1045, 2000], programs: [dibaoo]}\n",
            "not ['dibaoo']",
        ),
        (
            "label: x\neffective: 2026-01-01\nbudget: {parameter: dibao.standard, annual: 5, "
            "between: [1045, 2000], programs: []}\n",
            "'programs' must name programs with an amount",
        ),
        (
            "label: x\neffective: 2026-01-01\nbudget: {parameter: near_dibao.cash_ratio, "
            "annual: 5, between: [0, 1]}\n",
            "is not an amount of money",
        ),
        (
            "label: x\neffective: 2026-01-01\nbudget: {parameter: dibao.standard, annual: '²', "
            "between: [1045, 2000]}\n",
            "'annual' must be a positive amount",
        ),
        ("label: x\neffective: 2026-01-01\nchanges: {dibao.standard: .inf}\n", "cannot be read"),
        ("label: [unclosed\n", "cannot be read as YAML"),
    ],
)
def test_a_bad_file_names_the_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioFileError) as caught:
        read_scenario(path, SYSTEM)
    assert any(expected in problem and str(path) in problem for problem in caught.value.problems)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "effective: someday\nextra: 1\nchanges: {no.such: 1}\n")
    with pytest.raises(ScenarioFileError) as caught:
        read_scenario(path, SYSTEM)
    assert len(caught.value.problems) == 4
