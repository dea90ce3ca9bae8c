"""Local values: policy values a district records where the package has none or a weak one.

The package marks a value ``unknown`` when no source gave it and ``low`` when its source is weak.
A bureau holds what the package lacks — the statistics bulletin with last year's per-capita
disposable income, the notice fixing its medical-aid ratios — and records it as a local value:
dated, with the document it comes from, entered by one officer and checked by another. The
engine then uses it like any value, with confidence ``local``, and every explanation names it as
a local value with its document and the two officers.

A local-values file (YAML)::

    values:
      - parameter: statistics.per_capita_disposable_income_previous_year
        from: 2025-01-01                     # applies until the package's next dated value
        value: 53000                         # written as in the parameter files (yuan, …)
        document: 天津市2024年国民经济和社会发展统计公报
        document_number: 津统公报〔2025〕1号   # optional
        entered_by: 张敏
        checked_by: 李强                      # a second officer, not the one who entered it
        note: …                              # optional

A value broken down by a code list may give only the codes it settles (``{dibao: true}``); the
others keep the package's value. Only a value the package marks unknown or low on that date
may be replaced: a local value never overrides a value the package has on firm ground.

An **adopted change** (``adopted: true``) is different: a standard the bureau decided after
simulating its cost (a scenario approved by a second officer, issue 14), a new dated value of any
parameter. It may follow a firm value — it starts a new period, as a published change does — but
never rewrites one: it must start after every value the package holds on firm ground.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import yaml

from jiuzhu.rules.engine.errors import RulesError
from jiuzhu.rules.engine.parameters import (
    Marker,
    Parameter,
    ParameterTree,
    ParameterValue,
    Resolved,
    parse_value,
)

LOCAL_CONFIDENCE: Final = "local"
REPLACEABLE: Final = ("unknown", "low")
"""The confidences a local value may replace."""
_KEYS: Final = {
    "parameter",
    "from",
    "value",
    "document",
    "document_number",
    "entered_by",
    "checked_by",
    "note",
    "adopted",
}
_REQUIRED: Final = ("parameter", "from", "value", "document", "entered_by", "checked_by")


class _Loader(yaml.SafeLoader):
    """Reads dates as text, so a bad one is reported with its entry rather than for the file."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


