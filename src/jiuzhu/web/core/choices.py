"""Choices from the rules' code lists, labelled in the user's language.

The code lists (``jiuzhu.rules.programs.codes``) carry a Chinese and an English label for every
code; a model or form field built with ``code_choices`` shows the one of the active language,
so an English page never shows a Chinese code label (nor a code).
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language

from jiuzhu.rules.engine.codes import Code
from jiuzhu.rules.programs.codes import CODE_LISTS


def _label(code: Code) -> str:
    return code.label_en if (get_language() or "").startswith("en") else code.label


code_label = lazy(_label, str)


def code_choices(code_list: str) -> list[tuple[str, str]]:
    """``[(code, label)]`` of a rules code list, the label lazy in the user's language."""
    # A lazy label is a str to Django; typed as one so that model choices accept it.
    return [(code.code, code_label(code)) for code in CODE_LISTS[code_list]]


def label_of(code_list: str, code: str) -> str:
    """The label of one code in the user's language (the code itself if unknown)."""
    for item in CODE_LISTS[code_list]:
        if item.code == code:
            return _label(item)
    return code
