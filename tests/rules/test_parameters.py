"""The Tianjin parameter tree: schema, coverage of dates and programs, and consistency checks."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from jiuzhu.rules import load_system
from jiuzhu.rules.engine import ParameterFileError, ParameterNotDefinedError, load_parameters
from jiuzhu.rules.engine.formula import round_ratio
from jiuzhu.rules.engine.parameters import UNKNOWN
from jiuzhu.rules.programs.codes import CODE_LISTS
from jiuzhu.rules.proposals import PARAMETERS as PROPOSAL_PARAMETERS

SYSTEM = load_system("tianjin")


def test_every_parameter_file_passes_the_schema() -> None:
    """Loading checks every file; all carry a reference and a confidence for known values."""
    tree = load_parameters("tianjin", CODE_LISTS)
    assert len(tree.parameters) >= 45
    for parameter in tree:
        assert parameter.description and parameter.label_en
        for value in parameter.values:
            assert value.reference, f"{parameter.path} {value.start}: no reference"
            assert value.confidence in {"high", "medium", "low", "unknown", "not_applicable"}


def test_every_parameter_is_read_by_some_formula() -> None:
    """No dead parameter: each file is read by a variable of the programs, or by the standard
    proposal calculators (the statistics and local choices a proposal rests on)."""
    households = pl.DataFrame(
        {"household_id": ["H"], "assessment_date": [dt.date(2025, 10, 15)], "area_type": ["urban"]}
    )
    persons = pl.DataFrame(
        {
            "person_id": ["P"],
            "household_id": ["H"],
            "birth_date": [dt.date(1970, 1, 1)],
            "relation": ["01"],
        }
    )
    computed = [v.name for v in SYSTEM.variables.values() if not v.is_input]
    result = SYSTEM.simulate(households, persons, outputs=computed)
    used = set(result.plan.parameters(list(result.plan.nodes)))
    assert set(SYSTEM.parameters.parameters) - used == set(PROPOSAL_PARAMETERS)


def test_rules_cover_every_date_from_2016_04_01() -> None:
    """Every parameter has a value (possibly unknown) from the first date the rules cover."""
    start = dt.date(2016, 4, 1)
    late = [p.path for p in SYSTEM.parameters if p.first > start]
    assert late == []


def test_a_date_before_the_rules_is_an_error_not_a_guess() -> None:
    households = pl.DataFrame(
        {"household_id": ["H"], "assessment_date": [dt.date(2015, 6, 1)], "area_type": ["urban"]}
    )
    persons = pl.DataFrame(
        {
            "person_id": ["P"],
            "household_id": ["H"],
            "birth_date": [dt.date(1970, 1, 1)],
            "relation": ["01"],
        }
    )
    with pytest.raises(
        ParameterNotDefinedError,
        match=r"do not cover 2015-06-01: parameter .* has values from 2016-04-01",
    ):
        SYSTEM.simulate(households, persons, outputs=["dibao_amount"])


@pytest.mark.parametrize(
    ("date", "published"),
    [
        (dt.date(2017, 4, 1), 258),
        (dt.date(2018, 4, 1), 276),
        (dt.date(2019, 4, 1), 294),
        (dt.date(2020, 9, 1), 303),
        (dt.date(2025, 9, 1), 314),
    ],
)
def test_near_dibao_cash_rule_reproduces_every_published_amount(
    date: dt.date, published: int
) -> None:
    """30 % of the standard rounded half up to the yuan gives the published household cash."""
    standard = SYSTEM.parameters["dibao.standard"].at(date).for_key("urban")
    ratio = SYSTEM.parameters["near_dibao.cash_ratio"].at(date).value
    assert isinstance(ratio, Fraction) and isinstance(standard, int)
    cash = pl.select(round_ratio(pl.lit(standard), ratio, "yuan_half_up")).item()
    assert cash == published * 100


def test_tekun_standards_respect_the_national_floor_on_every_date() -> None:
    """国发〔2016〕14号: the basic tekun standard is at least 1.3 × the dibao standard (C16)."""
    dates = sorted(
        {
            v.start
            for path in ("dibao.standard", "tekun.basic_standard")
            for v in SYSTEM.parameters[path].values
        }
    )
    for date in dates:
        dibao = SYSTEM.parameters["dibao.standard"].at(date)
        tekun = SYSTEM.parameters["tekun.basic_standard"].at(date)
        for area, standard in dibao.value.items():  # type: ignore[union-attr]
            lowest = min(
                v
                for k, v in tekun.value.items()  # type: ignore[union-attr]
                if area == "urban" or k != "urban"
            )
            assert lowest * 10 >= standard * 13, f"{date} {area}: {lowest} < 1.3 × {standard}"


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_schema_errors_name_the_file_date_and_field(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "a/no_value.yaml",
        "description: 甲\nlabel_en: A\nunit: yuan\nvalues:\n  2020-01-01:\n",
    )
    _write(
        tmp_path,
        "a/no_reference.yaml",
        "description: 乙\nlabel_en: B\nunit: yuan\nvalues:\n  2020-01-01: {value: 1, confidence: high}\n",
    )
    _write(
        tmp_path,
        "a/bad_unit.yaml",
        "description: 丙\nlabel_en: C\nunit: dollars\nvalues:\n  2020-01-01: {value: 1, reference: x}\n",
    )
    _write(
        tmp_path,
        "a/bad_keys.yaml",
        "description: 丁\nlabel_en: D\nunit: yuan\nbreakdown: area_type\nvalues:\n"
        "  2020-01-01: {value: {urban: 1, town: 2}, reference: x, confidence: high}\n",
    )
    _write(
        tmp_path,
        "a/order.yaml",
        "description: 戊\nlabel_en: E\nunit: yuan\nvalues:\n"
        "  2021-01-01: {value: 1, reference: x, confidence: high}\n"
        "  2020-01-01: {value: 2, reference: x, confidence: high}\n",
    )
    _write(
        tmp_path,
        "a/cents.yaml",
        "description: 己\nlabel_en: F\nunit: yuan\nvalues:\n"
        "  2020-01-01: {value: 1.005, reference: x, confidence: high}\n",
    )
    _write(
        tmp_path,
        "a/unknown_with_confidence.yaml",
        "description: 庚\nlabel_en: G\nunit: yuan\nvalues:\n"
        "  2020-01-01: {value: unknown, reference: x, confidence: high}\n",
    )
    with pytest.raises(ParameterFileError) as caught:
        load_parameters("test", CODE_LISTS, root=tmp_path)  # type: ignore[arg-type]
    text = "\n".join(caught.value.problems)
    assert "a/no_value.yaml 2020-01-01: a date with no value" in text
    assert "a/no_reference.yaml 2020-01-01: missing 'reference'" in text
    assert "a/bad_unit.yaml: unit 'dollars'" in text
    assert "lacks area_type code(s) rural" in text and "town not code(s) of area_type" in text
    assert "a/order.yaml: dates under 'values' must be in ascending order" in text
    assert "more than two decimals" in text
    assert "an unknown or not-applicable value takes no 'confidence'" in text


def test_overrides_replace_a_history_without_touching_the_original() -> None:
    changed = SYSTEM.with_parameters({"dibao.standard": 700})
    date = dt.date(2025, 10, 15)
    assert changed.parameters["dibao.standard"].at(date).for_key("rural") == 70000
    assert changed.parameters["dibao.standard"].at(date).confidence == "override"
    assert SYSTEM.parameters["dibao.standard"].at(date).for_key("rural") == 104500
    assert changed.parameters.digest() != SYSTEM.parameters.digest()


def test_unknown_values_are_explicit() -> None:
    """Values the sources do not give are marked unknown, never filled in (decision 1)."""
    date = dt.date(2025, 10, 15)
    assert (
        SYSTEM.parameters["statistics.per_capita_disposable_income_previous_year"].at(date).value
        is UNKNOWN
    )
    assert SYSTEM.parameters["income.employment_cost_deduction_rate"].at(date).value is UNKNOWN
    per_household = SYSTEM.parameters["income.classified_deductions_household"].at(date).value
    assert isinstance(per_household, dict) and set(per_household.values()) == {UNKNOWN}
