"""A program plugged in from outside the package (the toy old-age allowance of
tests/fixtures/toy_program) is assessed, explained and summarised like the built-in ones, and
unplugging it leaves the system as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from jiuzhu.cli import app
from jiuzhu.rules import load_system, registry
from jiuzhu.rules.engine.entities import HOUSEHOLD
from jiuzhu.rules.engine.explain import explain_household, render
from jiuzhu.rules.registry import PROGRAMS, Payment
from tests.fixtures.toy_program import CASES, TOY_PROGRAM
from tests.rules.policy_cases import build_frames, check_case

EXAMPLE = Path(__file__).parents[2] / "examples" / "baodi_example.xlsx"


@pytest.fixture
def toy() -> Iterator[registry.Program]:
    """The toy program plugged in for one test, unplugged after it whatever happens."""
    with registry.plugged_in(TOY_PROGRAM) as plugin:
        yield plugin


def test_the_registry_lists_looks_up_and_refuses() -> None:
    assert registry.programs() == PROGRAMS
    assert registry.program("dibao").payment is Payment.MONTHLY
    assert registry.program("rigid_expenditure").payment is None
    assert registry.program("dibao").number_prefix == "DB"
    with pytest.raises(KeyError, match="no program 'toy_allowance' is registered"):
        registry.program("toy_allowance")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(PROGRAMS[0])
    with pytest.raises(KeyError, match="no plug-in program 'dibao'"):
        registry.unregister("dibao")


def test_plugging_in_adds_the_program_and_unplugging_restores(toy: registry.Program) -> None:
    assert registry.programs() == (*PROGRAMS, toy)
    assert registry.program("toy_allowance") is toy
    system = load_system("tianjin")
    assert system.programs[-1] is toy
    assert "toy_allowance_amount" in system.variables
    assert system.parameters["toy_allowance.amount"].at(dt.date(2025, 10, 15)).value == 15_000
    with pytest.raises(ValueError, match="prefix 'WJ'"):
        registry.register(
            registry.Program("other", "其他", "Other", toy.entity, "s", "r", number_prefix="WJ")
        )
    registry.unregister("toy_allowance")
    try:
        assert registry.programs() == PROGRAMS
        assert "toy_allowance_amount" not in load_system("tianjin").variables
    finally:
        registry.register(toy)  # the fixture unplugs it


def test_the_toy_programs_yaml_cases_pass(toy: registry.Program) -> None:
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    assert cases
    for spec in cases:
        assert not check_case(spec), spec["name"]


def test_assess_and_explain_see_the_toy_program(toy: registry.Program) -> None:
    spec = yaml.safe_load(CASES.read_text(encoding="utf-8"))[0]
    system = load_system("tianjin")
    frames = build_frames(system, spec)
    result = system.simulate(frames["household"], frames["person"])
    assert result.households["toy_allowance_amount"].to_list() == [15_000]
    explanation = explain_household(system, frames, "H")
    part = next(p for p in explanation.programs if p.program is toy)
    assert part.status is True and part.amount == 15_000
    text = render(explanation, system.variables, "zh", paths=False)
    assert "[示例高龄补贴] 符合 — 150.00 元/月" in text


def test_the_cli_summarises_and_explains_the_toy_program(toy: registry.Program) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})  # the summary table's labels unwrapped
    assessed = runner.invoke(app, ["assess", str(EXAMPLE), "--on", "2025-10-15"])
    assert assessed.exit_code == 0, assessed.output
    assert "示例高龄补贴" in assessed.output and "Toy old-age allowance" in assessed.output
    explained = runner.invoke(
        app, ["explain", str(EXAMPLE), "--household", "BD001", "--on", "2025-10-15"]
    )
    assert explained.exit_code == 0, explained.output
    assert "[示例高龄补贴]" in explained.output


def test_without_the_plug_in_nothing_of_it_remains() -> None:
    system = load_system("tianjin")
    assert [p.name for p in system.programs] == [p.name for p in PROGRAMS]
    assert "toy_allowance.amount" not in system.parameters
    assert pl.Series(system.default_outputs()).str.starts_with("toy").sum() == 0


def test_every_application_input_is_an_input_of_its_program() -> None:
    system = load_system("tianjin")
    for program in registry.programs():
        found = system.application_inputs(program.name)
        assert [v.name for v in found] == list(program.application_inputs)
        entities = {v.entity for v in found}
        # A person's inputs go on the applicant's row: only a program decided per person.
        assert entities <= {HOUSEHOLD, program.entity}, program.name
    broken = replace(
        registry.program("heating"), name="broken", application_inputs=("heating_amount",)
    )
    with (
        registry.plugged_in(replace(broken, number_prefix=None)),
        pytest.raises(ValueError, match="not an input variable"),
    ):
        load_system("tianjin").application_inputs("broken")
