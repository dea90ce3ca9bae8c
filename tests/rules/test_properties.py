"""Invariants of the rules (hypothesis) and parity of one household alone with a large batch."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.rules import load_system
from tests.rules.households import random_frames
from tests.rules.policy_cases import build_frames, load_cases

SYSTEM = load_system("tianjin")
AMOUNTS = [
    "dibao_amount",
    "near_dibao_cash",
    "single_person_unit_option_amount",
    "single_person_unit_members_amount",
    "tekun_household_amount",
]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_amounts_are_never_negative(seed: int) -> None:
    households, persons = random_frames(60, seed)
    result = SYSTEM.simulate(households, persons, outputs=AMOUNTS)
    for column in AMOUNTS:
        assert (result.households[column].drop_nulls() >= 0).all(), column


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), extra=st.integers(1, 300_000), who=st.integers(0, 4))
def test_dibao_and_tekun_do_not_rise_with_income(seed: int, extra: int, who: int) -> None:
    """More income for one member never raises the household's dibao plus tekun support.

    (Dibao alone may rise: a member whose income rises loses tekun and joins the dibao unit;
    the household as a whole then gets less.)"""
    households, persons = random_frames(40, seed)
    member = persons.group_by("household_id", maintain_order=True).agg(pl.col("person_id").get(0))
    richer_ids = member["person_id"]
    richer = persons.with_columns(
        pl.when(pl.col("person_id").is_in(richer_ids.implode()))
        .then(pl.col("other_transfer_income") + extra * (who + 1))
        .otherwise(pl.col("other_transfer_income"))
    )
    outputs = ["dibao_amount", "tekun_household_amount"]
    total = pl.col("dibao_amount") + pl.col("tekun_household_amount")
    before = SYSTEM.simulate(households, persons, outputs=outputs).households.select(total)
    after = SYSTEM.simulate(households, richer, outputs=outputs).households.select(total)
    both = pl.DataFrame({"before": before.to_series(), "after": after.to_series()}).drop_nulls()
    assert (both["after"] <= both["before"]).all()


def test_near_dibao_cash_can_exceed_a_small_dibao_top_up() -> None:
    """A policy cliff worth knowing (not a bug): a household just above the standard receives the
    near-dibao cash (314), more than a household just below receives as dibao (the gap)."""
    households = pl.DataFrame(
        {
            "household_id": ["below", "above"],
            "area_type": ["urban"] * 2,
            "assessment_date": [dt.date(2025, 10, 15)] * 2,
        }
    )
    persons = pl.DataFrame(
        {
            "person_id": ["a", "b"],
            "household_id": ["below", "above"],
            "birth_date": [dt.date(1975, 1, 1)] * 2,
            "relation": ["01", "01"],
            "other_transfer_income": [104_000, 104_600],
            "disability_category": ["hearing"] * 2,
            "disability_grade": [4, 4],
        },
        schema_overrides={"disability_grade": pl.Int8},
    )
    result = SYSTEM.simulate(
        households, persons, outputs=["dibao_amount", "near_dibao_cash"]
    ).households
    assert result["dibao_amount"].to_list() == [500, 0]
    assert result["near_dibao_cash"].to_list() == [0, 31400]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), pick=st.integers(0, 199))
def test_a_household_alone_equals_the_same_household_in_a_batch(seed: int, pick: int) -> None:
    households, persons = random_frames(200, seed)
    batch = SYSTEM.simulate(households, persons).households
    one_id = households["household_id"][pick]
    alone = SYSTEM.simulate(
        households.filter(pl.col("household_id") == one_id),
        persons.filter(pl.col("household_id") == one_id),
    ).households
    assert alone.row(0) == batch.filter(pl.col("household_id") == one_id).row(0)


def test_every_policy_case_gives_the_same_result_inside_a_large_batch() -> None:
    """The YAML cases (without parameter overrides) assessed together with 3,000 random
    households give exactly what they give alone: the single-household path equals the batch."""
    cases = [c for c in load_cases() if not c.spec.get("parameters")]
    frames: dict[str, list[pl.DataFrame]] = {"household": [], "person": [], "obligor": []}
    for number, case in enumerate(cases):
        for name, frame in build_frames(SYSTEM, case.spec, prefix=f"C{number}-").items():
            frames[name].append(frame)
    random_households, random_persons = random_frames(3000, 7)
    households = pl.concat([*frames["household"], random_households], how="diagonal_relaxed")
    persons = pl.concat([*frames["person"], random_persons], how="diagonal_relaxed")
    obligors = pl.concat(frames["obligor"], how="diagonal_relaxed")
    batch = SYSTEM.simulate(households, persons, obligors).households
    for number, case in enumerate(cases):
        alone_frames = build_frames(SYSTEM, case.spec, prefix=f"C{number}-")
        alone = SYSTEM.simulate(
            alone_frames["household"], alone_frames["person"], alone_frames.get("obligor")
        ).households
        in_batch = batch.filter(pl.col("household_id") == f"C{number}-H")
        assert alone.row(0) == in_batch.row(0), case.name


@settings(max_examples=20, deadline=None)
@given(
    change=st.sampled_from(
        [
            v.start
            for v in SYSTEM.parameters["dibao.standard"].values
            if v.start > dt.date(2016, 4, 1)
        ]
    ),
    area=st.sampled_from(["urban", "rural"]),
)
def test_the_standard_changes_exactly_on_its_effective_date(change: dt.date, area: str) -> None:
    day_before = change - dt.timedelta(days=1)
    households = pl.DataFrame(
        {
            "household_id": ["before", "on"],
            "area_type": [area] * 2,
            "assessment_date": [day_before, change],
        }
    )
    persons = pl.DataFrame(
        {
            "person_id": ["a", "b"],
            "household_id": ["before", "on"],
            "birth_date": [dt.date(1975, 1, 1)] * 2,
            "relation": ["01", "01"],
        }
    )
    amounts = SYSTEM.simulate(households, persons, outputs=["dibao_amount"]).households[
        "dibao_amount"
    ]
    standard = SYSTEM.parameters["dibao.standard"]
    assert amounts.to_list() == [
        standard.at(day_before).for_key(area),
        standard.at(change).for_key(area),
    ]
