"""Explanations rendered on demand from a traced simulation (DESIGN.md §4).

``explain_household`` turns one household's traced values, the parameter values it used (with
reference and confidence) and its reason codes into a structured ``Explanation``; ``render``
prints it in Chinese or English. Every low-confidence or unknown parameter a decision rests on is
named (docs/decisions/0004).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import polars as pl

from jiuzhu.rules.engine.codes import CodeList
from jiuzhu.rules.engine.entities import HOUSEHOLD, OBLIGOR, PERSON, Entity
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.parameters import Marker, Parameter, ParameterValue, Resolved
from jiuzhu.rules.engine.reasons import Reason
from jiuzhu.rules.engine.units import ParameterUnit, Unit, format_yuan
from jiuzhu.rules.engine.variables import Variable

if TYPE_CHECKING:
    from jiuzhu.rules.registry import Program
    from jiuzhu.rules.system import RuleSystem, SimulationResult

CONFIDENCE_LABELS = {
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "unknown": ("未知", "unknown"),
    "not_applicable": ("不适用", "not applicable"),
    "override": ("人工设定", "overridden"),
    "local": ("本地值", "local value"),
}
REASON_MARKS = {"note": "·", "undetermined": "！"}
"""How a reason line starts: decisive reasons with •, notes with ·, undetermined with ！."""
STATUS_LABELS = {
    True: ("符合", "eligible"),
    False: ("不符合", "not eligible"),
    None: ("待定", "undetermined"),
}


@dataclass(frozen=True)
class ParameterUse:
    """A parameter value a decision rests on."""

    parameter: Parameter
    value: ParameterValue
    keys: tuple[str, ...]

    def confidences(self) -> set[str]:
        if not self.keys:
            return (
                {self.value.confidence_for(None)}
                if not isinstance(self.value.value, dict)
                else {self.value.confidence_for(k) for k in self.value.value}
            )
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
    unknown: list[ParameterUse] = field(default_factory=list)
    """Unknown parameters the (undetermined) decision rests on."""


@dataclass
class Explanation:
    """Everything needed to explain one household's assessment."""

    household_id: Any
    date: dt.date
    jurisdiction: str
    engine_version: str
    parameter_digest: str
    members: Sequence[Mapping[str, Any]]
    member_columns: list[Variable]
    programs: list[ProgramExplanation] = field(default_factory=list)
    code_lists: Mapping[str, CodeList] = field(default_factory=dict)
    """To show codes by their labels (城市, 配偶, 肢体一级) rather than identifiers."""


HIDDEN_STEPS = frozenset(
    {
        "able_to_support_certain",
        "able_to_support_possible",
        "possible_supporters",
        "person_assessment_date",
    }
)
"""Bookkeeping variables not worth a line in an explanation."""

MEMBER_COLUMNS = (
    "relation",
    "age",
    "disability_class",
    "serious_illness",
    "household_member",
    "assistance_unit_member",
    "counted_income",
    "classified_deduction",
    "monetary_assets",
    "tekun_eligible",
)


def explain_household(
    system: RuleSystem, frames: Mapping[str, pl.DataFrame], household_id: Any
) -> Explanation:
    """Assess one household with a full trace and build its explanation.

    ``frames`` holds the household's rows (``household``, ``person`` and optionally
    ``obligor``); the same rules code as a batch runs on them. For every undetermined decision,
    each unknown parameter it uses is probed (set to its extremes) to name exactly the unknown
    values the decision rests on.

    Raises:
        KeyError: the household is not in ``frames``.
        InvalidInputError, ParameterNotDefinedError: as ``RuleSystem.simulate``.
    """
    from jiuzhu.rules.system import ENGINE_VERSION  # noqa: PLC0415 — system imports the engine

    one = _one_household(frames, household_id)
    result = system.simulate(
        one[HOUSEHOLD.name],
        one[PERSON.name],
        one.get(OBLIGOR.name),
        keep=_message_fields(system),
        trace=True,
    )
    persons = list(result.persons.iter_rows(named=True)) if PERSON.name in result.frames else []
    case = _Case(
        system,
        result,
        one,
        household_id,
        one[HOUSEHOLD.name][DATE_VARIABLE][0],
        result.households.row(0, named=True),
        persons,
    )
    explanation = Explanation(
        household_id=household_id,
        date=case.date,
        jurisdiction=system.name,
        engine_version=ENGINE_VERSION,
        parameter_digest=system.parameters.digest()[:12],
        members=persons,
        member_columns=[system.variables[c] for c in MEMBER_COLUMNS if persons and c in persons[0]],
        code_lists=system.code_lists,
    )
    for program in system.programs:
        if program.status in result.plan.nodes:
            explanation.programs += _program_explanations(case, program)
    return explanation


