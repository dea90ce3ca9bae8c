"""The conditions' registry (``CONDITIONS``, ``@condition("CODE")``), the column types, the label
tables and the helpers more than one signal category uses."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from jiuzhu.batch.pipelines.discover.catalogue import Signal, Threshold
from jiuzhu.batch.pipelines.discover.context import REGISTER_LABELS, Context
from jiuzhu.rules.programs.codes import DISABILITY_CATEGORY

Condition = Callable[[Context, Signal, dict[str, Threshold]], pl.DataFrame]
CONDITIONS: dict[str, Condition] = {}

S = pl.String()
D = pl.Date()
I64 = pl.Int64()

DISABILITY_ZH = {c.code: c.label for c in DISABILITY_CATEGORY.codes}
DISABILITY_EN = {c.code: c.label_en for c in DISABILITY_CATEGORY.codes}
SEVERE_MENTAL = ("intellectual", "mental")
CARE_ALLOWANCE_GRADES = (1, 2)
"""Grades of the severe-disability care allowance (重度残疾人护理补贴): 一级、二级
(《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）)."""
CUSTODY_ZH = {
    "detention": "被刑事拘留",
    "arrest": "被逮捕羁押",
    "prison": "服刑",
    "compulsory_drug_rehabilitation": "强制隔离戒毒",
}
CUSTODY_EN = {
    "detention": "criminal detention",
    "arrest": "custody after arrest",
    "prison": "prison",
    "compulsory_drug_rehabilitation": "compulsory drug rehabilitation",
}


def condition(code: str) -> Callable[[Condition], Condition]:
    def add(function: Condition) -> Condition:
        CONDITIONS[code] = function
        return function

    return add


# --- helpers ------------------------------------------------------------------------------------


def yuan(expr: pl.Expr) -> pl.Expr:
    """Fen as yuan text: ``6000`` or ``6000.50``."""
    whole = (expr // 100).cast(pl.String)
    cents = (expr % 100).cast(pl.String).str.zfill(2)
    return (
        pl.when(expr % 100 == 0).then(whole).otherwise(pl.concat_str([whole, pl.lit("."), cents]))
    )


def text(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    return expr.cast(pl.String).replace_strict(mapping, default=expr.cast(pl.String))


def threshold(th: dict[str, Threshold], name: str) -> pl.Expr:
    """A parameter's value as a literal (null when unknown)."""
    return pl.lit(th[name].value, I64)


def register_labels(column: str = "register_category") -> list[pl.Expr]:
    zh = {k: v[0] for k, v in REGISTER_LABELS.items()}
    en = {k: v[1] for k, v in REGISTER_LABELS.items()}
    return [
        text(pl.col(column), zh).alias("register"),
        text(pl.col(column), en).alias("register_en"),
    ]


def serious_disability_lead(category: pl.Expr, grade: pl.Expr) -> pl.Expr:
    """重残 as discovery reads it: grade 1 or 2, or grade 3 or 4 intellectual or mental, the
    definition of 《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号） for a child's parents.

    Not the rules' 重度残疾人 (``severely_disabled``, 《最低生活保障审核确认办法》第八条: grade 1
    or 2, or grade 3 intellectual or mental), which decides eligibility: this one is wider, so
    that a lead for a person to check is not missed."""
    heavy = grade.is_in([1, 2]) | (grade.is_in([3, 4]) & category.is_in(SEVERE_MENTAL))
    return heavy.fill_null(False)


PARENT_GENERATION = {
    "self": "child",
    "spouse": "child",
    "child": "grandchild",
    "child_in_law": "grandchild",
}
"""Whose parents a member is, by the member's relation group: the applicant and spouse are the
parents of the children (``child``), the children and their spouses of the grandchildren."""


def receivers(ctx: Context, paid: pl.Expr) -> pl.Series:
    """Resident IDs (String) with a register entry where ``paid`` holds: a person's allowance is
    flagged on one entry (the platform's child-welfare entry beside the household's dibao one)
    and holds for the person under all of them."""
    return ctx.register.filter(paid)["resident_id"].unique()


def orphan_allowance_receivers(ctx: Context) -> pl.Series:
    """Resident IDs paid the orphan or de facto unsupported child allowance under any of their
    register entries (String)."""
    return receivers(ctx, pl.col("orphan_allowance"))


def month_settlements(ctx: Context) -> pl.DataFrame:
    """The medical-insurance feed's settlements of the month (``resident_id``, ``settled_on``,
    ``visit_type``, ``total_cost``, ``out_of_pocket``, ``assistance_paid``, fen), read once per
    run for the signals that use them; each narrows them before joining the registry."""
    if "month_settlements" not in ctx.cache:
        ctx.cache["month_settlements"] = ctx.feed(
            "medical_insurance",
            {
                "resident_id": S,
                "settled_on": D,
                "visit_type": S,
                "total_cost": I64,
                "out_of_pocket": I64,
                "assistance_paid": I64,
            },
        ).filter(ctx.in_month("settled_on"))
    return ctx.cache["month_settlements"]


def in_register(frame: pl.DataFrame, ctx: Context, receiving_only: bool) -> pl.DataFrame:
    """``frame``'s rows whose household is in the register (receiving, if asked)."""
    homes = ctx.register_households.select(
        "household_id", "receiving", "register_category", "reason"
    )
    if receiving_only:
        homes = homes.filter(pl.col("receiving"))
    return frame.join(homes, on="household_id", how="inner")


def empty() -> pl.DataFrame:
    """No candidate alerts: a condition's columns, no rows."""
    return pl.DataFrame(
        schema={
            "resident_id": S,
            "household_id": S,
            "subject": S,
            "episode": S,
            "record": pl.Struct({"none": pl.Boolean()}),
        }
    )
