"""Discovery conditions (``signals/discovery.yaml``): hardship that may make a household newly
eligible — a high medical out-of-pocket cost, a new serious illness, a new or upgraded severe
disability certificate, several disabled (or elderly and disabled) members."""

from __future__ import annotations

import polars as pl

from jiuzhu.batch.pipelines.discover.catalogue import Signal, Threshold
from jiuzhu.batch.pipelines.discover.conditions.common import (
    DISABILITY_EN,
    DISABILITY_ZH,
    D,
    S,
    condition,
    empty,
    month_settlements,
    serious_disability_lead,
    text,
    threshold,
    yuan,
)
from jiuzhu.batch.pipelines.discover.context import Context
from jiuzhu.rules.programs.codes import SERIOUS_ILLNESS

ILLNESS_ZH = {c.code: c.label for c in SERIOUS_ILLNESS.codes}
ILLNESS_EN = {c.code: c.label_en for c in SERIOUS_ILLNESS.codes}


@condition("MED_HIGH_OOP")
def med_high_oop(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """An inpatient stay settled in the month with the patient's own share above the threshold:
    the monitored one for people in the register, the other one for everyone else."""
    stays = ctx.registered(month_settlements(ctx).filter(pl.col("visit_type") == "inpatient"))
    monitored = pl.col("resident_id").is_in(ctx.register["resident_id"].implode())
    limit = (
        pl.when(monitored)
        .then(threshold(th, "monitored_threshold"))
        .otherwise(threshold(th, "other_threshold"))
    )
    return (
        stays.with_columns(monitored.alias("monitored"), limit.alias("limit"))
        .filter(pl.col("out_of_pocket") > pl.col("limit"))
        .select(
            "resident_id",
            "household_id",
            pl.col("resident_id").alias("subject"),
            pl.concat_str(
                [pl.col("settled_on").cast(S), pl.col("out_of_pocket").cast(S)], separator="/"
            ).alias("episode"),
            pl.struct(
                "settled_on",
                "visit_type",
                "total_cost",
                "out_of_pocket",
                "monitored",
                pl.col("limit").alias("threshold"),
            ).alias("record"),
            pl.col("settled_on").cast(S).alias("date"),
            yuan(pl.col("out_of_pocket")).alias("amount"),
            yuan(pl.col("limit")).alias("threshold"),
            pl.when(pl.col("monitored"))
            .then(pl.lit("监测对象"))
            .otherwise(pl.lit("其他人员"))
            .alias("group"),
            pl.when(pl.col("monitored"))
            .then(pl.lit("monitored people"))
            .otherwise(pl.lit("other residents"))
            .alias("group_en"),
        )
    )


@condition("SERIOUS_ILLNESS_NEW")
def serious_illness_new(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A settlement in the month naming a listed serious illness the registry does not record for
    the person, or a special-outpatient visit of a person the registry does not mark."""
    rows = ctx.feed(
        "medical_insurance",
        {"resident_id": S, "settled_on": D, "visit_type": S, "diagnosis": S},
    ).filter(
        ctx.in_month("settled_on")
        & (pl.col("diagnosis").is_not_null() | (pl.col("visit_type") == "special_outpatient"))
    )
    rows = ctx.registered(rows, ("serious_illness", "special_outpatient_disease"))
    known_illness = pl.col("diagnosis") == pl.col("serious_illness").fill_null("none")
    known_special = pl.col("special_outpatient_disease").fill_null(False)
    new = pl.when(pl.col("diagnosis").is_not_null()).then(~known_illness).otherwise(~known_special)
    found = rows.filter(new).with_columns(
        pl.col("diagnosis").fill_null("special_outpatient").alias("episode")
    )
    found = found.sort("settled_on", "episode").unique(
        ["resident_id", "episode"], keep="first", maintain_order=True
    )
    visit_zh = {"inpatient": "住院", "outpatient": "门诊", "special_outpatient": "门诊特殊病"}
    visit_en = {
        "inpatient": "inpatient",
        "outpatient": "outpatient",
        "special_outpatient": "special outpatient",
    }
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        "episode",
        pl.struct(
            "settled_on",
            "visit_type",
            "diagnosis",
            pl.col("serious_illness").alias("registry_serious_illness"),
            pl.col("special_outpatient_disease").alias("registry_special_outpatient"),
        ).alias("record"),
        pl.col("settled_on").cast(S).alias("date"),
        pl.when(pl.col("diagnosis").is_null())
        .then(pl.lit("门诊特殊病"))
        .otherwise(text(pl.col("diagnosis"), ILLNESS_ZH))
        .alias("diagnosis"),
        pl.when(pl.col("diagnosis").is_null())
        .then(pl.lit("a special outpatient disease"))
        .otherwise(text(pl.col("diagnosis"), ILLNESS_EN))
        .alias("diagnosis_en"),
        text(pl.col("visit_type"), visit_zh).alias("visit"),
        text(pl.col("visit_type"), visit_en).alias("visit_en"),
    )


def _certificates(ctx: Context) -> pl.DataFrame:
    """Disability certificates issued in the month, with the registry's record of the person."""
    rows = ctx.feed(
        "disability",
        {"resident_id": S, "certificate": S, "category": S, "grade": S, "issued_on": D},
    ).filter(ctx.in_month("issued_on"))
    return ctx.registered(rows, ("disability_category", "disability_grade")).with_columns(
        pl.col("grade").cast(pl.Int8, strict=False)
    )


@condition("DISABILITY_NEW")
def disability_new(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A certificate issued in the month, a serious disability as discovery reads it
    (``serious_disability_lead``: grade 1–2, or 3–4 intellectual or mental), for
    a person the registry has as not disabled or with a less severe grade (a larger number)."""
    rows = _certificates(ctx)
    before = pl.col("disability_category").fill_null("none")
    upgraded = (
        (before == "none")
        | pl.col("disability_grade").is_null()
        | (pl.col("grade") < pl.col("disability_grade"))
    )
    found = rows.filter(serious_disability_lead(pl.col("category"), pl.col("grade")) & upgraded)
    grade_before = pl.col("disability_grade").cast(S)
    return found.select(
        "resident_id",
        "household_id",
        pl.col("certificate").alias("subject"),
        pl.col("issued_on").cast(S).alias("episode"),
        pl.struct(
            "certificate",
            "category",
            "grade",
            "issued_on",
            pl.col("disability_category").alias("registry_category"),
            pl.col("disability_grade").alias("registry_grade"),
        ).alias("record"),
        pl.col("issued_on").cast(S).alias("date"),
        text(pl.col("category"), DISABILITY_ZH).alias("disability"),
        text(pl.col("category"), DISABILITY_EN).alias("disability_en"),
        pl.col("grade").cast(S).alias("grade"),
        pl.when(before == "none")
        .then(pl.lit("无残疾记录"))
        .otherwise(pl.concat_str([text(before, DISABILITY_ZH), grade_before, pl.lit("级")]))
        .alias("before"),
        pl.when(before == "none")
        .then(pl.lit("not disabled"))
        .otherwise(pl.concat_str([text(before, DISABILITY_EN), pl.lit(" grade "), grade_before]))
        .alias("before_en"),
    )


@condition("MULTI_DISABLED_HOUSEHOLD")
def multi_disabled(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A household not receiving assistance where, from this month (a certificate issued or a
    member reaching the elderly age), two or more members are disabled, or one is disabled and
    another elderly — and this did not hold before the month."""
    elderly_age = th["elderly_age"].value
    if elderly_age is None:
        return empty()
    new = (
        _certificates(ctx)
        .select("resident_id")
        .unique()
        .with_columns(pl.lit(True).alias("new_cert"))
    )
    triggered_by_age = ctx.people.filter(ctx.reaches_in_month(elderly_age)).select("household_id")
    triggers = pl.concat(
        [ctx.people.join(new, on="resident_id").select("household_id"), triggered_by_age]
    ).unique()
    receiving = ctx.register_households.filter(pl.col("receiving")).select("household_id")
    triggers = triggers.join(receiving, on="household_id", how="anti")
    members = ctx.people.join(triggers, on="household_id", how="semi").join(
        new, on="resident_id", how="left"
    )
    was_disabled = pl.col("disabled_before")
    is_disabled = was_disabled | pl.col("new_cert").fill_null(False)
    members = members.with_columns(
        (pl.col("disability_category").fill_null("none") != "none").alias("disabled_before"),
        # Age at the month's end, and on the day before the month began.
        (pl.col("age") >= elderly_age).alias("elderly_now"),
        ((pl.col("age") >= elderly_age) & ~ctx.reaches_in_month(elderly_age)).alias(
            "elderly_before"
        ),
    ).with_columns(is_disabled.alias("disabled_now"))
    summary = members.group_by("household_id").agg(
        pl.col("disabled_now").sum().alias("disabled"),
        pl.col("disabled_before").sum().alias("disabled_b"),
        (pl.col("elderly_now") & ~pl.col("disabled_now")).sum().alias("elderly_only"),
        (pl.col("elderly_before") & ~pl.col("disabled_before")).sum().alias("elderly_only_b"),
        pl.col("elderly_now").sum().alias("elderly"),
    )
    holds_now = (pl.col("disabled") >= 2) | (
        (pl.col("disabled") >= 1) & (pl.col("elderly_only") >= 1)
    )
    held = (pl.col("disabled_b") >= 2) | (
        (pl.col("disabled_b") >= 1) & (pl.col("elderly_only_b") >= 1)
    )
    found = summary.filter(holds_now & ~held).sort("household_id")
    several = pl.col("disabled") >= 2
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.lit(ctx.month).alias("episode"),
        pl.struct(
            "disabled",
            "elderly",
            pl.col("disabled_b").alias("disabled_before"),
            pl.col("elderly_only_b").alias("elderly_not_disabled_before"),
        ).alias("record"),
        pl.col("disabled").cast(S),
        pl.col("elderly").cast(S),
        pl.when(several).then(pl.lit("一户多残")).otherwise(pl.lit("老残一体")).alias("pattern"),
        pl.when(several)
        .then(pl.lit("several disabled members"))
        .otherwise(pl.lit("elderly and disabled"))
        .alias("pattern_en"),
    )
