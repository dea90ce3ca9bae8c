"""Engine mechanics: planning, entity crossing, three-valued logic, mixed dates, money."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.rules import load_system
from jiuzhu.rules.engine import HOUSEHOLD, Formula, Variables, input_variable, variable
from jiuzhu.rules.engine.formula import lookup, round_ratio
from jiuzhu.rules.engine.planner import build_plan
from jiuzhu.rules.engine.reasons import Reason, ReasonSet
from jiuzhu.rules.engine.units import Unit, format_yuan, yuan_to_fen

SYSTEM = load_system("tianjin")


def _frames(dates: list[dt.date]) -> tuple[pl.DataFrame, pl.DataFrame]:
    ids = [f"H{i}" for i in range(len(dates))]
    households = pl.DataFrame(
        {"household_id": ids, "assessment_date": dates, "area_type": ["urban"] * len(dates)}
    )
    persons = pl.DataFrame(
        {
            "person_id": [f"P{i}" for i in range(len(dates))],
            "household_id": ids,
            "birth_date": [dt.date(1975, 1, 1)] * len(dates),
            "relation": ["01"] * len(dates),
        }
    )
    return households, persons


def test_the_planner_computes_only_what_is_requested() -> None:
    households, persons = _frames([dt.date(2025, 10, 15)])
    result = SYSTEM.simulate(households, persons, outputs=["dibao_income_limit"])
    assert set(result.plan.nodes) >= {"dibao_income_limit", "dibao_standard", "unit_members"}
    assert "near_dibao_status" not in result.plan.nodes
    assert "rigid_expenditure_eligible" not in result.plan.nodes
    assert result.households.columns == ["household_id", "dibao_income_limit"]


def test_a_batch_may_mix_assessment_dates() -> None:
    """Each household gets the standard in force on its own date (C03 at both dates at once)."""
    dates = [dt.date(2025, 8, 31), dt.date(2025, 9, 1), dt.date(2016, 6, 1), dt.date(2020, 9, 1)]
    households, persons = _frames(dates)
    result = SYSTEM.simulate(households, persons, outputs=["dibao_standard", "dibao_amount"])
    assert result.households["dibao_standard"].to_list() == [101000, 104500, 78000, 101000]
    assert result.households["dibao_amount"].to_list() == [101000, 104500, 78000, 101000]


def test_formulas_cannot_cross_entities_implicitly() -> None:
    @variable(HOUSEHOLD, pl.Int64(), Unit.FEN, "错", "wrong")
    def wrong(f: Formula) -> pl.Expr:
        return f("monetary_assets")  # a person variable read as if it were the household's

    variables = Variables([*SYSTEM.variables.values(), wrong])
    households, persons = _frames([dt.date(2025, 10, 15)])
    frames = {
        "household": households.lazy(),
        "person": persons.lazy(),
        "obligor": pl.LazyFrame(schema={"obligor_id": pl.String, "person_id": pl.String}),
    }
    with pytest.raises(TypeError, match="belongs to person, not household"):
        build_plan(variables, SYSTEM.parameters, frames, ["wrong"], [dt.date(2025, 10, 15)])


def test_circular_definitions_are_refused() -> None:
    @variable(HOUSEHOLD, pl.Int64(), Unit.COUNT, "甲", "a")
    def a(f: Formula) -> pl.Expr:
        return f("b") + 1

    @variable(HOUSEHOLD, pl.Int64(), Unit.COUNT, "乙", "b")
    def b(f: Formula) -> pl.Expr:
        return f("a") + 1

    seed = input_variable(
        "household_id_copy", HOUSEHOLD, pl.Int64(), Unit.COUNT, "丙", "c", default=0
    )
    variables = Variables([a, b, seed])
    frames = {
        "household": pl.LazyFrame({"household_id": ["H"]}),
        "person": pl.LazyFrame(schema={"person_id": pl.String, "household_id": pl.String}),
        "obligor": pl.LazyFrame(schema={"obligor_id": pl.String, "person_id": pl.String}),
    }
    with pytest.raises(RuntimeError, match="circular"):
        build_plan(variables, SYSTEM.parameters, frames, ["a"], [])


def test_aggregates_propagate_undetermined_members() -> None:
    """A sum over members one of whom is undetermined is undetermined, never a smaller total."""
    households = pl.DataFrame(
        {"household_id": ["H"], "assessment_date": [dt.date(2026, 3, 1)], "area_type": ["rural"]}
    )
    persons = pl.DataFrame(
        {
            "person_id": ["A", "B"],
            "household_id": ["H", "H"],
            "birth_date": [dt.date(1958, 1, 1), dt.date(1990, 1, 1)],
            "relation": ["01", "20"],
            "residents_basic_pension": [30000, 0],
            "other_transfer_income": [0, 50000],
        }
    )
    result = SYSTEM.simulate(
        households, persons, outputs=["household_counted_income"], keep=["counted_income"]
    )
    assert result.persons["counted_income"].to_list() == [None, 50000]
    assert result.households["household_counted_income"].to_list() == [None]


def test_households_without_members_get_identity_aggregates() -> None:
    households, persons = _frames([dt.date(2025, 10, 15)])
    persons = persons.with_columns(absence_reason=pl.lit("prison"))
    result = SYSTEM.simulate(
        households, persons, outputs=["unit_members", "household_counted_income", "dibao_eligible"]
    )
    row = result.households.row(0, named=True)
    assert (row["unit_members"], row["household_counted_income"], row["dibao_eligible"]) == (
        0,
        0,
        False,
    )


@pytest.mark.parametrize(
    ("amount", "ratio", "rounding", "expected"),
    [
        (104500, Fraction(3, 10), "yuan_half_up", 31400),  # 313.5 → 314
        (101000, Fraction(3, 10), "yuan_half_up", 30300),
        (104500, Fraction(13, 10), "fen_half_up", 135850),  # 1358.5 exactly
        (104500, Fraction(3, 10), "yuan_floor", 31300),
        (104500, Fraction(3, 10), "yuan_ceiling", 31400),
        (100001, Fraction(1, 2), "fen_half_up", 50001),  # 500.005 → 500.01
    ],
)
def test_rounding_is_exact_integer_arithmetic(
    amount: int, ratio: Fraction, rounding: str, expected: int
) -> None:
    assert pl.select(round_ratio(pl.lit(amount, pl.Int64), ratio, rounding)).item() == expected


def test_money_conversion_is_exact() -> None:
    assert yuan_to_fen("1567.5") == 156750
    assert yuan_to_fen(2083.33) == 208333
    with pytest.raises(ValueError, match="two decimals"):
        yuan_to_fen("0.001")
    assert format_yuan(163500) == "1,635.00"
    assert format_yuan(None) == "—"


def test_inputs_are_validated_on_entry() -> None:
    households, persons = _frames([dt.date(2025, 10, 15)])
    bad = persons.with_columns(relation=pl.lit("77x"), other_transfer_income=pl.lit(-5))
    with pytest.raises(Exception, match="not a code of relation") as caught:
        SYSTEM.simulate(households, bad)
    issues = caught.value.issues  # type: ignore[attr-defined]
    rules = {(i.column, i.rule.split(" (")[0]) for i in issues}
    assert ("other_transfer_income", "其他转移性收入（月均）不能为负数") in rules
    assert all(i.row == 0 for i in issues)


def test_a_household_needs_persons_and_persons_need_a_household() -> None:
    households, persons = _frames([dt.date(2025, 10, 15), dt.date(2025, 10, 15)])
    persons = persons.with_columns(household_id=pl.Series(["H0", "H9"]))
    with pytest.raises(Exception) as caught:
        SYSTEM.simulate(households, persons)
    rules = {i.rule for i in caught.value.issues}  # type: ignore[attr-defined]
    assert "所属编号在上级表中不存在 (household_id names no row of the household frame)" in rules
    assert "该家庭没有成员 (the household has no person)" in rules


def test_slices_of_a_large_batch_give_the_same_result_as_one_piece() -> None:
    """Households are independent: running in slices (with persons and obligors given in any
    order) changes nothing, and rows come back in the input order."""
    from tests.rules.households import random_frames
    from tests.rules.policy_cases import build_frames, load_cases

    households, persons = random_frames(300, 11)
    case = next(c for c in load_cases() if c.spec.get("obligors") and not c.spec.get("parameters"))
    extra = build_frames(SYSTEM, case.spec, prefix="X-")
    households = pl.concat([households, extra["household"]], how="diagonal_relaxed")
    persons = pl.concat([persons, extra["person"]], how="diagonal_relaxed").sample(
        fraction=1.0, shuffle=True, seed=3
    )
    obligors = extra["obligor"]
    whole = SYSTEM.simulate(
        households, persons, obligors, keep=["tekun_eligible", "counted_income"]
    )
    sliced = SYSTEM.simulate(
        households, persons, obligors, keep=["tekun_eligible", "counted_income"], chunk_households=7
    )
    assert sliced.households.equals(whole.households)
    assert sliced.persons.equals(whole.persons)
    assert sliced.persons["person_id"].to_list() == persons["person_id"].to_list()


CODES = st.sampled_from(["a", "b", "c", "d", "e", "f"])


@given(
    mapping=st.dictionaries(CODES, st.one_of(st.none(), st.integers(-3, 3)), max_size=6),
    keys=st.lists(st.one_of(st.none(), CODES), min_size=1, max_size=30),
)
def test_a_code_lookup_is_replace_strict_whatever_its_form(
    mapping: dict[str, int | None], keys: list[str | None]
) -> None:
    """Few distinct values take the ``is_in`` chain, more take ``replace_strict``: either way a
    null key, a code not in the mapping and an unknown (None) value give null."""
    frame = pl.DataFrame({"key": keys}, schema={"key": pl.String})
    found = frame.select(lookup(pl.col("key"), mapping, pl.Int64())).to_series().to_list()
    assert found == [None if k is None else mapping.get(k) for k in keys]


@given(st.sets(st.integers(0, 61), min_size=1, max_size=12), st.integers(0, 2**32 - 1))
def test_a_reason_mask_is_the_same_in_any_width(positions: set[int], seed: int) -> None:
    """A mask built in a narrow integer (the highest bit decides which) equals the bits of the
    codes whose condition is true, null conditions setting none, up to the 62nd bit."""
    reasons = ReasonSet("toy", [Reason(f"R{i}", "", "") for i in range(62)])
    draw = np.random.default_rng(seed)
    rows = 50
    flags = {
        f"R{i}": pl.Series(draw.random(rows) < 0.5).scatter(draw.integers(0, rows, 5), None)
        for i in positions
    }
    frame = pl.DataFrame(flags)
    mask = frame.select(reasons.mask({code: pl.col(code) for code in flags})).to_series()
    expected = [
        sum(1 << int(code[1:]) for code in flags if frame[code][row]) for row in range(rows)
    ]
    assert mask.dtype == pl.Int64 and mask.to_list() == expected
