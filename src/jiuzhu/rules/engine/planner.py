"""The planner and executor: from requested outputs to Polars computations.

1. **Resolve.** Walk the dependencies of the requested outputs. Each formula is called once, with a
   recording ``Formula`` scope, which yields its expression and what it read. Nothing unrequested is
   computed and nothing twice.
2. **Schedule.** Repeat until every variable is placed: on each entity, every variable whose
   dependencies are available (one ``with_columns`` layer at a time, chained into one lazy plan
   per entity and round); then every aggregation from a child entity whose inputs are ready; then
   every parent variable a child needs (broadcast). The number of rounds is the number of entity
   crossings on the longest dependency chain, not the number of variables.
3. **Execute.** Each round's lazy plan is collected; entity crossings use the rows' order instead
   of joins: children are kept sorted by their parent's row, so a broadcast is a ``gather`` and an
   aggregation is a difference of prefix sums over each parent's contiguous segment. Columns no
   later step reads are dropped as soon as possible, which bounds memory (docs/decisions/0001).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from jiuzhu.rules.engine.entities import ENTITIES, HOUSEHOLD, Entity
from jiuzhu.rules.engine.formula import Aggregate, Dependencies, Formula
from jiuzhu.rules.engine.parameters import ParameterTree
from jiuzhu.rules.engine.variables import Variable, Variables

ROW = "__row"
"""Column holding a child's original position while children are sorted by parent."""
AGGREGATE_BATCH = 8
"""Aggregated columns processed together (bounds the prefix-sum memory)."""


@dataclass
class Node:
    """A variable in the plan, with its expression (None for inputs) and dependencies."""

    variable: Variable
    expression: pl.Expr | None
    deps: Dependencies = field(default_factory=Dependencies)


@dataclass(frozen=True)
class Step:
    """One scheduled operation: a layer of formulas, an aggregation or a broadcast."""

    kind: str
    """``layer``, ``aggregate`` or ``broadcast``."""
    entity: Entity
    """The entity whose frame gains columns."""
    names: tuple[str, ...]
    """Variables (layer, broadcast) or aggregate columns (aggregate) produced."""
    round: int


@dataclass
class Plan:
    """The resolved variables and the ordered steps that compute them."""

    nodes: dict[str, Node]
    steps: list[Step]
    aggregates: dict[str, Aggregate]
    outputs: list[str]
    wanted: list[str]
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

    def dtype_of(self, name: str) -> pl.DataType:
        return self._variables[name].dtype


def _dep_names(deps: Dependencies) -> set[str]:
    names = set(deps.local) | set(deps.parent)
    for agg in deps.aggregates.values():
        names.update(n for n in (agg.variable, agg.where) if n is not None)
    names.update(k for keys in deps.parameters.values() for k in keys if not k.startswith("="))
    return names


def build_plan(
    variables: Variables,
    tree: ParameterTree,
    inputs: Mapping[str, Sequence[str]],
    outputs: Sequence[str],
    dates: list[dt.date],
    keep: Sequence[str] = (),
    keep_all: bool | str = False,
) -> Plan:
    """Resolve and schedule the computation of ``outputs``.

    Args:
        variables: every variable of the rule system.
        tree: parameters (already overridden if a simulation asks so).
        inputs: entity name → the input columns its frame holds.
        outputs: variables to compute.
        dates: sorted distinct assessment dates of the batch (parameters are resolved for them).
        keep: further variables to keep in the result (``outputs`` are always kept).
        keep_all: keep every variable the outputs rest on (the trace): True for every
            entity, or an entity name (``household``) for that entity's variables only.

    Raises:
        KeyError: an unknown variable; TypeError: a formula crosses entities implicitly;
        RuntimeError: circular definitions; ParameterNotDefinedError: a date before a parameter's
        first value.
    """
    nodes = _resolve(variables, tree, dates, [*outputs, *keep])
    steps, aggregates = _schedule(nodes)
    traced = [
        name
        for name in sorted(nodes)
        if keep_all is True or (keep_all and nodes[name].variable.entity.name == keep_all)
    ]
    wanted = list(dict.fromkeys([*outputs, *keep, *traced]))
    del inputs  # the input columns are prepared by ``execute``; kept for the signature's clarity
    return Plan(nodes, steps, aggregates, list(outputs), wanted, dates)


