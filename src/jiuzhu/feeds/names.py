"""Personal names as written by departments, caseworkers and residents: one way to compare them,
one way to clean them for storage, one way to find characters that need a person's check.

- ``comparable``/``comparable_expr``: NFKC; zero-width, format and control characters and
  whitespace removed; every middle-dot variant (·・•‧∙⋅･ and the full stop some systems use in
  transliterated names such as 阿卜杜拉·买买提) unified to U+00B7. Two records with the same ID
  whose comparable names differ are matched but raised for review, never matched silently.
- ``clean``: for storage: invisible characters removed and spaces collapsed, nothing else
  changed (a name is kept as written).
- ``rare_characters``: characters marked 生僻字待核 rather than dropped: private-use characters
  (造字 of older systems, meaningless elsewhere), unassigned code points, and characters outside
  GB 18030's two-byte (GBK) set, which need its four-byte form that many department and bank
  systems cannot store (CJK extension A and beyond, e.g. 𣵦).
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

MIDDLE_DOT = "\u00b7"
DOT_VARIANTS = "\u00b7\u0387\u2022\u2027\u2219\u22c5\u2e31\u30fb\uff65\u16eb\u1427.\uff0e"
"""Dots written between the parts of a transliterated name (NFKC maps some onto others)."""
INVISIBLE = frozenset({"Cc", "Cf"})
"""Control and format characters (zero-width space and joiners, direction marks, BOM)."""
RARE_FLAG = "生僻字待核"

_INVISIBLE_RE = r"[\p{Cc}\p{Cf}\s]"
_DOTS_RE = "[" + re.escape(DOT_VARIANTS) + "]"


def comparable(name: str | None) -> str:
    """The name as compared (see the module docstring); ``""`` for None."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(c for c in text if unicodedata.category(c) not in INVISIBLE and not c.isspace())
    return re.sub(_DOTS_RE, MIDDLE_DOT, text)


def comparable_expr(name: pl.Expr) -> pl.Expr:
    """``comparable`` on a column of names (null stays null)."""
    return (
        name.str.normalize("NFKC")
        .str.replace_all(_INVISIBLE_RE, "")
        .str.replace_all(_DOTS_RE, MIDDLE_DOT)
    )


def same_name(first: str | None, second: str | None) -> bool:
    """Whether two written names are the same name (``comparable`` equal)."""
    return comparable(first) == comparable(second)


def clean(name: str | None) -> str:
    """The name to store: invisible characters removed, whitespace collapsed, otherwise as
    written (rare characters included)."""
    text = "".join(c for c in name or "" if unicodedata.category(c) not in INVISIBLE)
    return " ".join(text.split())


def rare_characters(name: str | None) -> list[str]:
    """The characters of ``name`` to be checked by a person (生僻字待核), in order."""
    found = []
    for char in name or "":
        category = unicodedata.category(char)
        if category in INVISIBLE or char.isspace():
            continue
        if category in ("Co", "Cn", "Cs") or not _in_gbk(char):
            found.append(char)
    return found


def rare_note(name: str | None) -> str | None:
    """The 生僻字待核 warning for a name with rare characters (each named with its code point)."""
    rare = rare_characters(name)
    if not rare:
        return None
    listed = "、".join(f"“{c}”(U+{ord(c):04X})" for c in dict.fromkeys(rare))
    return f"{RARE_FLAG}：姓名含{listed}，请核对原始证件 (rare characters to check)"


def _in_gbk(char: str) -> bool:
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True
