"""Units of variables and parameters, and money conversion.

Money is exact: integer fen (分, 1/100 yuan) in rules, frames and storage, as ``Int64``. Yuan
appear only in parameter files (as written in the legal text) and on display
(docs/decisions/0002-money-in-fen.md).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import Enum

FEN_PER_YUAN = 100


class Unit(Enum):
    """Unit of a variable's values. ``money`` units hold integer fen."""

    FEN = ("fen", "元", "yuan", True)
    FEN_PER_MONTH = ("fen_per_month", "元/月", "yuan per month", True)
    FEN_PER_YEAR = ("fen_per_year", "元/年", "yuan per year", True)
    PERSONS = ("persons", "人", "persons", False)
    COUNT = ("count", "个", "", False)
    YEARS = ("years", "岁", "years", False)
    MONTHS = ("months", "个月", "months", False)
    SQUARE_METRES = ("m2", "平方米", "m²", False)
    BOOLEAN = ("boolean", "", "", False)
    CODE = ("code", "", "", False)
    DATE = ("date", "", "", False)
    REASONS = ("reasons", "", "", False)

    def __init__(self, key: str, label: str, label_en: str, money: bool) -> None:
        self.key = key
        self.label = label
        self.label_en = label_en
        self.money = money


class ParameterUnit(Enum):
    """Unit of a parameter file (the ``unit:`` field). Money units are written in yuan."""

    YUAN_PER_PERSON_MONTH = ("yuan_per_person_month", "元/人·月", "yuan per person per month", True)
    YUAN_PER_HOUSEHOLD_MONTH = (
        "yuan_per_household_month",
        "元/户·月",
        "yuan per household per month",
        True,
    )
    YUAN_PER_PERSON_YEAR = ("yuan_per_person_year", "元/人·年", "yuan per person per year", True)
    YUAN = ("yuan", "元", "yuan", True)
    RATIO = ("ratio", "", "", False)
    MONTHS = ("months", "个月", "months", False)
    YEARS = ("years", "年", "years", False)
    DAYS = ("days", "天", "days", False)
    WORKING_DAYS = ("working_days", "个工作日", "working days", False)
    TIMES = ("times", "次", "times", False)
    MULTIPLE = ("multiple", "倍", "times the amount", False)
    SQUARE_METRES_PER_PERSON = ("m2_per_person", "平方米/人", "m² per person", False)
    BOOLEAN = ("boolean", "", "", False)
    CODE = ("code", "", "", False)

    def __init__(self, key: str, label: str, label_en: str, money: bool) -> None:
        self.key = key
        self.label = label
        self.label_en = label_en
        self.money = money

    @classmethod
    def from_key(cls, key: str) -> ParameterUnit:
        for unit in cls:
            if unit.key == key:
                return unit
        raise KeyError(key)


def yuan_to_fen(amount: Decimal | int | str) -> int:
    """Convert a yuan amount with at most two decimals to integer fen, exactly.

    Raises:
        ValueError: the amount has more than two decimals or is not a number.
    """
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {amount!r}") from exc
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} yuan has more than two decimals (分 is the smallest unit)")
    return int(fen)


def format_yuan(fen: int | None) -> str:
    """Display integer fen as yuan with two decimals and thousands separators: 163500 → 1,635.00."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole:,}.{cents:02d}"