def _resolve(
    variables: Variables, tree: ParameterTree, dates: list[dt.date], names: Sequence[str]
) -> dict[str, Node]:
    """Every variable ``names`` rest on, each formula called once with a recording scope."""
    lookup = _Lookup(variables)
    nodes: dict[str, Node] = {}
    stack = list(dict.fromkeys(names))
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
    return nodes


@dataclass
class _Schedule:
    """What is computed so far while the steps are placed, round after round."""

    nodes: dict[str, Node]
    available: dict[str, set[str]]
    """Entity name → variables (and aggregate columns) its frame holds."""
    pending: set[str]
    """Formulas not yet placed."""
    aggregates: dict[str, Aggregate]
    """Aggregations not yet placed, by column."""
    broadcasts: set[tuple[str, str]]
    """(child entity name, parent variable) not yet placed."""
    steps: list[Step] = field(default_factory=list)

    @property
    def unfinished(self) -> bool:
        return bool(self.pending or self.aggregates or self.broadcasts)

    def place_layers(self, entity: Entity, round_number: int) -> bool:
        """One layer after another of the formulas of ``entity`` whose inputs are there."""
        placed = False
        while True:
            ready = sorted(
                n
                for n in self.pending
                if self.nodes[n].variable.entity == entity
                and _satisfied(self.nodes[n].deps, self.available[entity.name])
            )
            if not ready:
                return placed
            self.steps.append(Step("layer", entity, tuple(ready), round_number))
            self.available[entity.name].update(ready)
            self.pending.difference_update(ready)
            placed = True

    def place_aggregates(self, child: Entity, round_number: int) -> bool:
        """Every aggregation from ``child`` to its parent whose child values are there."""
        parent = child.parent
        assert parent is not None
        ready = sorted(
            a.column
            for a in self.aggregates.values()
            if a.child == child
            and all(n in self.available[child.name] for n in (a.variable, a.where) if n is not None)
        )
        if not ready:
            return False
        self.steps.append(Step("aggregate", parent, tuple(ready), round_number))
        self.available[parent.name].update(ready)
        for column in ready:
            del self.aggregates[column]
        return True

    def place_broadcasts(self, child: Entity, round_number: int) -> bool:
        """Every parent variable ``child`` reads that its parent's frame holds."""
        parent = child.parent
        assert parent is not None
        ready = sorted(
            name
            for (entity_name, name) in self.broadcasts
            if entity_name == child.name and name in self.available[parent.name]
        )
        if not ready:
            return False
        self.steps.append(Step("broadcast", child, tuple(ready), round_number))
        self.available[child.name].update(ready)
        self.broadcasts.difference_update((child.name, n) for n in ready)
        return True

    def stuck(self) -> list[str]:
        return (
            sorted(self.pending) or sorted(self.aggregates) or sorted(n for _, n in self.broadcasts)
        )


def _schedule(nodes: dict[str, Node]) -> tuple[list[Step], dict[str, Aggregate]]:
    """The steps computing ``nodes`` in rounds (formulas of each entity, then aggregations and
    broadcasts), and every aggregation by column.

    Raises:
        RuntimeError: circular or unsatisfiable dependencies.
    """
    aggregates: dict[str, Aggregate] = {}
    broadcasts: set[tuple[str, str]] = set()
    for node in nodes.values():
        aggregates.update(node.deps.aggregates)
        broadcasts.update((node.variable.entity.name, p) for p in node.deps.parent)
    schedule = _Schedule(
        nodes,
        available={
            e.name: {
                n
                for n, node in nodes.items()
                if node.expression is None and node.variable.entity == e
            }
            for e in ENTITIES
        },
        pending={n for n, node in nodes.items() if node.expression is not None},
        aggregates=dict(aggregates),
        broadcasts=broadcasts,
    )
    round_number = 0
    while schedule.unfinished:
        round_number += 1
        progressed = False
        for entity in ENTITIES:
            progressed |= schedule.place_layers(entity, round_number)
        for child in ENTITIES[1:]:
            progressed |= schedule.place_aggregates(child, round_number)
            progressed |= schedule.place_broadcasts(child, round_number)
        if not progressed:
            raise RuntimeError(
                f"cannot plan: circular or unsatisfiable dependencies in {schedule.stuck()}"
            )
    return schedule.steps, aggregates


def _satisfied(deps: Dependencies, available: set[str]) -> bool:
    return (
        deps.local <= available
        and deps.parent <= available
        and all(column in available for column in deps.aggregates)
    )


# --- execution ---------------------------------------------------------------------------------


