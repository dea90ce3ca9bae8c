"""Resident identity numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit address code, birth date YYYYMMDD, 3-digit sequence (odd = male), check
character ``"10X98765432"[Σ(digit × weight) mod 11]``. ``normalise`` turns what people type
(full-width digits, a lower-case x, spaces, 15-digit legacy numbers) into the 18-character form and
says exactly what is wrong otherwise. The address code is checked for shape only: older Baodi IDs
carry 120224 (宝坻县) and must not be rejected against the birth year.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)


class InvalidIdError(ValueError):
    """The text is not a valid resident ID; the message says why (in Chinese and English).

    ``code`` names the rule broken (``length``, ``characters``, ``province``, ``birth_date``,
    ``check_character``) and ``params`` its values, so that a form can say it in the user's
    language alone."""

    def __init__(self, message: str, code: str = "", **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


@dataclass(frozen=True)
class ResidentId:
    """A valid 18-character resident ID and what it encodes."""

    number: str

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.number[6:10]), int(self.number[10:12]), int(self.number[12:14]))

    @property
    def sex(self) -> str:
        """GB/T 2261.1 code: ``1`` male, ``2`` female."""
        return "1" if int(self.number[16]) % 2 == 1 else "2"

    @property
    def address_code(self) -> str:
        return self.number[:6]

    def masked(self) -> str:
        """Address code and last four characters only: 120224********123X."""
        return self.number[:6] + "*" * 8 + self.number[14:]


def normalise(text: str) -> ResidentId:
    """Validate and normalise an ID as typed.

    Raises:
        InvalidIdError: wrong length or characters, impossible birth date, unknown province code,
            or wrong check character (the message names the expected one).
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).replace(" ", "").upper()
    if len(cleaned) == 15 and cleaned.isdigit():
        cleaned = cleaned[:6] + "19" + cleaned[6:]
        cleaned += check_character(cleaned)
    if len(cleaned) != 18:
        raise InvalidIdError(
            f"身份证号应为18位（或15位旧号），实际{len(cleaned)}位 / must have 18 characters",
            "length",
            length=str(len(cleaned)),
        )
    # ASCII only: str.isdigit() also accepts Arabic-Indic or Devanagari digits, which would
    # store one person's number in another script and make them two people.
    if (
        not cleaned.isascii()
        or not cleaned[:17].isdigit()
        or not (cleaned[17].isdigit() or cleaned[17] == "X")
    ):
        raise InvalidIdError(
            "身份证号前17位应为数字，末位为数字或X / 17 digits then a digit or X", "characters"
        )
    if cleaned[:2] not in PROVINCE_CODES:
        raise InvalidIdError(
            f"地址码{cleaned[:6]}不是有效的省级代码 / unknown province code",
            "province",
            address=cleaned[:6],
        )
    try:
        birth = dt.date(int(cleaned[6:10]), int(cleaned[10:12]), int(cleaned[12:14]))
    except ValueError as exc:
        raise InvalidIdError(
            f"出生日期{cleaned[6:14]}不存在 / impossible birth date",
            "birth_date",
            date=cleaned[6:14],
        ) from exc
    if birth.year < 1890:
        raise InvalidIdError(
            f"出生日期{cleaned[6:14]}不合理 / implausible birth date",
            "birth_date",
            date=cleaned[6:14],
        )
    expected = check_character(cleaned[:17])
    if cleaned[17] != expected:
        raise InvalidIdError(
            f"校验码应为{expected}，实际为{cleaned[17]} / check character should be {expected}",
            "check_character",
            expected=expected,
            actual=cleaned[17],
        )
    return ResidentId(cleaned)


def check_character_expr(number: pl.Expr | str) -> pl.Expr:
    """Vectorised check character of the first 17 digits of an ID column (for million-row
    frames)."""
    column = pl.col(number) if isinstance(number, str) else number
    total = pl.sum_horizontal(
        [column.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(WEIGHTS)]
    )
    return (total % 11).replace_strict(dict(enumerate(CHECK_CHARACTERS)), return_dtype=pl.String)


