"""Fraud: recovery, fine of one to three times the amount, assistance stopped (C35)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.rules.enforcement import FraudAmountError, fraud_penalty

ON = dt.date(2025, 10, 15)


def test_c35_ten_thousand_obtained_by_fraud() -> None:
    """C35 (《社会救助暂行办法》第六十八条): 10,000 yuan obtained by fraud → recover 10,000, fine
    10,000–30,000, assistance stopped."""
    penalty = fraud_penalty(1_000_000, ON)
    assert (penalty.recover, penalty.fine_min, penalty.fine_max) == (
        1_000_000,
        1_000_000,
        3_000_000,
    )
    assert penalty.stop_assistance
    assert "第六十八条" in penalty.reference


def test_a_fine_outside_the_range_is_not_allowed() -> None:
    penalty = fraud_penalty(1_000_000, ON)
    assert penalty.fine_allowed(0)
    assert penalty.fine_allowed(2_000_000)
    assert not penalty.fine_allowed(999_999)
    assert not penalty.fine_allowed(3_000_001)


@pytest.mark.parametrize("amount", [0, -5, 10.5, True, "100"])
def test_a_bad_amount_is_refused(amount: object) -> None:
    with pytest.raises(FraudAmountError, match="骗取金额"):
        fraud_penalty(amount, ON)  # type: ignore[arg-type]


@given(st.integers(1, 10**12))
def test_the_range_is_one_to_three_times_the_amount(amount: int) -> None:
    penalty = fraud_penalty(amount, ON)
    assert penalty.recover == amount
    assert penalty.fine_min == amount
    assert penalty.fine_max == 3 * amount
