"""Scenario files: what a bureau officer writes to ask "what if the standard were …" (YAML).

::

    label: 低保标准提高到1,100元
    effective: 2026-01-01
    reference: 区民政局2026年标准调整测算（拟）   # optional: the document it rests on
    changes:                                   # parameter path: value, as in the policy files
      dibao.standard: 1100                     # one value for every breakdown key (城镇, 农村)
      tekun.basic_standard: {urban: 1870, rural_concentrated: 1870, rural_decentralised: 1530}
    budget:                                    # optional: find the value that fits a budget
      parameter: dibao.standard
      annual: 60000000                         # yuan a year, monthly cost × 12
      between: [1045, 2000]                    # the whole-yuan values searched
      programs: [dibao]                        # whose cost counts (default: every monthly
                                               # program with an amount, options aside)

Values are written as in the policy files (docs/decisions/0003-parameter-format.md): yuan for
money, a ratio as a decimal, ``{key: value}`` for a breakdown — or one value for every key of the
breakdown, as Tianjin has had one dibao standard for urban and rural areas since 2017-04-01.
Every problem names the file and the field; nothing is run until the whole file is sound.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import yaml

from jiuzhu.batch.pipelines.simulate.scenario import Scenario, apply
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.errors import ParameterFileError
from jiuzhu.rules.registry import Program

_KEYS: Final = {"label", "effective", "reference", "changes", "budget"}
_BUDGET_KEYS: Final = {"parameter", "annual", "between", "programs"}


class ScenarioFileError(ValueError):
    """A scenario file that cannot be run; ``problems`` names the file and field of each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid scenario file:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Budget:
    """Budget mode: the whole-yuan value of ``parameter`` in ``[low, high]`` whose annual cost
    (fen: the monthly cost of ``programs`` × 12) fits ``annual`` (fen)."""

    parameter: str
    annual: int
    low: int
    high: int
    programs: tuple[Program, ...]


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario as read from its file, checked against the rule system."""

    scenario: Scenario
    budget: Budget | None


class _Loader(yaml.SafeLoader):
    """Dates as text (a bad one is reported with its field) and decimals exactly."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)
_Loader.add_constructor(
    "tag:yaml.org,2002:float",
    lambda loader, node: Decimal(str(loader.construct_scalar(node)).replace("_", "")),  # type: ignore[arg-type]
)


def read_scenario(path: Path, system: RuleSystem) -> ScenarioFile:
    """Read and check a scenario file (the module docstring gives its form).

    Raises:
        ScenarioFileError: the file cannot be read; an unknown field; no label or effective
            date; an unknown parameter; a value the parameter does not take (unit, breakdown,
            codes); a budget without its parameter, a positive amount, a range or with an
            unknown program. Each problem names the file and the field.
    """
    where = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader
    except (OSError, UnicodeDecodeError, yaml.YAMLError, InvalidOperation) as exc:
        raise ScenarioFileError([f"{where}: cannot be read as YAML ({exc})"]) from None
    if not isinstance(data, dict):
        raise ScenarioFileError([f"{where}: expected a mapping (label, effective, changes, …)"])
    problems = [f"{where}: unknown field {key!r}" for key in sorted(set(data) - _KEYS)]
    if not str(data.get("label") or "").strip():
        problems.append(f"{where}: 'label' is missing (what the scenario is, in a few words)")
    effective = _date(data.get("effective"))
    if effective is None:
        problems.append(
            f"{where}: 'effective' {data.get('effective')!r} is not a date (write YYYY-MM-DD)"
        )
    changes = read_changes(where, data.get("changes"), system, problems)
    budget = _budget(where, data.get("budget"), system, problems)
    if budget is None and not changes and not problems:
        problems.append(f"{where}: nothing to simulate: give 'changes', a 'budget' or both")
    if problems or effective is None:
        raise ScenarioFileError(problems)
    scenario = Scenario(
        changes,
        effective,
        label=str(data["label"]).strip(),
        reference=str(data.get("reference") or "").strip(),
    )
    try:
        apply(system, scenario)
    except (KeyError, ParameterFileError, ValueError) as exc:
        raise ScenarioFileError([f"{where}: changes: {exc}"]) from None
    return ScenarioFile(scenario, budget)


