"""The frame contract: validation of input frames on entry.

The input variables of a rule system define the columns (name, dtype, unit, codes, default); the
entities define the keys. ``validate_frames`` checks every row in one vectorised pass per entity
and reports each problem with entity, row, column, value and rule; nothing is computed on bad
input. Cross-field rules specific to programs are declared as ``RowRule``s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from jiuzhu.rules.engine.codes import CodeList
from jiuzhu.rules.engine.entities import ENTITIES, PERSON, Entity
from jiuzhu.rules.engine.errors import InputIssue
from jiuzhu.rules.engine.planner import grouped_starts
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
    per_parent: PerParent | None = None
    """Set by ``count_per_parent``: the rule counts each parent's children, which the rows'
    order gives without hashing when children are grouped under their parents."""


@dataclass(frozen=True)
class PerParent:
    """Each parent must have exactly ``count`` children for whom ``member`` holds."""

    member: pl.Expr
    count: int


def count_per_parent(
    entity: Entity, column: str, member: pl.Expr, count: int, rule: str, needs: tuple[str, ...]
) -> RowRule:
    """A rule broken by every parent that has not exactly ``count`` children of ``entity`` for
    whom ``member`` holds (undetermined counts as not); the problem is reported at the parent's
    first child row, in ``column``."""
    key = entity.parent_key
    assert key is not None, f"{entity.name} has no parent"
    violated = (member.cast(pl.Int32).sum().over(key) != count) & pl.col(key).is_first_distinct()
    return RowRule(entity, column, violated, rule, needs, per_parent=PerParent(member, count))


def validate_frames(
    frames: Mapping[str, pl.DataFrame],
    variables: Variables,
    code_lists: Mapping[str, CodeList],
    rules: Sequence[RowRule] = (),
) -> list[InputIssue]:
    """Every problem in the entity frames (empty list when they honour the contract).

    Checks: key columns present, non-null and unique; every person's household and every
    obligor's person exists; every household has a person; required inputs present and non-null;
    codes in their code lists; money, counts and areas not negative; the ``rules``. All checks of
    an entity are evaluated in one pass; rows are located only for the rules actually broken.
    """
    issues: list[InputIssue] = []
    # Where each entity's rows sit under their parents', found once for the key checks and all
    # the rules that count per parent (``grouped_starts``; None: not grouped in order).
    starts: dict[str, np.ndarray | None] = {}
    for entity in ENTITIES:
        frame = frames.get(entity.name)
        if frame is None:
            continue
        entity_issues, checks = _entity_checks(
            entity, frame, frames, variables.of(entity, inputs=True), code_lists, starts
        )
        issues += entity_issues
        if not entity_issues:
            issues += _run(frame, entity, checks)
    for rule in rules:
        issues += _row_rule_issues(rule, frames, variables, starts)
    return issues


def _row_rule_issues(
    rule: RowRule,
    frames: Mapping[str, pl.DataFrame],
    variables: Variables,
    starts: dict[str, np.ndarray | None],
) -> list[InputIssue]:
    """The rows that break one cross-field rule; ``starts`` caches each entity's segments
    under its parents (``grouped_starts``)."""
    frame = frames.get(rule.entity.name)
    if frame is None or frame.is_empty():
        return []
    # A blank cell or an absent optional column reads as its default, as in the plan.
    frame = frame.with_columns(
        (
            pl.col(c).fill_null(pl.lit(variables[c].default, variables[c].dtype))
            if c in frame.columns
            else pl.lit(variables[c].default, variables[c].dtype)
        ).alias(c)
        for c in rule.needs
    )
    if rule.needs_date:
        frame = _with_parent_date(frame, frames, rule.entity)
    violated = rule.violated
    by_order = _per_parent_by_order(frame, frames, rule, starts)
    if by_order is not None:
        violated = pl.lit(by_order)
    return _run(frame, rule.entity, [_Check(rule.column, violated, rule.rule)])


def _per_parent_by_order(
    frame: pl.DataFrame,
    frames: Mapping[str, pl.DataFrame],
    rule: RowRule,
    cache: dict[str, np.ndarray | None],
) -> pl.Series | None:
    """``rule.violated`` computed from the rows' order when the children run in their parents'
    order (segment sums instead of a window over hashed keys: a million households take
    milliseconds, not a second); None when they do not."""
    entity, spec = rule.entity, rule.per_parent
    parent = entity.parent
    key = entity.parent_key
    if spec is None or parent is None or key is None or key not in frame.columns:
        return None
    parents = frames.get(parent.name)
    if parents is None or parent.key not in parents.columns:
        return None
    if entity.name not in cache:
        cache[entity.name] = grouped_starts(frame[key], parents[parent.key])
    starts = cache[entity.name]
    if starts is None:
        return None
    members = frame.select(spec.member.fill_null(False).cast(pl.Int64)).to_series().to_numpy()
    counts = np.add.reduceat(members, starts)
    first_rows = np.zeros(frame.height, dtype=np.uint8)
    first_rows[starts[counts != spec.count]] = 1
    # From bytes, then cast: Polars packs a bool array bit by bit (10 ms at 2.5 million rows).
    return pl.Series(first_rows).cast(pl.Boolean)


@dataclass(frozen=True)
class _Check:
    column: str | None
    bad: pl.Expr
    rule: str


def _run(frame: pl.DataFrame, entity: Entity, checks: Sequence[_Check]) -> list[InputIssue]:
    """Evaluate every check in one pass; locate the rows of those that fail."""
    if not checks or frame.is_empty():
        return []
    hits = frame.select(
        [check.bad.fill_null(False).any().alias(f"c{i}") for i, check in enumerate(checks)]
    ).row(0)
    issues: list[InputIssue] = []
    for hit, check in zip(hits, checks, strict=True):
        if hit:
            issues += _rows(frame, entity, check.column, check.bad, check.rule)
    return issues


def _with_parent_date(
    frame: pl.DataFrame, frames: Mapping[str, pl.DataFrame], entity: Entity
) -> pl.DataFrame:
    parent = entity.parent
    assert parent is not None and entity.parent_key is not None
    dates = frames[parent.name]["assessment_date"]
    if dates.n_unique() == 1:
        return frame.with_columns(pl.lit(dates[0], pl.Date).alias("assessment_date"))
    parents = frames[parent.name].select(parent.key, "assessment_date")
    return frame.join(
        parents, left_on=entity.parent_key, right_on=parent.key, how="left", maintain_order="left"
    )


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


def _unique_keys(keys: pl.Series) -> bool:
    """Cheap when keys are ascending (the usual case for generated frames)."""
    if keys.is_sorted() and keys.len() > 1:
        return (
            bool((keys.diff().drop_nulls() != 0).all())
            if keys.dtype.is_numeric()
            else keys.n_unique() == keys.len()
        )
    return keys.n_unique() == keys.len()


def _grouped_under(
    child: Entity, frames: Mapping[str, pl.DataFrame], cache: dict[str, np.ndarray | None]
) -> bool:
    """True when the children's parent keys run in exactly the parents' order, each parent at
    least once: then every child has a parent and every parent a child (no hashing needed).
    Found once per entity (``cache``) for the key checks and the rules counting per parent."""
    if child.name not in cache:
        parent = child.parent
        assert parent is not None and child.parent_key is not None
        cache[child.name] = grouped_starts(
            frames[child.name][child.parent_key], frames[parent.name][parent.key]
        )
    return cache[child.name] is not None


def _entity_checks(
    entity: Entity,
    frame: pl.DataFrame,
    frames: Mapping[str, pl.DataFrame],
    inputs: list[Variable],
    code_lists: Mapping[str, CodeList],
    starts: dict[str, np.ndarray | None],
) -> tuple[list[InputIssue], list[_Check]]:
    """Structural problems found at once (missing key or required columns), and the row checks
    to run."""
    keys = [entity.key] + ([entity.parent_key] if entity.parent_key else [])
    issues = [
        InputIssue(entity.name, None, key, None, f"缺少必需的列 (missing column {key})")
        for key in keys
        if key not in frame.columns
    ]
    if issues:
        return issues, []
    checks = _key_checks(entity, frame, frames, starts)
    for var in inputs:
        if var.name in frame.columns:
            checks += _input_checks(var, frame.schema[var.name], code_lists)
        elif var.required:
            issues.append(
                InputIssue(
                    entity.name,
                    None,
                    var.name,
                    None,
                    f"缺少必需的列“{var.label}” (missing required column {var.name})",
                )
            )
    return issues, checks


def _key_checks(
    entity: Entity,
    frame: pl.DataFrame,
    frames: Mapping[str, pl.DataFrame],
    starts: dict[str, np.ndarray | None],
) -> list[_Check]:
    """Keys present and unique; the parent of every row exists; every household has a person.
    Checks that the rows' order already proves passed are left out."""
    checks = [_Check(entity.key, pl.col(entity.key).is_null(), f"编号为空 ({entity.key} is empty)")]
    if not _unique_keys(frame[entity.key]):
        checks.append(
            _Check(
                entity.key,
                pl.col(entity.key).is_duplicated(),
                f"编号重复 ({entity.key} appears more than once)",
            )
        )
    parent = entity.parent
    if parent is not None and entity.parent_key is not None and parent.name in frames:
        parent_keys = frames[parent.name][parent.key]
        if entity.name != "person" or not _grouped_under(entity, frames, starts):
            checks.append(
                _Check(
                    entity.parent_key,
                    ~pl.col(entity.parent_key).is_in(parent_keys.implode()),
                    f"所属编号在上级表中不存在 ({entity.parent_key} names no row of the {parent.name} frame)",
                )
            )
    persons = frames.get("person")
    # Only households need children: a person may have no obligor.
    if (
        entity.parent is None
        and persons is not None
        and entity.key in persons.columns
        and not _grouped_under(PERSON, frames, starts)
    ):
        checks.append(
            _Check(
                entity.key,
                ~pl.col(entity.key).is_in(persons[entity.key].implode()),
                "该家庭没有成员 (the household has no person)",
            )
        )
    return checks


