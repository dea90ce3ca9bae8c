"""The planner: from requested outputs to one lazy Polars plan.

1. **Resolve.** Walk the dependencies of the requested outputs. Each formula is called once, with a
   recording ``Formula`` scope, which yields its expression and what it read. Nothing unrequested is
   computed and nothing twice.
2. **Schedule.** Repeat until every variable is placed: add every variable whose dependencies are
   available on its entity's frame (one ``with_columns`` per layer); then, in one ``group_by`` per
   child entity, every aggregation whose inputs are ready (joined onto the parent); then, in one
   join per child entity, every parent variable a child needs (broadcast). The number of joins is
   the number of entity crossings on the longest dependency chain, not the number of variables.
3. **Collect.** ``pl.collect_all`` evaluates the entity frames together, so shared sub-plans are
   computed once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from jiuzhu.rules.engine.entities import ENTITIES, HOUSEHOLD, Entity
from jiuzhu.rules.engine.formula import Aggregate, Dependencies, Formula
from jiuzhu.rules.engine.parameters import ParameterTree
from jiuzhu.rules.engine.variables import Variable, Variables


@dataclass
class Node:
    """A variable in the plan, with its expression (None for inputs) and dependencies."""

    variable: Variable
    expression: pl.Expr | None
    deps: Dependencies = field(default_factory=Dependencies)


@dataclass
class Plan:
    """The resolved variables and the lazy frame of each entity holding them."""

    nodes: dict[str, Node]
    frames: dict[str, pl.LazyFrame]
    outputs: list[str]
    dates: list[dt.date]

    def dependencies(self, name: str, stop: frozenset[str] = frozenset()) -> list[str]:
        """Every variable ``name`` rests on, nearest first (for explanations); variables in
        ``stop`` are listed but not expanded (another program's decision, say)."""
        seen: list[str] = []
        stack = [name]
        while stack:
            current = stack.pop(0)
            node = self.nodes.get(current)
            if node is None or (current in stop and current != name):
                continue
            for dep in sorted(_dep_names(node.deps)):
                if dep not in seen and dep != name:
                    seen.append(dep)
                    stack.append(dep)
        return seen

    def parameters(self, names: Sequence[str]) -> dict[str, set[str]]:
        """Parameters read by the given variables: path → key variables and ``=code`` keys."""
        used: dict[str, set[str]] = {}
        for name in names:
            node = self.nodes.get(name)
            if node is not None:
                for path, keys in node.deps.parameters.items():
                    used.setdefault(path, set()).update(keys)
        return used


class _Lookup:
    def __init__(self, variables: Variables) -> None:
        self._variables = variables

    def entity_of(self, name: str) -> Entity:
        return self._variables[name].entity


def _dep_names(deps: Dependencies) -> set[str]:
    names = set(deps.local) | set(deps.parent)
    for agg in deps.aggregates.values():
        names.update(n for n in (agg.variable, agg.where) if n is not None)
    names.update(k for keys in deps.parameters.values() for k in keys if not k.startswith("="))
    return names


def build_plan(
    variables: Variables,
    tree: ParameterTree,
    frames: Mapping[str, pl.LazyFrame],
    outputs: Sequence[str],
    dates: list[dt.date],
    keep: Sequence[str] = (),
    keep_all: bool = False,
) -> Plan:
    """Plan the computation of ``outputs`` over the entity frames.

    Args:
        variables: every variable of the rule system.
        tree: parameters (already overridden if a simulation asks so).
        frames: entity name → lazy frame with the key columns and the input columns present.
        outputs: variables to compute.
        dates: sorted distinct assessment dates of the batch (parameters are resolved for them).
        keep: further variables to keep in the result (``outputs`` are always kept).
        keep_all: keep every variable the outputs rest on (the trace).

    Raises:
        KeyError: an unknown variable; TypeError: a formula crosses entities implicitly;
        ParameterNotDefinedError: a date before a parameter's first value.
    """
    lookup = _Lookup(variables)
    nodes: dict[str, Node] = {}
    stack = list(dict.fromkeys([*outputs, *keep]))
    while stack:
        name = stack.pop()
        if name in nodes:
            continue
        var = variables[name]
        if var.formula is None:
            nodes[name] = Node(var, None)
            continue
        scope = Formula(var.entity, lookup, tree, dates, owner=name)
        expression = var.formula(scope).cast(var.dtype).alias(name)
        nodes[name] = Node(var, expression, scope.deps)
        stack.extend(_dep_names(scope.deps) - nodes.keys())

    lazy = {e.name: _prepare_inputs(frames[e.name], e, nodes) for e in ENTITIES}
    available = {e.name: set(lazy[e.name].collect_schema().names()) for e in ENTITIES}
    pending = {n for n, node in nodes.items() if node.expression is not None}
    aggregates: dict[str, Aggregate] = {}
    broadcasts: set[tuple[str, str]] = set()
    for node in nodes.values():
        aggregates.update(node.deps.aggregates)
        broadcasts.update((node.variable.entity.name, p) for p in node.deps.parent)

    round_number = 0
    while pending or aggregates or broadcasts:
        round_number += 1
        progressed = False
        for entity in ENTITIES:
            while True:
                ready = sorted(
                    n
                    for n in pending
                    if nodes[n].variable.entity == entity
                    and _satisfied(nodes[n].deps, available[entity.name])
                )
                if not ready:
                    break
                lazy[entity.name] = lazy[entity.name].with_columns(
                    [nodes[n].expression for n in ready if nodes[n].expression is not None]
                )
                available[entity.name].update(ready)
                pending.difference_update(ready)
                progressed = True
        for child in ENTITIES[1:]:
            parent = child.parent
            assert parent is not None and child.parent_key is not None
            ready_aggs = [
                a
                for a in aggregates.values()
                if a.child == child
                and all(n in available[child.name] for n in (a.variable, a.where) if n is not None)
            ]
            if ready_aggs:
                lazy[parent.name] = _join_aggregates(
                    lazy[parent.name],
                    lazy[child.name],
                    parent,
                    child,
                    ready_aggs,
                    nodes,
                    round_number,
                )
                for agg in ready_aggs:
                    available[parent.name].add(agg.column)
                    del aggregates[agg.column]
                progressed = True
            ready_names = sorted(
                name
                for (entity_name, name) in broadcasts
                if entity_name == child.name and name in available[parent.name]
            )
            if ready_names:
                lazy[child.name] = lazy[child.name].join(
                    lazy[parent.name].select([parent.key, *ready_names]),
                    left_on=child.parent_key,
                    right_on=parent.key,
                    how="left",
                    maintain_order="left",
                )
                available[child.name].update(ready_names)
                broadcasts.difference_update((child.name, n) for n in ready_names)
                progressed = True
        if not progressed:
            stuck = sorted(pending) or sorted(aggregates) or sorted(n for _, n in broadcasts)
            raise RuntimeError(f"cannot plan: circular or unsatisfiable dependencies in {stuck}")

    wanted = list(dict.fromkeys([*outputs, *keep, *(sorted(nodes) if keep_all else [])]))
    result: dict[str, pl.LazyFrame] = {}
    for entity in ENTITIES:
        columns = [n for n in wanted if nodes[n].variable.entity == entity]
        if columns or entity == HOUSEHOLD:
            keys = [entity.key] + ([entity.parent_key] if entity.parent_key else [])
            result[entity.name] = lazy[entity.name].select([*keys, *columns])
    return Plan(nodes, result, list(outputs), dates)


def _satisfied(deps: Dependencies, available: set[str]) -> bool:
    return (
        deps.local <= available
        and deps.parent <= available
        and all(column in available for column in deps.aggregates)
    )


def _prepare_inputs(frame: pl.LazyFrame, entity: Entity, nodes: Mapping[str, Node]) -> pl.LazyFrame:
    """Keep the key columns and the needed inputs, with declared dtypes and defaults filled."""
    present = set(frame.collect_schema().names())
    keys = [entity.key] + ([entity.parent_key] if entity.parent_key else [])
    columns: list[pl.Expr] = [pl.col(k) for k in keys]
    for node in nodes.values():
        var = node.variable
        if node.expression is not None or var.entity != entity:
            continue
        if var.name in present:
            expr = pl.col(var.name).cast(var.dtype)
            if var.default is not None and not var.nullable:
                expr = expr.fill_null(pl.lit(var.default, var.dtype))
        else:
            expr = pl.lit(var.default, var.dtype)
        columns.append(expr.alias(var.name))
    return frame.select(columns)


def _join_aggregates(
    parent_frame: pl.LazyFrame,
    child_frame: pl.LazyFrame,
    parent: Entity,
    child: Entity,
    specs: list[Aggregate],
    nodes: Mapping[str, Node],
    round_number: int,
) -> pl.LazyFrame:
    """One group_by over the child frame for all ready aggregations, joined onto the parent.

    Null semantics: a sum, max or min over children one of whose values is null (undetermined)
    is null; ``any``/``all`` follow Kleene logic. A parent with no children gets the identity
    (0, false, true; null for max and min).
    """
    assert child.parent_key is not None
    rows = f"__rows__{child.name}__{round_number}"
    exprs: list[pl.Expr] = [pl.len().alias(rows)]
    fills: list[pl.Expr] = []
    for spec in specs:
        value = pl.col(spec.variable) if spec.variable is not None else None
        if spec.where is not None and value is not None:
            value = value.filter(pl.col(spec.where))
        if spec.kind == "count":
            agg = (pl.col(spec.where).sum() if spec.where else pl.len()).cast(pl.Int64)
            identity: object = 0
        elif spec.kind in ("any", "all"):
            assert value is not None
            agg = (
                value.any(ignore_nulls=False)
                if spec.kind == "any"
                else value.all(ignore_nulls=False)
            )
            identity = spec.kind == "all"
        else:
            assert value is not None and spec.variable is not None
            reduced = {"sum": value.sum(), "max": value.max(), "min": value.min()}[spec.kind]
            dtype = nodes[spec.variable].variable.dtype
            agg = pl.when(value.null_count() > 0).then(None).otherwise(reduced).cast(dtype)
            identity = 0 if spec.kind == "sum" else None
        if spec.where is not None:
            # Whether a child belongs to the set is itself undetermined: so is the aggregate.
            agg = pl.when(pl.col(spec.where).null_count() > 0).then(None).otherwise(agg)
        exprs.append(agg.alias(spec.column))
        fills.append(
            pl.when(pl.col(rows).is_null())
            .then(pl.lit(identity))
            .otherwise(pl.col(spec.column))
            .alias(spec.column)
        )
    grouped = child_frame.group_by(child.parent_key).agg(exprs)
    return (
        parent_frame.join(
            grouped,
            left_on=parent.key,
            right_on=child.parent_key,
            how="left",
            maintain_order="left",
        )
        .with_columns(fills)
        .drop(rows)
    )
