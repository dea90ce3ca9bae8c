"""Personal data shown masked (DESIGN.md §9): resident ID numbers, names on a public notice and
bank accounts. Every page and export but the bank file itself shows the masked form; showing
the unmasked value is an audit event of the app that shows it.
"""

from __future__ import annotations

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙")
"""Two-character surnames a masked name keeps whole."""


def mask_id(resident_id: str) -> str:
    """120224********123X: the address code and the last four characters (DESIGN.md §9)."""
    if len(resident_id) == 18:
        return resident_id[:6] + "*" * 8 + resident_id[14:]
    return "*" * len(resident_id)


def mask_name(name: str) -> str:
    """张** / 张*: the surname only, as the public notice publishes it (欧阳** for a compound
    surname)."""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    return surname + "*" * max(len(name) - len(surname), 1)


def mask_account(number: str) -> str:
    """6222********1234: the first four and the last four digits; the rest starred (every page,
    every export but the bank file itself)."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
