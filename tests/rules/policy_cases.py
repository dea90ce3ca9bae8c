"""YAML policy cases: reading them, building frames, running them, comparing results.

A case file under ``tests/rules/<program>/`` holds a list of cases::

    - name: 天津低保 3 人户：2025年9月上调后（C01）
      case: C01                       # spec.md / cases.yaml id, when there is one
      reference: 津民规〔2025〕6号; 社会救助暂行办法 第九条、第十二条
      date: 2025-10-15
      parameters: {dibao.standard: 700}   # optional overrides, written as in parameter files
      household: {area_type: urban}
      persons:                        # money in yuan; ``age`` stands for a birth date
        - {relation: "01", age: 45, other_transfer_income: 1500}
      obligors:                       # optional; ``of`` names a person by id (P1, P2, … by default)
        - {of: P1, age: 40}
      output: {dibao_eligible: true, dibao_amount: 1635}   # household variables; null = undetermined
      person_output: {tekun_eligible: [false]}             # one value per person, in order
      reasons: [DIBAO_ELIGIBLE]       # codes that must be among the household's reasons
      absent_reasons: [DIBAO_UNDETERMINED]
      person_reasons: [[TEKUN_ELIGIBLE]]   # per person: codes among their programs' reasons
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from jiuzhu.rules import RuleSystem, load_system
from jiuzhu.rules.engine import HOUSEHOLD, OBLIGOR, PERSON
from jiuzhu.rules.engine.units import Unit, yuan_to_fen

CASES_DIR = Path(__file__).parent


class _Loader(yaml.SafeLoader):
    """Reads decimals exactly, as the parameter loader does."""


_Loader.add_constructor(
    "tag:yaml.org,2002:float",
    lambda loader, node: Decimal(loader.construct_scalar(node)),  # type: ignore[arg-type]
)


@dataclass
class PolicyCase:
    file: Path
    index: int
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    @property
    def id(self) -> str:
        return f"{self.file.parent.name}/{self.file.stem}[{self.index}] {self.name}"


def load_cases() -> list[PolicyCase]:
    """Every case of every YAML file under tests/rules."""
    cases = []
    for path in sorted(CASES_DIR.rglob("*.yaml")):
        documents = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        for index, spec in enumerate(documents):
            cases.append(PolicyCase(path, index, spec))
    return cases


def birth_date_for_age(on: dt.date, age: int) -> dt.date:
    """A birth date that makes a person exactly ``age`` on ``on`` (their birthday)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # 29 February
        return on.replace(year=on.year - age, day=28)


def _convert(system: RuleSystem, name: str, value: Any) -> Any:
    variable = system.variables[name]
    if value is None:
        return None
    if variable.unit.money:
        return yuan_to_fen(value)
    if variable.unit is Unit.DATE and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _frame(system: RuleSystem, rows: list[dict[str, Any]], entity: Any) -> pl.DataFrame:
    columns: dict[str, list[Any]] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, [])
    schema: dict[str, pl.DataType] = {}
    for key in columns:
        columns[key] = [row.get(key) for row in rows]
        schema[key] = (
            pl.String() if key in (entity.key, entity.parent_key) else system.variables[key].dtype
        )
    return pl.DataFrame(columns, schema=schema)