def _one_household(
    frames: Mapping[str, pl.DataFrame], household_id: Any
) -> dict[str, pl.DataFrame]:
    """The household's rows, its members' and their obligors' (when ``frames`` has obligors).

    Raises:
        KeyError: the household is not in ``frames``.
    """
    households = frames[HOUSEHOLD.name].filter(pl.col(HOUSEHOLD.key) == household_id)
    if households.is_empty():
        raise KeyError(f"household {household_id!r} is not in the input")
    persons = frames[PERSON.name].filter(pl.col(HOUSEHOLD.key) == household_id)
    one = {HOUSEHOLD.name: households, PERSON.name: persons}
    obligors = frames.get(OBLIGOR.name)
    if obligors is not None:
        one[OBLIGOR.name] = obligors.filter(pl.col(PERSON.key).is_in(persons[PERSON.key].implode()))
    return one


def _message_fields(system: RuleSystem) -> list[str]:
    """The variables the reasons' messages quote (``{variable}``), to keep them in the trace."""
    return sorted(
        {
            name
            for var in system.variables.values()
            if var.reasons is not None
            for reason in var.reasons.reasons
            for name in _FIELD.findall(reason.message)
        }
    )


@dataclass
class _Case:
    """One household assessed with a full trace, as the explanations read it."""

    system: RuleSystem
    result: SimulationResult
    frames: dict[str, pl.DataFrame]
    """The household's own rows (probes assess them again with other parameter values)."""
    household_id: Any
    date: dt.date
    household: dict[str, Any]
    persons: list[dict[str, Any]]
    probes: dict[tuple[str, int], dict[str, pl.DataFrame]] = field(default_factory=dict)
    """Probe runs already made, by (parameter path, extreme)."""

    def parameter_uses(self, names: Sequence[str]) -> list[ParameterUse]:
        return _parameter_uses(self.result, names, self.date, self.household, self.persons)


def _program_explanations(case: _Case, program: Program) -> list[ProgramExplanation]:
    """One program's decision explained for the household, or for each member (tekun)."""
    decision = [program.status, program.reasons, *([program.amount] if program.amount else [])]
    # What the decision and the amount rest on (for the single-person option the amount holds
    # the remaining members' reassessment), short of other programs' decisions.
    decisions = frozenset(p.status for p in case.system.programs)
    plan = case.result.plan
    deps = list(
        dict.fromkeys(
            d
            for target in decision
            if target != program.reasons
            for d in plan.dependencies(target, stop=decisions)
            if d in plan.nodes and d not in HIDDEN_STEPS and d not in decision
        )
    )
    params = case.parameter_uses([*decision, *deps])
    subjects: list[tuple[str, Mapping[str, Any]]]
    if program.entity == HOUSEHOLD:
        subjects = [(str(case.household_id), case.household)]
    else:
        subjects = [(str(p[PERSON.key]), {**case.household, **p}) for p in case.persons]
    # In the order the plan computes them: each step after what it rests on.
    order = {name: i for i, step in enumerate(plan.steps) for name in step.names}
    ordered = sorted(deps, key=lambda name: order.get(name, -1))
    return [
        _subject_explanation(case, program, decision, ordered, params, subject, row)
        for subject, row in subjects
    ]


