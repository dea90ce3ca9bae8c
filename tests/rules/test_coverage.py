"""Tests of the repository itself: every program has policy cases; every variable is exercised."""

from __future__ import annotations

import datetime as dt

from jiuzhu.rules import load_system
from tests.rules.policy_cases import CASES_DIR, build_frames, load_cases, outputs_of, system_for

SYSTEM = load_system("tianjin")


def test_every_program_has_a_folder_of_policy_cases() -> None:
    folders = {p.name for p in CASES_DIR.iterdir() if p.is_dir() and any(p.glob("*.yaml"))}
    assert {program.name for program in SYSTEM.programs} - {"single_person_unit"} <= folders
    assert "single_person_unit" in folders and "household" in folders


def test_the_cases_of_spec_md_are_all_here() -> None:
    wanted = {
        "C01",
        "C02",
        "C03",
        "C04",
        "C05",
        "C07",
        "C08",
        "C09",
        "C11",
        "C12",
        "C14",
        "C15",
        "C16",
        "C18",
        "C20",
        "C21",
        "C37",
        "C38",
    }
    assert wanted <= {c.spec.get("case") for c in load_cases()}


def test_every_variable_is_exercised_by_some_policy_case() -> None:
    """Each variable is an output of a case or something a case's output rests on."""
    exercised: set[str] = set()
    for case in load_cases():
        system = system_for(case.spec)
        frames = build_frames(system, case.spec)
        result = system.simulate(
            frames["household"],
            frames["person"],
            frames.get("obligor"),
            outputs=outputs_of(case.spec),
        )
        exercised.update(result.plan.nodes)
    # The assessment date is always read, to resolve parameters; a one-date batch reads it once
    # instead of per row, so it need not appear among the plan's nodes.
    exercised.add("assessment_date")
    missing = sorted(set(SYSTEM.variables) - exercised)
    assert missing == [], f"variables no case exercises: {missing}"


def test_cases_are_dated_within_the_rules() -> None:
    for case in load_cases():
        assert case.spec["date"] >= dt.date(2016, 4, 1), case.name


def test_every_reason_has_short_labels_for_results_tables() -> None:
    system = load_system("tianjin")
    reasons = [r for v in system.variables.values() if v.reasons for r in v.reasons]
    assert len(reasons) > 40
    missing = [r.code for r in reasons if not (r.label and r.label_en)]
    assert not missing
    too_long = [r.code for r in reasons if len(r.label) > 16]
    assert not too_long
