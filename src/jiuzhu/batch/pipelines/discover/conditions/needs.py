"""Needs conditions (``signals/needs.yaml``): events that signal a new need — an unemployment
registration, social-insurance contributions stopped, a child who lost a parent."""

from __future__ import annotations

import polars as pl

from jiuzhu.batch.pipelines.discover.catalogue import Signal, Threshold
from jiuzhu.batch.pipelines.discover.conditions.common import (
    CUSTODY_EN,
    CUSTODY_ZH,
    I64,
    PARENT_GENERATION,
    D,
    S,
    condition,
    empty,
    in_register,
    orphan_allowance_receivers,
    text,
    yuan,
)
from jiuzhu.batch.pipelines.discover.context import Context
from jiuzhu.rules import load_system
from jiuzhu.rules.ages import adult_age

GROUP_ZH = {"child": "子女", "grandchild": "孙子女"}
GROUP_EN = {"child": "child", "grandchild": "grandchild"}
SCHEME_ZH = {
    "employee_pension_insurance": "城镇职工基本养老保险",
    "residents_pension_insurance": "城乡居民基本养老保险",
    "unemployment_insurance": "失业保险",
    "employee_medical_insurance": "职工基本医疗保险",
}
SCHEME_EN = {
    "employee_pension_insurance": "employee pension insurance",
    "residents_pension_insurance": "residents' pension insurance",
    "unemployment_insurance": "unemployment insurance",
    "employee_medical_insurance": "employee medical insurance",
}


@condition("UNEMPLOYMENT_REGISTERED")
def unemployment_registered(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a household in the register registered as unemployed in the month."""
    rows = ctx.feed("unemployment", {"resident_id": S, "registered_on": D, "status": S}).filter(
        ctx.in_month("registered_on") & (pl.col("status") == "registered")
    )
    rows = in_register(ctx.registered(rows), ctx, receiving_only=False)
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("registered_on").cast(S).alias("episode"),
        pl.struct("registered_on", "status").alias("record"),
        pl.col("registered_on").cast(S).alias("date"),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


@condition("CONTRIBUTIONS_STOPPED")
def contributions_stopped(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a household in the register who contributed to a scheme in the month before
    the feed's latest period (up to the discovery month) and not in the latest period."""
    rows = ctx.feed(
        "social_insurance",
        {"resident_id": S, "scheme": S, "period": S, "contribution": I64},
    ).filter((pl.col("period") <= ctx.month) & (pl.col("contribution") > 0))
    if rows.is_empty():
        return empty()
    latest = rows["period"].max()
    assert isinstance(latest, str)
    year, number = int(latest[:4]), int(latest[5:7])
    previous = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    paid_before = rows.filter(pl.col("period") == previous)
    paid_now = rows.filter(pl.col("period") == latest).select("resident_id", "scheme")
    stopped = paid_before.join(paid_now, on=["resident_id", "scheme"], how="anti")
    stopped = in_register(ctx.registered(stopped), ctx, receiving_only=False)
    stopped = stopped.sort("resident_id", "scheme").unique(
        "resident_id", keep="first", maintain_order=True
    )
    return stopped.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.lit(latest).alias("episode"),
        pl.struct(
            "scheme",
            pl.lit(previous).alias("paid_period"),
            "contribution",
            pl.lit(latest).alias("unpaid_period"),
        ).alias("record"),
        pl.lit(previous).alias("previous"),
        pl.lit(latest).alias("latest"),
        text(pl.col("scheme"), SCHEME_ZH).alias("scheme"),
        text(pl.col("scheme"), SCHEME_EN).alias("scheme_en"),
        yuan(pl.col("contribution")).alias("contribution"),
    )


def _events(ctx: Context) -> pl.DataFrame:
    """Deaths and custody starts in the month: ``resident_id``, ``event`` (``death`` or the
    custody kind), ``date``."""
    deaths = ctx.feed("deaths", {"resident_id": S, "died_on": D}).filter(ctx.in_month("died_on"))
    custody = ctx.feed(
        "custody", {"resident_id": S, "kind": S, "started_on": D, "institution": S}
    ).filter(ctx.in_month("started_on"))
    return pl.concat(
        [
            deaths.select(
                "resident_id", pl.lit("death").alias("event"), pl.col("died_on").alias("date")
            ),
            custody.select(
                "resident_id", pl.col("kind").alias("event"), pl.col("started_on").alias("date")
            ),
        ]
    )


@condition("CHILD_LOST_PARENT")
def child_lost_parent(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A child under 18, not paid the orphan allowance, whose parent in the household died or was
    taken into custody in the month: parents are the applicant and spouse for the applicant's
    children, and the children and their spouses for the grandchildren (GB/T 4761 relation
    groups: ``PARENT_GENERATION``)."""
    parents = (
        ctx.registered(_events(ctx), ("relation_group",))
        .with_columns(
            pl.col("relation_group")
            .replace_strict(PARENT_GENERATION, default=None, return_dtype=S)
            .alias("child_group")
        )
        .filter(pl.col("child_group").is_not_null())
    )
    minor = pl.col("age") < adult_age(load_system("tianjin").parameters, ctx.end)
    # A child already paid the orphan allowance is reviewed instead (CHILD_WELFARE_PARENT_CHANGE).
    paid = pl.col("resident_id").is_in(orphan_allowance_receivers(ctx).implode())
    children = ctx.people.filter(
        minor & pl.col("relation_group").is_in(["child", "grandchild"]) & ~paid
    )
    found = (
        parents.rename({"resident_id": "parent_id"})
        .join(
            children.select(
                "resident_id", "household_id", pl.col("relation_group").alias("child_group")
            ),
            on=["household_id", "child_group"],
            how="inner",
        )
        .sort("resident_id", "parent_id", "date")
    )
    found = found.unique(["resident_id", "parent_id"], keep="first", maintain_order=True)
    death = pl.col("event") == "death"
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("parent_id").alias("episode"),
        pl.struct("parent_id", "event", "date", "child_group").alias("record"),
        pl.when(death)
        .then(pl.lit("父亲或母亲死亡"))
        .otherwise(pl.concat_str([pl.lit("父亲或母亲"), text(pl.col("event"), CUSTODY_ZH)]))
        .alias("parent_event"),
        pl.when(death)
        .then(pl.lit("A parent died"))
        .otherwise(pl.concat_str([pl.lit("A parent is in "), text(pl.col("event"), CUSTODY_EN)]))
        .alias("parent_event_en"),
        pl.col("date").cast(S),
        text(pl.col("child_group"), GROUP_ZH).alias("relation"),
        text(pl.col("child_group"), GROUP_EN).alias("relation_en"),
    )