def _subject_explanation(
    case: _Case,
    program: Program,
    decision: list[str],
    ordered: list[str],
    params: list[ParameterUse],
    subject: str,
    row: Mapping[str, Any],
) -> ProgramExplanation:
    """The decision for one subject (the household, or a member for tekun): its steps, reasons
    and the parameters it rests on; for an undetermined decision, the unknowns it waits for."""
    system, plan = case.system, case.result.plan
    steps = [
        Step(system.variables[d], row[d])
        for d in ordered
        if d in row and _shown(system.variables[d], program.entity)
    ]
    reason_var = system.variables[program.reasons]
    assert reason_var.reasons is not None
    status = row.get(program.status)
    amount = row.get(program.amount) if program.amount else None
    unknown: list[ParameterUse] = []
    shown_params = params
    if status is None:
        everything = [d for d in plan.dependencies(program.status) if d in plan.nodes]
        candidates = case.parameter_uses([*decision, *everything])
        unknown = _probe(system, case.frames, program, subject, candidates)
    else:
        # A decided result names only the unknown values it rests on: those that would change
        # the decision or the amount if known (an unknown city average floor area does not
        # matter to a household with one home).
        shown_params = _decisive(
            system, case.frames, program, subject, params, (status, amount), case.probes
        )
    return ProgramExplanation(
        program=program,
        subject=subject,
        status=status,
        amount=amount,
        reasons=reason_var.reasons.decode(row.get(program.reasons)),
        values=row,
        steps=steps,
        parameters=shown_params,
        unknown=unknown,
    )


def _probe(
    system: RuleSystem,
    frames: Mapping[str, pl.DataFrame],
    program: Program,
    subject: str,
    uses: Sequence[ParameterUse],
) -> list[ParameterUse]:
    """The unknown parameters an undetermined decision rests on: those that, set to either of
    two extreme values, make the decision determined. If no single one does (several unknowns
    together), every unknown candidate is returned."""
    candidates = [u for u in uses if "unknown" in u.confidences()]
    implicated = []
    for use in candidates:
        for extreme in _extremes(use):
            tree = system.parameters.with_value(use.parameter.path, use.value.start, extreme)
            probe = dataclasses.replace(system, parameters=tree).simulate(
                frames[HOUSEHOLD.name],
                frames[PERSON.name],
                frames.get(OBLIGOR.name),
                outputs=[program.status],
                validate=False,
            )
            entity_frame = probe.frames[program.entity.name]
            key = program.entity.key
            row = entity_frame.filter(pl.col(key).cast(pl.String) == subject)
            if row.height and row[program.status][0] is not None:
                implicated.append(use)
                break
    return implicated or candidates


def _probe_run(
    system: RuleSystem,
    frames: Mapping[str, pl.DataFrame],
    use: ParameterUse,
    index: int,
    cache: dict[tuple[str, int], dict[str, pl.DataFrame]],
) -> dict[str, pl.DataFrame]:
    """The household's decisions and amounts with one unknown parameter set to one of its
    extremes; one run per parameter and extreme (``cache``) serves every program."""
    key = (use.parameter.path, index)
    if key not in cache:
        extreme = _extremes(use)[index]
        tree = system.parameters.with_value(use.parameter.path, use.value.start, extreme)
        outputs = [
            name
            for program in system.programs
            for name in (program.status, program.amount)
            if name is not None
        ]
        cache[key] = (
            dataclasses.replace(system, parameters=tree)
            .simulate(
                frames[HOUSEHOLD.name],
                frames[PERSON.name],
                frames.get(OBLIGOR.name),
                outputs=outputs,
                validate=False,
            )
            .frames
        )
    return cache[key]


