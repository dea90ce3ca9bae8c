"""Resident identity numbers (居民身份证号码, GB 11643-1999): the platform's only implementation.

18 characters: 6-digit address code, birth date YYYYMMDD, 3-digit sequence (odd = male), check
character ``"10X98765432"[Σ(digit × weight) mod 11]``. Feeds, assessment input, the registry, web
forms and payments all check IDs here, vectorised (``normalise_series``, ``normalise_struct``,
``normalise_expr``) or one at a time (``normalise``, which runs the same vectorised steps on a
one-row series, so that the two paths cannot disagree).

The rules, in order:

1. NFKC (full-width digits and letters become ASCII), whitespace removed, a lower-case x upper-
   cased;
2. only ASCII digits and X: any other character — digits of another script (Arabic-Indic,
   Devanagari …), a zero-width space, a hyphen — is refused, naming it, its code point and its
   position, since ``str.isdigit`` would let one person's number be stored in two scripts and so
   make them two people; X only as the 18th character;
3. 18 characters, or 15 digits: a legacy number (GB 11643-1989) is converted to 18 by inserting
   ``19`` before the year and appending the check character, and the conversion is reported;
4. the province (first two digits) must exist; the birth date must exist, not before 1890 and
   not after ``today`` (the caller's date; Beijing's date by default);
5. the check character must match;
6. the address code is looked up in ``jiuzhu.reference.address_codes`` (retired codes included:
   Baodi's 120224 of 宝坻县 before 2001, then 120115) and an unknown one gives a note, never a
   refusal: the table covers Tianjin only, and an address code must not be matched against the
   birth year (python-stdnum's ``cn.ric`` does so and wrongly rejects real older Baodi IDs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import polars as pl

from jiuzhu.reference import address_codes, address_codes_cover, province_codes

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
EARLIEST_BIRTH = dt.date(1890, 1, 1)
"""Birth dates before this are typing errors (no living person was born earlier)."""
_BEIJING = ZoneInfo("Asia/Shanghai")

CODES = (
    "length",
    "character",
    "province",
    "birth_date",
    "future_birth_date",
    "check_character",
)
"""The rules an ID can break (``InvalidIdError.code``)."""


class InvalidIdError(ValueError):
    """The text is not a valid resident ID; the message says why (in Chinese and English).

    ``code`` names the rule broken (one of ``CODES``) and ``params`` its values (``length``;
    ``character``, ``codepoint``, ``position``; ``address``; ``date``; ``expected``, ``actual``),
    so that a form can say it in the user's language alone."""

    def __init__(self, message: str, code: str = "", **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 ASCII digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


@dataclass(frozen=True)
class ResidentId:
    """A valid 18-character resident ID, what it encodes, and what was noted on the way."""

    number: str
    converted_from: str | None = None
    """The 15-digit legacy number this one was converted from, if it was."""
    address_note: str | None = None
    """Why the address code deserves a look (not in the division table), if it does."""

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

    @property
    def notes(self) -> list[str]:
        """Warnings to record with the number (a conversion, an unknown address code)."""
        notes = [conversion_note(self.converted_from)] if self.converted_from else []
        return notes + ([self.address_note] if self.address_note else [])

    def masked(self) -> str:
        """Address code and last four characters only: 120224********123X."""
        return self.number[:6] + "*" * 8 + self.number[14:]


def conversion_note(legacy: str) -> str:
    """The warning recorded where a 15-digit number was converted (the old number masked)."""
    return (
        f"15位旧号码{legacy[:6]}******{legacy[12:]}已升级为18位 "
        "(15-digit legacy number converted to 18 digits)"
    )


def beijing_today() -> dt.date:
    """Today's date in Beijing: the default ``today`` of the birth-date check."""
    return dt.datetime.now(tz=_BEIJING).date()


def normalise(text: object, today: dt.date | None = None) -> ResidentId:
    """Validate and normalise one ID as typed (the module docstring gives the rules).

    Args:
        text: the ID as typed or read (anything; it is turned into text).
        today: births after this date are refused (default: Beijing's date).

    Raises:
        InvalidIdError: a character other than an ASCII digit or a final X, wrong length,
            unknown province, impossible or future birth date, or wrong check character; the
            message names the character and position, or the expected check character.
    """
    checked = normalise_series(pl.Series([str(text)], dtype=pl.String), today)
    row = checked.struct.unnest().row(0, named=True)
    if row["code"] is not None:
        raise InvalidIdError(row["reason"], row["code"], **_params(row))
    return ResidentId(row["number"], row["legacy"], row["note"])


def _params(row: dict[str, object]) -> dict[str, str]:
    """The values a form's message for ``row["code"]`` needs."""
    cleaned = str(row["cleaned"])
    number = str(row["number_checked"] or cleaned)
    code = row["code"]
    if code == "length":
        return {"length": str(len(cleaned))}
    if code == "character":
        position = int(str(row["position"]))
        char = cleaned[position]
        return {"character": char, "codepoint": f"U+{ord(char):04X}", "position": str(position + 1)}
    if code == "province":
        return {"address": number[:6]}
    if code in ("birth_date", "future_birth_date"):
        return {"date": number[6:14]}
    if code == "check_character":
        return {"expected": str(row["expected"]), "actual": number[17]}
    return {}


def check_character_expr(number: pl.Expr | str) -> pl.Expr:
    """Vectorised check character of the first 17 digits of an ID column (for million-row
    frames); null where they are not 17 ASCII digits."""
    column = pl.col(number) if isinstance(number, str) else number
    total = pl.sum_horizontal(
        [column.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(WEIGHTS)]
    )
    ok = column.str.contains(r"^[0-9]{17}")
    return (
        pl.when(ok)
        .then(total % 11)
        .replace_strict(dict(enumerate(CHECK_CHARACTERS)), default=None, return_dtype=pl.String)
    )


def check_character_series(first17: pl.Series) -> pl.Series:
    """Check characters of a series of 17-digit strings (synthetic IDs are built with it)."""
    return pl.DataFrame({"first17": first17}).select(check_character_expr("first17")).to_series()


def valid_expr(column: str, today: dt.date | None = None) -> pl.Expr:
    """Vectorised validity (characters, length, province, birth date, check character)."""
    return normalise_expr(pl.col(column), today)[1].is_null() & pl.col(column).is_not_null()


_CHECKED = pl.Struct(
    {
        "number": pl.String,
        "reason": pl.String,
        "code": pl.String,
        "cleaned": pl.String,
        "number_checked": pl.String,
        "position": pl.Int64,
        "expected": pl.String,
        "legacy": pl.String,
        "note": pl.String,
    }
)
"""What ``normalise_series`` returns per value: ``number`` (null unless valid), ``reason`` and
``code`` (null unless invalid), ``legacy`` (the 15-digit number converted), ``note`` (the
address-code warning), and the intermediate texts the single-value path reports from."""


def normalise_expr(raw: pl.Expr, today: dt.date | None = None) -> tuple[pl.Expr, pl.Expr]:
    """Vectorised ``normalise``: the 18-character ID (null where invalid) and the reason it is
    invalid (null where valid or blank)."""
    checked = normalise_struct(raw, today)
    return checked.struct.field("number"), checked.struct.field("reason")


def normalise_struct(raw: pl.Expr, today: dt.date | None = None) -> pl.Expr:
    """``normalise_expr`` as one struct column (``_CHECKED``): materialise it once when several
    fields are needed.

    The steps run on a materialised batch (``normalise_series``): as one nested expression, the
    converted number was recomputed for each of the 17 digits of its check and every later use
    — some 20 µs a row as soon as a file held one legacy number."""
    day = today or beijing_today()
    return raw.map_batches(
        lambda s: normalise_series(s, day), return_dtype=_CHECKED, is_elementwise=True
    )


def legacy_form(number: str) -> str | None:
    """The 15-digit form (GB 11643-1989) of an 18-character ID of a person born in 1900–1999,
    which a record kept from before the conversion may still hold; None for any other text."""
    if len(number) == 18 and number[6:8] == "19" and number[:17].isdigit():
        return number[:6] + number[8:17]
    return None


def convert_legacy(
    frame: pl.DataFrame,
    column: str = "resident_id",
    today: dt.date | None = None,
    *,
    drop_held: bool = False,
) -> pl.DataFrame:
    """``frame`` with every valid 15-digit number of ``column`` (String) in its 18-digit form
    (``normalise_expr``); every other value is left as it is, an invalid one included (it
    matches nothing), and so is a number whose 18-digit form another row already holds: the
    person registered under the 18-digit form keeps it, one ID never stands for two rows (as
    registry migration 0003 leaves such a number); with ``drop_held`` such a row is dropped
    instead (a list keyed by ID, where the 18-digit row stands for the person). A frame without
    15-character values is returned untouched, unchecked."""
    if column not in frame.columns:
        return frame
    legacy = pl.col(column).str.len_chars() == 15
    if not frame.select(legacy.any()).item():
        return frame
    held = frame.filter(pl.col(column).str.len_chars() == 18)[column].unique()
    number, _reason = normalise_expr(pl.when(legacy).then(pl.col(column)), today)
    checked = frame.with_columns(number.alias("__number"))
    taken = pl.col("__number").is_in(held.implode()).fill_null(False)
    if drop_held:
        checked = checked.filter(~taken)
    return checked.with_columns(
        pl.when(taken).then(pl.col(column)).otherwise(pl.coalesce("__number", column)).alias(column)
    ).drop("__number")


def normalise_series(raw: pl.Series, today: dt.date | None = None) -> pl.Series:
    """Check every value of ``raw`` (the module docstring gives the rules): a struct series
    (``_CHECKED``) of the same length. Null stays null with no reason."""
    day = today or beijing_today()
    text = raw.cast(pl.String)
    # NFKC only where a character is not ASCII (full-width digits, other scripts' digits): in a
    # clean file no row, and NFKC of every cell was 40 % of the whole check.
    wide = text.str.contains(r"[^\x00-\x7f]").fill_null(False)
    folded = text
    if wide.any():
        rows = wide.arg_true()
        folded = text.clone().scatter(rows, text.gather(rows).str.normalize("NFKC"))
    # One lazy query: a single collect costs a fraction of eight eager steps on one value.
    frame = pl.LazyFrame({"raw": text, "folded": folded}).with_columns(
        pl.col("folded")
        .str.replace_all(r"\s", "")
        .str.replace_all("x", "X", literal=True)
        .alias("cleaned")
    )
    cleaned = pl.col("cleaned")
    length = cleaned.str.len_chars()
    # The first character that is not an ASCII digit: everything before it is ASCII, so its
    # byte offset is its character position.
    digits = cleaned.str.find(r"[^0-9]").fill_null(length)
    final_x = (length == 18) & (digits == 17) & cleaned.str.ends_with("X")
    frame = frame.with_columns(
        pl.when((digits < length) & ~final_x).then(digits).cast(pl.Int64).alias("position"),
        ((length == 15) & (digits == 15)).alias("is_legacy"),
    )
    first17 = (
        pl.when("is_legacy")
        .then(cleaned.str.slice(0, 6) + pl.lit("19") + cleaned.str.slice(6, 9))
        .otherwise(cleaned.str.slice(0, 17))
    )
    frame = frame.with_columns(first17.alias("first17"))
    frame = frame.with_columns(check_character_expr("first17").alias("expected"))
    frame = frame.with_columns(
        pl.when("is_legacy")
        .then(pl.col("first17") + pl.col("expected"))
        .otherwise(cleaned)
        .alias("number_checked")
    )
    frame = frame.with_columns(
        pl.col("number_checked").str.slice(6, 8).str.to_date("%Y%m%d", strict=False).alias("birth")
    )
    frame = frame.with_columns(_code(day).alias("code"))
    # The code point names an invisible character; Python runs only for the refused ones.
    frame = frame.with_columns(
        pl.when(pl.col("code") == "character")
        .then(cleaned.str.slice(pl.col("position").fill_null(0), 1))
        .map_elements(lambda c: f"U+{ord(c):04X}", return_dtype=pl.String, skip_nulls=True)
        .alias("codepoint")
    )
    frame = frame.with_columns(_reason().alias("reason"), _note().alias("note"))
    valid = pl.col("raw").is_not_null() & pl.col("code").is_null()
    return (
        frame.select(
            pl.struct(
                pl.when(valid).then(pl.col("number_checked")).alias("number"),
                "reason",
                "code",
                "cleaned",
                "number_checked",
                "position",
                "expected",
                pl.when(valid & pl.col("is_legacy")).then(cleaned).alias("legacy"),
                pl.when(valid).then(pl.col("note")).alias("note"),
            )
        )
        .collect()
        .to_series()
    )


def _code(today: dt.date) -> pl.Expr:
    """The first rule each cleaned value breaks (null: valid or blank)."""
    number = pl.col("number_checked")
    birth = pl.col("birth")
    return (
        pl.when(pl.col("raw").is_null())
        .then(None)
        .when(pl.col("position").is_not_null())
        .then(pl.lit("character"))
        .when(number.str.len_chars() != 18)
        .then(pl.lit("length"))
        .when(~number.str.slice(0, 2).is_in(sorted(province_codes())))
        .then(pl.lit("province"))
        .when(birth.is_null() | (birth < EARLIEST_BIRTH))
        .then(pl.lit("birth_date"))
        .when(birth > today)
        .then(pl.lit("future_birth_date"))
        .when(pl.col("expected") != number.str.slice(17, 1))
        .then(pl.lit("check_character"))
    )


def _reason() -> pl.Expr:
    """The refusal in Chinese and English, from ``code``."""
    cleaned, number, code = pl.col("cleaned"), pl.col("number_checked"), pl.col("code")
    position = pl.col("position")
    char = cleaned.str.slice(position.fill_null(0), 1)
    return (
        pl.when(code == "character")
        .then(
            pl.lit("身份证号第")
            + (position + 1).cast(pl.String)
            + pl.lit("位“")
            + char
            + pl.lit("”（")
            + pl.col("codepoint")
            + pl.lit("）")
            + pl.when(char == "X")
            .then(pl.lit("只能是18位号码的末位"))
            .otherwise(pl.lit("不是数字或X"))
            + pl.lit(" / character ")
            + (position + 1).cast(pl.String)
            + pl.lit(" is not an ASCII digit or a final X")
        )
        .when(code == "length")
        .then(
            pl.lit("身份证号应为18位（或15位旧号），实际")
            + cleaned.str.len_chars().cast(pl.String)
            + pl.lit("位 / must have 18 characters")
        )
        .when(code == "province")
        .then(
            pl.lit("地址码")
            + number.str.slice(0, 6)
            + pl.lit("不是有效的省级代码 / unknown province code")
        )
        .when(code == "birth_date")
        .then(
            pl.lit("出生日期") + number.str.slice(6, 8) + pl.lit("不存在 / impossible birth date")
        )
        .when(code == "future_birth_date")
        .then(
            pl.lit("出生日期")
            + number.str.slice(6, 8)
            + pl.lit("晚于今天 / birth date in the future")
        )
        .when(code == "check_character")
        .then(
            pl.lit("校验码应为")
            + pl.col("expected")
            + pl.lit("，实际为")
            + number.str.slice(17, 1)
            + pl.lit(" / check character should be ")
            + pl.col("expected")
        )
    )


def _note() -> pl.Expr:
    """The address-code warning: a Tianjin code that is not in the division table."""
    number = pl.col("number_checked")
    address = number.str.slice(0, 6)
    covered = number.str.slice(0, 2).is_in(sorted(address_codes_cover()))
    return pl.when(covered & ~address.is_in(sorted(address_codes()))).then(
        pl.lit("地址码")
        + address
        + pl.lit("不在行政区划代码表中（含已撤销的代码），请核实 / address code not in the table")
    )