def build_frames(
    system: RuleSystem, spec: dict[str, Any], prefix: str = ""
) -> dict[str, pl.DataFrame]:
    """Household, person and obligor frames of one case (ids prefixed with ``prefix``)."""
    date = spec["date"]
    household_id = prefix + "H"
    household = {HOUSEHOLD.key: household_id, "assessment_date": date, "area_type": "urban"}
    household.update({k: _convert(system, k, v) for k, v in (spec.get("household") or {}).items()})
    persons = []
    for number, raw in enumerate(spec.get("persons") or [], start=1):
        person = dict(raw)
        pid = prefix + str(person.pop("id", f"P{number}"))
        if "age" in person:
            person["birth_date"] = birth_date_for_age(date, int(person.pop("age")))
        person.setdefault("relation", "01" if number == 1 else None)
        row = {PERSON.key: pid, HOUSEHOLD.key: household_id}
        row.update({k: _convert(system, k, v) for k, v in person.items()})
        persons.append(row)
    obligors = []
    for number, raw in enumerate(spec.get("obligors") or [], start=1):
        obligor = dict(raw)
        of = prefix + str(obligor.pop("of", "P1"))
        if "age" in obligor:
            obligor["obligor_birth_date"] = birth_date_for_age(date, int(obligor.pop("age")))
        row = {OBLIGOR.key: f"{prefix}O{number}", PERSON.key: of}
        row.update({k: _convert(system, k, v) for k, v in obligor.items()})
        obligors.append(row)
    frames = {
        "household": _frame(system, [household], HOUSEHOLD),
        "person": _frame(system, persons, PERSON),
    }
    if obligors:
        frames["obligor"] = _frame(system, obligors, OBLIGOR)
    return frames


def system_for(spec: dict[str, Any]) -> RuleSystem:
    system = load_system("tianjin")
    overrides = spec.get("parameters") or {}
    return system.with_parameters(overrides) if overrides else system


def expected_value(system: RuleSystem, name: str, value: Any) -> Any:
    return _convert(system, name, value)


def outputs_of(spec: dict[str, Any]) -> list[str]:
    names = list((spec.get("output") or {}).keys()) + list((spec.get("person_output") or {}).keys())
    if spec.get("reasons") or spec.get("absent_reasons") or spec.get("person_reasons"):
        names += [p.reasons for p in load_system("tianjin").programs]
    return names


def run_case(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Household values and per-person values of the case's outputs."""
    system = system_for(spec)
    frames = build_frames(system, spec)
    result = system.simulate(
        frames["household"], frames["person"], frames.get("obligor"), outputs=outputs_of(spec)
    )
    household = result.households.row(0, named=True)
    persons = result.frames.get("person")
    per_person = {c: persons[c].to_list() for c in persons.columns} if persons is not None else {}
    return household, per_person


def reason_codes(household: dict[str, Any]) -> set[str]:
    """Every reason code set in a household row (all programs)."""
    system = load_system("tianjin")
    codes: set[str] = set()
    for program in system.programs:
        if program.reasons in household and program.entity == HOUSEHOLD:
            reasons = system.variables[program.reasons].reasons
            assert reasons is not None
            codes.update(r.code for r in reasons.decode(household[program.reasons]))
    return codes


def check_case(spec: dict[str, Any]) -> list[str]:
    """Differences between a case's expected and computed values (empty when it passes)."""
    system = system_for(spec)
    household, persons = run_case(spec)
    problems = []
    for name, expected in (spec.get("output") or {}).items():
        want = expected_value(system, name, expected)
        got = household[name]
        if got != want:
            problems.append(f"{name}: expected {want!r}, got {got!r}")
    for name, expected in (spec.get("person_output") or {}).items():
        want = [expected_value(system, name, v) for v in expected]
        got = persons[name]
        if got != want:
            problems.append(f"{name}: expected {want!r}, got {got!r}")
    codes = reason_codes(household)
    for code in spec.get("reasons") or []:
        if code not in codes:
            problems.append(f"reason {code} missing (got {sorted(codes)})")
    for code in spec.get("absent_reasons") or []:
        if code in codes:
            problems.append(f"reason {code} should not be set")
    for index, wanted in enumerate(spec.get("person_reasons") or []):
        got = person_reason_codes(persons, index)
        problems += [
            f"person {index + 1}: reason {code} missing (got {sorted(got)})"
            for code in wanted
            if code not in got
        ]
    return problems


def person_reason_codes(persons: dict[str, list[Any]], index: int) -> set[str]:
    """Every reason code set for the ``index``-th person (all programs decided per person)."""
    system = load_system("tianjin")
    codes: set[str] = set()
    for program in system.programs:
        if program.entity == PERSON and program.reasons in persons:
            reasons = system.variables[program.reasons].reasons
            assert reasons is not None
            codes.update(r.code for r in reasons.decode(persons[program.reasons][index]))
    return codes
