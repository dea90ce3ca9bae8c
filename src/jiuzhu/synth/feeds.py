"""The department feeds of a synthetic district: the thirteen files the departments send.

Each feed is built from the generated population as one Polars frame (no Python loop per person)
and written as the department would send it: the Chinese headers of the source's ``FeedSpec``
(the aliases differ from source to source), CSV in UTF-8 or GB18030 or an xlsx workbook, and the
small dirt real exports carry — full-width digits and a lower-case x in ID numbers, 15-digit
legacy numbers, exactly repeated rows, people who are not in the district's registry, dates and
months written in another form than the rest of the file. Every default feed reads cleanly with
``jiuzhu.feeds.base.read_feed``; ``write_bad_examples`` writes the files that must be rejected.

What each feed says agrees with the population:

========================  ==================================================================
tax                       wages (``wage_income``) of every earner, each of the six months
                          before ``on``, with the income tax withheld
social_insurance          the employee contributions (``transfer_expenditure``: pension 8,
                          medical 2, unemployment 0.5 of 10.5) and the pensions paid
                          (``employee_pension``, ``residents_basic_pension``), three months
housing_fund              deposits of half the town employees, three months
real_estate               the household's ``homes`` in the head's name, floor areas adding up
                          to ``per_capita_floor_area`` × members; shops where
                          ``non_residential_property``
vehicles                  the household's ``vehicles`` (a disability car where
                          ``disability_mobility_vehicles``); old deregistered vehicles
financial_assets          the head's deposits and securities: ``monetary_assets`` less the
                          ``business_capital`` (which ``market_entities`` reports)
market_entities           ``business_capital`` as subscribed capital; a few closed businesses
medical_insurance         settlements of the seriously ill and special-outpatient patients;
                          the patient's own share adds up to ``rigid_medical_expenditure``
disability                a certificate per disabled person (category and grade)
deaths                    a few deaths in the two months before ``on``
unemployment              registrations of working-age people with no income from work
students                  a record per pupil or student by ``student_level``; a few graduates
custody                   the people the registry has as absent in prison or compulsory drug
                          rehabilitation, from ``absent_since``
========================  ==================================================================

On top of this, every feed that discovery reads (docs/discovery.md) carries the events of the
month of ``on`` (the discovery month), dated from its first day to the day before ``on`` and drawn
from a separate random stream (``_month_events``): hospital stays with and without a listed
diagnosis, certificates new or upgraded, custody starts, deaths, unemployment registrations,
contributions stopped (the latest month's rows dropped), and vehicles, properties and businesses
registered — mostly in low-income households, so that every signal fires, and far more records
that do not. These are events the registry does not know yet, so the population-agreement
statements above hold for the records dated before that month.

The same seed gives byte-identical files (the xlsx writer fixes every timestamp).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import xlsxwriter

from jiuzhu.feeds import sources as _sources  # noqa: F401 — registers every source's spec
from jiuzhu.feeds.base import SPECS, FeedSpec
from jiuzhu.feeds.disability import CATEGORY_DIGIT
from jiuzhu.feeds.ids import check_character_series
from jiuzhu.reference import baodi_divisions
from jiuzhu.rules.programs.codes import SERIOUS_ILLNESS
from jiuzhu.synth import names
from jiuzhu.synth.population import District

SHANGHAI = ZoneInfo("Asia/Shanghai")

DATE_FORMS = {
    "iso": "%Y-%m-%d",
    "slash": "%Y/%-m/%-d",
    "compact": "%Y%m%d",
    "chinese": "%Y年%-m月%-d日",
}
"""How departments write a date in text (an xlsx may also hold Excel date cells: ``excel``)."""
PERIOD_FORMS = {"compact": "%Y%m", "iso": "%Y-%m", "chinese": "%Y年%-m月"}
"""How departments write a month."""

OUTSIDE_CODES = ("110105", "120221", "120223", "130223", "130681", "370983", "410184", "140106")
"""Address codes of people outside the registry (other districts and provinces)."""

TAX_MONTHS = 6
INSURANCE_MONTHS = 3
MEDICAL_MONTHS = 12


@dataclass(frozen=True)
class Layout:
    """How a department writes its file and which dirt it carries (rates are shares of rows;
    a rate above zero always gives at least one dirty row)."""

    format: str
    """``csv`` or ``xlsx``."""
    encoding: str
    """CSV: ``utf-8``, ``utf-8-sig`` (with BOM) or ``gb18030``; xlsx: empty."""
    headers: Mapping[str, str]
    """Field → the header written (one of the spec's aliases); unlisted fields: the first."""
    date_form: str = "iso"
    """A key of ``DATE_FORMS`` or ``excel`` (date cells, xlsx only)."""
    period_form: str = "iso"
    line_terminator: str = "\n"
    full_width: float = 0.0
    """ID numbers typed with full-width digits."""
    lower_x: float = 0.0
    """Of the ID numbers ending in X, those with a lower-case x."""
    legacy: float = 0.0
    """Of the ID numbers of people born 1900–1999, those in the 15-digit form."""
    duplicates: float = 0.0
    """Rows exported twice."""
    odd_dates: float = 0.0
    """Date cells in another form than the file's."""
    odd_periods: float = 0.0
    """Month cells in another form than the file's."""
    unknown: float = 0.0
    """People not in the district's registry (a valid ID number of elsewhere)."""
    numbered: bool = False
    """A leading 序号 column."""


LAYOUTS: dict[str, Layout] = {
    "tax": Layout(
        "csv",
        "utf-8-sig",
        {
            "resident_id": "纳税人识别号",
            "name": "纳税人姓名",
            "period": "税款所属期",
            "income": "收入额",
            "tax_withheld": "已扣缴税额",
            "employer": "扣缴义务人名称",
        },
        period_form="iso",
        line_terminator="\r\n",
        full_width=0.002,
        duplicates=0.003,
        odd_periods=0.005,
        unknown=0.002,
    ),
    "social_insurance": Layout(
        "csv",
        "gb18030",
        {
            "resident_id": "公民身份号码",
            "contribution": "个人缴费金额",
            "benefit": "月待遇",
        },
        period_form="compact",
        line_terminator="\r\n",
        lower_x=0.01,
        legacy=0.005,
        odd_periods=0.005,
    ),
    "housing_fund": Layout(
        "csv",
        "gb18030",
        {"resident_id": "证件号码", "name": "职工姓名", "period": "汇缴年月"},
        period_form="chinese",
        line_terminator="\r\n",
        full_width=0.003,
        odd_periods=0.01,
    ),
    "real_estate": Layout(
        "csv",
        "utf-8",
        {
            "resident_id": "权利人证件号",
            "name": "权利人",
            "floor_area": "建筑面积（平方米）",
            "registered_on": "登簿日期",
        },
        date_form="slash",
        legacy=0.01,
        full_width=0.002,
        duplicates=0.003,
        odd_dates=0.005,
    ),
    "vehicles": Layout(
        "xlsx",
        "",
        {"resident_id": "身份证明号码", "name": "机动车所有人"},
        date_form="excel",
        full_width=0.003,
        lower_x=0.02,
        odd_dates=0.01,
        unknown=0.003,
    ),
    "financial_assets": Layout(
        "csv",
        "gb18030",
        {
            "resident_id": "客户证件号",
            "name": "客户姓名",
            "institution": "金融机构",
            "asset_type": "账户类型",
            "balance": "资产余额",
        },
        date_form="compact",
        line_terminator="\r\n",
        duplicates=0.005,
        odd_dates=0.005,
        lower_x=0.01,
    ),
    "market_entities": Layout(
        "xlsx",
        "",
        {"entity_name": "企业名称", "status": "登记状态"},
        date_form="excel",
        odd_dates=0.01,
        legacy=0.01,
    ),
    "medical_insurance": Layout(
        "csv",
        "utf-8-sig",
        {
            "resident_id": "参保人身份证号",
            "name": "参保人姓名",
            "visit_type": "医疗类别",
            "out_of_pocket": "个人负担",
        },
        date_form="iso",
        line_terminator="\r\n",
        full_width=0.002,
        duplicates=0.003,
        odd_dates=0.005,
        unknown=0.002,
    ),
    "disability": Layout(
        "xlsx",
        "",
        {"resident_id": "公民身份号码"},
        date_form="excel",
        lower_x=0.02,
        legacy=0.005,
        duplicates=0.003,
        odd_dates=0.01,
    ),
    "deaths": Layout(
        "xlsx",
        "",
        {"register_cancelled_on": "户籍注销日期"},
        date_form="chinese",
        odd_dates=0.02,
        unknown=0.05,
        numbered=True,
    ),
    "unemployment": Layout(
        "xlsx",
        "",
        {"resident_id": "公民身份号码", "registered_on": "失业登记日期", "status": "登记状态"},
        date_form="iso",
        odd_dates=0.02,
        full_width=0.01,
        numbered=True,
    ),
    "custody": Layout(
        "xlsx",
        "",
        {"resident_id": "公民身份号码", "kind": "执行类型", "started_on": "收押日期"},
        date_form="iso",
        odd_dates=0.02,
        numbered=True,
    ),
    "students": Layout(
        "xlsx",
        "",
        {"resident_id": "学生身份证号", "name": "学生姓名"},
        date_form="excel",
        odd_dates=0.005,
        lower_x=0.01,
    ),
}


@dataclass
class SyntheticFeed:
    """One department file before writing: its cells and what reading it must find."""

    source: str
    layout: Layout
    cells: pl.DataFrame
    """The file's columns under their headers, every cell as written (xlsx date columns:
    ``Date`` or a struct of ``date``/``text``)."""
    numeric: frozenset[str]
    """Headers of columns written as numbers in a workbook."""
    rows: int
    """Distinct rows (what ``read_feed`` accepts)."""
    duplicates: int
    unknown_ids: int
    """Accepted rows whose person is not in the registry."""
    dirt: dict[str, int] = field(default_factory=dict)
    """Dirty cells by kind (``full_width``, ``lower_x``, ``legacy``, ``odd_dates``,
    ``odd_periods``)."""

    @property
    def filename(self) -> str:
        return f"{self.source}.{self.layout.format}"


# --- public -------------------------------------------------------------------------------------


def build_feeds(district: District, seed: int) -> dict[str, SyntheticFeed]:
    """Every source's file contents for ``district``, by source name (see the module docstring)."""
    context = _Context(district, seed)
    builders = {
        "tax": _tax,
        "social_insurance": _social_insurance,
        "housing_fund": _housing_fund,
        "real_estate": _real_estate,
        "vehicles": _vehicles,
        "financial_assets": _financial_assets,
        "market_entities": _market_entities,
        "medical_insurance": _medical_insurance,
        "disability": _disability,
        "deaths": _deaths,
        "unemployment": _unemployment,
        "students": _students,
        "custody": _custody,
    }
    feeds: dict[str, SyntheticFeed] = {}
    for index, (source, build) in enumerate(builders.items(), start=1):
        rng = np.random.default_rng([seed, index])
        frame = build(context, rng)
        # The discovery month's events draw from their own stream, so the rest stays as it was.
        frame = _month_events(source, context, frame, np.random.default_rng([seed, 100 + index]))
        feeds[source] = _render(source, frame, rng, context)
    return feeds


def write_feeds(district: District, out_dir: Path, seed: int) -> dict[str, Path]:
    """Write the thirteen department files into ``out_dir`` (created if missing).

    Returns:
        the path of each source's file, by source name (``tax.csv``, ``vehicles.xlsx``, …).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = _written_at(district.on)
    paths: dict[str, Path] = {}
    for source, feed in build_feeds(district, seed).items():
        path = out_dir / feed.filename
        write_feed(feed, path, written)
        paths[source] = path
    return paths


def write_feed(feed: SyntheticFeed, path: Path, written_at: dt.datetime) -> None:
    """Write one feed's cells as CSV (its encoding) or as an xlsx workbook."""
    if feed.layout.format == "xlsx":
        _write_xlsx(path, feed.cells, feed.numeric, written_at, SPECS[feed.source].label[:31])
        return
    text = feed.cells.write_csv(line_terminator=feed.layout.line_terminator)
    path.write_bytes(text.encode(feed.layout.encoding))


BAD_EXAMPLES = {
    "bad_rows": "tax_bad_rows.csv",
    "missing_column": "social_insurance_missing_column.csv",
    "undecodable": "financial_assets_undecodable.csv",
    "corrupt_xlsx": "vehicles_corrupt.xlsx",
}
"""The deliberately bad files ``write_bad_examples`` writes, by kind."""


def write_bad_examples(out_dir: Path, seed: int = 0) -> dict[str, Path]:
    """Write one file of each kind a reader must reject (for tests and demonstrations).

    - ``bad_rows`` (tax, 14 rows): line 5 has an ID number with a wrong check character, line 9
      an amount that is not a number (``3,2OO.00``, letter O), line 12 more tax withheld than
      income, line 13 the month ``2025-13``; the other ten rows are good.
    - ``missing_column`` (social insurance): no 险种 column.
    - ``undecodable``: bytes that are neither UTF-8 nor GB18030, named ``.csv``.
    - ``corrupt_xlsx``: a vehicles workbook cut off halfway.

    Returns:
        the path of each file, by kind.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 99])
    count = 14
    births = np.datetime64("1960-01-01") + rng.integers(0, 40 * 365, count).astype("timedelta64[D]")
    male = rng.random(count) < 0.5
    first17 = _first17(np.full(count, "120115"), births, 10 + 2 * np.arange(count) + male)
    ids = np.char.add(first17, _check_characters(first17))
    ids[3] = ids[3][:17] + ("1" if ids[3][-1] == "0" else "0")
    income = rng.integers(300_000, 1_200_000, count)
    tax = income // 50
    tax[10] = income[10] + 100
    frame = pl.DataFrame(
        {
            "纳税人识别号": ids,
            "纳税人姓名": np.char.add(names.surnames(rng, count), names.given_names(rng, male)),
            "税款所属期": ["2025-09"] * count,
            "收入额": _yuan_text(pl.Series(income)),
            "已扣缴税额": _yuan_text(pl.Series(tax)),
            "扣缴义务人名称": ["天津宝坻宏达建材有限公司"] * count,
        }
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("3,2OO.00"))
        .otherwise(pl.col("收入额"))
        .alias("收入额"),
        pl.when(pl.int_range(pl.len()) == 11)
        .then(pl.lit("2025-13"))
        .otherwise(pl.col("税款所属期"))
        .alias("税款所属期"),
    )
    paths = {kind: out_dir / name for kind, name in BAD_EXAMPLES.items()}
    paths["bad_rows"].write_text(frame.write_csv(), encoding="utf-8")
    missing = pl.DataFrame(
        {
            "公民身份号码": ids[:3],
            "姓名": frame["纳税人姓名"][:3],
            "费款所属期": ["202509"] * 3,
            "个人缴费金额": ["320.00"] * 3,
            "待遇类型": ["无"] * 3,
            "月待遇": ["0.00"] * 3,
            "参保状态": ["正常参保"] * 3,
        }
    )
    paths["missing_column"].write_bytes(missing.write_csv().encode("gb18030"))
    noise = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    paths["undecodable"].write_bytes(b"\x80\xff\x80" + noise + b"\xff")
    workbook = io.BytesIO()
    cells = pl.DataFrame({"身份证明号码": ids[:5], "机动车所有人": frame["纳税人姓名"][:5]})
    _write_xlsx(workbook, cells, frozenset(), _written_at(dt.date(2025, 10, 15)))
    whole = workbook.getvalue()
    paths["corrupt_xlsx"].write_bytes(whole[: len(whole) // 2])
    return paths


# --- context ------------------------------------------------------------------------------------


class _Context:
    """What several feeds share: persons with their household's facts, the registry, employers
    and the registered unemployed."""

    def __init__(self, district: District, seed: int) -> None:
        self.on = district.on
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


# --- feeds --------------------------------------------------------------------------------------


def _tax(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Each earner's wage in each of the six months before ``on``; tax withheld on the wage less
    the employee contributions and the 5,000-yuan monthly allowance (the monthly bracket table)."""
    earners = context.people.filter(pl.col("wage_income") > 0).select(
        "resident_id", "name", "wage_income", "transfer_expenditure", "employer"
    )
    earners = context.outsiders(earners, LAYOUTS["tax"].unknown, rng)
    months = pl.DataFrame({"period": context.months(TAX_MONTHS)})
    rows = months.join(earners, how="cross")
    taxable = (pl.col("wage_income") - pl.col("transfer_expenditure") - 500_000).clip(0)
    tax: pl.Expr = (taxable * 45 + 50) // 100 - 1_516_000
    for limit, rate, quick in reversed(IIT_BRACKETS):
        tax = pl.when(taxable <= limit).then((taxable * rate + 50) // 100 - quick).otherwise(tax)
    return rows.select(
        "resident_id",
        "name",
        "period",
        pl.col("wage_income").alias("income"),
        tax.clip(0).alias("tax_withheld"),
        "employer",
        "_outsider",
    )


IIT_BRACKETS = (
    (300_000, 3, 0),
    (1_200_000, 10, 21_000),
    (2_500_000, 20, 141_000),
    (3_500_000, 25, 266_000),
    (5_500_000, 30, 441_000),
    (8_000_000, 35, 716_000),
)
"""Monthly taxable wage up to (fen), rate (%), quick deduction (fen); above: 45 %, 15,160 yuan."""


def _social_insurance(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Employee contributions by scheme (pension 8, medical 2, unemployment 0.5 of the 10.5 %
    withheld), pensions paid, and suspended contributions of the urban registered unemployed."""
    people = context.people
    contribution = pl.col("transfer_expenditure")
    pension_part = (contribution * 32 + 21) // 42  # round(C × 8 / 10.5) = round(C × 16 / 21)
    medical_part = (contribution * 8 + 21) // 42  # round(C × 2 / 10.5) = round(C × 4 / 21)
    contributors = people.filter(contribution > 0)
    base = ("person_id", "resident_id", "name")

    def rows(
        frame: pl.DataFrame, scheme: str, paid: pl.Expr, benefit: str, amount: pl.Expr, status: str
    ) -> pl.DataFrame:
        return frame.select(
            *base,
            pl.lit(scheme).alias("scheme"),
            paid.cast(pl.Int64).alias("contribution"),
            pl.lit(benefit).alias("benefit_type"),
            amount.cast(pl.Int64).alias("benefit"),
            pl.lit(status).alias("status"),
        )

    zero = pl.lit(0)
    insured = pl.concat(
        [
            rows(contributors, "城镇职工基本养老保险", pension_part, "无", zero, "正常参保"),
            rows(contributors, "职工基本医疗保险", medical_part, "无", zero, "正常参保"),
            rows(
                contributors,
                "失业保险",
                contribution - pension_part - medical_part,
                "无",
                zero,
                "正常参保",
            ),
            rows(
                people.filter(pl.col("employee_pension") > 0),
                "城镇职工基本养老保险",
                zero,
                "职工基本养老金",
                pl.col("employee_pension"),
                "正常参保",
            ),
            rows(
                people.filter(pl.col("residents_basic_pension") > 0),
                "城乡居民基本养老保险",
                zero,
                "城乡居民基础养老金",
                pl.col("residents_basic_pension"),
                "正常参保",
            ),
            rows(
                people.filter(pl.col("unemployed") & (pl.col("area") == "urban")),
                "城镇职工基本养老保险",
                zero,
                "无",
                zero,
                "暂停缴费",
            ),
        ]
    ).sort("person_id", maintain_order=True)
    months = pl.DataFrame({"period": context.months(INSURANCE_MONTHS)})
    return (
        months.join(insured, how="cross")
        .with_columns(pl.lit(False).alias("_outsider"))
        .select(
            "resident_id",
            "name",
            "scheme",
            "period",
            "contribution",
            "benefit_type",
            "benefit",
            "status",
            "_outsider",
        )
    )


def _housing_fund(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Half the town employees: personal and employer deposits at 5–12 % of the wage."""
    employees = context.people.filter((pl.col("area") == "urban") & (pl.col("wage_income") > 0))
    depositors = employees.filter(pl.Series(rng.random(employees.height) < 0.5))
    count = depositors.height
    rate = rng.choice(np.array([5, 8, 10, 12]), count)
    deposit = (depositors["wage_income"].to_numpy() * rate + 50) // 100
    opening = deposit * 2 * rng.integers(0, 120, count)
    frames = [
        depositors.select("resident_id", "name", "employer").with_columns(
            pl.lit(month).alias("period"),
            pl.Series("personal_deposit", deposit),
            pl.Series("employer_deposit", deposit),
            pl.Series("balance", opening + 2 * deposit * (i + 1)),
        )
        for i, month in enumerate(context.months(INSURANCE_MONTHS))
    ]
    return pl.concat(frames).with_columns(pl.lit(False).alias("_outsider"))


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


def _medical_insurance(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Settlements: monthly special-outpatient visits (last six months), hospital stays of the
    seriously ill (last twelve months) and a few ordinary outpatient visits. Each row's payments
    add up to its total; in households with rigid medical expenditure, the first seriously ill
    member's own share of the stays adds up to ``rigid_medical_expenditure``."""
    people = context.people.with_columns(
        pl.col("situation").is_in(["hardship", "boundary"]).alias("low")
    )
    months = np.array(context.months(MEDICAL_MONTHS), dtype="datetime64[D]")

    def visits(patients: pl.DataFrame, span: int, chance: float) -> tuple[pl.DataFrame, np.ndarray]:
        include = rng.random((patients.height, span)) < chance
        forced = rng.integers(0, span, patients.height)
        include[np.arange(patients.height), forced] = True
        who, month = np.nonzero(include)
        day = rng.integers(0, 28, who.shape[0]).astype("timedelta64[D]")
        settled = months[MEDICAL_MONTHS - span + month] + day
        return patients[who].with_columns(pl.Series("settled_on", settled)), who

    special, _ = visits(people.filter(pl.col("special_outpatient_disease")), 6, 0.6)
    n = special.height
    total = rng.integers(30_000, 300_000, n)
    fund = np.rint(total * rng.uniform(0.6, 0.75, n)).astype(np.int64)
    assist = np.where(special["low"].to_numpy(), (total - fund) // 2, 0)
    special = special.with_columns(
        pl.lit("门诊特殊病").alias("visit_type"),
        pl.Series("total_cost", total),
        pl.Series("fund_paid", fund),
        pl.Series("critical_illness_paid", np.zeros(n, dtype=np.int64)),
        pl.Series("assistance_paid", assist),
        pl.Series("out_of_pocket", total - fund - assist),
    )

    ill = people.filter(pl.col("serious_illness") != "none")
    designated = (
        ill.filter(pl.col("rigid_medical_expenditure") > 0)
        .group_by("household_id", maintain_order=True)
        .agg(pl.col("person_id").first())
    )
    ill = ill.with_columns(
        pl.col("person_id").is_in(designated["person_id"].implode()).alias("rigid")
    )
    stays, who = visits(ill, MEDICAL_MONTHS, 0.12)
    n = stays.height
    total = rng.integers(1_000_000, 12_000_000, n)
    fund = np.rint(total * rng.uniform(0.55, 0.7, n)).astype(np.int64)
    critical = np.rint(total * rng.uniform(0.1, 0.15, n)).astype(np.int64)
    assist = np.where(stays["low"].to_numpy(), (total - fund - critical) // 2, 0)
    own = total - fund - critical - assist
    rigid = stays["rigid"].to_numpy()
    rigid_own = _split(ill["rigid_medical_expenditure"].to_numpy(), who, rng.uniform(0.5, 1.0, n))
    rigid_total = np.rint(rigid_own / rng.uniform(0.22, 0.3, n)).astype(np.int64)
    rigid_fund = np.rint(rigid_total * 0.6).astype(np.int64)
    total = np.where(rigid, rigid_total, total)
    fund = np.where(rigid, rigid_fund, fund)
    own = np.where(rigid, rigid_own, own)
    assist = np.where(rigid, 0, assist)
    stays = stays.with_columns(
        pl.col("serious_illness").replace_strict(ILLNESS_LABELS, default=None).alias("diagnosis"),
        pl.lit("住院").alias("visit_type"),
        pl.Series("total_cost", total),
        pl.Series("fund_paid", fund),
        pl.Series("critical_illness_paid", total - fund - assist - own),
        pl.Series("assistance_paid", assist),
        pl.Series("out_of_pocket", own),
    )

    others = people.filter(pl.Series(rng.random(people.height) < 0.03))
    ordinary, _ = visits(others, 6, 0.0)
    n = ordinary.height
    total = rng.integers(5_000, 80_000, n)
    fund = total // 2
    ordinary = ordinary.with_columns(
        pl.lit("普通门诊").alias("visit_type"),
        pl.Series("total_cost", total),
        pl.Series("fund_paid", fund),
        pl.Series("critical_illness_paid", np.zeros(n, dtype=np.int64)),
        pl.Series("assistance_paid", np.zeros(n, dtype=np.int64)),
        pl.Series("out_of_pocket", total - fund),
    )
    fields = [
        "resident_id",
        "name",
        "settled_on",
        "visit_type",
        "total_cost",
        "fund_paid",
        "critical_illness_paid",
        "assistance_paid",
        "out_of_pocket",
        "diagnosis",
    ]
    special = special.with_columns(pl.lit(None, pl.String).alias("diagnosis"))
    ordinary = ordinary.with_columns(pl.lit(None, pl.String).alias("diagnosis"))
    rows = pl.concat([f.select(fields) for f in (special, stays, ordinary)]).sort(
        "settled_on", maintain_order=True
    )
    return context.outsiders(rows, LAYOUTS["medical_insurance"].unknown, rng)


ILLNESS_LABELS = {c.code: c.label for c in SERIOUS_ILLNESS.codes if c.code != "none"}
"""病种 as the medical insurance bureau writes it: the list's Chinese name."""

CATEGORY_LABELS = {
    "visual": "视力残疾",
    "hearing": "听力残疾",
    "speech": "言语残疾",
    "physical": "肢体残疾",
    "intellectual": "智力残疾",
    "mental": "精神残疾",
    "multiple": "多重残疾",
}
GRADE_LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def _disability(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """A second-generation certificate per disabled person: the ID number, the category digit
    and the grade digit (a B1 suffix on reissued ones)."""
    disabled = context.people.filter(pl.col("disability_category") != "none")
    count = disabled.height
    reissued = pl.Series(rng.random(count) < 0.03)
    certificate = pl.concat_str(
        [
            pl.col("resident_id"),
            pl.col("disability_category").replace_strict(CATEGORY_DIGIT),
            pl.col("disability_grade").cast(pl.String),
            pl.when(pl.lit(reissued)).then(pl.lit("B1")).otherwise(pl.lit("")),
        ]
    )
    return disabled.select(
        "resident_id",
        "name",
        certificate.alias("certificate"),
        pl.col("disability_category").replace_strict(CATEGORY_LABELS).alias("category"),
        pl.col("disability_grade")
        .replace_strict(GRADE_LABELS, return_dtype=pl.String)
        .alias("grade"),
        pl.Series("issued_on", _days_before(context.on, rng, count, 20, 17 * 365)),
        pl.lit(False).alias("_outsider"),
    )


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


# --- rendering ----------------------------------------------------------------------------------


FULL_WIDTH_DIGITS = [chr(0xFF10 + i) for i in range(10)]


def _render(
    source: str, frame: pl.DataFrame, rng: np.random.Generator, context: _Context
) -> SyntheticFeed:
    """The file's cells: headers, values in the department's forms, and the layout's dirt."""
    spec: FeedSpec = SPECS[source]
    layout = LAYOUTS[source]
    xlsx = layout.format == "xlsx"
    dirt = dict.fromkeys(("full_width", "lower_x", "legacy", "odd_dates", "odd_periods"), 0)
    columns: list[pl.Series] = []
    numeric: set[str] = set()
    if layout.numbered:
        columns.append(pl.Series("序号", np.arange(1, frame.height + 1)).cast(pl.String))
        numeric.add("序号")
    extras = [c for c in frame.columns if c.startswith("+")]
    for spec_field in spec.fields:
        header = layout.headers.get(spec_field.name, spec_field.header)
        if header not in spec_field.headers:
            raise ValueError(f"{source}: {header} is not a header of {spec_field.name}")
        values = frame[spec_field.name]
        kind = spec_field.kind
        if kind == "id":
            values = _dirty_ids(values, rng, layout, dirt)
        elif kind == "date":
            values, odd = _dates(
                values, rng, layout, DATE_FORMS, layout.date_form, layout.odd_dates
            )
            dirt["odd_dates"] += odd
        elif kind == "period":
            values, odd = _dates(
                values, rng, layout, PERIOD_FORMS, layout.period_form, layout.odd_periods
            )
            dirt["odd_periods"] += odd
        elif kind in ("yuan", "area"):
            # Hundredths (fen, or 0.01 m²) written with two decimals.
            values = _yuan_text(values)
        elif kind == "wan_yuan":
            values = _wan_yuan_text(values)
        elif kind == "int":
            values = values.cast(pl.String)
        if xlsx and kind in ("yuan", "wan_yuan", "area", "int"):
            numeric.add(header)
        columns.append(values.alias(header))
        if spec_field.name == "name":
            columns += [frame[c].alias(c[1:]) for c in extras]
    cells = pl.DataFrame(columns)
    rows = cells.height
    copies = 0
    if layout.duplicates > 0 and rows:
        copies = max(1, round(layout.duplicates * rows))
        again = np.sort(rng.choice(rows, copies, replace=False))
        cells = _interleave(cells, cells[again], again)
    return SyntheticFeed(
        source=source,
        layout=layout,
        cells=cells,
        numeric=frozenset(numeric),
        rows=rows,
        duplicates=copies,
        unknown_ids=int(frame["_outsider"].sum()),
        dirt=dirt,
    )


def _pick(rng: np.random.Generator, rate: float, eligible: np.ndarray) -> np.ndarray:
    """A mask of ``rate`` of the eligible rows (at least one if any and ``rate`` > 0)."""
    mask = np.zeros(eligible.shape[0], dtype=bool)
    where = np.flatnonzero(eligible)
    if rate <= 0 or where.shape[0] == 0:
        return mask
    count = min(where.shape[0], max(1, round(rate * where.shape[0])))
    mask[rng.choice(where, count, replace=False)] = True
    return mask


def _dirty_ids(
    values: pl.Series, rng: np.random.Generator, layout: Layout, dirt: dict[str, int]
) -> pl.Series:
    """ID numbers as typed: a lower-case x, the 15-digit legacy form (born 1900–1999 only, so
    that the number maps back), full-width digits; each row gets at most one."""
    ends_x = values.str.ends_with("X").to_numpy()
    born_1900s = (values.str.slice(6, 2) == "19").to_numpy()
    lower = _pick(rng, layout.lower_x, ends_x)
    legacy = _pick(rng, layout.legacy, born_1900s & ~lower)
    full = _pick(rng, layout.full_width, ~lower & ~legacy)
    dirt["lower_x"] += int(lower.sum())
    dirt["legacy"] += int(legacy.sum())
    dirt["full_width"] += int(full.sum())
    frame = pl.DataFrame({"v": values, "lower": lower, "legacy": legacy, "full": full})
    v = pl.col("v")
    return frame.select(
        pl.when("lower")
        .then(v.str.to_lowercase())
        .when("legacy")
        .then(v.str.slice(0, 6) + v.str.slice(8, 9))
        .when("full")
        .then(v.str.replace_many([str(i) for i in range(10)], FULL_WIDTH_DIGITS))
        .otherwise(v)
    ).to_series()


def _dates(
    values: pl.Series,
    rng: np.random.Generator,
    layout: Layout,
    forms: Mapping[str, str],
    dominant: str,
    rate: float,
) -> tuple[pl.Series, int]:
    """Dates (or months) as text in the file's form, ``rate`` of them in one of the others; in a
    workbook written with Excel date cells, a struct of the cell's date or its text."""
    odd = _pick(rng, rate, values.is_not_null().to_numpy())
    others = [f for name, f in forms.items() if name != dominant]
    choice = rng.integers(0, len(others), values.len())
    frame = pl.DataFrame({"v": values, "odd": odd, "form": choice})
    text: pl.Expr = pl.lit(None, pl.String)
    for i, form in enumerate(others):
        text = pl.when(pl.col("form") == i).then(pl.col("v").dt.strftime(form)).otherwise(text)
    if dominant == "excel":
        cells = frame.select(
            pl.struct(
                pl.when(~pl.col("odd")).then(pl.col("v")).alias("date"),
                pl.when(pl.col("odd")).then(text).alias("text"),
            )
        )
    else:
        cells = frame.select(
            pl.when(pl.col("odd")).then(text).otherwise(pl.col("v").dt.strftime(forms[dominant]))
        )
    return cells.to_series().alias(values.name), int(odd.sum())


def _yuan_text(fen: pl.Series) -> pl.Series:
    """Integer fen as yuan with two decimals (``1234.50``); null stays null."""
    return pl.select(
        pl.concat_str(
            [
                (pl.lit(fen) // 100).cast(pl.String),
                pl.lit("."),
                (pl.lit(fen) % 100).cast(pl.String).str.zfill(2),
            ]
        )
    ).to_series()


def _wan_yuan_text(fen: pl.Series) -> pl.Series:
    """Integer fen as 万元 without trailing zeros (``50``, ``123.456789``)."""
    whole = (pl.lit(fen) // 1_000_000).cast(pl.String)
    fraction = (pl.lit(fen) % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return pl.select(
        pl.when(fraction == "").then(whole).otherwise(pl.concat_str([whole, pl.lit("."), fraction]))
    ).to_series()


# --- xlsx ---------------------------------------------------------------------------------------


def _write_xlsx(
    target: Path | io.BytesIO,
    cells: pl.DataFrame,
    numeric: frozenset[str],
    written_at: dt.datetime,
    sheet: str = "Sheet1",
) -> None:
    """A one-sheet workbook as a department exports it: text cells, numbers in ``numeric``
    columns, real date cells (``yyyy-mm-dd``) where the column holds dates — XlsxWriter in
    constant-memory mode, with the document's times fixed so the same cells give the same bytes
    (docs/decisions/0005)."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    # Document times are UTC (W3CDTF); XlsxWriter takes a naive datetime.
    workbook.set_properties({"created": written_at.astimezone(dt.UTC).replace(tzinfo=None)})
    worksheet = workbook.add_worksheet(sheet)
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    worksheet.write_row(0, 0, cells.columns)
    kinds = []
    for name, dtype in cells.schema.items():
        if dtype == pl.Date or isinstance(dtype, pl.Struct):
            kinds.append("date")
        elif name in numeric:
            kinds.append("number")
        else:
            kinds.append("text")
    for index, row in enumerate(cells.iter_rows(), start=1):
        for column, (cell, kind) in enumerate(zip(row, kinds, strict=True)):
            value = cell
            if kind == "date" and isinstance(cell, dict):
                # A date cell, or the text a clerk typed instead (struct of date / text).
                value = cell["date"] if cell["date"] is not None else cell["text"]
            if value is None:
                continue
            if isinstance(value, dt.date):
                worksheet.write_datetime(
                    index, column, dt.datetime.combine(value, dt.time()), dates
                )
            elif kind == "number":
                worksheet.write_number(index, column, float(value))
            else:
                worksheet.write_string(index, column, str(value))
    workbook.close()


# --- helpers ------------------------------------------------------------------------------------


def _written_at(on: dt.date) -> dt.datetime:
    """When the departments export: 09:00 on the assessment date, Beijing time."""
    return dt.datetime.combine(on, dt.time(9, 0), tzinfo=SHANGHAI)


def _interleave(frame: pl.DataFrame, copies: pl.DataFrame, after: np.ndarray) -> pl.DataFrame:
    """``frame`` with each row of ``copies`` placed right after row ``after[i]``."""
    key = "__position"
    return (
        pl.concat(
            [
                frame.with_columns(pl.Series(key, np.arange(frame.height) * 2)),
                copies.with_columns(pl.Series(key, np.asarray(after, dtype=np.int64) * 2 + 1)),
            ]
        )
        .sort(key)
        .drop(key)
    )


def _rank_in_group(group: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal, contiguous ``group`` values."""
    if group.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    index = np.arange(group.shape[0])
    start = np.r_[True, group[1:] != group[:-1]]
    return index - np.maximum.accumulate(np.where(start, index, 0))


def _split(amount: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split ``amount[g]`` over the rows of each group ``g`` by ``weights``, exactly (the
    remainder of the rounding goes to the group's first row)."""
    if group.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    groups = amount.shape[0]
    weight_sum = np.bincount(group, weights=weights, minlength=groups)
    share = np.floor(amount[group] * weights / weight_sum[group]).astype(np.int64)
    remainder = amount - np.bincount(group, weights=share, minlength=groups).astype(np.int64)
    first = np.r_[True, group[1:] != group[:-1]]
    share[first] += remainder[group[first]]
    return np.asarray(share)


def _days_before(
    on: dt.date, rng: np.random.Generator, count: int, low: int, high: int
) -> np.ndarray:
    """``count`` dates between ``high`` and ``low`` days (inclusive, exclusive) before ``on``."""
    days = rng.integers(low, high, count).astype("timedelta64[D]")
    return np.datetime64(on, "D") - days


def _ints(rng: np.random.Generator, low: int, high: int, count: int) -> pl.Expr:
    return pl.lit(pl.Series(rng.integers(low, high, count)).cast(pl.String))


def _first17(address: np.ndarray, births: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    digits = np.char.replace(np.datetime_as_string(births, unit="D"), "-", "")
    return np.char.add(
        np.char.add(address.astype(str), digits), np.char.zfill(sequence.astype(str), 3)
    )


def _check_characters(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters of an array of 17-digit strings."""
    if first17.shape[0] == 0:
        return first17.astype(str)
    series = pl.Series(first17.astype(str), dtype=pl.String)
    return np.asarray(check_character_series(series).to_numpy().astype(str))


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
