"""The frame contract: validation of input frames on entry.

The input variables of a rule system define the columns (name, dtype, unit, codes, default); the
entities define the keys. ``validate_frames`` checks every row in one vectorised pass per entity
and reports each problem with entity, row, column, value and rule; nothing is computed on bad
input. Cross-field rules specific to programs are declared as ``RowRule``s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from jiuzhu.rules.engine.codes import CodeList
from jiuzhu.rules.engine.entities import ENTITIES, Entity
from jiuzhu.rules.engine.errors import InputIssue
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.engine.variables import Variable, Variables

MAX_ISSUES_PER_RULE = 50


@dataclass(frozen=True)
class RowRule:
    """A cross-field rule: rows where ``violated`` is true break it.

    ``needs`` lists the columns the rule reads (other than the parent's assessment date, which is
    joined on as ``assessment_date`` when ``needs_date`` is set).
    """

    entity: Entity
    column: str
    violated: pl.Expr
    rule: str
    needs: tuple[str, ...]
    needs_date: bool = False


def validate_frames(
    frames: Mapping[str, pl.DataFrame],
    variables: Variables,
    code_lists: Mapping[str, CodeList],
    rules: Sequence[RowRule] = (),
) -> list[InputIssue]:
    """Every problem in the entity frames (empty list when they honour the contract).

    Checks: key columns present, non-null and unique; every person's household and every
    obligor's person exists; every household has a person; required inputs present and non-null;
    codes in their code lists; money, counts and areas not negative; the ``rules``.
    """
    issues: list[InputIssue] = []
    for entity in ENTITIES:
        frame = frames.get(entity.name)
        if frame is None:
            continue
        issues.extend(
            _check_entity(entity, frame, frames, variables.of(entity, inputs=True), code_lists)
        )
    for rule in rules:
        frame = frames.get(rule.entity.name)
        if frame is None:
            continue
        missing = [c for c in rule.needs if c not in frame.columns]
        if missing:
            # An absent optional column reads as its default (or null), as in the plan.
            frame = frame.with_columns(
                pl.lit(variables[c].default, variables[c].dtype).alias(c) for c in missing
            )
        if rule.needs_date:
            parent = rule.entity.parent
            assert parent is not None and rule.entity.parent_key is not None
            parents = frames[parent.name].select(parent.key, "assessment_date")
            frame = frame.join(
                parents,
                left_on=rule.entity.parent_key,
                right_on=parent.key,
                how="left",
                maintain_order="left",
            )
        issues.extend(_rows(frame, rule.entity, rule.column, rule.violated, rule.rule))
    return issues


def _rows(
    frame: pl.DataFrame, entity: Entity, column: str | None, bad: pl.Expr, rule: str
) -> list[InputIssue]:
    found = frame.with_row_index("__row").filter(bad.fill_null(False))
    if found.is_empty():
        return []
    shown = found.head(MAX_ISSUES_PER_RULE)
    values = (
        shown[column].cast(pl.String).to_list()
        if column is not None and column in shown.columns
        else [None] * shown.height
    )
    issues = [
        InputIssue(entity.name, int(row), column, value, rule)
        for row, value in zip(shown["__row"].to_list(), values, strict=True)
    ]
    if found.height > MAX_ISSUES_PER_RULE:
        issues.append(
            InputIssue(
                entity.name,
                None,
                column,
                None,
                f"{found.height - MAX_ISSUES_PER_RULE} more rows break the same rule: {rule}",
            )
        )
    return issues


def _check_entity(
    entity: Entity,
    frame: pl.DataFrame,
    frames: Mapping[str, pl.DataFrame],
    inputs: list[Variable],
    code_lists: Mapping[str, CodeList],
) -> list[InputIssue]:
    issues: list[InputIssue] = []
    keys = [entity.key] + ([entity.parent_key] if entity.parent_key else [])
    for key in keys:
        if key not in frame.columns:
            issues.append(InputIssue(entity.name, None, key, None, f"missing column {key}"))
    if issues:
        return issues
    issues += _rows(
        frame, entity, entity.key, pl.col(entity.key).is_null(), f"{entity.key} is empty"
    )
    issues += _rows(
        frame,
        entity,
        entity.key,
        pl.col(entity.key).is_duplicated(),
        f"{entity.key} appears more than once",
    )
    parent = entity.parent
    if parent is not None and entity.parent_key is not None and parent.name in frames:
        parent_keys = frames[parent.name][parent.key]
        issues += _rows(
            frame,
            entity,
            entity.parent_key,
            ~pl.col(entity.parent_key).is_in(parent_keys.implode()),
            f"{entity.parent_key} names no row of the {parent.name} frame",
        )
    persons = frames.get("person")
    if entity.parent is None and persons is not None and entity.key in persons.columns:
        # Only households need children: a person may have no obligor.
        issues += _rows(
            frame,
            entity,
            entity.key,
            ~pl.col(entity.key).is_in(persons[entity.key].implode()),
            "the household has no person",
        )
    for var in inputs:
        if var.name not in frame.columns:
            if var.required:
                issues.append(
                    InputIssue(
                        entity.name,
                        None,
                        var.name,
                        None,
                        f"missing required column {var.name} ({var.label})",
                    )
                )
            continue
        column = pl.col(var.name)
        dtype = frame.schema[var.name]
        if dtype not in (var.dtype, pl.Null):
            cast = column.cast(var.dtype, strict=False)
            bad = column.is_not_null() & cast.is_null()
            if dtype.is_float() and var.dtype.is_integer():
                bad = bad | (column.is_not_null() & (column != column.round(0)))
            issues += _rows(frame, entity, var.name, bad, f"not a valid {var.dtype} value")
        if var.required:
            issues += _rows(frame, entity, var.name, column.is_null(), f"{var.label} is required")
        if var.codes is not None:
            allowed = code_lists[var.codes].identifiers
            issues += _rows(
                frame,
                entity,
                var.name,
                column.is_not_null() & ~column.is_in(allowed),
                f"not a code of {var.codes} ({code_lists[var.codes].label})",
            )
        elif var.unit.money or var.unit in (Unit.COUNT, Unit.SQUARE_METRES):
            issues += _rows(frame, entity, var.name, column < 0, f"{var.label} cannot be negative")
    return issues