def valid_expr(column: str) -> pl.Expr:
    """Vectorised validity (shape, province, date, check character) of normalised IDs."""
    return normalise_expr(pl.col(column))[1].is_null() & pl.col(column).is_not_null()


_CHECKED = pl.Struct({"number": pl.String, "reason": pl.String})


def normalise_expr(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Vectorised ``normalise``: the 18-character ID (null where invalid) and the reason it is
    invalid (null where valid or blank). Full-width digits, spaces and a lower-case x are
    tidied; 15-digit legacy numbers are upgraded.

    The steps run on a materialised batch (``normalise_series``): as one nested expression, the
    upgraded number was recomputed for each of the 17 digits of its check and every later use —
    some 20 µs a row as soon as a file held one legacy number."""
    checked = normalise_struct(raw)
    return checked.struct.field("number"), checked.struct.field("reason")


def normalise_struct(raw: pl.Expr) -> pl.Expr:
    """``normalise_expr`` as one struct column of ``number`` and ``reason``: materialise it once
    when both are needed."""
    return raw.map_batches(normalise_series, return_dtype=_CHECKED, is_elementwise=True)


def normalise_series(raw: pl.Series) -> pl.Series:
    """``normalise_expr`` on a Series: a struct of ``number`` and ``reason`` per value."""
    from jiuzhu.feeds.parsing import half_width  # noqa: PLC0415 — parsing imports nothing back

    frame = pl.DataFrame({"raw": raw.cast(pl.String)}).with_columns(
        half_width(pl.col("raw")).str.replace_all(r"\s", "").str.to_uppercase().alias("cleaned")
    )
    cleaned = pl.col("cleaned")
    frame = frame.with_columns(
        cleaned.str.contains(r"^\d{15}$").alias("legacy"),
        (cleaned.str.slice(0, 6) + pl.lit("19") + cleaned.str.slice(6, 9)).alias("first17"),
    )
    frame = frame.with_columns(
        pl.when("legacy")
        .then(pl.col("first17") + check_character_expr("first17"))
        .otherwise(cleaned)
        .alias("number")
    )
    number = pl.col("number")
    frame = frame.with_columns(
        number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).alias("birth"),
        check_character_expr(number).alias("expected"),
        number.str.len_chars().alias("length"),
    )
    birth, expected = pl.col("birth"), pl.col("expected")
    reason = (
        pl.when(number.is_null())
        .then(None)
        .when(pl.col("length") != 18)
        .then(
            pl.lit("身份证号应为18位（或15位旧号），实际")
            + pl.col("length").cast(pl.String)
            + pl.lit("位 / must have 18 characters")
        )
        .when(~number.str.contains(r"^\d{17}[\dX]$"))
        .then(pl.lit("身份证号前17位应为数字，末位为数字或X / 17 digits then a digit or X"))
        .when(~number.str.slice(0, 2).is_in(sorted(PROVINCE_CODES)))
        .then(
            pl.lit("地址码")
            + number.str.slice(0, 6)
            + pl.lit("不是有效的省级代码 / unknown province code")
        )
        .when(birth.is_null() | (birth < pl.date(1890, 1, 1)))
        .then(
            pl.lit("出生日期") + number.str.slice(6, 8) + pl.lit("不存在 / impossible birth date")
        )
        .when(expected != number.str.slice(17, 1))
        .then(
            pl.lit("校验码应为")
            + expected
            + pl.lit("，实际为")
            + number.str.slice(17, 1)
            + pl.lit(" / check character should be ")
            + expected
        )
        .otherwise(None)
    )
    frame = frame.with_columns(reason.alias("reason"))
    return frame.select(
        pl.struct(
            pl.when(pl.col("reason").is_null()).then(number).otherwise(None).alias("number"),
            pl.col("reason"),
        )
    ).to_series()
