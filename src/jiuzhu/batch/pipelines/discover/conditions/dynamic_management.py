"""Dynamic management conditions (``signals/dynamic_management.yaml``): changes in a household in
the register that its assistance must follow — a member's death or custody, a change in the
situation of a parent of a child paid the orphan allowance, a recipient's age
milestone, a rigid-expenditure determination expiring, a periodic review due, an asset registered."""

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
    in_register,
    orphan_allowance_receivers,
    register_labels,
    text,
    yuan,
)
from jiuzhu.batch.pipelines.discover.context import Context
from jiuzhu.feeds.real_estate import USES as PROPERTY_USES
from jiuzhu.feeds.vehicles import TYPES as VEHICLE_TYPES

VEHICLE_ZH = {code: spelling for spelling, code in reversed(VEHICLE_TYPES.items())}
USE_ZH = {code: spelling for spelling, code in reversed(PROPERTY_USES.items())}
"""Codes back to the department's first spelling (the feed's normalised codes are English)."""


@condition("MEMBER_DIED")
def member_died(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a receiving household died in the month (adverse: a verification task)."""
    rows = ctx.feed("deaths", {"resident_id": S, "died_on": D}).filter(ctx.in_month("died_on"))
    rows = in_register(ctx.registered(rows), ctx, receiving_only=True)
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("died_on").cast(S).alias("episode"),
        pl.struct("died_on", "register_category").alias("record"),
        pl.col("died_on").cast(S).alias("date"),
        *register_labels(),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


@condition("MEMBER_IN_CUSTODY")
def member_in_custody(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a receiving household taken into custody in the month (adverse)."""
    rows = ctx.feed(
        "custody",
        {"resident_id": S, "kind": S, "institution": S, "started_on": D, "expected_release": D},
    ).filter(ctx.in_month("started_on"))
    rows = in_register(ctx.registered(rows), ctx, receiving_only=True)
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("started_on").cast(S).alias("episode"),
        pl.struct(
            "kind", "institution", "started_on", "expected_release", "register_category"
        ).alias("record"),
        pl.col("started_on").cast(S).alias("date"),
        text(pl.col("kind"), CUSTODY_ZH).alias("custody"),
        text(pl.col("kind"), CUSTODY_EN).alias("custody_en"),
        pl.col("institution").fill_null("").alias("authority"),
        *register_labels(),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


PARENT_EVENT_ZH = {
    "died": "死亡",
    "custody": "被羁押、服刑或强制隔离戒毒",
    "released": "刑满释放或解除羁押、戒毒",
}
PARENT_EVENT_EN = {
    "died": "died",
    "custody": "was taken into custody or rehabilitation",
    "released": "was released",
}


@condition("CHILD_WELFARE_PARENT_CHANGE")
def child_welfare_parent_change(
    ctx: Context, signal: Signal, th: dict[str, Threshold]
) -> pl.DataFrame:
    """A child paid the orphan or de facto unsupported child allowance (any register entry)
    whose parent in the household died, was taken into custody or was released in the month
    (the deaths and custody feeds): the child's category, or whether the allowance continues,
    must be reviewed (《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）:
    the allowance follows the parents' situation). Adverse: a release can end it; a verification
    task, never a cut. Parents as ``PARENT_GENERATION`` reads the household."""
    children = ctx.people.filter(
        pl.col("resident_id").is_in(orphan_allowance_receivers(ctx).implode())
    ).select("resident_id", "household_id", pl.col("relation_group").alias("child_group"))
    parents = ctx.people.with_columns(
        pl.col("relation_group")
        .replace_strict(PARENT_GENERATION, default=None, return_dtype=S)
        .alias("child_group")
    ).select(pl.col("resident_id").alias("parent_id"), "household_id", "child_group")
    deaths = ctx.feed("deaths", {"resident_id": S, "died_on": D}).filter(ctx.in_month("died_on"))
    custody = ctx.feed("custody", {"resident_id": S, "started_on": D, "released_on": D})
    events = pl.concat(
        [
            deaths.select(
                "resident_id", pl.lit("died").alias("event"), pl.col("died_on").alias("on")
            ),
            custody.filter(ctx.in_month("started_on")).select(
                "resident_id", pl.lit("custody").alias("event"), pl.col("started_on").alias("on")
            ),
            custody.filter(ctx.in_month("released_on")).select(
                "resident_id", pl.lit("released").alias("event"), pl.col("released_on").alias("on")
            ),
        ]
    ).rename({"resident_id": "parent_id"})
    found = (
        children.join(parents, on=["household_id", "child_group"], how="inner")
        .join(events, on="parent_id", how="inner")
        .sort("resident_id", "on", "event")
    )
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.concat_str([pl.col("event"), pl.col("on").cast(S)], separator=":").alias("episode"),
        pl.struct("parent_id", "event", pl.col("on").alias("date")).alias("record"),
        pl.col("on").cast(S).alias("date"),
        text(pl.col("event"), PARENT_EVENT_ZH).alias("parent_event"),
        text(pl.col("event"), PARENT_EVENT_EN).alias("parent_event_en"),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


@condition("AGE_MILESTONE")
def age_milestone(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A person receiving (register) whose birthday in the month makes them 16, 18 or 60 (a
    29 February birth in a common year: the day ``jiuzhu.rules.ages`` gives)."""
    ages = {name: th[name].value for name in ("work_age", "adult_age", "elderly_age")}
    meaning_zh = {
        "work_age": "进入劳动年龄，需复核劳动能力与收入",
        "adult_age": "成年，需复核特困、孤儿身份及抚养关系",
        "elderly_age": "进入老年，需复核劳动能力和分类施保",
    }
    meaning_en = {
        "work_age": "working age begins; review capacity to work and income",
        "adult_age": "adulthood; review tekun or orphan status and support",
        "elderly_age": "old age begins; review capacity to work and classified assistance",
    }
    receiving = ctx.register.filter(pl.col("receiving")).select("resident_id").unique()
    # The only age a person can reach in the month is the one of this calendar year; whether
    # the anniversary falls in the month follows the rules' 29 February convention.
    people = (
        ctx.people.join(receiving, on="resident_id", how="semi")
        .with_columns(
            (pl.lit(ctx.start.year) - pl.col("birth_date").dt.year().cast(pl.Int32)).alias("turns")
        )
        .filter(ctx.reaches_in_month(pl.col("turns")))
    )
    known = {k: v for k, v in ages.items() if v is not None}
    name = pl.lit(None, S)
    for key, value in known.items():
        name = pl.when(pl.col("turns") == value).then(pl.lit(key)).otherwise(name)
    found = people.with_columns(name.alias("milestone")).filter(pl.col("milestone").is_not_null())
    birthday = ctx.birthday(pl.col("turns"))
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("turns").cast(S).alias("episode"),
        pl.struct("birth_date", "turns", "milestone").alias("record"),
        birthday.cast(S).alias("date"),
        pl.col("turns").cast(S).alias("age"),
        text(pl.col("milestone"), meaning_zh).alias("meaning"),
        text(pl.col("milestone"), meaning_en).alias("meaning_en"),
    )


@condition("RIGID_EXPIRING")
def rigid_expiring(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A rigid-expenditure determination that ends from the month's first day to the end of the
    month ``lead_months`` later."""
    lead = th["lead_months"].value or 0
    until = pl.lit(ctx.end).dt.offset_by(f"{lead}mo").dt.month_end()
    found = ctx.register_households.filter(
        pl.col("rigid_valid_until").is_between(pl.lit(ctx.start), until)
    ).sort("household_id")
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.col("rigid_valid_until").cast(S).alias("episode"),
        pl.struct("rigid_valid_until", "register_category").alias("record"),
        pl.col("rigid_valid_until").cast(S).alias("date"),
    )


@condition("REVIEW_DUE")
def review_due(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A receiving household whose periodic review falls in the month."""
    found = ctx.register_households.filter(pl.col("receiving") & ctx.in_month("review_due")).sort(
        "household_id"
    )
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.col("review_due").cast(S).alias("episode"),
        pl.struct("review_due", "register_category").alias("record"),
        pl.col("review_due").cast(S).alias("date"),
        *register_labels(),
    )


@condition("ASSET_REGISTERED")
def asset_registered(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a receiving household registered in the month a vehicle (not a disability
    vehicle, not deregistered), a property, or a business still active (adverse)."""
    rows = in_register(
        ctx.registered(
            pl.concat(
                [
                    _vehicles_registered(ctx),
                    _properties_registered(ctx),
                    _businesses_registered(ctx),
                ]
            )
        ),
        ctx,
        receiving_only=True,
    )
    asset_zh = {"vehicle": "机动车", "property": "不动产", "business": "市场主体"}
    asset_en = {"vehicle": "a vehicle", "property": "a property", "business": "a business"}
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.concat_str([pl.col("kind"), pl.col("reference")], separator="/").alias("episode"),
        pl.struct("kind", "reference", "date", "detail", "register_category").alias("record"),
        pl.col("date").cast(S),
        text(pl.col("kind"), asset_zh).alias("asset"),
        text(pl.col("kind"), asset_en).alias("asset_en"),
        pl.col("detail").fill_null(""),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


def _vehicles_registered(ctx: Context) -> pl.DataFrame:
    """Vehicles first registered in the month, other than disability vehicles and those
    already deregistered."""
    return (
        ctx.feed(
            "vehicles",
            {
                "resident_id": S,
                "plate": S,
                "vehicle_type": S,
                "use": S,
                "first_registered": D,
                "deregistered": D,
            },
        )
        .filter(
            ctx.in_month("first_registered")
            & (pl.col("use") != "disability")
            & pl.col("deregistered").is_null()
        )
        .select(
            "resident_id",
            pl.lit("vehicle").alias("kind"),
            pl.col("plate").alias("reference"),
            pl.col("first_registered").alias("date"),
            pl.concat_str(
                [pl.col("plate"), text(pl.col("vehicle_type"), VEHICLE_ZH)], separator=" "
            ).alias("detail"),
        )
    )


def _properties_registered(ctx: Context) -> pl.DataFrame:
    """Real estate registered in the month."""
    return (
        ctx.feed(
            "real_estate",
            {"resident_id": S, "certificate": S, "use": S, "floor_area": I64, "registered_on": D},
        )
        .filter(ctx.in_month("registered_on"))
        .select(
            "resident_id",
            pl.lit("property").alias("kind"),
            pl.col("certificate").alias("reference"),
            pl.col("registered_on").alias("date"),
            pl.concat_str(
                [
                    pl.col("certificate"),
                    text(pl.col("use"), USE_ZH),
                    pl.concat_str([yuan(pl.col("floor_area")), pl.lit("m²")]),
                ],
                separator=" ",
            ).alias("detail"),
        )
    )


def _businesses_registered(ctx: Context) -> pl.DataFrame:
    """Market entities established in the month and still active."""
    return (
        ctx.feed(
            "market_entities",
            {
                "resident_id": S,
                "credit_code": S,
                "entity_name": S,
                "established_on": D,
                "status": S,
            },
        )
        .filter(ctx.in_month("established_on") & (pl.col("status") == "active"))
        .select(
            "resident_id",
            pl.lit("business").alias("kind"),
            pl.col("credit_code").alias("reference"),
            pl.col("established_on").alias("date"),
            pl.concat_str([pl.col("entity_name"), pl.col("credit_code")], separator=" ").alias(
                "detail"
            ),
        )
    )
