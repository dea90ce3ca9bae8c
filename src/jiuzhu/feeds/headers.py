"""The one map of header spellings: every column that departments, caseworkers' workbooks and the
web import write in more than one way.

A feed's ``Field``, the assessment input (``jiuzhu.batch.inputs``) and the registry workbook
import take their spellings from ``aliases`` so that a variant added here (身份证号码, 公民身份号码,
证件号码 …) is understood by every reader at once; headers are compared by ``normalise_header``
(spaces, case, full-width forms and a parenthesised unit such as （元/月） ignored).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

ALIASES: dict[str, tuple[str, ...]] = {
    "resident_id": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份证号",
        "公民身份证号码",
        "居民身份证号",
        "居民身份证号码",
        "身份证件号码",
        "证件号码",
        "证件号",
    ),
    "name": ("姓名", "名字"),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月日"),
    "phone": ("联系电话", "电话", "电话号码", "手机", "手机号", "手机号码", "联系方式"),
    "account": ("银行账号", "银行卡号", "账号", "卡号", "账户号码", "收款账号"),
    "division_code": ("区划代码", "村（居）区划代码", "行政区划代码"),
    "household_id": ("家庭编号", "户编号"),
}
"""Concept → its spellings, the canonical one first."""

CODE_CONCEPTS = frozenset({"resident_id", "account", "phone"})
"""Columns that hold codes: text that must never pass through a number (see
``jiuzhu.feeds.tabular.code_cells``)."""


def normalise_header(text: object) -> str:
    """A header as compared: NFKC, without whitespace, case or a parenthesised note."""
    cleaned = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s", "", re.sub(r"[（(][^）)]*[）)]", "", cleaned)).casefold()


def aliases(concept: str, *specific: str) -> tuple[str, ...]:
    """The spellings of ``concept``, after the source's own ``specific`` ones (the first
    spelling given is the one error messages name)."""
    return tuple(dict.fromkeys((*specific, *ALIASES[concept])))


def concept_of(header: str) -> str | None:
    """The concept a header spells, if any."""
    return _LOOKUP.get(normalise_header(header))


def known_headers(extra: Iterable[str] = ()) -> frozenset[str]:
    """Every normalised spelling of the map, plus ``extra`` (a reader's own headers)."""
    return frozenset(_LOOKUP) | {normalise_header(h) for h in extra}


_LOOKUP = {normalise_header(s): concept for concept, ss in ALIASES.items() for s in ss}
