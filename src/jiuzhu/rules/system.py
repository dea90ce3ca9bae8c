"""A rule system: the variables of the programs, their code lists and a jurisdiction's parameters,
with the entry point that assesses households.

``load_system("tianjin")`` gives Tianjin's rules. ``RuleSystem.simulate`` validates the frames,
plans the requested outputs into one lazy Polars plan, and collects the result; the same call
serves one household at the counter and a million in a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from types import ModuleType
from typing import Any

import polars as pl

from jiuzhu.rules.engine.codes import CodeList
from jiuzhu.rules.engine.entities import ENTITIES, HOUSEHOLD, OBLIGOR, PERSON, Entity
from jiuzhu.rules.engine.errors import InvalidInputError
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.parameters import ParameterTree, load_parameters
from jiuzhu.rules.engine.planner import Plan, build_plan
from jiuzhu.rules.engine.schema import RowRule, validate_frames
from jiuzhu.rules.engine.variables import Variable, Variables

ENGINE_VERSION = "1"
"""Bumped whenever a change to the engine or the programs can change a result."""


@dataclass(frozen=True)
class Program:
    """One assistance program's decision variables, for outputs, summaries and explanations."""

    name: str
    label: str
    label_en: str
    entity: Entity
    status: str
    reasons: str
    amount: str | None = None
    details: tuple[str, ...] = ()


@dataclass
class SimulationResult:
    """Collected entity frames (keys plus the requested variables) and the plan that made them."""

    system: RuleSystem
    plan: Plan
    frames: dict[str, pl.DataFrame]

    @property
    def households(self) -> pl.DataFrame:
        return self.frames[HOUSEHOLD.name]

    @property
    def persons(self) -> pl.DataFrame:
        return self.frames.get(PERSON.name, pl.DataFrame())


@dataclass(frozen=True)
class RuleSystem:
    """Variables, code lists, programs and parameters of one jurisdiction."""

    name: str
    variables: Variables
    code_lists: Mapping[str, CodeList]
    parameters: ParameterTree
    programs: tuple[Program, ...]
    row_rules: tuple[RowRule, ...] = ()
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def with_parameters(self, overrides: Mapping[str, Any]) -> RuleSystem:
        """A copy whose parameters are overridden (see ``ParameterTree.with_overrides``)."""
        return replace(
            self,
            parameters=self.parameters.with_overrides(overrides),
            overrides={**self.overrides, **overrides},
        )

    def default_outputs(self) -> list[str]:
        """Every program's status, amount, reasons and details."""
        names: list[str] = []
        for program in self.programs:
            names += [
                program.status,
                *([program.amount] if program.amount else []),
                program.reasons,
            ]
            names += list(program.details)
        return names

    def validate(self, frames: Mapping[str, pl.DataFrame]) -> None:
        """Check the frames against the contract.

        Raises:
            InvalidInputError: listing every problem (entity, row, column, value, rule).
        """
        issues = validate_frames(frames, self.variables, self.code_lists, self.row_rules)
        if issues:
            raise InvalidInputError(issues)

    def simulate(
        self,
        households: pl.DataFrame,
        persons: pl.DataFrame,
        obligors: pl.DataFrame | None = None,
        outputs: Sequence[str] | None = None,
        keep: Sequence[str] = (),
        trace: bool = False,
        validate: bool = True,
    ) -> SimulationResult:
        """Assess households.

        Args:
            households: one row per household: ``household_id`` and household inputs (money in
                fen, ``assessment_date`` as Date; see docs/input-format.md).
            persons: one row per person: ``person_id``, ``household_id`` and person inputs.
            obligors: one row per support obligor: ``obligor_id``, ``person_id`` (the supported
                person) and obligor inputs; None when there are none.
            outputs: variables to compute (default: every program's decision).
            keep: further variables to keep.
            trace: keep every intermediate variable as well.
            validate: check the frames first (skip only for frames already validated).

        Returns:
            A SimulationResult whose frames hold the entity keys and the requested variables.

        Raises:
            InvalidInputError: the frames break the contract (nothing is computed).
            ParameterNotDefinedError: an assessment date precedes a parameter's first value.
        """
        if obligors is None:
            key_dtype = persons.schema.get(PERSON.key, pl.String())
            obligors = pl.DataFrame(
                schema={
                    OBLIGOR.key: key_dtype,
                    PERSON.key: key_dtype,
                    **{v.name: v.dtype for v in self.variables.of(OBLIGOR, inputs=True)},
                }
            )
        frames = {HOUSEHOLD.name: households, PERSON.name: persons, OBLIGOR.name: obligors}
        if validate:
            self.validate(frames)
        dates = sorted(households[DATE_VARIABLE].unique().drop_nulls().to_list())
        wanted = list(outputs) if outputs is not None else self.default_outputs()
        plan = build_plan(
            self.variables,
            self.parameters,
            {k: v.lazy() for k, v in frames.items()},
            wanted,
            dates,
            keep,
            keep_all=trace,
        )
        names = list(plan.frames)
        collected = pl.collect_all([plan.frames[n] for n in names])
        return SimulationResult(self, plan, dict(zip(names, collected, strict=True)))