def _input_checks(
    var: Variable, dtype: pl.DataType, code_lists: Mapping[str, CodeList]
) -> list[_Check]:
    """An input column (of ``dtype`` in the frame) castable to its variable's dtype, present
    where required, a code of its list, and not negative for money, counts and areas."""
    checks: list[_Check] = []
    column = pl.col(var.name)
    compatible = dtype == var.dtype or (isinstance(var.dtype, pl.Enum) and dtype == pl.String)
    if not compatible and dtype != pl.Null:
        cast = column.cast(var.dtype, strict=False)
        bad = column.is_not_null() & cast.is_null()
        if dtype.is_float() and var.dtype.is_integer():
            bad = bad | (column.is_not_null() & (column != column.round(0)))
        checks.append(_Check(var.name, bad, f"不是有效的值 (not a valid {var.dtype} value)"))
    if var.required:
        checks.append(_Check(var.name, column.is_null(), f"{var.label}为必填项 (required)"))
    if var.codes is not None:
        code_list = code_lists[var.codes]
        if not isinstance(dtype, pl.Enum) or list(dtype.categories) != code_list.identifiers:
            checks.append(
                _Check(
                    var.name,
                    column.is_not_null() & ~column.cast(pl.String).is_in(code_list.identifiers),
                    f"不是“{code_list.label}”的有效代码 (not a code of {var.codes})",
                )
            )
    elif var.unit.money or var.unit in (Unit.COUNT, Unit.SQUARE_METRES):
        checks.append(_Check(var.name, column < 0, f"{var.label}不能为负数 (cannot be negative)"))
    return checks
