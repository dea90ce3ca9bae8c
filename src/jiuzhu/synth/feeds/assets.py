"""The feeds of property and businesses: real_estate (the real estate register), vehicles (the
traffic police), financial_assets (banks and securities firms) and market_entities (the market
regulator)."""

from __future__ import annotations

import numpy as np
import polars as pl

from jiuzhu.synth import names
from jiuzhu.synth.feeds.context import INDUSTRIES, WORDS, _Context
from jiuzhu.synth.feeds.layout import LAYOUTS
from jiuzhu.synth.feeds.shared import _days_before, _ints, _rank_in_group, _split


def _real_estate(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Each household's homes in the head's name (areas adding up to the per-capita area times
    the members); a shop or office where the household has non-residential property."""
    heads = context.people.filter(pl.col("head") & (pl.col("homes") > 0))
    repeat = np.repeat(np.arange(heads.height), heads["homes"].to_numpy())
    homes = heads[repeat]
    first = _rank_in_group(repeat) == 0
    total = np.rint(
        homes["per_capita_floor_area"].to_numpy() * homes["size"].to_numpy() * 100
    ).astype(np.int64)
    # The larger home's share of the area is drawn once per household.
    share = np.rint(total * rng.uniform(0.5, 0.7, heads.height)[repeat]).astype(np.int64)
    single = homes["homes"].to_numpy() == 1
    area = np.where(single, total, np.where(first, share, total - share))
    homes = homes.with_columns(
        pl.Series("floor_area", area),
        pl.when(pl.col("area") == "urban")
        .then(pl.lit("成套住宅"))
        .otherwise(pl.lit("住宅"))
        .alias("use"),
    )
    shops = context.people.filter(pl.col("head") & pl.col("non_residential_property"))
    shops = shops.with_columns(
        pl.Series("floor_area", rng.integers(2_000, 30_000, shops.height)),
        pl.Series("use", rng.choice(np.array(["商业", "商服", "办公"]), shops.height)),
    )
    rows = pl.concat([homes, shops], how="diagonal_relaxed").sort("person_id", maintain_order=True)
    count = rows.height
    registered = pl.Series("registered_on", _days_before(context.on, rng, count, 30, 26 * 365))
    serial = pl.Series(rng.permutation(count) + 10_001).cast(pl.String).str.zfill(7)
    year = registered.dt.year().cast(pl.String)
    certificate = (
        pl.when(registered.dt.year() >= 2016)
        .then(
            pl.concat_str(
                [
                    pl.lit("津（"),
                    pl.lit(year),
                    pl.lit("）宝坻区不动产权第"),
                    pl.lit(serial),
                    pl.lit("号"),
                ]
            )
        )
        .otherwise(pl.concat_str([pl.lit("宝坻房权证字第"), pl.lit(serial), pl.lit("号")]))
    )
    place = pl.concat_str([pl.lit("天津市宝坻区"), pl.col("township"), pl.col("community")])
    town_address = pl.concat_str(
        [
            place,
            _ints(rng, 1, 40, count),
            pl.lit("号楼"),
            _ints(rng, 1, 7, count),
            pl.lit("门"),
            _ints(rng, 1, 19, count),
            _ints(rng, 1, 5, count).str.zfill(2),
        ]
    )
    village_address = pl.concat_str([place, _ints(rng, 1, 400, count), pl.lit("号")])
    return rows.select(
        "resident_id",
        "name",
        certificate.alias("certificate"),
        pl.when(pl.col("area") == "urban")
        .then(town_address)
        .otherwise(village_address)
        .alias("address"),
        "floor_area",
        "use",
        pl.lit(registered),
        pl.lit(False).alias("_outsider"),
    )


def _vehicles(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Each household's vehicle in the head's name (a disability car where it is one), and old
    vehicles deregistered years ago of 2 % of the households without one."""
    people = context.people
    owners = context.outsiders(
        people.filter(pl.col("head") & (pl.col("vehicles") > 0)), LAYOUTS["vehicles"].unknown, rng
    )
    count = owners.height
    draw = pl.Series(rng.random(count))
    mobility = pl.col("disability_mobility_vehicles") > 0
    urban = pl.col("area") == "urban"
    kind = (
        pl.when(mobility)
        .then(pl.lit("残疾人专用小型自动挡载客汽车"))
        .when(urban & (pl.lit(draw) < 0.88))
        .then(pl.lit("小型轿车"))
        .when(urban)
        .then(pl.lit("小型越野客车"))
        .when(pl.lit(draw) < 0.7)
        .then(pl.lit("小型轿车"))
        .when(pl.lit(draw) < 0.85)
        .then(pl.lit("轻型货车"))
        .otherwise(pl.lit("三轮汽车"))
    )
    use = (
        pl.when(mobility)
        .then(pl.lit("残疾人专用"))
        .when((kind == "轻型货车") & (pl.lit(draw) < 0.8))
        .then(pl.lit("营运"))
        .otherwise(pl.lit("非营运"))
    )
    current = owners.select(
        "person_id",
        "resident_id",
        "name",
        kind.alias("vehicle_type"),
        use.alias("use"),
        pl.Series("first_registered", _days_before(context.on, rng, count, 20, 18 * 365)),
        pl.lit(None, pl.Date).alias("deregistered"),
        "_outsider",
    )
    without = people.filter(pl.col("head") & (pl.col("vehicles") == 0))
    old = without.filter(pl.Series(rng.random(without.height) < 0.02))
    first = _days_before(context.on, rng, old.height, 10 * 365, 22 * 365)
    span = (np.datetime64(context.on, "D") - first).astype(np.int64)
    gone = first + (span * rng.uniform(0.4, 0.95, old.height)).astype("timedelta64[D]")
    deregistered = old.select(
        "person_id",
        "resident_id",
        "name",
        pl.Series(
            "vehicle_type", rng.choice(np.array(["小型轿车", "三轮汽车", "轻型货车"]), old.height)
        ),
        pl.lit("非营运").alias("use"),
        pl.Series("first_registered", first),
        pl.Series("deregistered", gone),
        pl.lit(False).alias("_outsider"),
    )
    rows = pl.concat([current, deregistered]).sort("person_id", maintain_order=True)
    letters = np.array(list("ABCDEFGHJKLMNQR"))
    plate = pl.concat_str(
        [
            pl.lit("津"),
            pl.lit(pl.Series(rng.choice(letters, rows.height))),
            _ints(rng, 0, 100_000, rows.height).str.zfill(5),
        ]
    )
    return rows.select(
        "resident_id",
        "name",
        plate.alias("plate"),
        "vehicle_type",
        "use",
        "first_registered",
        "deregistered",
        "_outsider",
    )


BANKS = np.array(
    [
        "中国农业银行天津宝坻支行",
        "中国工商银行天津宝坻支行",
        "中国建设银行天津宝坻支行",
        "中国银行天津宝坻支行",
        "中国邮政储蓄银行天津宝坻区支行",
        "天津农村商业银行宝坻支行",
        "天津银行宝坻支行",
        "渤海银行天津宝坻支行",
    ]
)
SECURITIES = np.array(["渤海证券宝坻营业部", "中信证券天津分公司", "国泰君安证券天津营业部"])


def _financial_assets(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """The head's deposits and securities (``monetary_assets`` less the business capital the
    market register reports), in one to three accounts, on the query date."""
    heads = context.people.filter(pl.col("head")).with_columns(
        (pl.col("monetary_assets") - pl.col("business_capital")).alias("deposits")
    )
    heads = heads.filter(pl.col("deposits") > 0)
    count = heads.height
    deposits = heads["deposits"].to_numpy()
    accounts = (
        1
        + ((deposits > 5_000_000) & (rng.random(count) < 0.7))
        + ((deposits > 20_000_000) & (rng.random(count) < 0.6))
    )
    repeat = np.repeat(np.arange(count), accounts)
    rank = _rank_in_group(repeat)
    balance = _split(deposits, repeat, rng.uniform(0.2, 1.0, repeat.shape[0]))
    other = rng.choice(np.array(["理财产品", "证券", "基金"]), repeat.shape[0])
    kind = np.where(rank == 0, "活期存款", np.where(rank == 1, "定期存款", other))
    institution = np.where(
        kind == "证券",
        rng.choice(SECURITIES, repeat.shape[0]),
        rng.choice(BANKS, repeat.shape[0]),
    )
    queried = _days_before(context.on, rng, count, 2, 9)[repeat]
    return heads[repeat].select(
        "resident_id",
        "name",
        pl.Series("institution", institution),
        pl.Series("asset_type", kind),
        pl.Series("balance", balance),
        pl.Series("queried_on", queried),
        pl.lit(False).alias("_outsider"),
    )


def _market_entities(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """The business of each household with business capital (its head the investor) and a few
    businesses closed or revoked of other heads."""
    people = context.people
    owners = people.filter(pl.col("head") & (pl.col("business_capital") > 0)).with_columns(
        pl.col("business_capital").alias("subscribed_capital"), pl.lit("存续").alias("status")
    )
    others = people.filter(
        pl.col("head") & (pl.col("business_capital") == 0) & (pl.col("situation") == "regular")
    )
    closed = others.filter(pl.Series(rng.random(others.height) < 0.005))
    closed = closed.with_columns(
        pl.Series("subscribed_capital", rng.integers(10, 500, closed.height) * 1_000_000),
        pl.Series("status", np.where(rng.random(closed.height) < 0.8, "注销", "吊销")),
    )
    rows = pl.concat([owners, closed]).sort("person_id", maintain_order=True)
    count = rows.height
    individual = rng.random(count) < 0.6
    # Registration authority and kind (92 个体工商户, 91 company), Baodi's code, 9 characters.
    body = np.ascontiguousarray(rng.choice(np.array(list(USCC_CHARACTERS)), (count, 9)))
    code17 = np.char.add(np.where(individual, "92120115", "91120115"), body.view("<U9")[:, 0])
    credit = np.char.add(code17, _uscc_check(code17))
    given = names.given_names(rng, np.ones(count, dtype=bool))
    industry = rng.choice(INDUSTRIES, count)
    shop = np.char.add(
        np.char.add(np.char.add("宝坻区", given), industry),
        rng.choice(np.array(["店", "部", "经营部", "服务部"]), count),
    )
    company = np.char.add(
        np.char.add(np.char.add("天津", rng.choice(WORDS, count)), industry), "有限公司"
    )
    return rows.select(
        "resident_id",
        "name",
        pl.Series("credit_code", credit, dtype=pl.String),
        pl.Series("entity_name", np.where(individual, shop, company), dtype=pl.String),
        "subscribed_capital",
        pl.Series("established_on", _days_before(context.on, rng, count, 60, 20 * 365)),
        "status",
        pl.lit(False).alias("_outsider"),
    )


USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc_check(code17: np.ndarray) -> np.ndarray:
    """GB 32100 check character of unified social credit codes (first 17 characters)."""
    lookup = np.zeros(128, dtype=np.int64)
    for value, character in enumerate(USCC_CHARACTERS):
        lookup[ord(character)] = value
    matrix = np.frombuffer(code17.astype("S17").tobytes(), dtype=np.uint8).reshape(-1, 17)
    total = (lookup[matrix] * np.array(USCC_WEIGHTS)).sum(axis=1)
    return np.asarray(np.array(list(USCC_CHARACTERS))[(31 - total % 31) % 31])
