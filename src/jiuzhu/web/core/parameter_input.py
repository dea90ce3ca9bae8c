"""A parameter's value as people type it, read into the parameter files' spelling.

The scenario form (another parameter's new value) and the local-values form (a value from the
district's bulletin) take the same input: a number in yuan, a ratio as a decimal or a
percentage, 是/否 for a yes-or-no parameter, and for a parameter broken down by categories either
one value for all or lines of "category: value" naming the parameter's own categories. Errors
are worded for the user, in their language, never with internal parameter paths.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.rules.engine.parameters import Marker, Parameter, ParameterTree
from jiuzhu.rules.engine.units import ParameterUnit
from jiuzhu.web.core.forms import MAX_YUAN

NUMBER = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?%?$")
"""A number as people type it: thousands separators allowed, a percentage for a ratio."""

ENTRY = re.compile(r"^(?P<label>.+?)(?:\s*[:=]\s*|\s+)(?P<value>\S+)$")
"""One category's value: "城镇：1900", "城镇 1900" (after NFKC, "：" is ":")."""

MAX_RATIO = 100
"""A typo guard: the ratios people change are shares and multiples well below 100."""
MAX_COUNT = 100_000
"""A typo guard for months, days, times and areas."""

YES = frozenset({"是", "true", "yes", "y", "1"})
NO = frozenset({"否", "false", "no", "n", "0"})


def parse(tree: ParameterTree, path: str, text: str) -> object:
    """``text`` as a value of parameter ``path``: a number (yuan, or a ratio), a bool, or
    ``{code: value}`` for the categories written (``fill`` completes the others); None for
    blank text.

    Raises:
        ValidationError: not a value of the parameter (the message names what was wrong).
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    parameter = tree[path]
    entries = [e.strip() for e in re.split(r"[;\n]", text) if e.strip()]
    if len(entries) == 1 and _single(entries[0]):
        return _scalar(entries[0], parameter)
    if parameter.breakdown is None:
        if len(entries) > 1:
            raise ValidationError(_("该参数只有一个取值：请只填一个数"))
        return _scalar(entries[0], parameter)
    codes = tree.code_lists[parameter.breakdown]
    values: dict[str, object] = {}
    for entry in entries:
        found = ENTRY.match(entry)
        code = codes.parse(found["label"]) if found else None
        if found is None or code is None:
            raise ValidationError(
                _("“%(entry)s”不是“类别：数值”，类别可为：%(codes)s")
                % {"entry": entry, "codes": _("、").join(category_labels(tree, path))}
            )
        values[code] = _scalar(found["value"], parameter)
    return values


def fill(tree: ParameterTree, path: str, values: dict[str, object], on: dt.date) -> object:
    """``values`` (some categories of ``path``) with each category not written kept at its
    value in force on ``on``, as the parameter files write it."""
    parameter = tree[path]
    in_force = parameter.at(max(on, parameter.first)).value
    assert isinstance(in_force, dict)
    return {code: values.get(code, written(parameter, v)) for code, v in in_force.items()}


def category_labels(tree: ParameterTree, path: str) -> list[str]:
    """The labels of the categories of parameter ``path``'s breakdown, in the user's language
    (what a user writes before a category's value; none without a breakdown)."""
    breakdown = tree[path].breakdown
    if breakdown is None:
        return []
    english = (get_language() or "").startswith("en")
    return [c.label_en if english else c.label for c in tree.code_lists[breakdown]]


def breakdowns(tree: ParameterTree, choices: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Of the parameters ``choices`` offers (path, label), each broken down by categories: its
    label and the labels of its categories (what a user writes before a category's value)."""
    return [
        (str(label), category_labels(tree, path))
        for path, label in choices
        if path and tree[path].breakdown is not None
    ]


def written(parameter: Parameter, value: object) -> object:
    """A resolved value (fen, a Fraction, a marker) as the parameter files write it."""
    if isinstance(value, Marker):
        return value.name
    if parameter.unit.money and isinstance(value, int):
        yuan = Decimal(value) / 100
        return int(yuan) if yuan == yuan.to_integral_value() else float(yuan)
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return value


def bare(text: str) -> str:
    """``text`` without spaces, a trailing 元 or a leading ¥."""
    return "".join(text.split()).removesuffix("元").removeprefix("¥")


def _single(entry: str) -> bool:
    """One value for the whole parameter (not "category: value")."""
    return bool(NUMBER.match(bare(entry))) or entry.lower() in YES | NO


def _scalar(text: str, parameter: Parameter) -> object:
    """One value of ``parameter``: a bool for a yes-or-no parameter, else a number."""
    if parameter.unit is ParameterUnit.BOOLEAN:
        word = text.strip().lower()
        if word in YES or word in NO:
            return word in YES
        raise ValidationError(_("请填“是”或“否”"))
    return number(text, parameter)


def number(text: str, parameter: Parameter) -> int | float:
    """``text`` as a value of ``parameter`` (yuan, or a ratio; a percentage for a ratio), as a
    whole number where it is one (the parameter files' spelling).

    Raises:
        ValidationError: not a number, negative, a percentage of money, more than two decimals
            of yuan, or beyond the typo guards.
    """
    plain = bare(text)
    if plain.startswith("-") and NUMBER.match(plain):
        raise ValidationError(_("取值不能为负数"))
    if not NUMBER.match(plain):
        raise ValidationError(_("“%(text)s”不是数字") % {"text": text.strip()})
    percent = plain.endswith("%")
    if percent and parameter.unit.money:
        raise ValidationError(_("该参数是金额：请填元，不要用百分数"))
    value = Decimal(plain.removesuffix("%").removeprefix("+").replace(",", ""))
    if percent:
        value /= 100
    if parameter.unit.money:
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(_("金额最多两位小数"))
        if value > MAX_YUAN:
            raise ValidationError(_("金额过大，请核对（不超过1亿元）"))
    elif parameter.unit in (ParameterUnit.RATIO, ParameterUnit.MULTIPLE) and value > MAX_RATIO:
        raise ValidationError(_("比例过大，请核对（不超过100，即10000%）"))
    elif value > MAX_COUNT:
        raise ValidationError(_("数值过大，请核对（不超过100,000）"))
    return int(value) if value == value.to_integral_value() else float(value)
