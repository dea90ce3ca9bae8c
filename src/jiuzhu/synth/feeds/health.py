"""The feeds of health: medical_insurance (the medical insurance bureau) and disability (the
disabled persons' federation)."""

from __future__ import annotations

import numpy as np
import polars as pl

from jiuzhu.feeds.disability import CATEGORY_DIGIT
from jiuzhu.rules.programs.codes import SERIOUS_ILLNESS
from jiuzhu.synth.feeds.context import _Context
from jiuzhu.synth.feeds.layout import LAYOUTS
from jiuzhu.synth.feeds.shared import _days_before, _split

MEDICAL_MONTHS = 12


def _medical_insurance(context: _Context, rng: np.random.Generator) -> pl.DataFrame:
    """Settlements: monthly special-outpatient visits (last six months), hospital stays of the
    seriously ill (last twelve months) and a few ordinary outpatient visits. Each row's payments
    add up to its total; in households with rigid medical expenditure, the first seriously ill
    member's own share of the stays adds up to ``rigid_medical_expenditure``."""
    people = context.people.with_columns(
        pl.col("situation").is_in(["hardship", "boundary"]).alias("low")
    )
    months = np.array(context.months(MEDICAL_MONTHS), dtype="datetime64[D]")
    special = _special_outpatient(people, months, rng)
    stays = _hospital_stays(people, months, rng)
    ordinary = _ordinary_outpatient(people, months, rng)
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


def _visits(
    months: np.ndarray, rng: np.random.Generator, patients: pl.DataFrame, span: int, chance: float
) -> tuple[pl.DataFrame, np.ndarray]:
    """A row per visit of each patient: in each of the last ``span`` of ``months`` with
    ``chance``, and in one of them at least; with the index of the visit's patient."""
    include = rng.random((patients.height, span)) < chance
    forced = rng.integers(0, span, patients.height)
    include[np.arange(patients.height), forced] = True
    who, month = np.nonzero(include)
    day = rng.integers(0, 28, who.shape[0]).astype("timedelta64[D]")
    settled = months[MEDICAL_MONTHS - span + month] + day
    return patients[who].with_columns(pl.Series("settled_on", settled)), who


def _special_outpatient(
    people: pl.DataFrame, months: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Monthly visits for a special outpatient disease (last six months), amounts in fen."""
    special, _ = _visits(months, rng, people.filter(pl.col("special_outpatient_disease")), 6, 0.6)
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
    return special


def _hospital_stays(
    people: pl.DataFrame, months: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Hospital stays of the seriously ill (last twelve months), amounts in fen; the first
    seriously ill member of a household with rigid medical expenditure pays it in own shares."""
    ill = people.filter(pl.col("serious_illness") != "none")
    designated = (
        ill.filter(pl.col("rigid_medical_expenditure") > 0)
        .group_by("household_id", maintain_order=True)
        .agg(pl.col("person_id").first())
    )
    ill = ill.with_columns(
        pl.col("person_id").is_in(designated["person_id"].implode()).alias("rigid")
    )
    stays, who = _visits(months, rng, ill, MEDICAL_MONTHS, 0.12)
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
    return stays


def _ordinary_outpatient(
    people: pl.DataFrame, months: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """A few ordinary outpatient visits (last six months), amounts in fen."""
    others = people.filter(pl.Series(rng.random(people.height) < 0.03))
    ordinary, _ = _visits(months, rng, others, 6, 0.0)
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
    return ordinary


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
