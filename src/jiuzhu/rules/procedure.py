"""The procedure's numbers: statutory deadlines, notice days, review cycles, the gradual-exit
period, the spot-check share and the bureau's working choices, read from the rules' YAML.

They are not inputs of the eligibility rules but quantities of the procedure (how long a step
may take, how often a household is reviewed), so they form a tree of their own,
``rules/policies/<jurisdiction>/procedure/``, in the rules' parameter format
(``jiuzhu.rules.engine.parameters``: dated values, each with its reference and confidence).
A name is ``procedure.`` and the file's path, e.g. ``procedure.review_cycle.stable`` for
``procedure/review_cycle/stable.yaml``. Files under ``procedure/working_choice/`` are the
bureau's working choices (``ProcedureRule.working_choice``), not law.

    >>> rule("procedure.review_cycle.unstable").at(dt.date(2025, 1, 1)).value
    6
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Final

from jiuzhu.rules.engine.parameters import Marker, Parameter, load_parameters
from jiuzhu.rules.registry import program

PREFIX: Final = "procedure."
WORKING_CHOICE: Final = PREFIX + "working_choice."
DEFAULT_JURISDICTION: Final = "tianjin"

# The names the platform reads (each a file under ``procedure/``).
REVIEW_CYCLE: Final = PREFIX + "review_cycle."
"""``REVIEW_CYCLE + review class`` (``stable``, ``unstable``): months between periodic reviews."""
GRADUAL_EXIT: Final = PREFIX + "gradual_exit_months"
DEATH_CHECK: Final = PREFIX + "death_check_months"
TERMINATION_NOTICE_DAYS: Final = PREFIX + "tekun_termination.notice_days"
OBJECTION_WORKING_DAYS: Final = PREFIX + "tekun_termination.objection_working_days"
PUBLIC_NOTICE_DAYS: Final = PREFIX + "application.public_notice_days"
TEKUN_SPOT_CHECK_SHARE: Final = PREFIX + "application.tekun_spot_check_share"
TEKUN_AGE_LOOKAHEAD_DAYS: Final = WORKING_CHOICE + "tekun_age_lookahead_days"
CHANGE_CHECK_DAYS: Final = WORKING_CHOICE + "change_check_days"
REVIEW_LEAD_DAYS: Final = WORKING_CHOICE + "review_lead_days"
DUE_SOON_DAYS: Final = WORKING_CHOICE + "due_soon_days"


@dataclass(frozen=True)
class DatedValue:
    """One value of a procedural number from ``start`` (inclusive) until the next value's start.

    ``value`` is a whole number (days, working days, months, times) or a ``Fraction`` (a
    share); None when the value exists in law but was not found (``confidence`` ``unknown``).
    ``confidence`` is ``high``, ``medium``, ``low`` or ``unknown``."""

    start: dt.date
    value: int | Fraction | None
    reference: str
    confidence: str
    note: str = ""

    @property
    def whole(self) -> int:
        """The value as a whole number (days, working days, months, times).

        Raises:
            ValueError: the value is unknown or a share.
        """
        if not isinstance(self.value, int):
            raise ValueError(f"the value from {self.start} is {self.value!r}: not a whole number")
        return self.value


@dataclass(frozen=True)
class ProcedureRule:
    """A procedural number with its dated values (ascending by start)."""

    name: str
    label: str
    label_en: str
    unit: str
    values: tuple[DatedValue, ...]
    note: str = ""

    @property
    def working_choice(self) -> bool:
        """A choice of the bureau (``procedure/working_choice/``), not a legal rule."""
        return self.name.startswith(WORKING_CHOICE)

    def at(self, day: dt.date) -> DatedValue | None:
        """The value in force on ``day``; None before the first value or where the rule was
        not in force (``not_applicable``)."""
        found = None
        for value in self.values:
            if value.start <= day:
                found = value
        if found is None or found.confidence == "not_applicable":
            return None
        return found

    def in_force(self, day: dt.date) -> DatedValue:
        """The value in force on ``day``, or the first one for a day before it (a step taken
        today for a record that began earlier follows the first rule)."""
        return self.at(day) or self.values[0]

    def number(self, day: dt.date) -> int:
        """``in_force(day)``'s whole number.

        Raises:
            ValueError: the value is unknown or not a whole number.
        """
        return self.in_force(day).whole

    def share(self, day: dt.date) -> Fraction:
        """``in_force(day)``'s share (a ratio).

        Raises:
            ValueError: the value is unknown or not a ratio.
        """
        value = self.in_force(day).value
        if not isinstance(value, Fraction):
            raise ValueError(f"{self.name} is {value!r} on {day}: not a share")
        return value


def rule(name: str, jurisdiction: str = DEFAULT_JURISDICTION) -> ProcedureRule:
    """The procedural number ``name`` (``procedure.…``) of ``jurisdiction``.

    Raises:
        KeyError: no such number. ParameterFileError: a file of the tree is not valid.
    """
    try:
        return rules(jurisdiction)[name]
    except KeyError:
        raise KeyError(f"no procedural number {name!r} in {jurisdiction}") from None


def review_cycle(
    program_name: str, review_class: str, jurisdiction: str = DEFAULT_JURISDICTION
) -> ProcedureRule:
    """The periodic review cycle (months) of a program's review class, ``stable`` or
    ``unstable`` (《最低生活保障审核确认办法》第三十一条): the parameter the program's registry
    entry names (``Program.review_cycles``).

    Raises:
        KeyError: not a registered program, a program without periodic review, or not a review
            class.
    """
    cycles = program(program_name).review_cycles
    if cycles is None:
        raise KeyError(f"{program_name} is not reviewed periodically")
    named = {"stable": cycles.stable, "unstable": cycles.unstable}
    return rule(named.get(review_class, REVIEW_CYCLE + review_class), jurisdiction)


@cache
def rules(jurisdiction: str = DEFAULT_JURISDICTION) -> Mapping[str, ProcedureRule]:
    """Every procedural number of ``jurisdiction`` by name, loaded once and schema-checked.

    Raises:
        ParameterFileError: listing every problem of every file.
    """
    root = resources.files("jiuzhu.rules") / "policies" / jurisdiction / "procedure"
    tree = load_parameters(jurisdiction, {}, root=root)
    return {PREFIX + p.path: _rule(PREFIX + p.path, p) for p in tree}


def _rule(name: str, parameter: Parameter) -> ProcedureRule:
    values = tuple(
        DatedValue(
            start=v.start,
            value=None if isinstance(v.value, Marker | dict) else _number(v.value),
            reference=v.reference,
            confidence=v.confidence,
            note=v.note or "",
        )
        for v in parameter.values
    )
    return ProcedureRule(
        name,
        parameter.description,
        parameter.label_en,
        parameter.unit.key,
        values,
        parameter.note or "",
    )


def _number(value: object) -> int | Fraction | None:
    if isinstance(value, bool):
        return None
    return value if isinstance(value, int | Fraction) else None
