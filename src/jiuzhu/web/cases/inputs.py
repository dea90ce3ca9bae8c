"""The facts an application gives the rules itself (``Program.application_inputs`` of the rules'
registry): funeral assistance's decedent, heating assistance's fee, a medical settlement's own
costs, temporary assistance's type. They are not kept in the household register; the
application keeps them (``Application.program_inputs``, JSON) and the assessment feeds them to
the rules, for a program decided per person on the applicant's row.

The form fields derive from the rules' input variables (label, unit, code list, default), so a
plug-in program that names its own application inputs gets them asked with no web code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.units import Unit, format_yuan
from jiuzhu.rules.engine.variables import Variable
from jiuzhu.web.core.choices import code_choices, label_of
from jiuzhu.web.core.forms import yuan_to_fen
from jiuzhu.web.core.programs import applicable
from jiuzhu.web.localvalues.actions import system as rules_system

JsonValue = bool | int | str | None
"""A stored input: a Boolean, integer fen or count, an ISO date or a code; None when blank."""

MAX_COUNT = 1_000
"""A count of persons above this is a typing error (no household is that large)."""


def variables(program: str, system: RuleSystem | None = None) -> tuple[Variable, ...]:
    """The input variables an application of ``program`` asks for (none for most programs), in
    ``system`` (default: the platform's rules now).

    Raises:
        KeyError: no such program.
    """
    return (system or rules_system()).application_inputs(program)


def label(var: Variable) -> str:
    """The variable's label in the user's language."""
    return var.label_en if (get_language() or "").startswith("en") else var.label


def _required(var: Variable) -> bool:
    return not var.nullable and var.default is None


def form_field(var: Variable) -> forms.Field:
    """A form field asking for ``var`` (its value cleaned to what ``normalise`` accepts)."""
    text = label(var)
    if var.codes:
        return forms.ChoiceField(
            label=text, choices=code_choices(var.codes), initial=var.default, required=False
        )
    if var.dtype == pl.Boolean():
        return forms.BooleanField(label=text, required=False)
    if var.dtype == pl.Date():
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return forms.DateField(label=text, widget=widget, required=False)
    if var.unit in {Unit.FEN, Unit.FEN_PER_MONTH}:
        return forms.CharField(label=f"{text}{_('（元）')}", max_length=20, required=False)
    return forms.IntegerField(label=text, required=False, min_value=0, max_value=MAX_COUNT)


@dataclass(frozen=True)
class Group:
    """One program's inputs on the application form."""

    program: str
    label: str
    variables: tuple[Variable, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)


def groups() -> list[Group]:
    """The programs applied for that ask for inputs, in the registry's order."""
    found = []
    system = rules_system()
    for entry in applicable():
        asked = variables(entry.name, system)
        if asked:
            text = entry.label_en if (get_language() or "").startswith("en") else entry.label
            found.append(Group(entry.name, text, asked))
    return found


def _value(var: Variable, raw: object) -> JsonValue:
    """One input as stored; raises ``ValueError`` with the message to show."""
    if raw is None or raw == "":
        if _required(var):
            raise ValueError(_("必须填写"))
        return var.default if isinstance(var.default, bool | int | str) else None
    if var.codes:
        if raw not in {code for code, _label in code_choices(var.codes)}:
            raise ValueError(_("不是可选的值"))
        return str(raw)
    if var.dtype == pl.Boolean():
        if not isinstance(raw, bool):
            raise ValueError(_("须为是或否"))
        return raw
    if var.dtype == pl.Date():
        day = raw if isinstance(raw, dt.date) else _iso_date(raw)
        if day.year < 1890:
            raise ValueError(_("日期不合理，请核对"))
        return day.isoformat()
    return _number(var, raw)


def _number(var: Variable, raw: object) -> int:
    """An amount (fen; a string is yuan as people type it) or a count."""
    if var.unit in {Unit.FEN, Unit.FEN_PER_MONTH} and isinstance(raw, str):
        try:
            return yuan_to_fen(raw)
        except forms.ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= 10**12:
        raise ValueError(_("须为不小于0的整数"))
    if var.unit is Unit.PERSONS and not 1 <= raw <= MAX_COUNT:
        raise ValueError(_("人数不合理，请核对"))
    return raw


def _iso_date(raw: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(_("请输入日期，如 2025-01-31")) from None


def normalise(program: str, raw: Mapping[str, object]) -> dict[str, JsonValue]:
    """The inputs of an application of ``program`` as stored: every input the program asks for
    (blank ones as their default or None), amounts in integer fen (a string in yuan is read as
    people type it), dates as ISO strings.

    Raises:
        ValidationError: keyed by input name — a required input blank, a code not in its list,
            a date or amount that is not one, a negative number, or a name the program does
            not ask for.
    """
    wanted = {v.name: v for v in variables(program)}
    errors: dict[str, str] = {
        name: _("该项目不填写此项")
        for name in raw
        if name not in wanted and raw[name] not in ("", None)
    }
    values: dict[str, JsonValue] = {}
    for name, var in wanted.items():
        try:
            values[name] = _value(var, raw.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return values


def columns(system: RuleSystem, stored: Mapping[str, object]) -> dict[str, pl.Expr]:
    """The stored inputs as literal columns of the rules' dtypes, by variable name (inputs the
    system no longer declares are left out)."""
    found: dict[str, pl.Expr] = {}
    for name, value in stored.items():
        var = system.variables.get(name)
        if var is None:
            continue
        if var.dtype == pl.Date() and isinstance(value, str):
            found[name] = pl.lit(dt.date.fromisoformat(value), dtype=pl.Date())
        else:
            found[name] = pl.lit(value, dtype=var.dtype)
    return found


@dataclass(frozen=True)
class Shown:
    """One input as the application page shows it."""

    label: str
    value: str


def shown(program: str, stored: Mapping[str, object]) -> list[Shown]:
    """The application's inputs in the user's language (amounts in yuan, codes by label)."""
    rows = []
    for var in variables(program):
        value = stored.get(var.name)
        if value is None:
            text = "—"
        elif var.codes:
            text = label_of(var.codes, str(value))
        elif isinstance(value, bool):
            text = _("是") if value else _("否")
        elif var.unit in {Unit.FEN, Unit.FEN_PER_MONTH} and isinstance(value, int):
            text = f"{format_yuan(value)} {_('元')}"
        else:
            text = str(value)
        rows.append(Shown(label(var), text))
    return rows
