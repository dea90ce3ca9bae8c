"""Assistance obtained by fraud: what is recovered, the fine's range and the assistance stopped.

《社会救助暂行办法》（国务院令第649号）第六十八条: whoever obtains assistance money, goods or
services by false or concealed information or other fraudulent means is stopped from the
assistance, the money or the goods' value is recovered, and a fine of one to three times that
amount may be imposed. The multiples are procedural numbers
(``procedure.fraud.fine_min_times``, ``procedure.fraud.fine_max_times``) dated like the rules'
parameters; the civil-affairs department fixes the fine within the range in its decision.

    >>> penalty = fraud_penalty(1_000_000, dt.date(2025, 10, 15))
    >>> penalty.recover, penalty.fine_min, penalty.fine_max
    (1000000, 1000000, 3000000)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jiuzhu.rules.procedure import DEFAULT_JURISDICTION, PREFIX, WORKING_CHOICE, rule

FINE_MIN_TIMES = PREFIX + "fraud.fine_min_times"
FINE_MAX_TIMES = PREFIX + "fraud.fine_max_times"


class FraudAmountError(ValueError):
    """The amount obtained by fraud is not a positive number of fen."""


@dataclass(frozen=True)
class FraudPenalty:
    """The consequences of an amount obtained by fraud (all money in integer fen)."""

    recover: int
    """The amount to recover: all of what was obtained."""
    fine_min: int
    """The least fine the decision may impose."""
    fine_max: int
    """The largest fine the decision may impose."""
    stop_assistance: bool
    """The assistance obtained by fraud stops."""
    reference: str
    """The legal source of the multiples in force on the day."""

    def fine_allowed(self, fine: int) -> bool:
        """Whether a fine (fen) lies within the range; 0 (no fine imposed) is allowed too, since
        the article says the fine *may* be imposed."""
        return fine == 0 or self.fine_min <= fine <= self.fine_max


def fraud_multiples(on: dt.date, jurisdiction: str = DEFAULT_JURISDICTION) -> tuple[int, int]:
    """The least and the largest multiple of the amount the fine may be on ``on`` (1 and 3).

    Raises:
        ValueError: a multiple is unknown on ``on``.
    """
    return (
        rule(FINE_MIN_TIMES, jurisdiction).number(on),
        rule(FINE_MAX_TIMES, jurisdiction).number(on),
    )


def fraud_penalty(
    amount: int, on: dt.date, jurisdiction: str = DEFAULT_JURISDICTION
) -> FraudPenalty:
    """The recovery, the fine's range and the stop for ``amount`` fen obtained by fraud, under the
    rule in force on ``on`` (the day of the decision).

    Raises:
        FraudAmountError: ``amount`` is not a positive whole number of fen.
        ValueError: a multiple is unknown on ``on``.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise FraudAmountError(
            f"骗取金额应为正的整数分值，实际为 {amount!r} (the amount must be positive fen)"
        )
    low, high = fraud_multiples(on, jurisdiction)
    return FraudPenalty(
        recover=amount,
        fine_min=amount * low,
        fine_max=amount * high,
        stop_assistance=True,
        reference=rule(FINE_MAX_TIMES, jurisdiction).in_force(on).reference,
    )


# The procedure before the fine (《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十三条、
# 第六十四条): the statement period is the bureau's choice (no text fixes it), the hearing request
# period is the law's, and the threshold of a 较大数额罚款 (which gives a hearing right) is unknown
# for Tianjin (docs/decisions/0004: never invented).
STATEMENT_WORKING_DAYS = WORKING_CHOICE + "fraud_statement_working_days"
HEARING_REQUEST_WORKING_DAYS = PREFIX + "fraud.hearing_request_working_days"
LARGE_FINE_THRESHOLD = PREFIX + "fraud.large_fine_threshold"


def hearing_right(fine: int, on: dt.date, jurisdiction: str = DEFAULT_JURISDICTION) -> bool | None:
    """Whether a fine of ``fine`` fen is a 较大数额罚款 that gives the party the right to request
    a hearing (《行政处罚法》第六十三条); None while the threshold is unknown."""
    value = rule(LARGE_FINE_THRESHOLD, jurisdiction).in_force(on).value
    if value is None:
        return None
    return fine >= value