def expand(system: RuleSystem, path: str, raw: Any) -> Any:
    """``raw`` as the parameter takes it: one value for a parameter broken down by a code list
    becomes the same value for every code; anything else is returned as written.

    Raises:
        KeyError: no such parameter.
    """
    parameter = system.parameters[path]
    if parameter.breakdown is None or isinstance(raw, dict):
        return raw
    codes = system.parameters.code_lists[parameter.breakdown].codes
    return {code.code: raw for code in codes}


def read_changes(where: str, raw: Any, system: RuleSystem, problems: list[str]) -> dict[str, Any]:
    """The changes ``{path: value}`` of ``raw`` the parameters take, each single value for a
    parameter broken down by a code list given to every code (``expand``); each problem (not a
    mapping, an unknown parameter, a value the parameter does not take) is added to ``problems``
    prefixed by ``where``, and the change left out."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: 'changes' must map parameter paths to values")
        return {}
    changes: dict[str, Any] = {}
    for path, value in raw.items():
        if str(path) not in system.parameters.parameters:
            problems.append(f"{where}: changes: unknown parameter {path!r} (see jiuzhu parameters)")
            continue
        try:
            system.parameters.with_overrides({str(path): expand(system, str(path), value)})
        except ParameterFileError as exc:
            problems += [f"{where}: changes: {problem}" for problem in exc.problems]
            continue
        changes[str(path)] = expand(system, str(path), value)
    return changes


def _budget(where: str, raw: Any, system: RuleSystem, problems: list[str]) -> Budget | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(f"{where}: 'budget' must be a mapping (parameter, annual, between)")
        return None
    before = len(problems)
    problems += [
        f"{where}: budget: unknown field {key!r}" for key in sorted(set(raw) - _BUDGET_KEYS)
    ]
    parameter = str(raw.get("parameter") or "")
    if parameter not in system.parameters.parameters:
        problems.append(f"{where}: budget: 'parameter' {parameter!r} is not a parameter")
    elif not system.parameters[parameter].unit.money:
        problems.append(
            f"{where}: budget: 'parameter' {parameter!r} is not an amount of money; the budget "
            f"mode searches whole yuan"
        )
    annual = _whole(raw.get("annual"))
    if annual is None or annual <= 0:
        problems.append(f"{where}: budget: 'annual' must be a positive amount in yuan a year")
    between = raw.get("between")
    bounds = [_whole(v) for v in between] if isinstance(between, list) else []
    if len(bounds) != 2 or None in bounds or bounds[0] > bounds[1]:  # type: ignore[operator]
        problems.append(f"{where}: budget: 'between' must be [lowest, highest] in whole yuan")
    chosen = _programs(where, raw.get("programs"), system, problems)
    if len(problems) > before or annual is None or len(bounds) != 2:
        return None
    low, high = bounds
    assert low is not None and high is not None
    return Budget(parameter, annual * 100, low, high, chosen)


def _programs(where: str, raw: Any, system: RuleSystem, problems: list[str]) -> tuple[Program, ...]:
    known = {p.name: p for p in system.programs if p.amount and not p.option}
    if raw is None:
        return tuple(p for p in known.values() if p.monthly)
    names = raw if isinstance(raw, list) else [raw]
    unknown = [str(n) for n in names if str(n) not in known]
    if unknown or not names:
        problems.append(
            f"{where}: budget: 'programs' must name programs with an amount, not {unknown} "
            f"(known: {sorted(known)})"
        )
        return ()
    return tuple(known[str(n)] for n in names)


def _whole(raw: Any) -> int | None:
    """A whole number of yuan as written (1100, "1,100"), or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"[0-9][0-9,]*", raw.strip()):
        return int(raw.replace(",", ""))
    return None


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None
