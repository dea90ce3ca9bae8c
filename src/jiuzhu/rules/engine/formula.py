"""The scope a formula is written against.

A formula receives a ``Formula`` and returns a Polars expression. The scope hands out column
expressions for other variables (recording each dependency for the planner), crosses entities
explicitly, and turns effective-dated parameters into expressions for the batch's dates::

    @variable(HOUSEHOLD, pl.Int64, Unit.FEN_PER_MONTH, "低保金", "Dibao benefit", reference=…)
    def dibao_amount(f: Formula) -> pl.Expr:
        gap = f("dibao_income_limit") - f("dibao_counted_income")
        return pl.when(f("dibao_eligible")).then(gap).otherwise(0)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

import polars as pl

from jiuzhu.rules.engine.entities import Entity
from jiuzhu.rules.engine.parameters import Marker, ParameterTree, Resolved
from jiuzhu.rules.engine.units import FEN_PER_YUAN, ParameterUnit

DATE_VARIABLE = "assessment_date"
"""The household input holding each household's assessment date (a batch may mix dates)."""


ROUNDING_UNITS = {"fen": 1, "yuan": FEN_PER_YUAN}
ROUNDING_MODES = ("half_up", "floor", "ceiling")


@dataclass(frozen=True)
class Aggregate:
    """A child → parent aggregation a formula asked for."""

    kind: str
    child: Entity
    variable: str | None
    where: str | None

    @property
    def column(self) -> str:
        name = f"__{self.kind}__{self.child.name}__{self.variable or 'rows'}"
        return name + (f"__if__{self.where}" if self.where else "")


@dataclass
class Dependencies:
    """What one formula read: local variables, parent variables, aggregates and parameters."""

    local: set[str] = field(default_factory=set)
    parent: set[str] = field(default_factory=set)
    aggregates: dict[str, Aggregate] = field(default_factory=dict)
    parameters: dict[str, set[str]] = field(default_factory=dict)
    """Parameter path → how its breakdown was keyed: variable names, or ``=code`` for a fixed
    code (empty for scalar parameters)."""


class VariableLookup(Protocol):
    def entity_of(self, name: str) -> Entity: ...

    def dtype_of(self, name: str) -> pl.DataType: ...


@dataclass(frozen=True)
class Ratio:
    """A ratio parameter as exact integer numerator and denominator expressions."""

    numerator: pl.Expr
    denominator: pl.Expr


