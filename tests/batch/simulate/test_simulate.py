"""The simulation pipeline: a baseline against a scenario over a frames set, without Django."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jiuzhu.batch.pipelines.simulate import (
    TOWNSHIP,
    Scenario,
    apply,
    before_change,
    combine,
    compare_decisions,
    decide,
    simulate,
)
from jiuzhu.rules import load_system
from jiuzhu.rules.engine import PERSON
from jiuzhu.rules.registry import PROGRAMS
from tests.rules.households import random_frames

SYSTEM = load_system("tianjin")
EFFECTIVE = dt.date(2025, 9, 1)
PUBLISHED = 1045
"""The dibao standard from 2025-09-01 in yuan per person per month (津民规〔2025〕6号)."""
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frames(count: int, seed: int) -> dict[str, pl.DataFrame]:
    """``random_frames`` without the households of a person born after the effective date (on
    which every household is assessed)."""
    households, persons = random_frames(count, seed)
    later = persons.filter(pl.col("birth_date") > EFFECTIVE)["household_id"].implode()
    return {
        "household": households.filter(~pl.col("household_id").is_in(later)),
        "person": persons.filter(~pl.col("household_id").is_in(later)),
    }


def standard(yuan: int) -> Scenario:
    return Scenario({"dibao.standard": {"urban": yuan, "rural": yuan}}, EFFECTIVE)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_a_scenario_equal_to_the_baseline_changes_nothing(seed: int) -> None:
    """The published standard written as a scenario: every status and amount as in the
    baseline, every difference 0 where the decision is determined."""
    result = simulate(SYSTEM, standard(PUBLISHED), frames(40, seed))
    rows = result.rows
    per_person = [p.name for p in PROGRAMS if p.entity == PERSON]
    persons = rows.filter(pl.col("program").is_in(per_person)).height
    households = rows["household_id"].n_unique()
    assert rows.height == households * (len(PROGRAMS) - len(per_person)) + persons
    same_status = rows["baseline_status"].eq_missing(rows["scenario_status"])
    same_amount = rows["baseline_amount"].eq_missing(rows["scenario_amount"])
    assert same_status.all()
    assert same_amount.all()
    assert (rows["difference"].drop_nulls() == 0).all()
    assert set(rows["transition"]) <= {"stays_eligible", "stays_ineligible", "undetermined"}
    summary = result.summary
    assert (summary["newly_eligible"] == 0).all()
    assert (summary["losing_eligibility"] == 0).all()
    assert (summary["cost_difference"].drop_nulls() == 0).all()


def test_the_baseline_itself_runs_the_engine_once_and_changes_nothing() -> None:
    result = simulate(SYSTEM, SYSTEM, frames(30, 7), on=EFFECTIVE)
    assert result.baseline_digest == result.scenario_digest
    assert (result.rows["difference"].drop_nulls() == 0).all()


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), raise_by=st.integers(1, 2_000))
@example(seed=2336, raise_by=156)
def test_raising_the_dibao_standard_never_makes_an_eligible_household_ineligible(
    seed: int, raise_by: int
) -> None:
    """A dibao household stays eligible, unless its members become tekun persons (the tekun
    standard follows the dibao standard, and a tekun person leaves the dibao unit); where no
    member does, its dibao plus tekun support never falls.

    Where members become tekun persons the support may fall: the smaller unit left has a smaller
    asset limit (24 months' standard per member), which the remaining members' own savings may
    exceed (seed 2336: a grandchild with 50,000 yuan, alone under a limit of 28,824)."""
    rows = simulate(SYSTEM, standard(PUBLISHED + raise_by), frames(40, seed)).rows
    dibao = rows.filter(pl.col("program") == "dibao")
    lost = dibao.filter(pl.col("transition") == "losing_eligibility")["household_id"]
    newly_tekun = rows.filter(
        (pl.col("program") == "tekun") & (pl.col("transition") == "newly_eligible")
    )["household_id"]
    assert set(lost) <= set(newly_tekun)
    support = (
        rows.filter(pl.col("program").is_in(["dibao", "tekun"]))
        .group_by("household_id")
        .agg(
            pl.col("baseline_paid").sum(),
            pl.col("scenario_paid").sum(),
            (pl.col("transition") == "undetermined").any().alias("undetermined"),
        )
        .filter(~pl.col("undetermined") & ~pl.col("household_id").is_in(newly_tekun.implode()))
    )
    assert (support["scenario_paid"] >= support["baseline_paid"]).all()


def test_the_result_equals_two_runs_of_the_rules_engine() -> None:
    households, persons = random_frames(80, 3)
    households = households.with_columns(pl.lit(EFFECTIVE).alias("assessment_date"))
    scenario = standard(1200)
    result = simulate(SYSTEM, scenario, {"household": households, "person": persons})
    for side, system in (("baseline", SYSTEM), ("scenario", scenario.system(SYSTEM))):
        run = system.simulate(households, persons)
        for program in PROGRAMS:
            mine = result.rows.filter(pl.col("program") == program.name)
            engine = run.persons if program.entity.name == "person" else run.households
            key = program.entity.key
            expected = engine.select(
                key,
                pl.col(program.status).alias("status"),
                (pl.col(program.amount) if program.amount else pl.lit(None, pl.Int64)).alias(
                    "amount"
                ),
            ).sort(key)
            got = mine.select(
                key,
                pl.col(f"{side}_status").alias("status"),
                pl.col(f"{side}_amount").alias("amount"),
            ).sort(key)
            assert got.equals(expected), (side, program.name)


def test_the_summary_counts_the_rows_per_program_and_township() -> None:
    households, persons = random_frames(120, 11)
    households = households.with_columns(
        pl.Series(TOWNSHIP, [f"12011500{i % 3}" for i in range(households.height)])
    )
    result = simulate(SYSTEM, standard(1300), {"household": households, "person": persons})
    rows = result.rows
    assert result.summary["program"].to_list() == [p.name for p in PROGRAMS]
    dibao = result.summary.row(0, named=True)
    eligible = rows.filter((pl.col("program") == "dibao") & pl.col("scenario_status"))
    assert dibao["scenario_caseload"] == eligible.height > dibao["baseline_caseload"]
    assert dibao["scenario_cost"] == eligible["scenario_amount"].sum()
    assert dibao["scenario_average"] == dibao["scenario_cost"] // dibao["scenario_caseload"]
    growth = dibao["scenario_caseload"] - dibao["baseline_caseload"]
    assert dibao["newly_eligible"] - dibao["losing_eligibility"] == growth
    rigid = result.summary.filter(pl.col("program") == "rigid_expenditure")
    assert rigid["scenario_cost"].is_null().all()
    by_township = result.by_township
    assert by_township is not None
    assert set(by_township[TOWNSHIP]) == {"120115000", "120115001", "120115002"}
    totals = by_township.group_by("program").agg(pl.col("scenario_cost").sum())
    assert dict(totals.iter_rows())["dibao"] == dibao["scenario_cost"]
    assert simulate(SYSTEM, standard(1300), frames(10, 1)).by_township is None


def test_slices_combined_equal_one_simulation() -> None:
    households, persons = random_frames(60, 5)
    whole = simulate(SYSTEM, standard(1100), {"household": households, "person": persons})
    parts = []
    for ids in (households["household_id"][:25], households["household_id"][25:]):
        parts.append(
            simulate(
                SYSTEM,
                standard(1100),
                {
                    "household": households.filter(pl.col("household_id").is_in(ids.implode())),
                    "person": persons.filter(pl.col("household_id").is_in(ids.implode())),
                },
            )
        )
    combined = combine(parts)
    assert combined.summary.equals(whole.summary)
    key = ["program", "household_id", "person_id"]
    assert combined.rows.sort(key).equals(whole.rows.sort(key))


def test_a_scenario_keeps_the_history_before_its_effective_date() -> None:
    scenario = apply(SYSTEM, standard(1100))
    parameter = scenario.parameters["dibao.standard"]
    assert parameter.at(dt.date(2025, 8, 31)).value == {"urban": 101_000, "rural": 101_000}
    assert parameter.at(EFFECTIVE).value == {"urban": 110_000, "rural": 110_000}
    assert parameter.at(EFFECTIVE).confidence == "override"
    assert scenario.overrides == {"dibao.standard": {EFFECTIVE: {"urban": 1100, "rural": 1100}}}
    assert SYSTEM.parameters["dibao.standard"].at(EFFECTIVE).value["urban"] == 104_500


def test_a_dated_scenario_steps_from_its_effective_date_only() -> None:
    later = dt.date(2026, 1, 1)
    scenario = Scenario(
        {"dibao.standard": {EFFECTIVE: {"urban": 1100, "rural": 1100}, later: 1200}}, EFFECTIVE
    )
    parameter = apply(SYSTEM, scenario).parameters["dibao.standard"]
    assert parameter.at(later).value == {"urban": 120_000, "rural": 120_000}
    early = Scenario({"dibao.standard": {dt.date(2025, 1, 1): 1100}}, EFFECTIVE)
    with pytest.raises(ValueError, match="precedes"):
        apply(SYSTEM, early)
    with pytest.raises(KeyError):
        apply(SYSTEM, Scenario({"no.such.parameter": 1}, EFFECTIVE))


def test_before_change_drops_the_new_value_only() -> None:
    before = before_change(SYSTEM, "dibao.standard", EFFECTIVE)
    assert before.parameters["dibao.standard"].at(EFFECTIVE).value["urban"] == 101_000
    assert before_change(SYSTEM, "dibao.standard", dt.date(2025, 10, 1)) is SYSTEM
    result = simulate(before, SYSTEM, frames(40, 2), on=EFFECTIVE)
    dibao = result.rows.filter(pl.col("program") == "dibao")
    assert (dibao["difference"].drop_nulls() >= 0).all()
    assert (dibao["difference"].drop_nulls() > 0).any()


def test_decisions_in_another_order_compare_the_same() -> None:
    """A search that reuses one baseline compares it with scenarios whose rows may come in
    another order (or over a subset of programs): rows are matched by key, not by position."""
    data = frames(30, 4)
    baseline = decide(SYSTEM, data, PROGRAMS)
    scenario = decide(standard(1200).system(SYSTEM), data, PROGRAMS)
    shuffled = dataclasses.replace(scenario, rows=scenario.rows.reverse())
    key = ["program", "household_id", "person_id"]
    lined_up = compare_decisions(baseline, scenario, data).rows.sort(key)
    matched = compare_decisions(baseline, shuffled, data).rows.sort(key)
    assert matched.equals(lined_up)


def test_slices_of_different_townships_combine() -> None:
    """Each slice's township column is an Enum of its own townships; combined, the townships'
    summary equals one simulation's (a registry read in slices: issue 14's scenarios)."""
    households, persons = random_frames(60, 5)
    households = households.with_columns(
        pl.when(pl.int_range(pl.len()) < 25)
        .then(pl.lit("120115001"))
        .otherwise(pl.lit("120115002"))
        .alias("township_code")
    )
    whole = simulate(SYSTEM, standard(1100), {"household": households, "person": persons})
    parts = [
        simulate(
            SYSTEM,
            standard(1100),
            {
                "household": households.filter(pl.col("household_id").is_in(ids.implode())),
                "person": persons.filter(pl.col("household_id").is_in(ids.implode())),
            },
        )
        for ids in (households["household_id"][:25], households["household_id"][25:])
    ]
    combined = combine(parts)
    assert combined.by_township is not None and whole.by_township is not None
    assert combined.by_township.equals(whole.by_township)
    assert combined.summary.equals(whole.summary)
