"""The signal catalogue (``signals/*.yaml``): what each signal is, as data.

A file maps signal codes to entries with the fields of ``Signal``; ``parameters`` holds the
signal's threshold parameters in the rules' parameter format (docs/decisions/0003: dated values,
each with its reference and confidence; ``unknown`` where no source gives the value), read with
the rules' own parameter parser, or ``rules: <path>`` for a legal concept the rules define (the
age of majority, old age), which is then the rules' parameter itself. ``load_catalogue`` checks every entry and reports every problem
at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from jiuzhu.batch.pipelines.discover.schema import ALERT_CATEGORIES, OWNER_LEVELS, SEVERITIES
from jiuzhu.rules import load_system
from jiuzhu.rules.engine.parameters import (
    Marker,
    Parameter,
    ParameterValue,
    _DecimalLoader,
    _parse_file,
)

FIELDS = {
    "label",
    "label_en",
    "sources",
    "category",
    "severity",
    "owner",
    "deadline_working_days",
    "adverse",
    "reference",
    "explanation",
    "parameters",
}
REQUIRED = FIELDS - {"parameters"}
JURISDICTION = "tianjin"
"""The catalogue's jurisdiction: where a threshold written ``rules: <path>`` is read."""


class CatalogueError(Exception):
    """The catalogue does not load; ``problems`` names file, signal, field and rule."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("signal catalogue:\n" + "\n".join(problems))


@dataclass(frozen=True)
class Threshold:
    """A parameter's value on a date, ready for evidence and templates."""

    name: str
    description: str
    label_en: str
    value: int | None
    """Fen for money, a count for years and months; None when unknown or not applicable."""
    unit: str
    reference: str
    confidence: str
    """``high``, ``medium``, ``low`` or ``unknown`` / ``not_applicable``."""

    @property
    def known(self) -> bool:
        return self.value is not None

    def display(self, english: bool = False) -> str:
        """The value as a template shows it (yuan for money); the marker's label if unknown."""
        if self.value is None:
            return "unknown" if english else "未知"
        if self.unit.startswith("yuan"):
            yuan, fen = divmod(self.value, 100)
            return str(yuan) if fen == 0 else f"{yuan}.{fen:02d}"
        return str(self.value)

    def evidence(self) -> dict[str, Any]:
        return {
            "parameter": self.name,
            "description": self.description,
            "value": self.value,
            "unit": "fen" if self.unit.startswith("yuan") else self.unit,
            "reference": self.reference,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Signal:
    """One signal of the catalogue."""

    code: str
    label: str
    label_en: str
    sources: tuple[str, ...]
    category: str
    severity: str
    owner: str
    deadline_working_days: int
    adverse: bool
    reference: str
    template_zh: str
    template_en: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    file: str = ""

    def thresholds(self, on: dt.date) -> dict[str, Threshold]:
        """Every parameter's value in force on ``on`` (the first of the discovery month).

        Raises:
            ParameterNotDefinedError: ``on`` before a parameter's first value.
        """
        found = {}
        for name, parameter in self.parameters.items():
            value: ParameterValue = parameter.at(on)
            raw = value.value
            number = None if isinstance(raw, Marker | dict) else int(raw)
            found[name] = Threshold(
                name=f"discover.{self.code}.{name}",
                description=parameter.description,
                label_en=parameter.label_en,
                value=number,
                unit=parameter.unit.key,
                reference=value.reference,
                confidence=value.confidence if number is not None else "unknown",
            )
        return found


def _field_problems(where: str, data: dict[str, Any], problems: list[str]) -> None:
    """The signal's fields against the schema: unknown and missing fields, coded values, the
    deadline's range and the adverse flag."""
    for key in sorted(set(data) - FIELDS):
        problems.append(f"{where}: unknown field {key!r}")
    for key in sorted(REQUIRED - set(data)):
        problems.append(f"{where}: missing field {key!r}")
    checks = (
        ("category", ALERT_CATEGORIES),
        ("severity", SEVERITIES),
        ("owner", OWNER_LEVELS),
    )
    for key, allowed in checks:
        if key in data and data[key] not in allowed:
            problems.append(f"{where}: {key} {data[key]!r} is not one of {', '.join(allowed)}")
    days = data.get("deadline_working_days")
    if "deadline_working_days" in data and (
        not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 120
    ):
        problems.append(f"{where}: deadline_working_days must be a whole number from 1 to 120")
    if "adverse" in data and not isinstance(data["adverse"], bool):
        problems.append(f"{where}: adverse must be true or false")


def _rules_parameter(where: str, path: str, problems: list[str]) -> Parameter | None:
    """A threshold that is a legal concept the rules already define (``rules: household.adult_age``):
    the rules' own parameter, so the law's number has one definition."""
    try:
        return load_system(JURISDICTION).parameters[path]
    except KeyError:
        problems.append(f"{where}: no rules parameter {path!r}")
        return None


def _signal(code: str, data: Any, label: str, problems: list[str]) -> Signal | None:
    where = f"{label} › {code}"
    before = len(problems)
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", str(code)):
        problems.append(f"{where}: a signal code is upper-case letters, digits and _")
    if not isinstance(data, dict):
        problems.append(f"{where}: a signal is a mapping of fields")
        return None
    _field_problems(where, data, problems)
    sources = data.get("sources")
    if "sources" in data and (not isinstance(sources, list) or not sources):
        problems.append(f"{where}: sources must be a list of feed or register names")
    explanation = data.get("explanation")
    if "explanation" in data and (
        not isinstance(explanation, dict) or set(explanation) != {"zh", "en"}
    ):
        problems.append(f"{where}: explanation must have exactly zh and en templates")
        explanation = None
    parameters: dict[str, Parameter] = {}
    for name, raw in (data.get("parameters") or {}).items():
        at = f"{where} › parameters › {name}"
        if isinstance(raw, dict) and set(raw) == {"rules"}:
            parameter = _rules_parameter(at, str(raw["rules"]), problems)
        else:
            parameter = _parse_file(at, f"{code}.{name}", raw, {}, problems)
        if parameter is not None:
            parameters[str(name)] = parameter
    if len(problems) > before or explanation is None:
        return None
    return Signal(
        code=str(code),
        label=str(data["label"]),
        label_en=str(data["label_en"]),
        sources=tuple(str(s) for s in sources or ()),
        category=str(data["category"]),
        severity=str(data["severity"]),
        owner=str(data["owner"]),
        deadline_working_days=int(str(data["deadline_working_days"])),
        adverse=bool(data["adverse"]),
        reference=str(data["reference"]),
        template_zh=str(explanation["zh"]),
        template_en=str(explanation["en"]),
        parameters=parameters,
        file=label,
    )


def load_catalogue(root: Traversable | None = None) -> dict[str, Signal]:
    """Every signal of ``signals/*.yaml`` (or of ``root``), by code, in file then entry order.

    Raises:
        CatalogueError: every problem of every file (file, signal, field, rule).
    """
    base = root if root is not None else resources.files(__package__) / "signals"
    problems: list[str] = []
    signals: dict[str, Signal] = {}
    files = sorted((f for f in base.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    for node in files:
        label = f"signals/{node.name}"
        try:
            data = yaml.load(node.read_text(encoding="utf-8"), Loader=_DecimalLoader)
        except yaml.YAMLError as exc:
            problems.append(f"{label}: not valid YAML ({exc})")
            continue
        if not isinstance(data, dict):
            problems.append(f"{label}: the file must map signal codes to signals")
            continue
        for code, entry in data.items():
            signal = _signal(str(code), entry, label, problems)
            if signal is None:
                continue
            if signal.code in signals:
                problems.append(f"{label} › {code}: also defined in {signals[signal.code].file}")
            signals[signal.code] = signal
    if problems:
        raise CatalogueError(problems)
    return signals


@cache
def catalogue() -> dict[str, Signal]:
    """The packaged catalogue, loaded once."""
    return load_catalogue()
