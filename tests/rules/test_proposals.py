"""Dibao standard proposals (jiuzhu.rules.proposals): each method on Tianjin's published figures
where there are any, their properties, the floor flag and the unknown inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.rules import load_system
from jiuzhu.rules.proposals import (
    CONSUMPTION,
    CONSUMPTION_SHARE,
    ENGEL_COEFFICIENT,
    FOOD,
    INCOME_INDEX,
    NON_FOOD,
    PRICE_INDEX,
    basic_needs,
    consumption_share,
    engel,
    income_growth,
    price_index,
    proposals,
    round_up_yuan,
)

SYSTEM = load_system("tianjin")
DAY = dt.date(2025, 10, 15)


def test_price_index_on_tianjins_published_2022_cpi() -> None:
    """1,010 yuan (in force from 2020-09-01) × 1.019: Tianjin's 2022 CPI rose 1.9 % (天津日报
    2023-01-17, 《2022年我市CPI上涨1.9%》, 国家统计局天津调查总队). 1,029.19 → 1,030 yuan."""
    proposal = price_index(SYSTEM, dt.date(2023, 6, 1))
    assert proposal.value == 103_000
    assert proposal.current == {"urban": 101_000, "rural": 101_000}
    used = {i.path: i for i in proposal.inputs}
    assert used[PRICE_INDEX].value == Fraction("1.019")
    assert used[PRICE_INDEX].confidence == "high"
    assert "天津日报" in used[PRICE_INDEX].reference
    assert not proposal.unknown and not proposal.breaks_floor


def test_price_index_on_tianjins_published_2023_cpi() -> None:
    """1,010 yuan × 1.004: Tianjin's 2023 CPI rose 0.4 % (the 2024 government work report,
    2024-01-23). 1,014.04 → 1,015 yuan."""
    proposal = price_index(SYSTEM, dt.date(2024, 6, 1))
    assert proposal.value == 101_500
    used = {i.path: i for i in proposal.inputs}
    assert used[PRICE_INDEX].value == Fraction("1.004")
    assert "政府工作报告" in used[PRICE_INDEX].reference


def test_income_growth_on_tianjins_published_2023_growth() -> None:
    """1,010 yuan × 1.047: Tianjin's per-capita disposable income grew 4.7 % in 2023 (the
    mayor at the State Council Information Office, 2024-04-03). 1,057.47 → 1,058 yuan."""
    proposal = income_growth(SYSTEM, dt.date(2024, 6, 1))
    assert proposal.value == 105_800
    (growth,) = [i for i in proposal.inputs if i.path == INCOME_INDEX]
    assert growth.key == "all"  # one standard for town and country: the all-residents figure
    assert growth.value == Fraction("1.047")


def test_consumption_share_gives_back_the_standard_its_share_implies() -> None:
    """No annual Tianjin consumption figure with a citable source was found (the package marks
    it unknown): 36,000 yuan is an example. The share 1,045 × 12 / 36,000 that the published
    2025 standard (津民规〔2025〕6号) implies gives 1,045 back."""
    system = SYSTEM.with_parameters(
        {CONSUMPTION: 36000, CONSUMPTION_SHARE: Decimal(1045 * 12) / Decimal(36000)}
    )
    assert consumption_share(system, DAY).value == 104_500


def test_basic_needs_and_engel_add_and_divide_the_basket() -> None:
    """Example basket (Tianjin publishes none): food 520.40 and non-food 480 yuan a person a
    month; an Engel coefficient of 0.5 doubles the food cost."""
    system = SYSTEM.with_parameters(
        {FOOD: Decimal("520.40"), NON_FOOD: 480, ENGEL_COEFFICIENT: Decimal("0.5")}
    )
    assert basic_needs(system, DAY).value == 100_100  # 1,000.40 rounded up
    assert engel(system, DAY).value == 104_100  # 1,040.80 rounded up


def test_an_unknown_input_gives_no_figure_and_is_named() -> None:
    """On 2025-10-15 the 2024 statistics and the local choices are unknown: no method has a
    figure, each names what it lacks, and no linked standard is checked."""
    for proposal in proposals(SYSTEM, DAY):
        assert proposal.values == {"urban": None, "rural": None}
        assert proposal.value is None and not proposal.complete
        assert proposal.unknown and not proposal.linked
    names = {i.path for i in consumption_share(SYSTEM, DAY).unknown}
    assert names == {CONSUMPTION, CONSUMPTION_SHARE}


def test_a_proposal_breaking_the_tekun_floor_is_flagged() -> None:
    """1,045 × 1.2 → 1,254 yuan: the rural home-based tekun standard, 1,530 yuan, is then under
    1.3 × 1,254 = 1,630.20 yuan (国发〔2016〕14号, C16)."""
    proposal = price_index(SYSTEM.with_parameters({PRICE_INDEX: Decimal("1.2")}), DAY)
    assert proposal.value == 125_400
    assert proposal.breaks_floor
    broken = [linked for linked in proposal.linked if linked.compliant is False]
    assert [linked.key for linked in broken] == ["tekun.basic_standard.rural_home_based"]
    assert broken[0].floor == 163_020


def test_separate_urban_and_rural_standards_take_their_own_groups() -> None:
    """Before 2017 Tianjin had two standards: each area takes its own group's statistics, and an
    area whose figure is unknown has none."""
    system = SYSTEM.with_parameters(
        {
            "dibao.standard": {"urban": 780, "rural": 700},
            INCOME_INDEX: {"all": 1, "urban": 1.1, "rural": "unknown"},
        }
    )
    proposal = income_growth(system, DAY)
    assert proposal.values == {"urban": 85_800, "rural": None}
    assert not proposal.linked and proposal.value is None


def test_local_values_feed_the_calculators() -> None:
    from jiuzhu.rules.engine.local_values import LocalValue

    entry = LocalValue(PRICE_INDEX, dt.date(2025, 1, 1), 1.002, "天津市2024年统计公报", "甲", "乙")
    proposal = price_index(SYSTEM.with_local_values([entry]), DAY)
    assert proposal.value == 104_800  # 1,045 × 1.002 = 1,047.09 → 1,048
    (used,) = [i for i in proposal.inputs if i.path == PRICE_INDEX]
    assert used.confidence == "local"


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300_000_000), st.integers(1, 1_000_000_000))
def test_rounding_up_is_whole_yuan_and_never_below(numerator: int, denominator: int) -> None:
    exact = Fraction(numerator, denominator) * 100_000
    rounded = round_up_yuan(exact)
    assert rounded % 100 == 0
    assert exact <= rounded < exact + 100


@settings(max_examples=25, deadline=None)
@given(st.integers(10_000, 120_000), st.integers(10_000, 120_000), st.integers(10, 60))
def test_consumption_share_is_monotone_in_consumption(low: int, high: int, percent: int) -> None:
    low, high = sorted((low, high))

    def value(consumption: int) -> int | None:
        system = SYSTEM.with_parameters(
            {CONSUMPTION: consumption, CONSUMPTION_SHARE: Decimal(percent) / 100}
        )
        return consumption_share(system, DAY).value

    first, second = value(low), value(high)
    assert first is not None and second is not None and first <= second


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 300), st.sampled_from([PRICE_INDEX, "income"]))
def test_indexation_never_falls_below_the_standard_when_the_index_rises(
    permille: int, which: str
) -> None:
    index = 1 + Decimal(permille) / 1000
    if which == PRICE_INDEX:
        proposal = price_index(SYSTEM.with_parameters({PRICE_INDEX: index}), DAY)
    else:
        proposal = income_growth(SYSTEM.with_parameters({INCOME_INDEX: index}), DAY)
    assert proposal.value is not None and proposal.value >= 104_500


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 200_000), st.integers(1, 100))
def test_engel_never_falls_below_the_food_basket(food_fen: int, percent: int) -> None:
    system = SYSTEM.with_parameters(
        {FOOD: Decimal(food_fen) / 100, ENGEL_COEFFICIENT: Decimal(percent) / 100}
    )
    proposal = engel(system, DAY)
    assert proposal.value is not None and proposal.value >= food_fen


def test_an_engel_coefficient_of_zero_gives_no_figure() -> None:
    system = SYSTEM.with_parameters({FOOD: 500, ENGEL_COEFFICIENT: 0})
    assert engel(system, DAY).value is None
