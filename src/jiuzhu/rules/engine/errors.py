"""Errors raised by the rules engine. Every message names what is wrong and the rule broken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class RulesError(Exception):
    """Base class of the engine's errors."""


class ParameterFileError(RulesError):
    """A parameter YAML file breaks the schema (docs/decisions/0003-parameter-format.md).

    ``problems`` lists one message per problem, each naming the file, the date and the field.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid parameter files:\n" + "\n".join(f"  - {p}" for p in problems))


class UnknownJurisdictionError(RulesError):
    """No parameter set is shipped for the jurisdiction asked for."""

    def __init__(self, jurisdiction: str, available: list[str]) -> None:
        self.jurisdiction = jurisdiction
        self.available = available
        super().__init__(
            f"没有“{jurisdiction}”的政策参数，可选：{'、'.join(available)} "
            f"(no parameter set {jurisdiction!r}; available: {', '.join(available)})"
        )


class ParameterNotDefinedError(RulesError):
    """A parameter has no value at a date being assessed (before its first value).

    Never silently filled: the caller must assess a date the rules cover or add the value.
    """

    def __init__(self, path: str, dates: list[dt.date], first: dt.date) -> None:
        self.path = path
        self.dates = dates
        self.first = first
        shown = ", ".join(d.isoformat() for d in dates[:5]) + (" …" if len(dates) > 5 else "")
        super().__init__(
            f"评估日期 {shown} 早于规则覆盖的时间：参数 {path} 自 {first.isoformat()} 起才有取值，"
            f"请改用 {first.isoformat()} 或以后的评估日期 (the rules do not cover {shown}: "
            f"parameter {path} has values from {first.isoformat()}; a date with no parameter value "
            f"is an error, never filled in)"
        )


@dataclass(frozen=True)
class InputIssue:
    """One problem with one cell (or one row, when ``column`` is None) of an input frame.

    ``row`` is the 0-based row index in the frame; readers map it to the file's line or sheet row.
    """

    entity: str
    row: int | None
    column: str | None
    value: str | None
    rule: str


class InvalidInputError(RulesError):
    """Input frames break the frame contract. ``issues`` lists every problem found."""

    def __init__(self, issues: list[InputIssue]) -> None:
        self.issues = issues
        head = "; ".join(f"{i.entity} row {i.row} column {i.column}: {i.rule}" for i in issues[:3])
        more = f" (and {len(issues) - 3} more)" if len(issues) > 3 else ""
        super().__init__(f"{len(issues)} input problem(s): {head}{more}")
