"""The assistance programs as the web sees them, derived from the rules' registry
(``jiuzhu.rules.registry``): choices, labels in the user's language, application-number prefixes
and the programs a payroll pays.

Model fields take ``choices=program_choices`` (a callable): the database stores the program's
name, the migrations record no list, so a program added to the registry needs no migration.
``Program.DIBAO`` is the name ``"dibao"`` of a registered program, for readable comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, gettext_noop

from jiuzhu.rules import registry
from jiuzhu.rules.engine import PERSON
from jiuzhu.rules.registry import Program as RegisteredProgram


def _english() -> bool:
    return (get_language() or "").startswith("en")


GLOSSARY = (
    gettext_noop("最低生活保障"),
    gettext_noop("低保边缘家庭"),
    gettext_noop("特困人员救助供养"),
    gettext_noop("刚性支出困难家庭"),
    gettext_noop("孤儿和事实无人抚养儿童基本生活保障"),
    gettext_noop("临时救助"),
    gettext_noop("困境儿童基本生活保障"),
    gettext_noop("医疗救助"),
    gettext_noop("丧葬救助"),
    gettext_noop("取暖救助"),
)
"""The built-in programs' names as the platform's translation glossary fixes them, marked so that
the catalog keeps them for the translators (tests/web/test_i18n.py checks the glossary); the pages
show the registry's ``label_en``, which must read the same."""


def _label(name: str) -> str:
    """The program's name in the user's language (the name itself if no program has it)."""
    try:
        found = registry.program(name)
    except KeyError:
        return name
    return found.label_en if _english() else found.label


program_label = lazy(_label, str)
"""The program's label in the language active when it is rendered."""


def applicable() -> tuple[RegisteredProgram, ...]:
    """The programs a household applies for (and is granted, reviewed and paid under)."""
    return tuple(p for p in registry.programs() if p.applicable)


def monthly() -> tuple[RegisteredProgram, ...]:
    """The programs paying a monthly amount: those a payroll is drafted for."""
    return tuple(p for p in applicable() if p.monthly)


def program_choices() -> list[tuple[str, str]]:
    """``[(name, label)]`` of the programs applied for, labels lazy in the user's language
    (a model field's ``choices``: called when needed, so plug-ins appear)."""
    return [(p.name, program_label(p.name)) for p in applicable()]


def payroll_choices() -> list[tuple[str, str]]:
    """``[(name, label)]`` of the programs paying monthly."""
    return [(p.name, program_label(p.name)) for p in monthly()]


def choices_with(blank: str | Promise) -> Callable[[], list[tuple[str, str]]]:
    """A form field's choices: a first entry ``("", blank)`` (e.g. 全部), then the programs."""

    def choices() -> list[tuple[str, str]]:
        return [("", blank), *program_choices()]  # type: ignore[list-item]

    return choices


def per_person(name: str) -> bool:
    """Whether the program is decided per person (tekun, child welfare): its application's
    applicant is the beneficiary and its entitlement is that person's."""
    return registry.program(name).entity == PERSON


def number_prefix(name: str) -> str:
    """The letters opening the program's application numbers and bank references (``DB``).

    Raises:
        KeyError: no program of that name, or one nobody applies for.
    """
    prefix = registry.program(name).number_prefix
    if prefix is None:
        raise KeyError(f"the program {name!r} has no application numbers")
    return prefix


class _Labels(Mapping[str, str]):
    """Program name → label in the user's language, over the programs registered when read (a
    table of labels built at import would miss a program registered later)."""

    def __getitem__(self, name: str) -> str:
        if all(p.name != name for p in registry.programs()):
            raise KeyError(name)
        return _label(name)

    def __iter__(self) -> Iterator[str]:
        return iter([p.name for p in registry.programs()])

    def __len__(self) -> int:
        return len(registry.programs())


PROGRAM_LABELS: Mapping[str, str] = _Labels()
"""Every registered program's label in the user's language, by name."""


class _Programs:
    """``Program.DIBAO`` → ``"dibao"``: the name of a registered program, spelled as a constant;
    ``Program.values`` and ``Program.choices`` list the programs applied for."""

    def __getattr__(self, constant: str) -> str:
        name = constant.lower()
        if constant.isupper() and any(p.name == name for p in registry.programs()):
            return name
        raise AttributeError(f"no program {name!r} is registered")

    @property
    def values(self) -> list[str]:
        return [p.name for p in applicable()]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return program_choices()

    @staticmethod
    def label(name: str) -> str:
        """The program's label in the user's language, now."""
        return _label(name)


Program = _Programs()
"""The registered programs, spelled like the former ``TextChoices`` (``Program.TEKUN``)."""
