"""Resident ID numbers (GB 11643-1999): normalisation and validation."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jiuzhu.feeds.ids import InvalidIdError, check_character, normalise, valid_expr


def _valid(first17: str) -> str:
    return first17 + check_character(first17)


def test_a_valid_old_baodi_id_is_accepted_whatever_the_birth_year() -> None:
    """120224 (宝坻县) IDs stay valid; the address code is not matched to the birth year."""
    number = _valid("12022420050101001")
    resident = normalise(number)
    assert resident.number == number
    assert resident.birth_date == dt.date(2005, 1, 1)
    assert resident.masked() == "120224********" + number[14:]


def test_full_width_digits_spaces_and_lower_case_x_are_normalised() -> None:
    number = _valid("12011519800101123")
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number).lower()
    assert normalise(" " + typed[:6] + " " + typed[6:]).number == number


def test_a_15_digit_legacy_number_is_upgraded() -> None:
    upgraded = normalise("120224800101123")
    assert upgraded.number == _valid("12022419800101123")
    assert upgraded.sex == "1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12022419800101123", "18位"),
        ("12022419800230123X", "出生日期19800230不存在"),
        ("99022419800101123X", "省级代码"),
        ("1202241980010112A3", "第17位“A”"),
    ],
)
def test_invalid_ids_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidIdError, match=message):
        normalise(text)


def test_a_wrong_check_character_names_the_right_one() -> None:
    right = _valid("12022419800101123")
    wrong = right[:17] + ("0" if right[17] != "0" else "1")
    with pytest.raises(InvalidIdError, match=f"校验码应为{right[17]}"):
        normalise(wrong)


def test_vectorised_validity_matches_the_scalar_check() -> None:
    good = _valid("12011520100101002")
    frame = pl.DataFrame(
        {
            "id": [
                good,
                good[:17] + "0" if good[17] != "0" else good[:17] + "1",
                "12022419800230123X",
                None,
            ]
        }
    )
    assert frame.select(valid_expr("id")).to_series().to_list() == [True, False, False, False]
