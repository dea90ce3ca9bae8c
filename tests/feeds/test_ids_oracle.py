"""The ID module against python-stdnum's ``cn.ric`` (the oracle), single-value and vectorised.

stdnum also requires the address code to have existed in the birth year, which wrongly rejects
real older Baodi IDs (120224 before 1982) and is not our rule; everything else must agree: the
check character, the birth date, and validity wherever stdnum accepts a number born by today.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from jiuzhu.feeds.ids import EARLIEST_BIRTH, InvalidIdError, normalise, normalise_series

TODAY = dt.date(2026, 12, 6)
AREAS = ("120224", "120115", "110101", "130223", "410184", "120221", "990101", "120000")
OTHER_DIGITS = ("\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\u1040", "\uff10")
"""Zero in Arabic-Indic, extended Arabic-Indic, Devanagari, Bengali, Thai, Myanmar, and the
full-width zero (which NFKC makes ASCII: it must be accepted)."""


@st.composite
def typed_ids(draw: st.DrawFn) -> str:
    """An ID as someone might type it: valid or not, sometimes with another script's digit, a
    lower-case x, spaces or full-width digits."""
    area = draw(st.sampled_from(AREAS))
    birth = draw(st.dates(dt.date(1880, 1, 1), dt.date(2030, 12, 31)))
    day = draw(st.one_of(st.just(f"{birth:%Y%m%d}"), st.from_regex(r"\A[0-9]{8}\Z")))
    first17 = f"{area}{day}{draw(st.integers(0, 999)):03d}"
    check = draw(
        st.one_of(st.just(ric.calc_check_digit(first17 + "0")), st.sampled_from("0123456789X"))
    )
    text = first17 + check
    kind = draw(st.sampled_from(["plain", "script", "lower", "space", "width"]))
    # The first 17 characters are digits; the check character may be X, which has no
    # counterpart in another script.
    position = draw(st.integers(0, 16 if kind == "script" else 17))
    if kind == "script":
        digit = draw(st.sampled_from(OTHER_DIGITS))
        text = text[:position] + chr(ord(digit) + int(text[position])) + text[position + 1 :]
    elif kind == "lower":
        text = text.lower()
    elif kind == "space":
        text = text[:position] + " " + text[position:]
    elif kind == "width":
        text = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)
    return text


def _ascii(text: str) -> str | None:
    """The text as stdnum sees a well-typed number (full width and spaces tidied), or None when
    it holds a digit of another script."""
    out = "".join(chr(ord(c) - 0xFEE0) if "\uff10" <= c <= "\uff19" else c for c in text)
    out = out.replace(" ", "").upper()
    return out if out.isascii() else None


@settings(max_examples=150, deadline=None)
@given(st.lists(typed_ids(), min_size=1, max_size=12))
def test_single_and_vectorised_paths_agree_with_stdnum(texts: list[str]) -> None:
    checked = normalise_series(pl.Series(texts, dtype=pl.String), TODAY).struct.unnest()
    for text, row in zip(texts, checked.iter_rows(named=True), strict=True):
        try:
            single: str | None = normalise(text, TODAY).number
        except InvalidIdError as exc:
            single = None
            assert exc.code == row["code"]
        assert single == row["number"]  # the two paths agree
        ascii_text = _ascii(text)
        if ascii_text is None:
            assert single is None and row["code"] == "character"
            continue
        born = ric.get_birth_date(ascii_text) if ric.is_valid(ascii_text) else None
        if born is not None and EARLIEST_BIRTH <= born <= TODAY:
            assert single == ascii_text
        if single is not None:
            assert single.isascii() and len(single) == 18
            assert ric.calc_check_digit(single) == single[17]
            assert ric.get_birth_date(single) == normalise(text, TODAY).birth_date
            assert ric.get_birth_date(single) <= TODAY


def test_old_baodi_ids_that_stdnum_rejects_are_valid() -> None:
    """120224 (宝坻县) was assigned from 1982: stdnum refuses a person born before it, who
    really carries the number."""
    first17 = "12022419750101123"
    number = first17 + ric.calc_check_digit(first17 + "0")
    assert not ric.is_valid(number)
    assert normalise(number, TODAY).number == number
