"""Vectorised parsers for text cells typed by people: yuan amounts, dates, yes/no, codes, counts.

Each parser returns the parsed expression and an expression that is true where a non-empty cell
could not be parsed, with the rule broken, so readers can report every bad cell at once.

Patterns spell digits ``[0-9]``: Polars' ``\\d`` matches the digits of every script, and an
Arabic-Indic or Devanagari digit would pass the pattern and then become a null amount (read as
none) or a month in another script.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from jiuzhu.rules.engine.codes import CodeList

_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {
    "．": ".",
    "，": ",",
    "－": "-",
    "／": "/",
    "Ｘ": "X",
    "ｘ": "x",
    "　": " ",
}
_TRUE = ("是", "有", "y", "yes", "true", "1", "√", "✓", "t")
_FALSE = ("否", "无", "n", "no", "false", "0", "×", "f")


@dataclass(frozen=True)
class Parsed:
    """A parsed column: ``value`` (typed, null where blank or bad) and ``bad`` with its rule."""

    value: pl.Expr
    bad: pl.Expr
    rule: str


def half_width(column: pl.Expr) -> pl.Expr:
    """Full-width digits and punctuation to ASCII (people paste them from other systems)."""
    return column.str.replace_many(list(_FULL_WIDTH), list(_FULL_WIDTH.values()))


MAX_WHOLE_DIGITS = 15
"""Digits before the point of an amount in yuan or square metres: 10^15 yuan is beyond any real
amount and its fen still fit an Int64; a longer number is a typing or export error, refused
rather than overflowing into another amount or read as blank (as no income)."""
MAX_WAN_YUAN_DIGITS = 12
"""The same bound for 万元, whose fen are a million times as many."""


def _decimal(text: pl.Expr, decimals: int, whole_digits: int) -> tuple[pl.Expr, pl.Expr]:
    """Whether tidied ``text`` is a non-negative decimal within the bounds, and its value in
    units of 10^-``decimals`` (Int64, exact; null where not ok)."""
    ok = text.str.contains(rf"^0*[0-9]{{1,{whole_digits}}}(\.[0-9]{{1,{decimals}}})?$")
    whole = text.str.extract(r"^([0-9]+)", 1).cast(pl.Int64, strict=False)
    fraction = (
        text.str.extract(rf"\.([0-9]{{1,{decimals}}})$", 1)
        .str.pad_end(decimals, "0")
        .cast(pl.Int64, strict=False)
    )
    return ok, pl.when(ok).then(whole * 10**decimals + fraction.fill_null(0))


def parse_yuan(column: str) -> Parsed:
    """Yuan with at most two decimals and ``MAX_WHOLE_DIGITS`` digits before the point (commas,
    spaces and a trailing 元 allowed) → Int64 fen."""
    text = half_width(pl.col(column)).str.replace_all(r"[,\s元]", "")
    ok, value = _decimal(text, 2, MAX_WHOLE_DIGITS)
    return Parsed(
        value,
        pl.col(column).is_not_null() & ~ok.fill_null(False),
        "金额应为不小于0、最多两位小数的元数，整数部分不超过15位 "
        "(a non-negative amount in yuan, at most 2 decimals and 15 digits before the point)",
    )


def parse_area(column: str) -> Parsed:
    """Square metres with at most two decimals (a trailing 平方米 or ㎡ allowed) → Int64
    hundredths of a square metre (exact, like money in fen)."""
    text = half_width(pl.col(column)).str.replace_all(r"[,\s]|平方米|㎡|m2$", "")
    ok, value = _decimal(text, 2, MAX_WHOLE_DIGITS)
    return Parsed(
        value,
        pl.col(column).is_not_null() & ~ok.fill_null(False),
        "面积应为不小于0、最多两位小数的平方米数，整数部分不超过15位 "
        "(square metres, at most 2 decimals and 15 digits before the point)",
    )


def parse_int(column: str, low: int = 0, high: int | None = None) -> Parsed:
    """A whole number (``2`` or ``2.0`` as Excel writes it) within ``[low, high]``."""
    text = half_width(pl.col(column)).str.replace_all(r"\s", "")
    number = text.str.extract(r"^(-?[0-9]+)(\.0+)?$", 1).cast(pl.Int64, strict=False)
    in_range = number >= low if high is None else number.is_between(low, high)
    ok = number.is_not_null() & in_range
    bound = f"≥ {low}" if high is None else f"{low}–{high}"
    return Parsed(
        pl.when(ok).then(number),
        pl.col(column).is_not_null() & ~ok.fill_null(False),
        f"应为整数 {bound} (a whole number {bound})",
    )


def parse_float(column: str) -> Parsed:
    """A non-negative decimal number written out (``35.5``): NaN, infinities and exponents,
    which a float cast would take, are refused."""
    text = half_width(pl.col(column)).str.replace_all(r"\s", "")
    ok = text.str.contains(rf"^[0-9]{{1,{MAX_WHOLE_DIGITS}}}(\.[0-9]+)?$")
    return Parsed(
        pl.when(ok).then(text.cast(pl.Float64, strict=False)),
        pl.col(column).is_not_null() & ~ok.fill_null(False),
        "应为不小于0的数，如 35.5（不接受 NaN、无穷大或科学计数法） "
        "(a non-negative number such as 35.5; not NaN, infinity or an exponent)",
    )


def parse_date(column: str) -> Parsed:
    """A calendar date: 2025-10-15, 2025/10/15, 20251015, 2025年10月15日, or an Excel date cell."""
    text = (
        half_width(pl.col(column))
        .str.replace(r"\s.*$", "")
        .str.replace_all(r"[年月/.]", "-")
        .str.replace(r"日$", "")
        .str.replace(r"^([0-9]{4})([0-9]{2})([0-9]{2})$", "$1-$2-$3")
        .str.replace(r"-([0-9])-", "-0$1-")
        .str.replace(r"-([0-9])$", "-0$1")
    )
    value = text.str.to_date("%Y-%m-%d", strict=False)
    return Parsed(
        value,
        pl.col(column).is_not_null() & value.is_null(),
        "不是存在的日期，应写作 YYYY-MM-DD (not a real date; write YYYY-MM-DD)",
    )


def parse_bool(column: str) -> Parsed:
    """是/否, 有/无, yes/no, true/false, 1/0, √/×."""
    text = half_width(pl.col(column)).str.strip_chars().str.to_lowercase()
    value = pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False)
    return Parsed(
        value,
        pl.col(column).is_not_null() & ~text.is_in([*_TRUE, *_FALSE]).fill_null(False),
        "应填“是”或“否” (yes or no)",
    )


def parse_code(column: str, codes: CodeList) -> Parsed:
    """A code, its Chinese or English label, its national standard code or a synonym."""
    spellings: Mapping[str, str] = codes.spellings()
    key = half_width(pl.col(column)).str.replace_all(r"\s", "").str.to_lowercase()
    value = key.replace_strict(dict(spellings), default=None, return_dtype=pl.String)
    shown = "、".join(c.label for c in codes)
    return Parsed(
        value,
        pl.col(column).is_not_null() & value.is_null(),
        f"不是“{codes.label}”的有效代码，可填：{shown} (unknown code of {codes.label_en})",
    )


def parse_wan_yuan(column: str) -> Parsed:
    """万元 (ten thousand yuan) with at most six decimals and ``MAX_WAN_YUAN_DIGITS`` digits
    before the point → Int64 fen (registered capital)."""
    text = half_width(pl.col(column)).str.replace_all(r"[,\s万元]", "")
    ok, value = _decimal(text, 6, MAX_WAN_YUAN_DIGITS)
    return Parsed(
        value,
        pl.col(column).is_not_null() & ~ok.fill_null(False),
        "应为不小于0的万元数，最多六位小数，整数部分不超过12位 (a non-negative amount in 万元)",
    )


def parse_period(column: str) -> Parsed:
    """A month: 2025-09, 202509, 2025/9, 2025年9月, 2025.09 → ``YYYY-MM``."""
    text = (
        half_width(pl.col(column))
        .str.replace_all(r"\s", "")
        .str.replace_all(r"[年/.]", "-")
        .str.replace(r"月$", "")
        .str.replace(r"^([0-9]{4})([0-9]{2})$", "$1-$2")
        .str.replace(r"-([0-9])$", "-0$1")
    )
    ok = text.str.contains(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    return Parsed(
        pl.when(ok).then(text),
        pl.col(column).is_not_null() & ~ok.fill_null(False),
        "不是有效的月份，应写作 YYYY-MM (not a month; write YYYY-MM)",
    )


UNTIDY_TEXT = r"\p{Cc}|\s\s|^\s|\s$|[^\S ]"
"""Text that ``tidy_text`` would change: a control character, two whitespace characters in a
row, whitespace at either end, or whitespace other than the ASCII space."""


def tidy_text(texts: pl.Series) -> pl.Series:
    """Each text with runs of whitespace made one space, control characters removed and the
    ends stripped. Only the rows that need it are rewritten: one scan of a clean column instead
    of four rewrites (free text of a feed is mostly clean and mostly distinct)."""
    untidy = texts.str.contains(UNTIDY_TEXT).fill_null(False)
    if not untidy.any():
        return texts
    rows = untidy.arg_true()
    tidied = (
        texts.gather(rows)
        .str.replace_all(r"\s+", " ")
        .str.replace_all(r"\p{Cc}", "")
        .str.strip_chars()
        .str.replace_all(r" {2,}", " ")
    )
    return texts.clone().scatter(rows, tidied)


def parse_text(column: str) -> Parsed:
    """Free text, tidied of surrounding and repeated spaces and of control characters
    (``tidy_text``).

    A control character (NUL, BEL, …) is export debris nobody can see or type; NUL in
    particular cannot be stored in a PostgreSQL text or JSON column, so keeping it made the
    import fail with a database error."""
    tidied = pl.col(column).map_batches(tidy_text, return_dtype=pl.String, is_elementwise=True)
    value = pl.when(tidied != "").then(tidied)
    return Parsed(
        value,
        pl.col(column).is_not_null() & value.is_null(),
        "只有空白或控制字符 (only blanks or control characters)",
    )
