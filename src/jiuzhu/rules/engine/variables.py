"""Variables: named, documented quantities of an entity.

An *input* has no formula and is read from the entity's frame (with a default when the column or
a cell is missing, unless it is required). A *computed* variable has a formula: a function that
receives a ``Formula`` scope and returns a Polars expression built from other variables and from
parameters. Programs declare variables at module level with ``@variable`` and ``input_variable``;
a ``RuleSystem`` collects them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from jiuzhu.rules.engine.entities import Entity
from jiuzhu.rules.engine.reasons import ReasonSet
from jiuzhu.rules.engine.units import Unit

if TYPE_CHECKING:
    from jiuzhu.rules.engine.formula import Formula

FormulaFunction = Callable[["Formula"], pl.Expr]


@dataclass(frozen=True)
class Variable:
    """A quantity of an entity.

    Attributes:
        name: snake_case identifier, unique across entities (it is also the column name).
        entity: household, person or obligor.
        dtype: Polars dtype of the column (money is ``Int64`` fen).
        unit: unit of values (see ``Unit``).
        label: Chinese label; label_en: English label.
        reference: legal source of the rule (or of the input's definition).
        formula: None for inputs.
        codes: code list name for ``Unit.CODE`` variables.
        default: value used when an optional input column or cell is missing.
        required: an input that must be present in every row.
        nullable: an input whose missing value means "not applicable" and stays null.
        reasons: the ReasonSet decoded from a ``Unit.REASONS`` variable.
        doc: the formula's docstring.
        program: the module that declared it (e.g. ``dibao``).
    """

    name: str
    entity: Entity
    dtype: pl.DataType
    unit: Unit
    label: str
    label_en: str
    reference: str = ""
    formula: FormulaFunction | None = None
    codes: str | None = None
    default: Any = None
    required: bool = False
    nullable: bool = False
    reasons: ReasonSet | None = None
    doc: str = ""
    program: str = ""

    @property
    def is_input(self) -> bool:
        return self.formula is None


def variable(
    entity: Entity,
    dtype: pl.DataType,
    unit: Unit,
    label: str,
    label_en: str,
    reference: str = "",
    codes: str | None = None,
    reasons: ReasonSet | None = None,
) -> Callable[[FormulaFunction], Variable]:
    """Declare a computed variable; the decorated function is its formula and names it."""

    def wrap(function: FormulaFunction) -> Variable:
        return Variable(
            name=function.__name__,
            entity=entity,
            dtype=dtype,
            unit=unit,
            label=label,
            label_en=label_en,
            reference=reference,
            formula=function,
            codes=codes,
            reasons=reasons,
            doc=(function.__doc__ or "").strip(),
            program=function.__module__.rsplit(".", 1)[-1],
        )

    return wrap


def input_variable(
    name: str,
    entity: Entity,
    dtype: pl.DataType,
    unit: Unit,
    label: str,
    label_en: str,
    reference: str = "",
    codes: str | None = None,
    default: Any = None,
    required: bool = False,
    nullable: bool = False,
    program: str = "",
) -> Variable:
    """Declare an input variable (read from the frame)."""
    if required and default is not None:
        raise ValueError(f"{name}: a required input takes no default")
    return Variable(
        name=name,
        entity=entity,
        dtype=dtype,
        unit=unit,
        label=label,
        label_en=label_en,
        reference=reference,
        codes=codes,
        default=default,
        required=required,
        nullable=nullable,
        program=program,
    )


class Variables(Mapping[str, Variable]):
    """A name → Variable mapping that refuses duplicate names."""

    def __init__(self, variables: Iterable[Variable]) -> None:
        self._by_name: dict[str, Variable] = {}
        for var in variables:
            if var.name in self._by_name:
                raise ValueError(f"variable {var.name!r} is declared twice")
            self._by_name[var.name] = var

    def __getitem__(self, name: str) -> Variable:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no variable named {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def of(self, entity: Entity, inputs: bool | None = None) -> list[Variable]:
        """The variables of ``entity`` (only inputs, only computed, or all)."""
        return [
            v
            for v in self._by_name.values()
            if v.entity == entity and (inputs is None or v.is_input == inputs)
        ]