def _decisive(
    system: RuleSystem,
    frames: Mapping[str, pl.DataFrame],
    program: Program,
    subject: str,
    uses: Sequence[ParameterUse],
    decided: tuple[bool, Any],
    cache: dict[tuple[str, int], dict[str, pl.DataFrame]],
) -> list[ParameterUse]:
    """``uses`` without the unknown parameters a decided result (status, amount) does not rest
    on: an unknown parameter stays when setting it to either of two extreme values changes the
    decision or the amount (or leaves them undetermined). A code parameter cannot be probed
    and stays."""
    kept = []
    for use in uses:
        extremes = _extremes(use) if "unknown" in use.confidences() else []
        if "unknown" in use.confidences() and not extremes:
            kept.append(use)
        for index in range(len(extremes)):
            entity_frame = _probe_run(system, frames, use, index, cache)[program.entity.name]
            row = entity_frame.filter(pl.col(program.entity.key).cast(pl.String) == subject)
            if not row.height:
                continue
            after = row.row(0, named=True)
            amount = after[program.amount] if program.amount else None
            if (after[program.status], amount) != decided:
                kept.append(use)
                break
        if "unknown" not in use.confidences():
            kept.append(use)
    return kept


def _extremes(use: ParameterUse) -> list[Resolved]:
    """Two values at the ends of a parameter's range, replacing only its unknown entries."""
    unit = use.parameter.unit
    ends: list[object]
    if unit is ParameterUnit.BOOLEAN:
        ends = [False, True]
    elif unit is ParameterUnit.RATIO:
        ends = [Fraction(0), Fraction(1000)]
    elif unit is ParameterUnit.SQUARE_METRES_PER_PERSON:
        ends = [0.0, 1e9]
    elif unit is ParameterUnit.CODE:
        return []
    else:
        ends = [0, 10**12]
    value = use.value.value
    results: list[Resolved] = []
    for end in ends:
        if isinstance(value, dict):
            results.append({k: (end if isinstance(v, Marker) else v) for k, v in value.items()})  # type: ignore[misc]
        else:
            results.append(end)  # type: ignore[arg-type]
    return results


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
    persons: Sequence[Mapping[str, Any]],
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


def format_value(
    variable: Variable | None,
    value: Any,
    english: bool = False,
    code_lists: Mapping[str, CodeList] | None = None,
) -> str:
    """A traced value for people: yuan with two decimals, 是/否, code labels, dates."""
    if value is None:
        return "unknown" if english else "未知"
    if variable is not None and variable.unit.money:
        unit = variable.unit.label_en if english else variable.unit.label
        return f"{format_yuan(int(value))} {unit}"
    if isinstance(value, bool):
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if variable is not None and variable.codes and code_lists and variable.codes in code_lists:
        return code_label(code_lists[variable.codes], str(value), english)
    if variable is not None and variable.unit in (Unit.PERSONS, Unit.YEARS, Unit.MONTHS):
        unit = variable.unit.label_en if english else variable.unit.label
        return f"{value} {unit}" if english or variable.unit is not Unit.YEARS else f"{value}{unit}"
    return str(value)


def code_label(codes: CodeList, code: str, english: bool = False) -> str:
    """A code's label (``urban`` → 城市), or the code itself if the list lacks it."""
    try:
        found = codes.get(code)
    except KeyError:
        return code
    return found.label_en if english else found.label


def format_parameter_value(
    parameter: Parameter,
    value: Any,
    english: bool = False,
    code_lists: Mapping[str, CodeList] | None = None,
) -> str:
    """A parameter value for people (yuan from fen, ratios as decimals, code labels)."""
    if isinstance(value, Marker):
        return value.label_en if english else value.label
    if parameter.unit.money:
        unit = parameter.unit.label_en if english else parameter.unit.label
        return f"{format_yuan(int(value))} {unit}"
    if isinstance(value, Fraction):
        return f"{float(value):g}"
    if isinstance(value, bool):
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if parameter.unit in (ParameterUnit.MONTHS, ParameterUnit.YEARS):
        return f"{value} {parameter.unit.label_en if english else parameter.unit.label}"
    if parameter.codes and code_lists and parameter.codes in code_lists:
        return code_label(code_lists[parameter.codes], str(value), english)
    return str(value)


_FIELD = re.compile(r"\{(\w+)\}")


def fill(
    template: str, values: Mapping[str, Any], variables: Mapping[str, Variable], english: bool
) -> str:
    """Fill a reason template's ``{variable}`` fields with formatted values."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        variable = variables.get(name)
        return format_value(variable, values.get(name), english) if variable else match.group(0)

    return _FIELD.sub(replace, template)


JURISDICTION_NAMES = {"tianjin": ("天津市", "Tianjin")}
"""The jurisdictions' names, for people (the rules know them by their folder name)."""