class LocalValuesError(RulesError):
    """A local-values file or entry breaks the rules above; ``problems`` names each entry and
    field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid local values:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class LocalValue:
    """One value a district recorded, as written (money in yuan, as in the parameter files)."""

    parameter: str
    start: dt.date
    value: Any
    document: str
    entered_by: str
    checked_by: str
    document_number: str = ""
    note: str = ""
    adopted: bool = False
    """An adopted change (a new standard the bureau decided), not a value the package lacks."""

    @property
    def reference(self) -> str:
        """How explanations name it: 本地值 (or 本地调整 for an adopted change), the document,
        its number and the two officers."""
        number = f"（{self.document_number}）" if self.document_number else ""
        kind = "本地调整 adopted change" if self.adopted else "本地值 local value"
        return f"{kind}：{self.document}{number}；录入 {self.entered_by}，复核 {self.checked_by}"


def read_local_values(path: Path) -> list[LocalValue]:
    """The entries of a local-values file.

    Raises:
        LocalValuesError: the file cannot be read or an entry is malformed (each problem names
            the file, the entry's number and the field).
    """
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LocalValuesError([f"{path}: cannot be read as YAML ({exc})"]) from None
    entries = data.get("values") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise LocalValuesError([f"{path}: expected a mapping with a list under 'values'"])
    problems: list[str] = []
    values = [
        value
        for number, entry in enumerate(entries, start=1)
        if (value := _entry(f"{path} entry {number}", entry, problems)) is not None
    ]
    if problems:
        raise LocalValuesError(problems)
    return values


def _entry(where: str, entry: Any, problems: list[str]) -> LocalValue | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping (parameter, from, value, document, …)")
        return None
    before = len(problems)
    problems += [f"{where}: unknown field {key!r}" for key in sorted(set(entry) - _KEYS)]
    problems += [f"{where}: missing {key!r}" for key in _REQUIRED if entry.get(key) in (None, "")]
    start = _date(entry.get("from"))
    if entry.get("from") is not None and start is None:
        problems.append(f"{where}: 'from' {entry['from']!r} is not a date (write YYYY-MM-DD)")
    entered, checked = str(entry.get("entered_by", "")), str(entry.get("checked_by", ""))
    if entry.get("adopted") not in (None, True, False):
        problems.append(f"{where}: 'adopted' must be true or false")
    if entered and entered == checked:
        problems.append(
            f"{where}: checked_by must be a second officer, not {entered!r} who entered it"
        )
    if len(problems) > before or start is None:
        return None
    return LocalValue(
        parameter=str(entry["parameter"]),
        start=start,
        value=entry["value"],
        document=str(entry["document"]),
        entered_by=entered,
        checked_by=checked,
        document_number=str(entry.get("document_number") or ""),
        note=str(entry.get("note") or ""),
        adopted=entry.get("adopted") is True,
    )


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def apply_local_values(tree: ParameterTree, values: Iterable[LocalValue]) -> ParameterTree:
    """A copy of ``tree`` with each local value in force from its date until the parameter's next
    dated value.

    Raises:
        LocalValuesError: an unknown parameter, a date before the parameter's first value, a value
            the unit does not allow, or a value the package does not mark unknown or low there.
    """
    params = dict(tree.parameters)
    problems: list[str] = []
    for local in sorted(values, key=lambda v: (v.parameter, v.start)):
        where = f"{local.parameter} {local.start}"
        param = params.get(local.parameter)
        if param is None:
            problems.append(f"{where}: no parameter {local.parameter!r} in {tree.jurisdiction}")
            continue
        if local.start < param.first:
            problems.append(f"{where}: before the parameter's first value ({param.first})")
            continue
        found: list[str] = []
        parsed = parse_value(param, local.value, where, found, tree.code_lists, partial=True)
        current = param.at(local.start)
        value = _merged(current.value, parsed)
        if local.adopted:
            problems += found or _rewrites(where, param, local.start)
        else:
            problems += found or _firm(where, current, parsed)
        if not found:
            params[local.parameter] = _with_value(param, local, value)
    if problems:
        raise LocalValuesError(problems)
    return replace(tree, parameters=params)


def _merged(current: Resolved, parsed: Resolved) -> Resolved:
    if isinstance(current, dict) and isinstance(parsed, dict):
        return {**current, **parsed}
    return parsed


def _firm(where: str, current: ParameterValue, parsed: Resolved) -> list[str]:
    """A problem if an entry being set is one the package holds on firm ground (a known value
    of medium or high confidence, or a rule not in force)."""
    if isinstance(current.value, dict):
        keys = list(parsed) if isinstance(parsed, dict) else list(current.value)
        entries: dict[str, Resolved] = {k: current.value[k] for k in keys if k in current.value}
    else:
        entries = {"": current.value}
    firm = [key for key, value in entries.items() if not _replaceable(value, current.confidence)]
    if not firm:
        return []
    named = ", ".join(k for k in firm if k) or "the value"
    return [
        f"{where}: {named} is known in the package from {current.start} (confidence "
        f"{current.confidence}); a local value may only replace an unknown or low-confidence one"
    ]


def _rewrites(where: str, param: Parameter, start: dt.date) -> list[str]:
    """A problem if an adopted change would not start a new period after every value the
    package holds on firm ground (it would rewrite part of a published period)."""
    firm = [v.start for v in param.values if v.confidence not in (*REPLACEABLE, LOCAL_CONFIDENCE)]
    if not firm or start > max(firm):
        return []
    return [
        f"{where}: the package holds a value of it from {max(firm)}; an adopted change starts "
        f"a new period after the published ones and never rewrites one"
    ]


def _replaceable(value: Resolved, confidence: str) -> bool:
    if isinstance(value, Marker):
        return value.name == "unknown"
    return confidence in (*REPLACEABLE, LOCAL_CONFIDENCE)


def _with_value(param: Parameter, local: LocalValue, value: Resolved) -> Parameter:
    entry = ParameterValue(
        start=local.start,
        value=value,
        reference=local.reference,
        confidence=LOCAL_CONFIDENCE,
        note=local.note or None,
    )
    values = [v for v in param.values if v.start != local.start]
    values.append(entry)
    return replace(param, values=tuple(sorted(values, key=lambda v: v.start)))
