"""The procedure's numbers (jiuzhu.rules.procedure) and the one definition of the ages."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from jiuzhu.rules import load_system, procedure
from jiuzhu.rules.ages import adult_age, elderly_age, is_minor

ON = dt.date(2025, 10, 15)


def test_every_procedural_number_is_dated_referenced_and_rated() -> None:
    rules = procedure.rules()
    assert len(rules) >= 20
    for name, rule in rules.items():
        assert name.startswith("procedure.") and rule.label and rule.label_en
        for value in rule.values:
            assert value.reference, f"{name} {value.start}: no reference"
            assert value.confidence in {"high", "medium", "low", "unknown", "not_applicable"}
            # A legal source by its document, never an internal code.
            assert "spec" not in value.reference and "addendum" not in value.reference


def test_the_review_cycles_have_the_names_the_registry_uses() -> None:
    assert procedure.rule("procedure.review_cycle.stable").number(ON) == 12
    assert procedure.rule("procedure.review_cycle.unstable").number(ON) == 6
    assert procedure.review_cycle("dibao", "unstable").label.startswith("收入来源不固定")
    with pytest.raises(KeyError, match="no procedural number"):
        procedure.review_cycle("dibao", "monthly")
    with pytest.raises(KeyError, match="not reviewed periodically"):
        procedure.review_cycle("single_person_unit", "stable")


def test_a_working_choice_is_marked_as_such_and_law_is_not() -> None:
    assert procedure.rule(procedure.DUE_SOON_DAYS).working_choice
    assert procedure.rule(procedure.CHANGE_CHECK_DAYS).working_choice
    assert not procedure.rule(procedure.DEATH_CHECK).working_choice
    assert "非法律规定" in procedure.rule(procedure.REVIEW_LEAD_DAYS).values[0].reference


def test_a_rule_not_yet_in_force_has_no_value_and_the_first_applies_to_older_records() -> None:
    gradual = procedure.rule(procedure.GRADUAL_EXIT)
    assert gradual.at(dt.date(2023, 12, 31)) is None
    found = gradual.at(ON)
    assert found is not None and (found.whole, found.confidence) == (6, "low")
    death = procedure.rule(procedure.DEATH_CHECK)
    assert death.at(dt.date(2020, 1, 1)) is None
    assert death.number(dt.date(2020, 1, 1)) == 3


def test_the_spot_check_share_is_exact() -> None:
    share = procedure.rule(procedure.TEKUN_SPOT_CHECK_SHARE).share(ON)
    assert share == Fraction(3, 10) and float(share) == 0.3
    with pytest.raises(ValueError, match="not a whole number"):
        procedure.rule(procedure.TEKUN_SPOT_CHECK_SHARE).number(ON)


def test_the_procedure_is_a_tree_of_its_own() -> None:
    """The rules' formulas never read the procedure; its names are not rules parameters."""
    assert not [p for p in load_system("tianjin").parameters.parameters if "procedure" in p]


def test_ages_have_one_definition() -> None:
    parameters = load_system("tianjin").parameters
    assert (adult_age(parameters, ON), elderly_age(parameters, ON)) == (18, 60)
    assert is_minor(dt.date(2007, 10, 16), ON, parameters)
    assert not is_minor(dt.date(2007, 10, 15), ON, parameters)
    # Born on 29 February: 18 on 28 February of a common year (household.leap_day_birthday).
    assert not is_minor(dt.date(2008, 2, 29), dt.date(2026, 2, 28), parameters)
    assert is_minor(dt.date(2008, 2, 29), dt.date(2026, 2, 27), parameters)
