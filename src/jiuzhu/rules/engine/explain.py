"""Explanations rendered on demand from a traced simulation (DESIGN.md §4).

``explain_household`` turns one household's traced values, the parameter values it used (with
reference and confidence) and its reason codes into a structured ``Explanation``; ``render``
prints it in Chinese or English. Every low-confidence or unknown parameter a decision rests on is
named (spec-addendum decision 1).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import polars as pl

from jiuzhu.rules.engine.entities import HOUSEHOLD, PERSON, Entity
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.parameters import Marker, Parameter, ParameterValue
from jiuzhu.rules.engine.reasons import Reason
from jiuzhu.rules.engine.units import ParameterUnit, Unit, format_yuan
from jiuzhu.rules.engine.variables import Variable

if TYPE_CHECKING:
    from jiuzhu.rules.system import Program, SimulationResult

CONFIDENCE_LABELS = {
    "high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"),
    "unknown": ("未知", "unknown"), "not_applicable": ("不适用", "not applicable"),
    "override": ("人工设定", "overridden"),
}
STATUS_LABELS = {True: ("符合", "eligible"), False: ("不符合", "not eligible"), None: ("待定", "undetermined")}


@dataclass(frozen=True)
class ParameterUse:
    """A parameter value a decision rests on."""

    parameter: Parameter
    value: ParameterValue
    keys: tuple[str, ...]

    def confidences(self) -> set[str]:
        if not self.keys:
            return {self.value.confidence_for(None)} if not isinstance(self.value.value, dict) else {
                self.value.confidence_for(k) for k in self.value.value
            }
        return {self.value.confidence_for(k) for k in self.keys}


@dataclass(frozen=True)
class Step:
    """One traced variable: label and value."""

    variable: Variable
    value: Any


@dataclass
class ProgramExplanation:
    """One program's decision for a household or a person."""

    program: Program
    subject: str
    status: bool | None
    amount: int | None
    reasons: list[Reason]
    values: Mapping[str, Any]
    steps: list[Step]
    parameters: list[ParameterUse]

    @property
    def low_confidence(self) -> list[ParameterUse]:
        return [p for p in self.parameters if "low" in p.confidences()]

    @property
    def unknown(self) -> list[ParameterUse]:
        return [p for p in self.parameters if p.confidences() & {"unknown"}]


@dataclass
class Explanation:
    """Everything needed to explain one household's assessment."""

    household_id: Any
    date: dt.date
    jurisdiction: str
    engine_version: str
    parameter_digest: str
    members: list[Mapping[str, Any]]
    member_columns: list[Variable]
    programs: list[ProgramExplanation] = field(default_factory=list)


MEMBER_COLUMNS = (
    "relation", "age", "household_member", "assistance_unit_member", "counted_income",
    "classified_deduction", "monetary_assets", "tekun_eligible",
)


def explain_household(result: SimulationResult, household_id: Any) -> Explanation:
    """Build the explanation of one household of a traced simulation (``trace=True``).

    Raises:
        KeyError: the household is not in the result.
    """
    from jiuzhu.rules.system import ENGINE_VERSION  # noqa: PLC0415 — system imports the engine

    system = result.system
    households = result.households.filter(pl.col(HOUSEHOLD.key) == household_id)
    if households.is_empty():
        raise KeyError(f"household {household_id!r} is not in the result")
    household = households.row(0, named=True)
    persons = [
        row for row in result.persons.iter_rows(named=True) if row[HOUSEHOLD.key] == household_id
    ] if PERSON.name in result.frames else []
    date = household[DATE_VARIABLE] if DATE_VARIABLE in household else result.plan.dates[0]
    explanation = Explanation(
        household_id=household_id,
        date=date,
        jurisdiction=system.name,
        engine_version=ENGINE_VERSION,
        parameter_digest=system.parameters.digest()[:12],
        members=persons,
        member_columns=[system.variables[c] for c in MEMBER_COLUMNS if persons and c in persons[0]],
    )
    for program in system.programs:
        if program.status not in result.plan.nodes:
            continue
        decision = [program.status, program.reasons, *([program.amount] if program.amount else [])]
        deps = [d for d in result.plan.dependencies(program.status) if d in result.plan.nodes]
        params = _parameter_uses(result, [*decision, *deps], date, household, persons)
        subjects: list[tuple[str, Mapping[str, Any]]]
        if program.entity == HOUSEHOLD:
            subjects = [(str(household_id), household)]
        else:
            subjects = [(str(p[PERSON.key]), {**household, **p}) for p in persons]
        for subject, row in subjects:
            steps = [
                Step(system.variables[d], row[d]) for d in reversed(deps)
                if d in row and _shown(system.variables[d], program.entity)
            ]
            reason_var = system.variables[program.reasons]
            assert reason_var.reasons is not None
            explanation.programs.append(ProgramExplanation(
                program=program,
                subject=subject,
                status=row.get(program.status),
                amount=row.get(program.amount) if program.amount else None,
                reasons=reason_var.reasons.decode(row.get(program.reasons)),
                values=row,
                steps=steps,
                parameters=params,
            ))
    return explanation


def _shown(variable: Variable, entity: Entity) -> bool:
    return (
        variable.formula is not None
        and variable.unit is not Unit.REASONS
        and variable.entity == entity
        and not variable.name.startswith("__")
    )


