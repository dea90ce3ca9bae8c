"""Code lists: closed sets of codes for categorical inputs and parameter breakdowns.

Codes are English identifiers; each has a Chinese label, an English label and the spellings a
caseworker may type in a workbook (synonyms, national standard codes such as GB/T 26341).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Code:
    """One code: identifier, labels and accepted spellings."""

    code: str
    label: str
    label_en: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeList:
    """A closed list of codes with a name, a reference and a lookup from any accepted spelling."""

    name: str
    label: str
    label_en: str
    codes: tuple[Code, ...]
    reference: str = ""
    _lookup: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for code in self.codes:
            for spelling in (code.code, code.label, code.label_en, *code.synonyms):
                key = _normalise(spelling)
                previous = lookup.setdefault(key, code.code)
                if previous != code.code:
                    raise ValueError(
                        f"code list {self.name}: spelling {spelling!r} names both "
                        f"{previous!r} and {code.code!r}"
                    )
        object.__setattr__(self, "_lookup", lookup)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return any(c.code == code for c in self.codes)

    @property
    def identifiers(self) -> list[str]:
        return [c.code for c in self.codes]

    def get(self, code: str) -> Code:
        for c in self.codes:
            if c.code == code:
                return c
        raise KeyError(f"{code!r} is not a code of {self.name}")

    def parse(self, spelling: str) -> str | None:
        """The code for a spelling (code, Chinese or English label, synonym), or None."""
        return self._lookup.get(_normalise(spelling))

    def spellings(self) -> Mapping[str, str]:
        """Every accepted (normalised) spelling mapped to its code."""
        return dict(self._lookup)


def _normalise(text: str) -> str:
    return "".join(text.split()).casefold()


def code_list(
    name: str,
    label: str,
    label_en: str,
    codes: Iterable[tuple[str, str, str] | tuple[str, str, str, tuple[str, ...]]],
    reference: str = "",
) -> CodeList:
    """Build a CodeList from ``(code, label, label_en[, synonyms])`` tuples."""
    built = []
    for entry in codes:
        if len(entry) == 3:
            built.append(Code(entry[0], entry[1], entry[2]))
        else:
            built.append(Code(entry[0], entry[1], entry[2], entry[3]))
    return CodeList(name, label, label_en, tuple(built), reference)


ROUNDING = code_list(
    "rounding",
    "舍入规则",
    "Rounding rule",
    [
        ("fen_half_up", "四舍五入到分", "to the fen, half up"),
        ("fen_floor", "舍去到分", "down to the fen"),
        ("fen_ceiling", "进位到分", "up to the fen"),
        ("yuan_half_up", "四舍五入到元", "to the yuan, half up"),
        ("yuan_floor", "舍去到元", "down to the yuan"),
        ("yuan_ceiling", "进位到元", "up to the yuan"),
    ],
)
"""Rounding rules the engine implements (``jiuzhu.rules.engine.formula.round_ratio``)."""
