"""``_Context``, what several feeds share: persons with their household's facts, the registry,
employers (``_employer_names``, from ``WORDS`` and ``INDUSTRIES``, which ``market_entities`` also
uses) and the registered unemployed; and the people outside the registry it makes up."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from jiuzhu.reference import baodi_divisions
from jiuzhu.synth import names
from jiuzhu.synth.feeds.shared import _check_characters, _interleave
from jiuzhu.synth.population import District

OUTSIDE_CODES = ("110105", "120221", "120223", "130223", "130681", "370983", "410184", "140106")
"""Address codes of people outside the registry (other districts and provinces)."""


class _Context:
    """What several feeds share: persons with their household's facts, the registry, employers
    and the registered unemployed."""

    def __init__(self, district: District, seed: int, register: pl.DataFrame | None = None) -> None:
        self.on = district.on
        # The households of children paid the orphan allowance (the month's events kill a few
        # of their parents, for discovery's review of the child's category).
        self.orphan_households = (
            pl.Series("household_id", [], dtype=district.persons["household_id"].dtype)
            if register is None
            else register.filter(pl.col("orphan_allowance"))["household_id"]
            .cast(district.persons["household_id"].dtype)
            .unique()
        )
        self.registry = district.persons["resident_id"]
        divisions = baodi_divisions()
        households = district.households.select(
            "household_id",
            pl.col("area_type").cast(pl.String).alias("area"),
            "situation",
            "division_code",
            "township_code",
            "homes",
            "vehicles",
            "disability_mobility_vehicles",
            "per_capita_floor_area",
            "non_residential_property",
            "business_capital",
            "rigid_medical_expenditure",
        ).with_columns(
            pl.col("township_code")
            .replace_strict({c: d.name for c, d in divisions.items()}, default="")
            .alias("township"),
            pl.col("division_code")
            .replace_strict({c: d.name for c, d in divisions.items()}, default="")
            .str.replace(r"村?村委会$|村民委员会$", "村")
            .str.replace(r"社区居委会$|居委会$|居民委员会$", "社区")
            .alias("community"),
        )
        birth = pl.col("birth_date")
        on_day = self.on.month * 100 + self.on.day
        age = (
            pl.lit(self.on.year)
            - birth.dt.year()
            - ((birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day()) > on_day).cast(pl.Int32)
        )
        persons = district.persons.with_columns(
            pl.col(c).cast(pl.String)
            for c in (
                "relation",
                "absence_reason",
                "student_level",
                "disability_category",
                "serious_illness",
            )
        )
        rng = np.random.default_rng([seed, 0])
        employers = _employer_names(rng, max(20, persons.height // 60))
        people = persons.join(households, on="household_id", how="left", maintain_order="left")
        self.people = people.with_columns(
            age.cast(pl.Int32).alias("age"),
            (pl.col("relation") == "01").alias("head"),
            pl.len().over("household_id").alias("size"),
            pl.Series("employer", employers[rng.integers(0, len(employers), people.height)]),
            pl.Series("_draw", rng.random(people.height)),
        )
        idle = (
            pl.col("age").is_between(18, 59)
            & (pl.col("wage_income") == 0)
            & (pl.col("business_net_income") == 0)
            & (pl.col("student_level") == "none")
            & (pl.col("absence_reason") == "none")
        )
        self.people = self.people.with_columns((idle & (pl.col("_draw") < 0.4)).alias("unemployed"))

    def months(self, count: int) -> list[dt.date]:
        """The first days of the ``count`` months before the month of ``on``, oldest first."""
        year, month = self.on.year, self.on.month
        firsts = []
        for _ in range(count):
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            firsts.append(dt.date(year, month, 1))
        return firsts[::-1]

    def outsiders(self, frame: pl.DataFrame, rate: float, rng: np.random.Generator) -> pl.DataFrame:
        """``frame`` with ``_outsider`` and, if ``rate`` > 0, copies of a few rows (at least one)
        made into people not in the registry: a valid ID number of another address code, the
        same birth date and sex, another name. Each copy follows its original."""
        frame = frame.with_columns(pl.lit(False).alias("_outsider"))
        if rate <= 0 or frame.height == 0:
            return frame
        count = max(1, round(rate * frame.height))
        rows = np.sort(rng.choice(frame.height, min(count, frame.height), replace=False))
        sample = frame[rows]
        birth = sample["resident_id"].str.slice(6, 8).to_numpy().astype(str)
        male = sample["resident_id"].str.slice(16, 1).cast(pl.Int32).to_numpy() % 2 == 1
        sequence = 2 * rng.integers(450, 500, rows.shape[0]) + male
        first17 = np.char.add(
            np.char.add(rng.choice(np.array(OUTSIDE_CODES), rows.shape[0]), birth),
            np.char.zfill(sequence.astype(str), 3),
        )
        number = np.char.add(first17, _check_characters(first17))
        name = np.char.add(names.surnames(rng, rows.shape[0]), names.given_names(rng, male))
        copies = sample.with_columns(
            pl.Series("resident_id", number),
            pl.Series("name", name),
            pl.lit(True).alias("_outsider"),
            pl.Series("__after", rows),
        ).filter(~pl.col("resident_id").is_in(self.registry.implode()))
        copies = copies.unique("resident_id", keep="first", maintain_order=True)
        after = copies["__after"].to_numpy()
        return _interleave(frame, copies.drop("__after"), after)


WORDS = np.array(
    [
        "宏达",
        "鑫源",
        "润泽",
        "恒信",
        "金穗",
        "丰盛",
        "瑞祥",
        "华宇",
        "德盛",
        "永顺",
        "兴旺",
        "利民",
        "潮白",
        "京津",
        "盛世",
        "广源",
    ]
)
INDUSTRIES = np.array(
    [
        "农机服务",
        "农资经销",
        "蔬菜种植",
        "食品",
        "建材",
        "汽车修理",
        "餐饮",
        "物流",
        "五金",
        "服装",
        "电子",
        "建筑工程",
        "养殖",
        "商贸",
    ]
)


PUBLIC_EMPLOYERS = (
    "天津市宝坻区人民医院",
    "天津市宝坻区中医医院",
    "天津市宝坻区第一中学",
    "天津市宝坻区城市管理综合执法局",
    "天津市宝坻区供热公司",
    "天津宝坻经济开发区管理委员会",
)


def _employer_names(rng: np.random.Generator, count: int) -> np.ndarray:
    """Employer names: a few public bodies and ``count`` firms (word + industry + 有限公司)."""
    firms = np.char.add(
        np.char.add(np.char.add("天津", rng.choice(WORDS, count)), rng.choice(INDUSTRIES, count)),
        rng.choice(np.array(["有限公司", "有限责任公司", "股份有限公司"]), count),
    )
    return np.unique(np.concatenate([np.array(PUBLIC_EMPLOYERS), firms]))
