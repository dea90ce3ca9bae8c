"""The standards linked to the dibao standard and the national tekun floor (case C16), on the
published Tianjin values of 2025-09-01 (津民规〔2025〕6号) and on a proposal that breaks it."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from jiuzhu.rules import load_system
from jiuzhu.rules.standards import linked_standards

SYSTEM = load_system("tianjin")
ON = dt.date(2025, 10, 15)


def _by_key(standard: dict[str, int] | None = None) -> dict[str, object]:
    return {found.key: found for found in linked_standards(SYSTEM, ON, standard)}


def test_c16_the_published_tekun_standards_reach_the_national_floor() -> None:
    found = _by_key()
    home = found["tekun.basic_standard.rural_home_based"]
    assert home.floor == 135_850  # 1.3 × 1,045 = 1,358.50 yuan
    assert home.value == 153_000 and home.compliant is True
    assert round(float(home.ratio), 3) == 1.464
    assert all(
        found[f"tekun.basic_standard.{key}"].compliant  # type: ignore[attr-defined]
        for key in ("urban", "rural_institutional", "rural_home_based")
    )


def test_a_proposal_that_breaks_the_floor_is_flagged() -> None:
    found = _by_key({"urban": 120_000, "rural": 120_000})
    home = found["tekun.basic_standard.rural_home_based"]
    assert home.floor == 156_000 and home.value == 153_000 and home.compliant is False
    assert found["tekun.basic_standard.urban"].compliant is True  # 1,870 ≥ 1,560


def test_the_values_linked_by_rule_follow_the_standard() -> None:
    published = _by_key()
    assert published["near_dibao.cash"].value == 31_400  # 313.5 → 314 yuan
    assert published["near_dibao.income_ceiling"].value == 156_750
    assert published["temporary_assistance.emergency_cap"].value == 313_500
    assert published["temporary_assistance.township_limit"].value == 627_000
    # The orphan allowance is unknown at this date: no value, no ratio, no check.
    orphan = published["child_welfare.allowance"]
    assert orphan.value is None and orphan.ratio is None and orphan.compliant is None
    raised = _by_key({"urban": 110_000, "rural": 110_000})
    assert raised["near_dibao.cash"].value == 33_000
    assert raised["near_dibao.income_ceiling"].ratio == Fraction(3, 2)
