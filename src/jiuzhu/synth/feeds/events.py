"""The discovery month's events of every feed (``_month_events``; see the package docstring)."""

from __future__ import annotations

import numpy as np
import polars as pl

from jiuzhu.feeds.disability import CATEGORY_DIGIT
from jiuzhu.synth.feeds.assets import USCC_CHARACTERS, _uscc_check
from jiuzhu.synth.feeds.civil import INSTITUTIONS
from jiuzhu.synth.feeds.context import _Context
from jiuzhu.synth.feeds.health import CATEGORY_LABELS, GRADE_LABELS, ILLNESS_LABELS


def _month_events(
    source: str, context: _Context, frame: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """``frame`` with the discovery month's events of ``source`` (see the module docstring)."""
    on = context.on
    first = on.replace(day=1)
    span = max(1, (on - first).days)
    people = context.people.with_columns(
        pl.col("situation").is_in(["hardship", "boundary", "margin"]).alias("low"),
        pl.Series("_event", rng.random(context.people.height)),
    )

    def pick(low_rate: float, other_rate: float, where: pl.Expr | None = None) -> pl.DataFrame:
        rate = pl.when(pl.col("low")).then(low_rate).otherwise(other_rate)
        chosen = pl.col("_event") < rate
        return people.filter(chosen if where is None else where & chosen)

    def days(count: int) -> pl.Series:
        return pl.Series(
            np.datetime64(first, "D") + rng.integers(0, span, count).astype("timedelta64[D]")
        )

    if source == "medical_insurance":
        stays = pick(0.02, 0.003)
        n = stays.height
        total = rng.integers(200_000, 6_000_000, n)
        fund = total // 2
        diagnosis = pl.Series(
            "diagnosis", rng.choice(np.array(list(ILLNESS_LABELS.values())), n), dtype=pl.String
        ).set(pl.Series(rng.random(n) >= 0.5), None)
        extra = stays.select(
            "resident_id",
            "name",
            pl.lit(days(n)).alias("settled_on"),
            pl.lit("住院").alias("visit_type"),
            pl.Series("total_cost", total),
            pl.Series("fund_paid", fund),
            pl.lit(0, pl.Int64).alias("critical_illness_paid"),
            pl.lit(0, pl.Int64).alias("assistance_paid"),
            pl.Series("out_of_pocket", total - fund),
            pl.lit(diagnosis).alias("diagnosis"),
            pl.lit(False).alias("_outsider"),
        )
    elif source == "disability":
        new = pick(0.01, 0.001, pl.col("disability_category") == "none")
        n = new.height
        category = rng.choice(np.array(list(CATEGORY_DIGIT)), n)
        grade = rng.integers(1, 5, n)
        upgraded = pick(0.05, 0.01, pl.col("disability_grade") >= 2)
        category = np.concatenate([category, upgraded["disability_category"].to_numpy()])
        grade = np.concatenate([grade, upgraded["disability_grade"].to_numpy() - 1])
        both = pl.concat([new, upgraded]).with_columns(
            pl.Series("category", category, dtype=pl.String), pl.Series("grade", grade)
        )
        extra = both.select(
            "resident_id",
            "name",
            pl.concat_str(
                [
                    pl.col("resident_id"),
                    pl.col("category").replace_strict(CATEGORY_DIGIT),
                    pl.col("grade").cast(pl.String),
                    pl.lit("B2"),
                ]
            ).alias("certificate"),
            pl.col("category").replace_strict(CATEGORY_LABELS).alias("category"),
            pl.col("grade").replace_strict(GRADE_LABELS, return_dtype=pl.String).alias("grade"),
            pl.lit(days(both.height)).alias("issued_on"),
            pl.lit(False).alias("_outsider"),
        )
    elif source == "custody":
        taken = pick(0.02, 0.0005, pl.col("age").is_between(18, 59))
        # Both parents of a few low-income families with children (de facto unsupported).
        with_children = people.filter(
            (pl.col("age") < 18) & pl.col("relation").cast(pl.String).str.contains("^[23]")
        ).select("household_id")
        couples = people.join(with_children.unique(), on="household_id", how="semi").filter(
            pl.col("low")
            & pl.col("relation").cast(pl.String).is_in(["01", "02", "10", "11", "12"])
            & (pl.col("_event").first().over("household_id") < 0.06)
        )
        taken = pl.concat([taken, couples]).unique("resident_id", keep="first", maintain_order=True)
        n = taken.height
        kind = rng.choice(np.array(["服刑", "刑事拘留", "强制隔离戒毒"]), n)
        started = days(n)
        extra = taken.select(
            "resident_id",
            "name",
            pl.Series("kind", kind),
            pl.Series("kind", kind).replace_strict(INSTITUTIONS).alias("institution"),
            pl.lit(started).alias("started_on"),
            (
                pl.lit(started) + pl.duration(days=pl.lit(pl.Series(rng.integers(200, 2000, n))))
            ).alias("expected_release"),
            pl.lit(None, pl.Date).alias("released_on"),
            pl.lit(False).alias("_outsider"),
        )
    elif source == "deaths":
        dead = pick(0.01, 0.0, pl.col("age") >= 60)
        extra = dead.select(
            "resident_id",
            "name",
            pl.lit(days(dead.height)).alias("died_on"),
            pl.lit(None, pl.Date).alias("register_cancelled_on"),
            pl.lit(None, pl.Date).alias("cremated_on"),
            pl.lit(False).alias("_outsider"),
        )
    elif source == "unemployment":
        # Working-age people who lost their work this month (the registry's wages are older).
        idle = pick(0.03, 0.002, pl.col("age").is_between(18, 59) & ~pl.col("unemployed"))
        extra = idle.select(
            "resident_id",
            "name",
            pl.lit(days(idle.height)).alias("registered_on"),
            pl.lit(None, pl.Int64).alias("benefit"),
            pl.lit("登记失业").alias("status"),
            pl.lit(False).alias("_outsider"),
        )
    elif source == "social_insurance":
        latest = context.months(1)[0]
        stopped = pick(0.2, 0.005, pl.col("transfer_expenditure") > 0).select("resident_id")
        return frame.join(
            stopped.with_columns(pl.lit(latest).alias("period")),
            on=["resident_id", "period"],
            how="anti",
            maintain_order="left",
        )
    elif source in ("vehicles", "real_estate", "market_entities"):
        heads = pick(0.03, 0.001, pl.col("head"))
        n = heads.height
        when = days(n)
        if source == "vehicles":
            disability = rng.random(n) < 0.15
            extra = heads.select(
                "resident_id",
                "name",
                pl.concat_str(
                    [pl.lit("津N"), pl.Series(rng.integers(10_000, 100_000, n)).cast(pl.String)]
                ).alias("plate"),
                pl.Series(
                    "vehicle_type",
                    np.where(disability, "残疾人专用小型自动挡载客汽车", "小型轿车"),
                ),
                pl.Series("use", np.where(disability, "残疾人专用", "非营运")),
                pl.lit(when).alias("first_registered"),
                pl.lit(None, pl.Date).alias("deregistered"),
                pl.lit(False).alias("_outsider"),
            )
        elif source == "real_estate":
            extra = heads.select(
                "resident_id",
                "name",
                pl.concat_str(
                    [
                        pl.lit("津（2025）宝坻区不动产权第"),
                        pl.Series(rng.integers(5_000_000, 6_000_000, n)).cast(pl.String),
                        pl.lit("号"),
                    ]
                ).alias("certificate"),
                pl.concat_str(
                    [pl.lit("天津市宝坻区"), pl.col("township"), pl.col("community")]
                ).alias("address"),
                pl.Series("floor_area", rng.integers(4_000, 12_000, n)),
                pl.lit("住宅").alias("use"),
                pl.lit(when).alias("registered_on"),
                pl.lit(False).alias("_outsider"),
            )
        else:
            body = np.ascontiguousarray(rng.choice(np.array(list(USCC_CHARACTERS)), (n, 9)))
            code17 = np.char.add("92120115", body.view("<U9")[:, 0]) if n else np.array([], "<U17")
            extra = heads.select(
                "resident_id",
                "name",
                pl.Series(
                    "credit_code",
                    np.char.add(code17, _uscc_check(code17)) if n else [],
                    dtype=pl.String,
                ),
                pl.concat_str([pl.lit("宝坻区"), pl.col("name"), pl.lit("便民店")]).alias(
                    "entity_name"
                ),
                pl.lit(1_000_000, pl.Int64).alias("subscribed_capital"),
                pl.lit(when).alias("established_on"),
                pl.lit("存续").alias("status"),
                pl.lit(False).alias("_outsider"),
            )
    else:
        return frame
    return pl.concat([frame, extra.select(frame.columns)], how="vertical_relaxed")