def render(
    explanation: Explanation,
    variables: Mapping[str, Variable],
    lang: str = "zh",
    *,
    paths: bool = True,
) -> str:
    """Plain-text explanation in Chinese (``zh``) or English (``en``).

    Each program lists its reasons, its calculation and the parameter values it used; the legal
    source of every parameter follows once at the end, low-confidence and unknown ones first
    with the programs resting on them. Resident ID numbers are masked (DESIGN.md §9).
    ``paths``: name each parameter's file path too (for the policy team reading the YAML; the
    case platform shows caseworkers the names and sources only)."""
    en = lang == "en"
    lines = _heading_lines(explanation, en)
    used: dict[str, tuple[ParameterUse, list[str]]] = {}
    for part in explanation.programs:
        title = part.program.label_en if en else part.program.label
        for use in part.parameters:
            used.setdefault(use.parameter.path, (use, []))[1].append(title)
        lines += _program_lines(part, variables, explanation.code_lists, en, paths)
    if used:
        weak = [(u, p) for u, p in used.values() if u.confidences() & {"low", "unknown"}]
        lines += [
            "",
            "Sources of the parameters (low-confidence and unknown first: check them before "
            "relying on the result)"
            if en
            else "参数依据（低置信度和未知的在前，请核实后再据此决定）",
        ]
        for use, programs in [*weak, *[(u, p) for u, p in used.values() if (u, p) not in weak]]:
            lines += ["  " + line for line in _parameter_source_lines(use, programs, en, paths)]
    return "\n".join(lines).rstrip() + "\n"


def _heading_lines(explanation: Explanation, en: bool) -> list[str]:
    """Which household, on which date, by which rules; then its members (IDs masked)."""
    codes = explanation.code_lists
    digest = explanation.parameter_digest
    place = JURISDICTION_NAMES.get(explanation.jurisdiction, (explanation.jurisdiction,) * 2)
    lines = [
        f"Household {explanation.household_id}, assessed on {explanation.date} "
        f"({place[1]} rules, engine {explanation.engine_version}, parameters {digest})"
        if en
        else f"家庭 {explanation.household_id}，评估日期 {explanation.date}"
        f"（{place[0]}规则，引擎版本 {explanation.engine_version}，参数摘要 {digest}）"
    ]
    if explanation.members:
        lines += ["", "Members" if en else "家庭成员"]
        for number, member in enumerate(explanation.members, start=1):
            cells = [
                f"{v.label_en if en else v.label} {format_value(v, member.get(v.name), en, codes)}"
                for v in explanation.member_columns
                if member.get(v.name) not in (None, "none")
            ]
            lines.append(
                f"  {number}. {mask(str(member[PERSON.key]))}  "
                + ("; " if en else "；").join(cells)
            )
    return lines


def _program_lines(
    part: ProgramExplanation,
    variables: Mapping[str, Variable],
    codes: Mapping[str, CodeList],
    en: bool,
    paths: bool,
) -> list[str]:
    """One program's decision: a member not eligible in one line with the reasons; otherwise
    the decision and amount, the reasons, the unknowns it rests on, the calculation and the
    parameter values used."""
    program = part.program
    title = program.label_en if en else program.label
    if program.entity != HOUSEHOLD and part.status is False:
        reasons = ("; " if en else "；").join(
            fill(r.message_en if en else r.message, part.values, variables, en)
            for r in part.reasons
        )
        return [
            "",
            f"[{title} — {mask(part.subject)}] {STATUS_LABELS[False][1 if en else 0]}: {reasons}",
        ]
    status = STATUS_LABELS[part.status][1 if en else 0]
    subject = "" if program.entity == HOUSEHOLD else f" — {mask(part.subject)}"
    amount = ""
    if program.amount is not None:
        amount = f" — {format_value(variables[program.amount], part.amount, en)}"
    lines = ["", f"[{title}{subject}] {status}{amount}"]
    for reason in part.reasons:
        text = fill(reason.message_en if en else reason.message, part.values, variables, en)
        lines.append(f"  {REASON_MARKS.get(reason.kind, '•')} {text}")
    for use in part.unknown:
        lines.append(
            ("  ! Rests on an unknown parameter: " if en else "  ！结果依赖未知参数：")
            + _parameter_name(use, en, paths)
        )
    if part.steps:
        lines.append("  Calculation:" if en else "  计算过程：")
        for step in part.steps:
            label = step.variable.label_en if en else step.variable.label
            value = format_value(step.variable, step.value, en, codes)
            lines.append(f"    {label} = {value}")
    if part.parameters:
        lines.append("  Parameters:" if en else "  依据参数：")
        lines += ["    " + _parameter_value_line(use, en, codes) for use in part.parameters]
    return lines