class Formula:
    """Scope of one formula evaluation for ``entity`` (see module docstring)."""

    def __init__(
        self,
        entity: Entity,
        variables: VariableLookup,
        tree: ParameterTree,
        dates: list[dt.date],
        owner: str,
    ) -> None:
        self.entity = entity
        self.deps = Dependencies()
        self._variables = variables
        self._tree = tree
        self._dates = dates
        self._owner = owner

    # --- variables ---------------------------------------------------------------------------

    def __call__(self, name: str) -> pl.Expr:
        """A variable of this formula's own entity."""
        self._expect(name, self.entity)
        self.deps.local.add(name)
        return pl.col(name)

    def dtype(self, name: str) -> pl.DataType:
        """The declared dtype of a variable (a code variable's ``pl.Enum`` lists its codes)."""
        return self._variables.dtype_of(name)

    def recode(self, name: str, mapping: Mapping[str, object], dtype: pl.DataType) -> pl.Expr:
        """A variable of this entity mapped code by code (``mapping[code]``, null for a code not
        in it or a null code), as ``dtype``."""
        return lookup(self(name), mapping, dtype, self.dtype(name))

    def parent(self, name: str) -> pl.Expr:
        """A variable of the parent entity, broadcast to each of its children (e.g. a person's
        household's dibao standard)."""
        if self.entity.parent is None:
            raise TypeError(f"{self._owner}: {self.entity} has no parent entity")
        self._expect(name, self.entity.parent)
        self.deps.parent.add(name)
        return pl.col(name)

    @property
    def date(self) -> pl.Expr:
        """Each row's assessment date (the household's)."""
        return self._date_expr()

    @property
    def single_date(self) -> dt.date | None:
        """The assessment date of every row when the batch has only one (the usual case), else
        None: a formula may then precompute what depends on the date alone."""
        return self._dates[0] if len(self._dates) == 1 else None

    def _date_expr(self) -> pl.Expr:
        if len(self._dates) == 1:
            # One date in the whole batch (the usual case): a literal, nothing to broadcast.
            return pl.lit(self._dates[0], pl.Date)
        if self.entity.parent is None:
            self.deps.local.add(DATE_VARIABLE)
        elif self.entity.parent.parent is None:
            self.deps.parent.add(DATE_VARIABLE)
        else:
            raise TypeError(f"{self._owner}: dated parameters are read on persons or households")
        return pl.col(DATE_VARIABLE)

    def sum(self, child: Entity, name: str, where: str | None = None) -> pl.Expr:
        """Sum of a child variable over this row's children (optionally only where ``where``)."""
        return self._aggregate("sum", child, name, where)

    def any(self, child: Entity, name: str, where: str | None = None) -> pl.Expr:
        """True if the boolean child variable is true for some child (Kleene: null if unknown)."""
        return self._aggregate("any", child, name, where)

    def all(self, child: Entity, name: str, where: str | None = None) -> pl.Expr:
        """True if the boolean child variable is true for every child (true when none)."""
        return self._aggregate("all", child, name, where)

    def count(self, child: Entity, where: str | None = None) -> pl.Expr:
        """Number of children (where ``where`` is true)."""
        return self._aggregate("count", child, None, where)

    def _aggregate(self, kind: str, child: Entity, name: str | None, where: str | None) -> pl.Expr:
        if child.parent != self.entity:
            raise TypeError(f"{self._owner}: {child} is not a child entity of {self.entity}")
        for needed in (name, where):
            if needed is not None:
                self._expect(needed, child)
        spec = Aggregate(kind, child, name, where)
        self.deps.aggregates[spec.column] = spec
        return pl.col(spec.column)

    def _expect(self, name: str, entity: Entity) -> None:
        actual = self._variables.entity_of(name)
        if actual != entity:
            raise TypeError(
                f"{self._owner}: variable {name!r} belongs to {actual}, not {entity}; "
                "cross entities with parent() or an aggregation"
            )

    # --- parameters --------------------------------------------------------------------------

    def _record_key(self, path: str, key: str | None, code: str | None) -> None:
        keys = self.deps.parameters.setdefault(path, set())
        if key is not None:
            keys.add(key)
        if code is not None:
            keys.add("=" + code)

    def params(
        self, build: Callable[..., pl.Expr], *paths: str, on: pl.Expr | None = None
    ) -> pl.Expr:
        """An expression built from parameter values, piecewise over the batch's dates.

        ``build`` receives one resolved value per path (int fen, Fraction, bool, code, a
        ``{code: value}`` dict, or an ``UNKNOWN`` / ``NOT_APPLICABLE`` marker) and returns an
        expression. Where all the batch's dates share the values, the result is that single
        expression (literals); otherwise a ``when(date in interval)`` chain over ``on``: each
        row's assessment date by default, or an expression holding it (an obligor reads its
        person's ``person_assessment_date``, since dated parameters are otherwise read on
        persons and households only).

        Raises:
            ParameterNotDefinedError: a batch date precedes a parameter's first value.
        """
        for path in paths:
            self.deps.parameters.setdefault(path, set())
        segments = self._tree.segments(paths, self._dates)
        if not segments:
            return build(*(self._tree[p].values[-1].value for p in paths))
        if len(segments) == 1:
            return build(*(v.value for v in segments[0].values))
        date = self._date_expr() if on is None else on
        expr: pl.Expr = pl.lit(None)
        for segment in reversed(segments):
            condition = pl.lit(True)
            if segment.start is not None:
                condition = condition & (date >= pl.lit(segment.start))
            if segment.end is not None:
                condition = condition & (date < pl.lit(segment.end))
            expr = (
                pl.when(condition).then(build(*(v.value for v in segment.values))).otherwise(expr)
            )
        return expr

    def param(self, path: str, key: str | None = None, code: str | None = None) -> pl.Expr:
        """A parameter's value for each row.

        Args:
            path: parameter path, e.g. ``dibao.standard``.
            key: for a broken-down parameter, the variable (of this entity) holding the code.
            code: for a broken-down parameter, one fixed code instead of ``key``.

        Unknown and not-applicable values become null: the formulas' null propagation then
        makes the result undetermined instead of silently deciding (docs/decisions/0004).
        """
        parameter = self._tree[path]
        dtype = _dtype_of(parameter.unit)
        if parameter.breakdown is not None and key is None and code is None:
            raise TypeError(f"{self._owner}: {path} is broken down by {parameter.breakdown}")
        key_expr = self(key) if key is not None else None
        key_dtype = self.dtype(key) if key is not None else None
        self._record_key(path, key, code)

        def build(value: Resolved) -> pl.Expr:
            if isinstance(value, dict):
                if code is not None:
                    return _literal(value[code], dtype)
                assert key_expr is not None
                mapping = {k: _scalar(v) for k, v in value.items()}
                if len(set(map(repr, mapping.values()))) == 1:
                    # The same value for every code (the unified dibao standard, say).
                    return _literal(next(iter(mapping.values())), dtype)
                return lookup(key_expr, mapping, dtype, key_dtype)
            return _literal(value, dtype)

        return self.params(build, path)

    def ratio(self, path: str, key: str | None = None, code: str | None = None) -> Ratio:
        """A ratio parameter as exact numerator/denominator expressions (for cross-multiplied
        comparisons such as ``income * den <= standard * members * num``)."""
        key_expr = self(key) if key is not None else None
        key_dtype = self.dtype(key) if key is not None else None
        self._record_key(path, key, code)
        parts = []
        for part in ("numerator", "denominator"):

            def build(value: Resolved, part: str = part) -> pl.Expr:
                if isinstance(value, dict):
                    if code is not None:
                        return pl.lit(_fraction_part(value[code], part), pl.Int64)
                    assert key_expr is not None
                    mapping = {k: _fraction_part(v, part) for k, v in value.items()}
                    return lookup(key_expr, mapping, pl.Int64(), key_dtype)
                return pl.lit(_fraction_part(value, part), pl.Int64)

            parts.append(self.params(build, path))
        return Ratio(parts[0], parts[1])

    def scale(
        self,
        amount: pl.Expr,
        ratio_path: str,
        rounding_path: str | None = None,
        code: str | None = None,
    ) -> pl.Expr:
        """``amount × ratio`` in integer fen, rounded as the rounding parameter says (to the fen,
        half up, when no rounding parameter is given). ``amount`` must be non-negative; ``code``
        picks one entry of a broken-down ratio. An unknown ratio gives null."""
        paths = (ratio_path,) if rounding_path is None else (ratio_path, rounding_path)
        self._record_key(ratio_path, None, code)

        def build(ratio: Resolved, rounding: Resolved = "fen_half_up") -> pl.Expr:
            if isinstance(ratio, dict):
                assert code is not None, f"{ratio_path} is broken down: give a code"
                ratio = ratio[code]
            if isinstance(ratio, Marker) or isinstance(rounding, Marker):
                return pl.lit(None, pl.Int64)
            assert isinstance(ratio, Fraction) and isinstance(rounding, str)
            return round_ratio(amount, ratio, rounding)

        return self.params(build, *paths)


