"""A rule system: the variables of the programs, their code lists and a jurisdiction's parameters,
with the entry point that assesses households.

``load_system("tianjin")`` gives Tianjin's rules. ``RuleSystem.simulate`` validates the frames,
plans the requested outputs into one lazy Polars plan, and collects the result; the same call
serves one household at the counter and a million in a batch.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from types import ModuleType
from typing import Any

import polars as pl

from jiuzhu.rules import registry
from jiuzhu.rules.engine.codes import CodeList
from jiuzhu.rules.engine.entities import ENTITIES, HOUSEHOLD, OBLIGOR, PERSON
from jiuzhu.rules.engine.errors import InvalidInputError, ParameterFileError
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.local_values import LocalValue, apply_local_values
from jiuzhu.rules.engine.parameters import ParameterTree, load_parameters
from jiuzhu.rules.engine.planner import ROW, Plan, build_plan, execute, link_children
from jiuzhu.rules.engine.schema import RowRule, validate_frames
from jiuzhu.rules.engine.variables import Variable, Variables
from jiuzhu.rules.registry import Program

ENGINE_VERSION = "1"
"""Bumped whenever a change to the engine or the programs can change a result."""
WORKING_SET_BYTES = 900_000_000
"""Rough memory a slice of a large batch may use for its columns (see ``slice_size``): an upper
bound, the columns actually alive at once take about a third. Each slice pays the engine's fixed
cost (about 70 Polars collects), so slices are as large as memory allows: at 1e6 households,
900 MB (four slices) took 0.88 of the time of 300 MB (eleven) for 0.1 GB more peak memory, and
1.5 GB took longer again (more fresh pages to fault in)."""


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

    def with_local_values(self, values: Iterable[LocalValue]) -> RuleSystem:
        """A copy using the district's local values where the package has an unknown or
        low-confidence one (``jiuzhu.rules.engine.local_values``).

        Raises:
            LocalValuesError: a value names no parameter, breaks its unit, or would replace a
                value the package holds on firm ground.
        """
        return replace(self, parameters=apply_local_values(self.parameters, values))

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

    def application_inputs(self, program: str) -> tuple[Variable, ...]:
        """The input variables an application of ``program`` gives itself
        (``Program.application_inputs``), in the entry's order.

        Raises:
            KeyError: no program of that name in this system.
            ValueError: an entry names a variable that is not an input of the system.
        """
        entry = next((p for p in self.programs if p.name == program), None)
        if entry is None:
            raise KeyError(f"no program {program!r} in the rule system {self.name!r}")
        found = []
        for name in entry.application_inputs:
            var = self.variables.get(name)
            if var is None or not var.is_input:
                raise ValueError(f"{program}: application input {name!r} is not an input variable")
            found.append(var)
        return tuple(found)

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
        trace: bool | str = False,
        validate: bool = True,
        chunk_households: int | None = None,
        progress: Callable[[int, int], None] | None = None,
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
            trace: keep every intermediate variable as well (True), or only those of one entity
                (``"household"``).
            validate: check the frames first (skip only for frames already validated).
            chunk_households: households are independent, so a large batch runs in slices of
                this many households (bounding memory; results are identical). By default the
                slice is sized so its columns take about ``WORKING_SET_BYTES``.
            progress: called with (households done, households in all) after each slice.

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
        dates = batch_dates(households[DATE_VARIABLE])
        wanted = list(outputs) if outputs is not None else self.default_outputs()
        plan = build_plan(
            self.variables,
            self.parameters,
            {name: frame.columns for name, frame in frames.items()},
            wanted,
            dates,
            keep,
            keep_all=trace,
        )
        size = chunk_households or slice_size(plan, households.height, persons.height)
        return SimulationResult(self, plan, run_in_chunks(plan, frames, size, progress))


def slice_size(plan: Plan, households: int, persons: int) -> int:
    """Households per slice so that the slice's columns (8 bytes a value, every variable of the
    plan alive at once: an upper bound) stay near ``WORKING_SET_BYTES``."""
    columns = dict.fromkeys((HOUSEHOLD.name, PERSON.name), 0)
    for node in plan.nodes.values():
        if node.variable.entity.name in columns:
            columns[node.variable.entity.name] += 1
    per_household = 8 * (
        columns[HOUSEHOLD.name] + columns[PERSON.name] * persons / max(households, 1)
    )
    return max(10_000, int(WORKING_SET_BYTES / max(per_household, 1.0)))


def batch_dates(dates: pl.Series) -> list[dt.date]:
    """The distinct assessment dates of a batch, sorted (cheap when there is only one)."""
    earliest, latest = dates.min(), dates.max()
    if earliest is None:
        return []
    if earliest == latest:
        return [earliest]  # type: ignore[list-item]
    return sorted(dates.unique().drop_nulls().to_list())


def run_in_chunks(
    plan: Plan,
    frames: Mapping[str, pl.DataFrame],
    size: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, pl.DataFrame]:
    """Execute ``plan`` over slices of ``size`` households and put the results together, rows in
    the input order. Persons (and obligors) are grouped by their household (and person) first,
    so that each slice is contiguous."""
    households = frames[HOUSEHOLD.name]
    total = households.height
    if total <= size:
        result = execute(plan, frames)
        if progress is not None:
            progress(total, total)
        return result
    persons, person_links = link_children(frames[PERSON.name], households, PERSON)
    obligors, obligor_links = link_children(frames[OBLIGOR.name], persons, OBLIGOR)
    pieces: dict[str, list[pl.DataFrame]] = {}
    for start in range(0, total, size):
        stop = min(start + size, total)
        first_person = int(person_links.starts[start])
        last_person = int(person_links.ends[stop - 1])
        first_obligor = int(obligor_links.starts[first_person]) if last_person > first_person else 0
        last_obligor = int(obligor_links.ends[last_person - 1]) if last_person > first_person else 0
        chunk = {
            HOUSEHOLD.name: households.slice(start, stop - start),
            PERSON.name: persons.slice(first_person, last_person - first_person).drop(
                ROW, strict=False
            ),
            OBLIGOR.name: obligors.slice(first_obligor, last_obligor - first_obligor).drop(
                ROW, strict=False
            ),
        }
        for name, frame in execute(plan, chunk).items():
            pieces.setdefault(name, []).append(frame)
        if progress is not None:
            progress(stop, total)
    result = {name: pl.concat(parts, rechunk=False) for name, parts in pieces.items()}
    for name, sorted_frame in ((PERSON.name, persons), (OBLIGOR.name, obligors)):
        if name in result and ROW in sorted_frame.columns:
            # Back to the input order the caller gave.
            result[name] = result[name].with_columns(sorted_frame[ROW]).sort(ROW).drop(ROW)
    return result


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


def with_enum_codes(variables: Variables, code_lists: Mapping[str, CodeList]) -> Variables:
    """Code variables typed as ``pl.Enum`` of their code list: comparisons and lookups then work
    on small integers instead of strings, and a value outside the list cannot slip through."""
    return Variables(
        replace(var, dtype=pl.Enum(code_lists[var.codes].identifiers)) if var.codes else var
        for var in variables.values()
    )


@cache
def load_system(jurisdiction: str = "tianjin") -> RuleSystem:
    """The rule system of a jurisdiction: the variables of the shared input modules and of every
    registered program's modules, and the jurisdiction's parameters with those of the plug-ins'
    parameter folders (cached: parameters are read and checked once; registering a program
    clears the cache).

    Raises:
        ParameterFileError: a parameter file breaks the schema, or a plug-in's parameter clashes
            with one already loaded.
        ModuleNotFoundError: a program names a rules module that cannot be imported.
    """
    from jiuzhu.rules.programs import household_inputs  # noqa: PLC0415 — programs import the engine
    from jiuzhu.rules.programs.codes import CODE_LISTS  # noqa: PLC0415

    programs = registry.programs()
    names = dict.fromkeys([*registry.SHARED_MODULES, *(m for p in programs for m in p.modules)])
    modules = [importlib.import_module(name) for name in names]
    variables = with_enum_codes(collect_variables(modules), CODE_LISTS)
    parameters = load_parameters(jurisdiction, CODE_LISTS)
    for program in programs:
        parameters = with_plugin_parameters(parameters, program, CODE_LISTS)
    return RuleSystem(
        name=jurisdiction,
        variables=variables,
        code_lists=CODE_LISTS,
        parameters=parameters,
        programs=programs,
        row_rules=tuple(household_inputs.ROW_RULES),
    )


registry.on_change(load_system.cache_clear)


def with_plugin_parameters(
    parameters: ParameterTree, program: Program, code_lists: Mapping[str, CodeList]
) -> ParameterTree:
    """``parameters`` with those of ``program``'s own parameter folder for the same jurisdiction
    (unchanged when it has none).

    Raises:
        ParameterFileError: a file breaks the schema, or a path is already a parameter.
    """
    if program.parameter_folder is None:
        return parameters
    folder = program.parameter_folder / parameters.jurisdiction
    if not folder.is_dir():
        return parameters
    own = load_parameters(parameters.jurisdiction, code_lists, root=folder)
    clashes = sorted(set(own.parameters) & set(parameters.parameters))
    if clashes:
        raise ParameterFileError(
            [f"{program.name}: parameter {path!r} is already defined" for path in clashes]
        )
    return replace(parameters, parameters={**parameters.parameters, **own.parameters})


__all__ = ["ENGINE_VERSION", "ENTITIES", "RuleSystem", "SimulationResult", "load_system"]
