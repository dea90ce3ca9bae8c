"""A parameter as people read it: its name in the reader's language (its path is an internal
name), and its value by the names of its breakdown's codes, money in yuan ("城镇 1,100.00 元，农村
1,100.00 元"; in English "urban 1,100.00 yuan, rural 1,100.00 yuan"), rather than the parameter
files' mapping or the engine's fen."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem


def _english() -> bool:
    return (get_language() or "").startswith("en")


def parameter_label(system: RuleSystem, path: str) -> str:
    """The parameter's name in the active language; an unknown path is given as it is (a
    parameter a later package dropped still has a name to show)."""
    parameter = system.parameters.parameters.get(path)
    if parameter is None:
        return path
    return parameter.label_en if _english() else parameter.description


def value_text(system: RuleSystem, path: str, value: object, *, in_fen: bool) -> str:
    """``value`` of parameter ``path`` in words: each code of a breakdown by its label, money
    in yuan with two decimals and its unit (``in_fen``: the value is the engine's, fen; else as
    the parameter files write it, yuan), anything else as written. An unknown path gives the
    value as written."""
    parameter = system.parameters.parameters.get(path)
    if parameter is None:
        return str(value)
    english = _english()
    codes: dict[str, str] = {}
    if parameter.breakdown is not None:
        codes = {
            c.code: (c.label_en if english else c.label)
            for c in system.parameters.code_lists[parameter.breakdown].codes
        }

    def leaf(one: object) -> str:
        if parameter.unit.money and isinstance(one, int | float | Decimal | str):
            try:
                yuan = Decimal(str(one)) / (100 if in_fen else 1)
            except ArithmeticError:
                return str(one)
            return _("%(yuan)s 元") % {"yuan": f"{yuan:,.2f}"}
        return str(one)

    if isinstance(value, dict):
        # In the code list's order (a value read back from JSON has its keys sorted).
        order = list(codes)
        items = sorted(
            value.items(),
            key=lambda kv: order.index(str(kv[0])) if str(kv[0]) in order else len(order),
        )
        # Each language's own punctuation: no full-width comma inside English text.
        separator = ", " if english else "，"
        return separator.join(f"{codes.get(str(k), str(k))} {leaf(v)}" for k, v in items)
    return leaf(value)