@dataclass
class _Links:
    """How a child entity's rows sit under its parent's rows (children sorted by parent): the
    segments follow one another, each parent's ending where the next one's starts."""

    starts: np.ndarray
    """Per parent row, its first child row."""
    ends: np.ndarray
    """Per parent row, one past its last child row."""

    @cached_property
    def bounds(self) -> np.ndarray:
        """Every segment's start and the last one's end: ``bounds[i]:bounds[i + 1]`` are the
        children of parent ``i``."""
        return np.append(self.starts, self.ends[-1:] if self.ends.shape[0] else [0])

    @cached_property
    def parent_row(self) -> pl.Series:
        """For each child row, its parent's row number (non-decreasing); computed once a slice,
        as every broadcast to the child reads it."""
        lengths = self.ends - self.starts
        # Polars' own index type (32 bits): a gather by 64-bit rows converts and checks each
        # index first (a fifth of a broadcast's time).
        index = np.uint32 if lengths.shape[0] < 2**32 else np.int64
        return pl.Series(np.repeat(np.arange(lengths.shape[0], dtype=index), lengths))


def execute(
    plan: Plan,
    frames: Mapping[str, pl.DataFrame],
    timings: list[tuple[str, float]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Run a plan on validated entity frames.

    Args:
        plan: from ``build_plan``.
        frames: entity name → frame (keys and inputs).
        timings: if given, receives (step description, seconds) for each executed step
            (``bench/assess.py`` prints them).

    Returns:
        entity name → frame with the key columns and the wanted variables of that entity, rows in
        the input order.
    """
    run = _Run(plan, timings)
    for entity in ENTITIES:
        run.state[entity.name] = _prepare_inputs(frames[entity.name], entity, plan.nodes)
    run.timed("prepare inputs")
    for child in ENTITIES[1:]:
        parent = child.parent
        assert parent is not None
        run.state[child.name], run.links[child.name] = link_children(
            run.state[child.name], run.state[parent.name], child
        )
    run.timed("link children to parents")
    last_use = _last_uses(plan)
    for index, step in enumerate(plan.steps):
        if step.kind == "layer":
            run.queue_layer(step)
            continue
        if step.kind == "broadcast":
            run.broadcast(step)
        else:
            run.aggregate(step)
        _drop_dead(run.state, plan, last_use, run.wanted, index, skip=set(run.pending_layers))
    for entity in ENTITIES:
        run.flush(entity.name)
    result = run.outputs()
    run.timed("select outputs")
    return result


class _Run:
    """The frames of one execution: each entity's frame, the links between them and the layers
    of formulas queued for each entity (run as one lazy plan when a crossing needs them)."""

    def __init__(self, plan: Plan, timings: list[tuple[str, float]] | None) -> None:
        self.plan = plan
        self.wanted = set(plan.wanted)
        self.state: dict[str, pl.DataFrame] = {}
        self.links: dict[str, _Links] = {}
        self.pending_layers: dict[str, list[list[pl.Expr]]] = {}
        self._timings = timings
        self._started = time.perf_counter()

    def timed(self, label: str) -> None:
        """Record the seconds since the last record, if timings are asked for."""
        if self._timings is not None:
            now = time.perf_counter()
            self._timings.append((label, now - self._started))
            self._started = now

    def queue_layer(self, step: Step) -> None:
        exprs = [self.plan.nodes[n].expression for n in step.names]
        self.pending_layers.setdefault(step.entity.name, []).append(
            [e for e in exprs if e is not None]
        )

    def flush(self, entity_name: str) -> None:
        """Run the layers queued for an entity, one ``with_columns`` after another."""
        layers = self.pending_layers.pop(entity_name, None)
        if layers:
            frame = self.state[entity_name].lazy()
            for layer in layers:
                frame = frame.with_columns(layer)
            self.state[entity_name] = frame.collect(engine="in-memory")
            self.timed(f"{sum(len(layer) for layer in layers)} formulas on {entity_name}")

    def broadcast(self, step: Step) -> None:
        """Parent values onto each child row (a gather by the child's parent row)."""
        child, parent = step.entity, step.entity.parent
        assert parent is not None
        self.flush(parent.name)
        self.flush(child.name)
        parents = self.state[parent.name]
        if self.state[child.name].is_empty():
            # No child (a batch without obligors): typed empty columns, no gather to plan.
            gathered = [pl.Series(name, [], parents.schema[name]) for name in step.names]
        else:
            # One select: the columns are gathered side by side on every CPU.
            parent_row = self.links[child.name].parent_row
            gathered = parents.select(pl.col(step.names).gather(parent_row)).get_columns()
        self.state[child.name] = self.state[child.name].hstack(gathered)
        self.timed(f"broadcast {len(gathered)} to {child.name}")

    def aggregate(self, step: Step) -> None:
        """Child values summed (counted, any, all) onto their parent's row."""
        parent = step.entity
        specs = [self.plan.aggregates[c] for c in step.names]
        child = specs[0].child
        self.flush(child.name)
        self.flush(parent.name)
        self.state[parent.name] = self.state[parent.name].hstack(
            _aggregate(self.state[child.name], self.links[child.name], specs, self.plan.nodes)
        )
        self.timed(f"aggregate {len(specs)} from {child.name}")

    def outputs(self) -> dict[str, pl.DataFrame]:
        """Keys and wanted variables of each entity, rows back in the input order."""
        result: dict[str, pl.DataFrame] = {}
        for entity in ENTITIES:
            columns = [n for n in self.plan.wanted if self.plan.nodes[n].variable.entity == entity]
            if not columns and entity != HOUSEHOLD:
                continue
            frame = self.state[entity.name]
            if ROW in frame.columns:
                frame = frame.sort(ROW)
            keys = [entity.key] + ([entity.parent_key] if entity.parent_key else [])
            result[entity.name] = frame.select([*keys, *columns])
        return result


def _prepare_inputs(frame: pl.DataFrame, entity: Entity, nodes: Mapping[str, Node]) -> pl.DataFrame:
    """Keys and the needed inputs, with declared dtypes and defaults filled, each column in one
    piece: a slice of a frame read from Parquet spans several of its row groups, and every
    column computed from it would inherit those pieces, which made each gather, aggregate and
    hand-over to NumPy slower (at 1e6 households, the aggregates 0.42 → 0.33 s and the
    broadcasts 0.08 → 0.06 s for 0.04 s of copying)."""
    keys = [entity.key] + ([entity.parent_key] if entity.parent_key else [])
    columns: list[pl.Expr] = [pl.col(k) for k in keys]
    for node in nodes.values():
        var = node.variable
        if node.expression is not None or var.entity != entity:
            continue
        if var.name in frame.columns:
            expr = pl.col(var.name).cast(var.dtype)
            if var.default is not None and not var.nullable:
                expr = expr.fill_null(pl.lit(var.default, var.dtype))
        else:
            expr = pl.lit(var.default, var.dtype)
        columns.append(expr.alias(var.name))
    return frame.select(columns).rechunk()


def link_children(
    frame: pl.DataFrame, parents: pl.DataFrame, child: Entity
) -> tuple[pl.DataFrame, _Links]:
    """Find each child row's parent row and sort the children by it if they are not already
    (a ``__row`` column then records their original order).

    Returns:
        the (possibly sorted) child frame and, per parent row, the segment of its children.
    """
    parent = child.parent
    assert parent is not None and child.parent_key is not None
    if frame.is_empty():
        none = np.zeros(parents.height, dtype=np.int64)
        return frame, _Links(none, none)
    keys = frame[child.parent_key]
    parent_keys = parents[parent.key]
    starts = grouped_starts(keys, parent_keys)
    if starts is None:
        parent_row = (
            frame.select(pl.col(child.parent_key).alias("__key"))
            .join(
                parents.select(pl.col(parent.key).alias("__key")).with_row_index("__parent_row"),
                on="__key",
                how="left",
                maintain_order="left",
            )["__parent_row"]
            .cast(pl.Int64)
            .to_numpy()
        )
        if not bool(np.all(parent_row[1:] >= parent_row[:-1])):
            order = np.argsort(parent_row, kind="stable")  # keeps sibling order
            frame = frame.with_row_index(ROW)[order]
            parent_row = parent_row[order]
        counts = np.bincount(parent_row, minlength=parents.height)
        starts = np.cumsum(counts) - counts
    ends = np.append(starts[1:], frame.height) if starts.shape[0] else starts
    return frame, _Links(starts, ends)


def grouped_starts(keys: pl.Series, parent_keys: pl.Series) -> np.ndarray | None:
    """If the children's parent keys run in exactly the parents' order, each parent at least
    once, each parent's first child row; else None."""
    if keys.null_count() or keys.dtype != parent_keys.dtype:
        return None
    if keys.dtype.is_integer():
        values = keys.to_numpy()
        boundaries = np.empty(values.shape[0], dtype=bool)
        boundaries[0] = True
        np.not_equal(values[1:], values[:-1], out=boundaries[1:])
        starts = np.flatnonzero(boundaries)
        if starts.shape[0] != parent_keys.len() or not np.array_equal(
            values[starts], parent_keys.to_numpy()
        ):
            return None
        return starts
    boundary_series = keys.ne_missing(keys.shift(1)).fill_null(True)
    if not keys.filter(boundary_series).equals(parent_keys, check_names=False):
        return None
    return np.flatnonzero(boundary_series.to_numpy())


def _segment_sums(table: pl.DataFrame, links: _Links) -> pl.DataFrame:
    """Column sums over each parent's contiguous segment of children (Int64 for integer
    columns)."""
    if table.width == 0:
        return pl.DataFrame(height=links.starts.shape[0])
    if all(dtype.is_integer() for dtype in table.dtypes) and not any(table.null_count().row(0)):
        # Every contribution of today's rules (counts, flags, money in fen). NumPy lets go of
        # the GIL in its prefix sums and look-ups, so the columns are summed on as many threads
        # as Polars uses (idle meanwhile): 2.3 times as fast on two CPUs.
        with ThreadPoolExecutor(pl.thread_pool_size()) as pool:
            sums = pool.map(lambda name: _integer_segment_sums(table[name], links), table.columns)
            return pl.DataFrame(dict(zip(table.columns, sums, strict=True)))
    prefix = table.select(pl.all().cum_sum())
    prefix = pl.concat(
        [pl.DataFrame({c: [0] for c in table.columns}, schema=prefix.schema), prefix]
    )
    # cum_sum widens 32-bit counts to 64 bits; differences are small again, so no overflow.
    return prefix[links.ends] - prefix[links.starts]


def _integer_segment_sums(column: pl.Series, links: _Links) -> np.ndarray:
    """Int64 sums of an integer column over each parent's segment: one NumPy prefix sum, read
    at the segments' bounds and differenced (about twice as fast as Polars' ``cum_sum`` and half
    the work of ``reduceat``; one look-up at the bounds instead of one at the starts and one at
    the ends halved the look-ups' time)."""
    prefix = np.empty(column.len() + 1, dtype=np.int64)
    prefix[0] = 0
    np.cumsum(column.to_numpy(), dtype=np.int64, out=prefix[1:])
    sums: np.ndarray = np.diff(prefix.take(links.bounds))
    return sums


def _contribution(spec: Aggregate, nullable: bool) -> pl.Expr | None:
    """What each child adds to the aggregate's segment sum (None: the segment length).

    ``sum`` adds the value of members; ``count`` counts members; ``any`` counts members
    certainly true; ``all`` counts members certainly false.
    """
    member = pl.col(spec.where).fill_null(False) if spec.where is not None else None
    if spec.kind == "count":
        return member.cast(pl.Int32) if member is not None else None
    assert spec.variable is not None
    value = pl.col(spec.variable)
    if spec.kind == "sum":
        present = value.fill_null(0) if nullable else value
        return present if member is None else pl.when(member).then(present).otherwise(0)
    wanted = value.fill_null(False) if spec.kind == "any" else ~value.fill_null(True)
    return (wanted if member is None else member & wanted).cast(pl.Int32)


def _undetermined(spec: Aggregate, value_nulls: bool) -> pl.Expr:
    """1 for a child whose membership, or whose value as a member, is undetermined. When the
    values hold no null the flag depends on the membership alone, so aggregates over the same
    members share one flag column."""
    where = pl.col(spec.where) if spec.where is not None else pl.lit(True)
    if not value_nulls or spec.variable is None:
        return where.is_null().cast(pl.Int32)
    return (where.is_null() | (where.fill_null(False) & pl.col(spec.variable).is_null())).cast(
        pl.Int32
    )


def _aggregate(
    children: pl.DataFrame, links: _Links, specs: list[Aggregate], nodes: Mapping[str, Node]
) -> list[pl.Series]:
    """Aggregates of child variables, one value per parent row.

    Three-valued semantics: a child whose membership (``where``) is undetermined, or a member
    whose value is undetermined, makes a sum or count undetermined (null); ``any`` is true as soon
    as one member is certainly true (else null if one is undetermined), ``all`` false as soon as
    one is certainly false. A parent with no children gets 0, false (any) or true (all).
    """
    columns: dict[str, pl.Expr] = {}
    names: dict[str, str] = {}

    def column(expr: pl.Expr) -> str:
        # Identical contributions (the same membership flag for several sums, say) are computed
        # once.
        key = str(expr)
        if key not in names:
            names[key] = f"c{len(names)}"
            columns[names[key]] = expr
        return names[key]

    value_of: list[str | None] = []
    flag_of: list[str | None] = []
    for spec in specs:
        # Null counts are metadata: the three-valued bookkeeping is only paid for columns that
        # actually hold undetermined values.
        where_nulls = spec.where is not None and children[spec.where].null_count() > 0
        value_nulls = spec.variable is not None and children[spec.variable].null_count() > 0
        contribution = _contribution(spec, value_nulls)
        value_of.append(column(contribution) if contribution is not None else None)
        if where_nulls or value_nulls:
            flag_of.append(column(_undetermined(spec, value_nulls)))
        else:
            flag_of.append(None)
    totals = pl.DataFrame(height=links.starts.shape[0])
    ordered = list(columns.items())
    for start in range(0, len(ordered), AGGREGATE_BATCH):
        # A few columns at a time: prefix sums of a 2.5-million-row frame are large, and memory
        # freed by one batch is reused by the next.
        batch = children.select(
            [expr.alias(name) for name, expr in ordered[start : start + AGGREGATE_BATCH]]
        )
        nonzero = batch.select(pl.all().ne(0).any()).row(0, named=True)
        busy = [name for name, flag in nonzero.items() if flag]
        sums = _segment_sums(batch.select(busy), links)
        totals = totals.hstack(sums.get_columns()).with_columns(
            pl.lit(0, batch.schema[name]).alias(name) for name in batch.columns if name not in busy
        )
    lengths = links.ends - links.starts
    finals: list[pl.Expr] = []
    for number, spec in enumerate(specs):
        value_name, flag_name = value_of[number], flag_of[number]
        total = pl.col(value_name) if value_name is not None else pl.lit(pl.Series(lengths))
        unknown = pl.col(flag_name) > 0 if flag_name is not None else pl.lit(False)
        if spec.kind in ("sum", "count"):
            dtype = (
                nodes[spec.variable].variable.dtype
                if spec.kind == "sum" and spec.variable
                else pl.Int64()
            )
            result = total if flag_name is None else pl.when(unknown).then(None).otherwise(total)
            result = result.cast(dtype)
        elif spec.kind == "any":
            result = pl.when(total > 0).then(True).when(unknown).then(None).otherwise(False)
        else:
            result = pl.when(total > 0).then(False).when(unknown).then(None).otherwise(True)
        finals.append(result.alias(spec.column))
    return totals.select(finals).get_columns()


def _last_uses(plan: Plan) -> dict[tuple[str, str], int]:
    """(entity, column) → index of the last step that reads it."""
    last: dict[tuple[str, str], int] = {}
    for index, step in enumerate(plan.steps):
        for read in _reads(plan, step):
            last[read] = index
    return last


def _reads(plan: Plan, step: Step) -> Iterator[tuple[str, str]]:
    """The (entity, column) pairs a step reads: a layer its formulas' local, aggregated, parent
    and parameter-key columns; a broadcast its parent's columns; an aggregation its variable and
    condition on the child."""
    if step.kind == "layer":
        for name in step.names:
            deps = plan.nodes[name].deps
            for dep in (*deps.local, *deps.aggregates, *deps.parent):
                yield (step.entity.name, dep)
            for keys in deps.parameters.values():
                yield from ((step.entity.name, key) for key in keys if not key.startswith("="))
    elif step.kind == "broadcast":
        parent = step.entity.parent
        assert parent is not None
        yield from ((parent.name, name) for name in step.names)
    else:
        for column in step.names:
            spec = plan.aggregates[column]
            yield from ((spec.child.name, r) for r in (spec.variable, spec.where) if r is not None)


def _drop_dead(
    state: dict[str, pl.DataFrame],
    plan: Plan,
    last_use: Mapping[tuple[str, str], int],
    wanted: set[str],
    index: int,
    skip: set[str],
) -> None:
    """Drop columns that no later step reads and no output needs (bounds memory); entities with
    layers still queued are left alone until those run."""
    for entity in ENTITIES:
        if entity.name in skip:
            continue
        frame = state[entity.name]
        keys = {entity.key, entity.parent_key, ROW}
        dead = [
            c
            for c in frame.columns
            if c not in keys and c not in wanted and last_use.get((entity.name, c), -1) <= index
        ]
        if dead:
            state[entity.name] = frame.drop(dead)
