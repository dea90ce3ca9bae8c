"""The discovery month's events of every feed (``_month_events``; see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

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
    people = context.people.with_columns(
        pl.col("situation").is_in(["hardship", "boundary", "margin"]).alias("low"),
        pl.Series("_event", rng.random(context.people.height)),
    )
    month = _Month(people, first, max(1, (on - first).days), rng, context.orphan_households)
    if source == "social_insurance":
        return _stopped_contributions(context, frame, month)
    events = _EVENTS.get(source)
    if events is None:
        return frame
    return pl.concat([frame, events(month).select(frame.columns)], how="vertical_relaxed")


@dataclass(frozen=True)
class _Month:
    """The discovery month: the district's people with their event draw (``_event``) and
    whether they are low-income (``low``), its first day, its length so far in days, and the
    generator every further draw comes from, in the order the events are made."""

    people: pl.DataFrame
    first: dt.date
    span: int
    rng: np.random.Generator
    orphan_households: pl.Series

    def pick(
        self, low_rate: float, other_rate: float, where: pl.Expr | None = None
    ) -> pl.DataFrame:
        """The people (among ``where``) an event happens to, at a rate by income."""
        rate = pl.when(pl.col("low")).then(low_rate).otherwise(other_rate)
        chosen = pl.col("_event") < rate
        return self.people.filter(chosen if where is None else where & chosen)

    def days(self, count: int) -> pl.Series:
        """``count`` random days of the month so far."""
        return pl.Series(
            np.datetime64(self.first, "D")
            + self.rng.integers(0, self.span, count).astype("timedelta64[D]")
        )


def _hospital_stays(month: _Month) -> pl.DataFrame:
    """Inpatient settlements of the month, half with a diagnosis."""
    rng = month.rng
    stays = month.pick(0.02, 0.003)
    n = stays.height
    total = rng.integers(200_000, 6_000_000, n)
    fund = total // 2
    diagnosis = pl.Series(
        "diagnosis", rng.choice(np.array(list(ILLNESS_LABELS.values())), n), dtype=pl.String
    ).set(pl.Series(rng.random(n) >= 0.5), None)
    return stays.select(
        "resident_id",
        "name",
        pl.lit(month.days(n)).alias("settled_on"),
        pl.lit("住院").alias("visit_type"),
        pl.Series("total_cost", total),
        pl.Series("fund_paid", fund),
        pl.lit(0, pl.Int64).alias("critical_illness_paid"),
        pl.lit(0, pl.Int64).alias("assistance_paid"),
        pl.Series("out_of_pocket", total - fund),
        pl.lit(diagnosis).alias("diagnosis"),
        pl.lit(False).alias("_outsider"),
    )


def _disability_certificates(month: _Month) -> pl.DataFrame:
    """New disability certificates and certificates upgraded by one grade."""
    rng = month.rng
    new = month.pick(0.01, 0.001, pl.col("disability_category") == "none")
    n = new.height
    category = rng.choice(np.array(list(CATEGORY_DIGIT)), n)
    grade = rng.integers(1, 5, n)
    upgraded = month.pick(0.05, 0.01, pl.col("disability_grade") >= 2)
    category = np.concatenate([category, upgraded["disability_category"].to_numpy()])
    grade = np.concatenate([grade, upgraded["disability_grade"].to_numpy() - 1])
    both = pl.concat([new, upgraded]).with_columns(
        pl.Series("category", category, dtype=pl.String), pl.Series("grade", grade)
    )
    return both.select(
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
        pl.lit(month.days(both.height)).alias("issued_on"),
        pl.lit(False).alias("_outsider"),
    )


def _custody(month: _Month) -> pl.DataFrame:
    """People taken into custody this month, among them both parents of a few families."""
    rng, people = month.rng, month.people
    taken = month.pick(0.02, 0.0005, pl.col("age").is_between(18, 59))
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
    started = month.days(n)
    return taken.select(
        "resident_id",
        "name",
        pl.Series("kind", kind),
        pl.Series("kind", kind).replace_strict(INSTITUTIONS).alias("institution"),
        pl.lit(started).alias("started_on"),
        (pl.lit(started) + pl.duration(days=pl.lit(pl.Series(rng.integers(200, 2000, n))))).alias(
            "expected_release"
        ),
        pl.lit(None, pl.Date).alias("released_on"),
        pl.lit(False).alias("_outsider"),
    )


def _deaths(month: _Month) -> pl.DataFrame:
    """Deaths of the month, among people of 60 or more, and a parent in a few of the families
    whose children are paid the orphan allowance (at least one where there are any)."""
    dead = month.pick(0.01, 0.0, pl.col("age") >= 60)
    parents = month.people.filter(
        pl.col("household_id").is_in(month.orphan_households.implode())
        & pl.col("relation").is_in(["01", "02", "10", "11", "12"])
        & pl.col("age").is_between(18, 59)
    ).sort("_event")
    parents = parents.filter((pl.col("_event") < 0.3) | (pl.int_range(pl.len()) == 0))
    dead = pl.concat([dead, parents]).unique("resident_id", keep="first", maintain_order=True)
    return dead.select(
        "resident_id",
        "name",
        pl.lit(month.days(dead.height)).alias("died_on"),
        pl.lit(None, pl.Date).alias("register_cancelled_on"),
        pl.lit(None, pl.Date).alias("cremated_on"),
        pl.lit(False).alias("_outsider"),
    )


def _unemployment(month: _Month) -> pl.DataFrame:
    """Working-age people who lost their work this month (the registry's wages are older)."""
    idle = month.pick(0.03, 0.002, pl.col("age").is_between(18, 59) & ~pl.col("unemployed"))
    return idle.select(
        "resident_id",
        "name",
        pl.lit(month.days(idle.height)).alias("registered_on"),
        pl.lit(None, pl.Int64).alias("benefit"),
        pl.lit("登记失业").alias("status"),
        pl.lit(False).alias("_outsider"),
    )


def _stopped_contributions(context: _Context, frame: pl.DataFrame, month: _Month) -> pl.DataFrame:
    """The social-insurance feed without the latest month of people whose contributions
    stopped (a drop rather than new records)."""
    latest = context.months(1)[0]
    stopped = month.pick(0.2, 0.005, pl.col("transfer_expenditure") > 0).select("resident_id")
    return frame.join(
        stopped.with_columns(pl.lit(latest).alias("period")),
        on=["resident_id", "period"],
        how="anti",
        maintain_order="left",
    )


def _new_assets(month: _Month) -> tuple[pl.DataFrame, pl.Series]:
    """The household heads who registered an asset this month, and the days they did."""
    heads = month.pick(0.03, 0.001, pl.col("head"))
    return heads, month.days(heads.height)


def _vehicles(month: _Month) -> pl.DataFrame:
    """Vehicles first registered this month, some adapted for a disabled driver."""
    rng = month.rng
    heads, when = _new_assets(month)
    n = heads.height
    disability = rng.random(n) < 0.15
    return heads.select(
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


def _real_estate(month: _Month) -> pl.DataFrame:
    """Homes registered this month."""
    rng = month.rng
    heads, when = _new_assets(month)
    n = heads.height
    return heads.select(
        "resident_id",
        "name",
        pl.concat_str(
            [
                pl.lit("津（2025）宝坻区不动产权第"),
                pl.Series(rng.integers(5_000_000, 6_000_000, n)).cast(pl.String),
                pl.lit("号"),
            ]
        ).alias("certificate"),
        pl.concat_str([pl.lit("天津市宝坻区"), pl.col("township"), pl.col("community")]).alias(
            "address"
        ),
        pl.Series("floor_area", rng.integers(4_000, 12_000, n)),
        pl.lit("住宅").alias("use"),
        pl.lit(when).alias("registered_on"),
        pl.lit(False).alias("_outsider"),
    )


def _market_entities(month: _Month) -> pl.DataFrame:
    """Individual businesses established this month, with valid credit codes."""
    heads, when = _new_assets(month)
    n = heads.height
    body = np.ascontiguousarray(month.rng.choice(np.array(list(USCC_CHARACTERS)), (n, 9)))
    code17 = np.char.add("92120115", body.view("<U9")[:, 0]) if n else np.array([], "<U17")
    return heads.select(
        "resident_id",
        "name",
        pl.Series(
            "credit_code",
            np.char.add(code17, _uscc_check(code17)) if n else [],
            dtype=pl.String,
        ),
        pl.concat_str([pl.lit("宝坻区"), pl.col("name"), pl.lit("便民店")]).alias("entity_name"),
        pl.lit(1_000_000, pl.Int64).alias("subscribed_capital"),
        pl.lit(when).alias("established_on"),
        pl.lit("存续").alias("status"),
        pl.lit(False).alias("_outsider"),
    )


# The feeds that gain records in the discovery month, and how (social insurance loses some).
_EVENTS: dict[str, Callable[[_Month], pl.DataFrame]] = {
    "medical_insurance": _hospital_stays,
    "disability": _disability_certificates,
    "custody": _custody,
    "deaths": _deaths,
    "unemployment": _unemployment,
    "vehicles": _vehicles,
    "real_estate": _real_estate,
    "market_entities": _market_entities,
}