def round_ratio(amount: pl.Expr, ratio: Fraction, rounding: str) -> pl.Expr:
    """Exact ``amount × ratio`` on non-negative integer fen, rounded by ``rounding``
    (``<unit>_<mode>``: unit fen or yuan, mode half_up, floor or ceiling)."""
    if ratio == 0:
        return pl.lit(0, pl.Int64)
    unit_name, _, mode = rounding.partition("_")
    unit = ROUNDING_UNITS[unit_name]
    if mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding {rounding!r}")
    numerator = amount * ratio.numerator
    divisor = ratio.denominator * unit
    if mode == "half_up":
        rounded = (numerator * 2 + divisor) // (divisor * 2)
    elif mode == "floor":
        rounded = numerator // divisor
    else:
        rounded = -((-numerator) // divisor)
    return (rounded * unit).cast(pl.Int64)


def _dtype_of(unit: ParameterUnit) -> pl.DataType:
    if unit is ParameterUnit.BOOLEAN:
        return pl.Boolean()
    if unit is ParameterUnit.CODE:
        return pl.String()
    if unit is ParameterUnit.SQUARE_METRES_PER_PERSON:
        return pl.Float64()
    if unit is ParameterUnit.RATIO:
        raise TypeError("a ratio parameter is read with ratio() or scale(), never as a float")
    return pl.Int64()


LOOKUP_BRANCHES = 3
"""Up to this many distinct values, a lookup by a string key is a chain of ``is_in`` tests, each
a hash set of a few codes (about 7 ms over 2.5 million rows), rather than ``replace_strict``,
which hashes every row's string into the whole map (about 35 ms)."""


def lookup(
    key: pl.Expr, mapping: Mapping[str, object], dtype: pl.DataType, key_dtype: object = None
) -> pl.Expr:
    """``mapping[key]`` for each row, as ``dtype``: null where the key is null or not in
    ``mapping``, or its value is None (unknown).

    A key typed ``pl.Enum`` (``key_dtype``; every code variable) is looked up by position: a
    table of one value per category, gathered by each row's category index (a few ms over 2.5
    million rows, whatever the number of distinct values)."""
    if isinstance(key_dtype, pl.Enum):
        table = pl.Series([mapping.get(c) for c in key_dtype.categories], dtype=dtype)
        return pl.lit(table).gather(key.to_physical())
    groups: dict[str, tuple[object, list[str]]] = {}
    for code, value in mapping.items():
        if value is not None:
            groups.setdefault(repr(value), (value, []))[1].append(code)
    if not groups or len(groups) > LOOKUP_BRANCHES:
        return key.replace_strict(mapping, default=None, return_dtype=dtype)
    expr: pl.Expr = pl.lit(None, dtype)
    for value, codes in reversed(groups.values()):
        expr = pl.when(key.is_in(codes)).then(pl.lit(value, dtype)).otherwise(expr)
    return expr


def _scalar(value: object) -> object:
    return None if isinstance(value, Marker) else value


def _literal(value: object, dtype: pl.DataType) -> pl.Expr:
    return pl.lit(_scalar(value), dtype)


def _fraction_part(value: object, part: str) -> int | None:
    if isinstance(value, Marker):
        return None
    if not isinstance(value, Fraction):
        raise TypeError(f"not a ratio: {value!r}")
    return value.numerator if part == "numerator" else value.denominator