def collect_variables(modules: Iterable[ModuleType]) -> Variables:
    """Every Variable (or list of Variables) declared at module level of ``modules``."""
    found: list[Variable] = []
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Variable):
                found.append(value)
            elif isinstance(value, list) and value and all(isinstance(v, Variable) for v in value):
                found.extend(value)
    return Variables(found)


@cache
def load_system(jurisdiction: str = "tianjin") -> RuleSystem:
    """The rule system of a jurisdiction (cached: parameters are read and checked once).

    Raises:
        ParameterFileError: a parameter file breaks the schema.
    """
    from jiuzhu.rules.programs import (  # noqa: PLC0415 — programs import the engine
        dibao,
        household,
        near_dibao,
        rigid_expenditure,
        single_person_unit,
        tekun,
    )
    from jiuzhu.rules.programs.codes import CODE_LISTS  # noqa: PLC0415

    modules = (household, dibao, near_dibao, single_person_unit, tekun, rigid_expenditure)
    variables = collect_variables(modules)
    parameters = load_parameters(jurisdiction, CODE_LISTS)
    return RuleSystem(
        name=jurisdiction,
        variables=variables,
        code_lists=CODE_LISTS,
        parameters=parameters,
        programs=PROGRAMS,
        row_rules=tuple(household.ROW_RULES),
    )


PROGRAMS: tuple[Program, ...] = (
    Program(
        "dibao",
        "最低生活保障",
        "Dibao (minimum living guarantee)",
        HOUSEHOLD,
        "dibao_eligible",
        "dibao_reasons",
        "dibao_amount",
    ),
    Program(
        "near_dibao",
        "低保边缘家庭",
        "Near-dibao household",
        HOUSEHOLD,
        "near_dibao_status",
        "near_dibao_reasons",
        "near_dibao_cash",
    ),
    Program(
        "single_person_unit",
        "单人户（与低保边缘救助二选一）",
        "Single-person unit (exclusive option)",
        HOUSEHOLD,
        "single_person_unit_available",
        "single_person_unit_reasons",
        "single_person_unit_option_amount",
        (
            "single_person_unit_members",
            "single_person_unit_members_amount",
            "single_person_unit_rest_members",
            "single_person_unit_rest_dibao_amount",
            "single_person_unit_rest_near_dibao_status",
            "single_person_unit_rest_near_dibao_cash",
        ),
    ),
    Program(
        "tekun",
        "特困人员救助供养",
        "Tekun (extreme-poverty support)",
        PERSON,
        "tekun_eligible",
        "tekun_reasons",
        "tekun_amount",
        ("tekun_basic_standard", "tekun_care_standard"),
    ),
    Program(
        "rigid_expenditure",
        "刚性支出困难家庭",
        "Rigid-expenditure hardship family",
        HOUSEHOLD,
        "rigid_expenditure_eligible",
        "rigid_expenditure_reasons",
        None,
        ("rigid_expenditure_valid_until",),
    ),
)
"""The programs of the system, in the order reports show them."""

__all__ = ["ENGINE_VERSION", "ENTITIES", "Program", "RuleSystem", "SimulationResult", "load_system"]