def mask(value: str) -> str:
    """Mask an 18-character resident ID as 120224********123X; other identifiers unchanged."""
    if len(value) == 18 and value[:17].isdigit():
        return value[:6] + "*" * 8 + value[14:]
    return value


def _parameter_name(use: ParameterUse, en: bool, paths: bool = True) -> str:
    name = use.parameter.label_en if en else use.parameter.description
    where = f"{use.parameter.path}, " if paths else ""
    return f"{name} ({where}{use.value.start})"


def _confidence_text(use: ParameterUse, en: bool) -> str:
    return "/".join(
        CONFIDENCE_LABELS.get(c, (c, c))[1 if en else 0] for c in sorted(use.confidences())
    )


def _parameter_value_line(use: ParameterUse, en: bool, codes: Mapping[str, CodeList]) -> str:
    """``name = value`` with the keys the household used, and the confidence unless high."""
    parameter, value = use.parameter, use.value
    if isinstance(value.value, dict):
        keys = use.keys or tuple(sorted(value.value))
        breakdown = codes.get(parameter.breakdown or "")
        shown = ("; " if en else "；").join(
            f"{code_label(breakdown, k, en) if breakdown else k} "
            f"{format_parameter_value(parameter, value.value[k], en, codes)}"
            for k in keys
        )
    else:
        shown = format_parameter_value(parameter, value.value, en, codes)
    name = parameter.label_en if en else parameter.description
    confidences = use.confidences()
    flag = ""
    # An unknown value already says so; high confidence goes without saying.
    if confidences - {"high", "unknown"}:
        flag = (
            f" (confidence {_confidence_text(use, en)})"
            if en
            else f"（置信度 {_confidence_text(use, en)}）"
        )
    return f"{name} = {shown}{flag}"


def _parameter_source_lines(
    use: ParameterUse, programs: list[str], en: bool, paths: bool = True
) -> list[str]:
    parameter, value = use.parameter, use.value
    used_by = ", ".join(dict.fromkeys(programs))
    weak = bool(use.confidences() & {"low", "unknown"})
    mark = "⚠ " if weak else "- "
    name = parameter.label_en if en else parameter.description
    if en:
        where = f" ({parameter.path})" if paths else ""
        return [
            f"{mark}{name}{where} — from {value.start}, confidence "
            f"{_confidence_text(use, en)}; used by {used_by}",
            f"    source: {public_reference(value.reference)}",
        ]
    where = f"（{parameter.path}）" if paths else ""
    return [
        f"{mark}{name}{where}— 自 {value.start} 起，置信度 {_confidence_text(use, en)}；"
        f"用于 {used_by}",
        f"    依据：{public_reference(value.reference)}",
    ]


_RESEARCH_NOTE = re.compile(r"[；;]?\s*spec-addendum [^；;，,）)]*")
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[)）]")


def public_reference(reference: str) -> str:
    """A parameter's reference without the project's research-note tags (``spec-addendum Q2``),
    which point developers to ``docs`` but mean nothing to a caseworker or an auditor."""
    return _EMPTY_BRACKETS.sub("", _RESEARCH_NOTE.sub("", reference)).strip("；; ")
