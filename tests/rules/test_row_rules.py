"""Cross-field input rules: a count per household gives the same problems whether the persons
run in their households' order (counted by position) or not (counted by a hashed window)."""

from __future__ import annotations

import dataclasses

import polars as pl

from jiuzhu.rules import load_system
from jiuzhu.rules.engine import HOUSEHOLD, PERSON, InputIssue
from jiuzhu.rules.engine.schema import validate_frames


def _issues(persons: pl.DataFrame, by_order: bool) -> list[InputIssue]:
    system = load_system()
    rules = [r for r in system.row_rules if r.per_parent is not None]
    assert rules, "the applicant rule counts per household"
    if not by_order:
        rules = [dataclasses.replace(r, per_parent=None) for r in rules]
    households = pl.DataFrame({HOUSEHOLD.key: [1, 2, 3, 4]})
    frames = {HOUSEHOLD.name: households, PERSON.name: persons}
    issues = validate_frames(frames, system.variables, system.code_lists, rules)
    # The frames lack other inputs (the assessment date, say): only the rule's problems count.
    return [i for i in issues if i.rule in {r.rule for r in rules}]


PERSONS = pl.DataFrame(
    {
        PERSON.key: [10, 11, 20, 21, 30, 40, 41],
        HOUSEHOLD.key: [1, 1, 2, 2, 3, 4, 4],
        # Household 2 has two applicants, household 3 none, household 4 an unknown relation.
        "relation": ["01", "20", "01", "02", "10", None, "10"],
    }
)


def test_one_applicant_per_household_counted_by_position() -> None:
    issues = _issues(PERSONS, by_order=True)
    assert [(i.row, i.column) for i in issues] == [
        (2, "relation"),
        (4, "relation"),
        (5, "relation"),
    ]
    assert issues == _issues(PERSONS, by_order=False)


def test_persons_out_of_household_order_give_the_same_problems() -> None:
    shuffled = PERSONS[[6, 2, 0, 4, 3, 1, 5]]
    issues = _issues(shuffled, by_order=True)
    assert {i.row for i in issues} == {1, 3, 0}  # first rows of households 2, 3 and 4
    assert issues == _issues(shuffled, by_order=False)
