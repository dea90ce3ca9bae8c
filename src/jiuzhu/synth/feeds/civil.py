"""The feeds of civil status: deaths (civil affairs and the police), unemployment (human
resources), students (education) and custody (justice and the police)."""

from __future__ import annotations

import numpy as np
import polars as pl

from jiuzhu.synth.feeds.context import _Context
from jiuzhu.synth.feeds.layout import LAYOUTS
from jiuzhu.synth.feeds.shared import _days_before


def _deaths(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Deaths in the sixty days before ``on`` (about two months of the age-specific rates);
    the register cancelled days or weeks later, cremation within days (a few not yet)."""
    people = context.people
    age = people["age"].to_numpy()
    chance = np.select([age < 60, age < 80], [0.0001, 0.002], 0.012)
    dead = context.outsiders(
        people.filter(pl.Series(rng.random(people.height) < chance)),
        LAYOUTS["deaths"].unknown,
        rng,
    )
    count = dead.height
    died = _days_before(context.on, rng, count, 1, 61)
    cancelled = died + rng.integers(3, 40, count).astype("timedelta64[D]")
    cremated = died + rng.integers(1, 6, count).astype("timedelta64[D]")
    today = np.datetime64(context.on, "D")
    return dead.select(
        "resident_id",
        "name",
        pl.Series("died_on", died),
        pl.Series(
            "register_cancelled_on", np.where(cancelled < today, cancelled, np.datetime64("NaT"))
        ),
        pl.Series(
            "cremated_on",
            np.where(
                (cremated < today) & (rng.random(count) > 0.05), cremated, np.datetime64("NaT")
            ),
        ),
        "_outsider",
    )


def _unemployment(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Registrations of the working-age without income from work (``unemployed``), and earlier
    registrations of a few people now employed or whose registration was cancelled."""
    people = context.people
    registered = people.filter(pl.col("unemployed"))
    earners = people.filter(pl.col("age").is_between(18, 59) & (pl.col("wage_income") > 0))
    draw = rng.random(earners.height)
    employed = earners.filter(pl.Series(draw < 0.005))
    cancelled = earners.filter(pl.Series((draw >= 0.005) & (draw < 0.007)))
    rows = pl.concat(
        [
            registered.select(
                "person_id",
                "resident_id",
                "name",
                pl.Series(
                    "registered_on", _days_before(context.on, rng, registered.height, 10, 730)
                ),
                pl.lit("登记失业").alias("status"),
            ),
            employed.select(
                "person_id",
                "resident_id",
                "name",
                pl.Series(
                    "registered_on", _days_before(context.on, rng, employed.height, 365, 6 * 365)
                ),
                pl.lit("已就业").alias("status"),
            ),
            cancelled.select(
                "person_id",
                "resident_id",
                "name",
                pl.Series(
                    "registered_on", _days_before(context.on, rng, cancelled.height, 365, 6 * 365)
                ),
                pl.lit("注销登记").alias("status"),
            ),
        ]
    ).sort("registered_on", "person_id")
    return rows.select(
        "resident_id",
        "name",
        "registered_on",
        pl.lit(None, pl.Int64).alias("benefit"),
        "status",
        pl.lit(False).alias("_outsider"),
    )


LEVELS = {
    # level: (label, age at entry, years)
    "preschool": ("学前教育", 3, 3),
    "primary": ("小学", 6, 6),
    "junior_secondary": ("初中", 12, 3),
    "senior_secondary": ("普通高中", 15, 3),
    "secondary_vocational": ("中职", 15, 3),
    "higher_vocational": ("高职专科", 18, 3),
    "undergraduate": ("本科", 18, 4),
    "postgraduate": ("研究生", 22, 3),
}
SCHOOLS = {
    "senior_secondary": [
        "天津市宝坻区第一中学",
        "天津市宝坻区第二中学",
        "天津市宝坻区第四中学",
        "天津市宝坻区大口屯高级中学",
        "天津市宝坻区第九中学",
    ],
    "secondary_vocational": ["天津市宝坻区职业技术教育中心", "天津市宝坻区职业技术学校"],
    "higher_vocational": [
        "天津城市职业学院",
        "天津轻工职业技术学院",
        "天津交通职业学院",
        "天津医学高等专科学校",
    ],
    "undergraduate": [
        "天津大学",
        "南开大学",
        "天津师范大学",
        "天津理工大学",
        "天津科技大学",
        "天津财经大学",
        "天津商业大学",
        "河北工业大学",
    ],
    "postgraduate": ["天津大学", "南开大学", "天津师范大学", "天津医科大学"],
}


def _students(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """A record per pupil or student (school by level and township, entry in September of the
    year their age gives), and a few recent graduates (``毕业``) who study no longer."""
    people = context.people
    school_year = context.on.year if context.on.month >= 9 else context.on.year - 1
    current = people.filter(pl.col("student_level") != "none").with_columns(
        pl.col("student_level").alias("level"), pl.lit("在读").alias("status")
    )
    idle = people.filter(pl.col("age").is_between(18, 24) & (pl.col("student_level") == "none"))
    graduates = idle.filter(pl.Series(rng.random(idle.height) < 0.03)).with_columns(
        pl.when(pl.col("age") <= 19)
        .then(pl.lit("senior_secondary"))
        .otherwise(pl.lit("undergraduate"))
        .alias("level"),
        pl.lit("毕业").alias("status"),
    )
    rows = pl.concat([current, graduates]).sort("person_id", maintain_order=True)
    count = rows.height
    start = pl.col("level").replace_strict(
        {k: v[1] for k, v in LEVELS.items()}, return_dtype=pl.Int32
    )
    years = pl.col("level").replace_strict(
        {k: v[2] for k, v in LEVELS.items()}, return_dtype=pl.Int32
    )
    graduated = pl.col("status") == "毕业"
    into = pl.when(graduated).then(years).otherwise((pl.col("age") - start).clip(0, years - 1))
    entry_year = pl.lit(school_year) - into - graduated.cast(pl.Int32)
    pick = pl.Series(rng.integers(0, 1 << 30, count))
    named: pl.Expr = pl.lit(None, pl.String)
    for level, schools in SCHOOLS.items():
        named = (
            pl.when(pl.col("level") == level)
            .then(pl.lit(pl.Series(schools)).gather(pl.lit(pick) % len(schools)))
            .otherwise(named)
        )
    local = (
        pl.when(pl.col("level") == "preschool")
        .then(pl.concat_str([pl.lit("天津市宝坻区"), pl.col("township"), pl.lit("中心幼儿园")]))
        .when(pl.col("level") == "primary")
        .then(pl.concat_str([pl.lit("天津市宝坻区"), pl.col("township"), pl.lit("中心小学")]))
        .when(pl.col("level") == "junior_secondary")
        .then(pl.concat_str([pl.lit("天津市宝坻区"), pl.col("township"), pl.lit("中学")]))
    )
    return rows.select(
        "resident_id",
        "name",
        pl.when(pl.col("sex") == "1").then(pl.lit("男")).otherwise(pl.lit("女")).alias("+性别"),
        pl.coalesce(local, named).alias("school"),
        pl.col("level").replace_strict({k: v[0] for k, v in LEVELS.items()}).alias("level"),
        pl.date(entry_year, 9, pl.lit(pl.Series(rng.integers(1, 6, count)))).alias("enrolled_on"),
        "status",
        pl.lit(False).alias("_outsider"),
    )


CUSTODY_KINDS = {"prison": "服刑", "compulsory_drug_rehabilitation": "强制隔离戒毒"}
INSTITUTIONS = {
    "服刑": "天津市监狱",
    "刑事拘留": "天津市宝坻区看守所",
    "强制隔离戒毒": "天津市强制隔离戒毒所",
}


def _custody(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """The people the registry has as absent in prison or compulsory drug rehabilitation, from
    ``absent_since`` (or a few years back where it is blank), still held."""
    held = context.people.filter(
        pl.col("absence_reason").is_in(list(CUSTODY_KINDS)) & pl.col("_draw").is_not_null()
    )
    count = held.height
    fallback = pl.Series(_days_before(context.on, rng, count, 200, 6 * 365))
    kind = pl.col("absence_reason").replace_strict(CUSTODY_KINDS)
    started = pl.coalesce(pl.col("absent_since"), pl.lit(fallback))
    return held.select(
        "resident_id",
        "name",
        kind.alias("kind"),
        kind.replace_strict(INSTITUTIONS).alias("institution"),
        started.alias("started_on"),
        (started + pl.duration(days=pl.lit(pl.Series(rng.integers(400, 3000, count))))).alias(
            "expected_release"
        ),
        pl.lit(None, pl.Date).alias("released_on"),
        pl.lit(False).alias("_outsider"),
    )
