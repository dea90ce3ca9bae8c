"""Scenarios: a set of parameter changes taking effect on one date, applied to a baseline rule
system.

A scenario keeps the baseline's history before its effective date and replaces everything from
that date on, so an assessment dated before the change is unaffected and one dated on or after it
sees the scenario's value. This is how a new standard is published as well (a new dated value in
the policies tree, e.g. the dibao standard of 2025-09-01 in 《天津市民政局 天津市财政局关于调整
我市社会救助标准的通知》, 津民规〔2025〕6号): a published change and a what-if are the same object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.parameters import ParameterTree


@dataclass(frozen=True)
class Scenario:
    """Parameter changes from an effective date.

    ``overrides`` maps a parameter path to its new value written as in the policies' YAML files
    (yuan for money, ``{key: value}`` for a breakdown such as ``{"urban": 1100, "rural": 1100}``),
    or to a dated series ``{date: value}`` whose dates are all on or after ``effective`` (later
    steps of the same change, e.g. a standard raised in two stages).
    """

    overrides: Mapping[str, Any]
    effective: dt.date
    label: str = ""
    reference: str = field(default="", compare=False)
    """The document the scenario rests on, when it is a published change (title and number)."""

    def system(self, baseline: RuleSystem) -> RuleSystem:
        """The baseline with this scenario applied (see ``apply``)."""
        return apply(baseline, self)


def apply(baseline: RuleSystem, scenario: Scenario) -> RuleSystem:
    """``baseline`` with each overridden parameter's values from ``scenario.effective`` on
    replaced by the scenario's (its earlier values kept). The new values carry confidence
    ``override``; ``RuleSystem.overrides`` records them as ``{path: {effective: value}}``.

    Raises:
        KeyError: an unknown parameter path.
        ParameterFileError: a value that does not fit the parameter (unit, breakdown, codes).
        ValueError: a dated series with a date before the effective date.
    """
    tree = baseline.parameters
    parsed = tree.with_overrides(scenario.overrides)
    params = dict(tree.parameters)
    recorded: dict[str, Any] = {}
    for path, raw in scenario.overrides.items():
        new = parsed[path].values
        if _is_dated(raw):
            if min(raw) < scenario.effective:
                raise ValueError(f"{path}: a dated value precedes {scenario.effective}")
            recorded[path] = dict(raw)
        else:
            new = (replace(new[0], start=scenario.effective),)
            recorded[path] = {scenario.effective: raw}
        kept = tuple(v for v in tree[path].values if v.start < scenario.effective)
        params[path] = replace(tree[path], values=kept + new)
    return replace(
        baseline,
        parameters=ParameterTree(tree.jurisdiction, params, tree.code_lists, tree.metadata),
        overrides={**baseline.overrides, **recorded},
    )


def before_change(system: RuleSystem, path: str, start: dt.date) -> RuleSystem:
    """``system`` without the value of parameter ``path`` that starts on ``start``: the rules
    as they stood before a published change, the baseline against which the change is measured
    (the previous value continues). The system itself when no value starts on ``start`` or when
    it is the parameter's first value (nothing came before it to compare with).

    Raises:
        KeyError: no such parameter.
    """
    parameter = system.parameters[path]
    values = tuple(v for v in parameter.values if v.start != start)
    if len(values) == len(parameter.values) or not values:
        return system
    tree = system.parameters
    params = {**tree.parameters, path: replace(parameter, values=values)}
    return replace(
        system, parameters=ParameterTree(tree.jurisdiction, params, tree.code_lists, tree.metadata)
    )


def _is_dated(raw: Any) -> bool:
    """A ``{date: value}`` series, as ``ParameterTree.with_overrides`` reads one."""
    return isinstance(raw, dict) and bool(raw) and all(isinstance(k, dt.date) for k in raw)