def _parameter_uses(
    result: SimulationResult,
    names: Sequence[str],
    date: dt.date,
    household: Mapping[str, Any],
    persons: list[Mapping[str, Any]],
) -> list[ParameterUse]:
    uses = []
    for path, key_sources in sorted(result.plan.parameters(names).items()):
        parameter = result.system.parameters[path]
        value = parameter.at(date)
        keys: set[str] = set()
        for source in key_sources:
            if source.startswith("="):
                keys.add(source[1:])
            else:
                rows = [household] if source in household else persons
                keys.update(str(r[source]) for r in rows if r.get(source) is not None)
        if isinstance(value.value, dict):
            keys &= set(value.value)
        uses.append(ParameterUse(parameter, value, tuple(sorted(keys))))
    return uses


# --- rendering -------------------------------------------------------------------------------


def format_value(variable: Variable | None, value: Any, english: bool = False) -> str:
    """A traced value for people: yuan with two decimals, 是/否, code labels, dates."""
    if value is None:
        return "unknown" if english else "未知"
    if variable is not None and variable.unit.money:
        unit = variable.unit.label_en if english else variable.unit.label
        return f"{format_yuan(int(value))} {unit}"
    if isinstance(value, bool):
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if isinstance(value, dt.date):
        return value.isoformat()
    if variable is not None and variable.unit in (Unit.PERSONS, Unit.YEARS, Unit.MONTHS):
        unit = variable.unit.label_en if english else variable.unit.label
        return f"{value} {unit}"
    return str(value)


def format_parameter_value(parameter: Parameter, value: Any, english: bool = False) -> str:
    """A parameter value for people (yuan from fen, ratios as decimals, codes)."""
    if isinstance(value, Marker):
        return value.label_en if english else value.label
    if parameter.unit.money:
        return f"{format_yuan(int(value))} {'yuan' if english else parameter.unit.label}"
    if isinstance(value, Fraction):
        return f"{float(value):g}"
    if isinstance(value, bool):
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if parameter.unit in (ParameterUnit.MONTHS, ParameterUnit.YEARS):
        return f"{value} {parameter.unit.key if english else parameter.unit.label}"
    return str(value)


_FIELD = re.compile(r"\{(\w+)\}")


def fill(template: str, values: Mapping[str, Any], variables: Mapping[str, Variable], english: bool) -> str:
    """Fill a reason template's ``{variable}`` fields with formatted values."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        variable = variables.get(name)
        return format_value(variable, values.get(name), english) if variable else match.group(0)

    return _FIELD.sub(replace, template)


def render(explanation: Explanation, variables: Mapping[str, Variable], lang: str = "zh") -> str:
    """Plain-text explanation in Chinese (``zh``) or English (``en``)."""
    en = lang == "en"
    lines: list[str] = []
    head = (
        f"Household {explanation.household_id} — assessed on {explanation.date} — "
        f"{explanation.jurisdiction} rules, engine {explanation.engine_version}, "
        f"parameters {explanation.parameter_digest}"
        if en else
        f"家庭 {explanation.household_id} — 评估日期 {explanation.date} — {explanation.jurisdiction} 规则，"
        f"引擎版本 {explanation.engine_version}，参数摘要 {explanation.parameter_digest}"
    )
    lines += [head, ""]
    if explanation.members:
        lines.append("Members:" if en else "家庭成员：")
        for member in explanation.members:
            cells = [
                f"{v.label_en if en else v.label} {format_value(v, member.get(v.name), en)}"
                for v in explanation.member_columns
            ]
            lines.append(f"  - {member[PERSON.key]}: " + "; ".join(cells))
        lines.append("")
    for part in explanation.programs:
        program = part.program
        status = STATUS_LABELS[part.status][1 if en else 0]
        title = program.label_en if en else program.label
        subject = "" if program.entity == HOUSEHOLD else (
            f" — person {part.subject}" if en else f" — 成员 {part.subject}")
        amount = ""
        if program.amount is not None:
            amount_var = variables[program.amount]
            amount = f" — {format_value(amount_var, part.amount, en)}"
        lines.append(f"[{title}{subject}] {status}{amount}")
        for reason in part.reasons:
            message = reason.message_en if en else reason.message
            lines.append(f"  • {fill(message, part.values, variables, en)}")
        if part.steps:
            lines.append("  Calculation:" if en else "  计算过程：")
            for step in part.steps:
                label = step.variable.label_en if en else step.variable.label
                lines.append(f"    {label} = {format_value(step.variable, step.value, en)}")
        if part.parameters:
            lines.append("  Parameters:" if en else "  依据参数：")
            for use in part.parameters:
                lines.append("    " + _parameter_line(use, en))
        for use in part.unknown:
            lines.append(("  ! Unknown parameter: " if en else "  ！未知参数：") + _parameter_name(use, en))
        for use in part.low_confidence:
            lines.append(("  ! Low-confidence parameter: " if en else "  ！低置信度参数：") + _parameter_name(use, en))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _parameter_name(use: ParameterUse, en: bool) -> str:
    name = use.parameter.label_en if en else use.parameter.description
    return f"{name} ({use.parameter.path}, {use.value.start})"


def _parameter_line(use: ParameterUse, en: bool) -> str:
    parameter, value = use.parameter, use.value
    if isinstance(value.value, dict):
        keys = use.keys or tuple(sorted(value.value))
        shown = ", ".join(
            f"{k}: {format_parameter_value(parameter, value.value[k], en)}" for k in keys
        )
    else:
        shown = format_parameter_value(parameter, value.value, en)
    confidence = sorted(use.confidences())
    conf_text = "/".join(CONFIDENCE_LABELS.get(c, (c, c))[1 if en else 0] for c in confidence)
    name = parameter.label_en if en else parameter.description
    since = "from" if en else "自"
    conf_word = "confidence" if en else "置信度"
    return f"{name} = {shown} ({since} {value.start}; {value.reference}; {conf_word} {conf_text})"
