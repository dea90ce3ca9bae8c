"""The low-income population register of a synthetic district (``register.parquet``).

The rules engine assesses every household on ``on``; a realistic take-up turns the assessment
into the register (decision 0007's ``REGISTER_SCHEMA``, restated here because ``jiuzhu.synth``
may not import ``jiuzhu.batch``; a test keeps the two equal):

- dibao-eligible households: 85 % receive (every member a ``dibao`` row; one in eight paid the
  amount before the classified deductions, less than the engine's), 8 % are monitored (rejected
  or exited in the last year, still eligible: discovery's 漏保 check finds them), the rest are not
  in the register;
- tekun-eligible persons: 80 % receive (``tekun``); near-dibao households: 80 % (``near_dibao``),
  10 % monitored; rigid-expenditure households (with rigid costs, eligible or undetermined for want of the
  2024 threshold): 70 % (``rigid_expenditure``, valid 12 months);
- 0.3 % of the other households are monitored (rejected or exited in the last year).

Reviews fall due over the twelve months from the month of ``on``; disabled recipients receive the
disability allowances four times in five; 2 % of the children of the applicant or spouse in a
register household are paid the orphan or de facto unsupported child allowance (the feeds then
have a few of their parents die in the discovery month); of the register's children the rules
engine finds eligible for the children-in-hardship allowance and not paid the orphan allowance,
four in five are paid it (discovery's check finds the others). Deterministic by seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from jiuzhu.rules import load_system
from jiuzhu.synth.population import District

REGISTER_COLUMNS = pl.Schema(
    {
        "resident_id": pl.String(),
        "household_id": pl.String(),
        "category": pl.Enum(["dibao", "tekun", "near_dibao", "rigid_expenditure", "monitored"]),
        "receiving": pl.Boolean(),
        "included_on": pl.Date(),
        "reason": pl.String(),
        "review_due": pl.Date(),
        "rigid_valid_until": pl.Date(),
        "monthly_amount": pl.Int64(),
        "disability_living_allowance": pl.Boolean(),
        "disability_care_allowance": pl.Boolean(),
        "orphan_allowance": pl.Boolean(),
        "children_in_hardship_allowance": pl.Boolean(),
    }
)
"""The register frame (docs/decisions/0007 ``REGISTER_SCHEMA``); ``monthly_amount`` in fen."""


def build_register(district: District, seed: int) -> pl.DataFrame:
    """The register of ``district`` (see the module docstring), one row per person."""
    system = load_system("tianjin")
    result = system.simulate(district.households, district.persons, district.obligors)
    homes = _assessed(result.households, district.households)
    rng = np.random.default_rng([seed, 77])
    homes = _categorised(homes, district.on, rng)
    rows = _members(district.persons, result.persons, homes, rng)
    return _register(rows, district.on).cast(REGISTER_COLUMNS).select(REGISTER_COLUMNS.names())


def _assessed(results: pl.DataFrame, households: pl.DataFrame) -> pl.DataFrame:
    """Per household, the programs it is eligible for and its amounts (fen)."""
    return (
        results.select(
            "household_id",
            pl.col("dibao_eligible").fill_null(False),
            pl.col("dibao_amount").cast(pl.Int64),
            pl.col("near_dibao_status").fill_null(False),
            pl.col("near_dibao_cash").cast(pl.Int64),
            # The 2024 threshold is unknown (the parameter is marked unknown): an undetermined household with
            # rigid expenditure is taken as determined, as the township would have done.
            pl.col("rigid_expenditure_eligible").fill_null(True),
        )
        .join(
            households.select(
                "household_id",
                (
                    pl.col("rigid_medical_expenditure")
                    + pl.col("rigid_education_expenditure")
                    + pl.col("rigid_accident_expenditure")
                    > 0
                ).alias("_rigid_costs"),
            ),
            on="household_id",
            how="left",
        )
        .with_columns(pl.col("rigid_expenditure_eligible") & pl.col("_rigid_costs"))
    )


def _categorised(homes: pl.DataFrame, on: dt.date, rng: np.random.Generator) -> pl.DataFrame:
    """The households in the register with their category by the take-up rates, their monthly
    amount (fen) and the dates drawn for them (``_included``, ``_recent``, ``_review``,
    ``_rigid_from``)."""
    n = homes.height
    draw = rng.random(n)
    underpaid = rng.random(n) < 0.125
    first = np.datetime64(on.replace(day=1), "D")
    included = first - rng.integers(30, 8 * 365, n).astype("timedelta64[D]")
    recent = first - rng.integers(1, 365, n).astype("timedelta64[D]")
    review = first + rng.integers(0, 365, n).astype("timedelta64[D]")
    rigid_from = first - rng.integers(300, 395, n).astype("timedelta64[D]")
    dibao, near, rigid = (
        pl.col("dibao_eligible"),
        pl.col("near_dibao_status"),
        pl.col("rigid_expenditure_eligible"),
    )
    d = pl.col("_draw")
    category = (
        pl.when(dibao & (d < 0.85))
        .then(pl.lit("dibao"))
        .when(dibao & (d < 0.93))
        .then(pl.lit("monitored"))
        .when(dibao)
        .then(pl.lit(None, pl.String))
        .when(near & (d < 0.8))
        .then(pl.lit("near_dibao"))
        .when(near & (d < 0.9))
        .then(pl.lit("monitored"))
        .when(near)
        .then(pl.lit(None, pl.String))
        .when(rigid & (d < 0.7))
        .then(pl.lit("rigid_expenditure"))
        .when(d < 0.003)
        .then(pl.lit("monitored"))
        .otherwise(pl.lit(None, pl.String))
    )
    full = pl.col("dibao_amount")
    paid = pl.when(pl.col("_under")).then((full * 4 // 5) // 100 * 100).otherwise(full)
    return (
        homes.with_columns(
            pl.Series("_draw", draw),
            pl.Series("_under", underpaid),
            pl.Series("_included", included),
            pl.Series("_recent", recent),
            pl.Series("_review", review),
            pl.Series("_rigid_from", rigid_from),
        )
        .with_columns(category.alias("category"))
        .filter(pl.col("category").is_not_null())
        .with_columns(
            (pl.col("category") != "monitored").alias("receiving"),
            pl.when(pl.col("category") == "dibao")
            .then(paid)
            .when(pl.col("category") == "near_dibao")
            .then(pl.col("near_dibao_cash"))
            .otherwise(pl.lit(None, pl.Int64))
            .alias("monthly_amount"),
        )
    )


def _members(
    persons: pl.DataFrame, assessed: pl.DataFrame, homes: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """One row per member of a household in the register, and per tekun recipient (80 % of
    the eligible persons, whatever their household), with the person's draws ``_p`` and
    ``_hardship`` and the engine's ``children_in_hardship_eligible``."""
    eligible = assessed.select(
        "person_id",
        pl.col("tekun_eligible").fill_null(False),
        pl.col("children_in_hardship_eligible").fill_null(False),
    )
    people = persons.select(
        "person_id",
        "household_id",
        "resident_id",
        "disability_category",
        "disability_grade",
        "birth_date",
        pl.col("relation").cast(pl.String),
    ).join(eligible, on="person_id", how="left")
    person_draw = rng.random(people.height)
    # Drawn after the person draw, so that adding it changed no other column of the register.
    hardship_draw = rng.random(people.height)
    people = people.with_columns(
        pl.Series("_p", person_draw),
        pl.Series("_hardship", hardship_draw),
        pl.col("tekun_eligible").fill_null(False),
        pl.col("children_in_hardship_eligible").fill_null(False),
    )
    tekun = people.filter(pl.col("tekun_eligible") & (pl.col("_p") < 0.8))
    rows = people.join(homes, on="household_id", how="inner")
    return pl.concat(
        [
            rows.filter(~pl.col("person_id").is_in(tekun["person_id"].implode())),
            tekun.join(
                homes.select(pl.exclude("category", "receiving", "monthly_amount")),
                on="household_id",
                how="left",
            ).with_columns(
                pl.lit("tekun").alias("category"),
                pl.lit(True).alias("receiving"),
                pl.lit(None, pl.Int64).alias("monthly_amount"),
            ),
        ],
        how="diagonal_relaxed",
    ).sort("person_id")


ORPHAN_ALLOWANCE_SHARE = 0.02
"""The share of the register households' children paid the orphan or de facto unsupported child
allowance (the synthetic population records no parents' situations for the rules to decide it)."""
CHILDREN_IN_HARDSHIP_TAKE_UP = 0.8
"""The share of the register's children eligible for the children-in-hardship allowance who are
paid it: the take-up the generator gives the disability allowances (no figure found for
Tianjin's children in hardship; the platform pays this allowance itself, to children whose
households it mostly pays already)."""


def _register(rows: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """The register's columns of the member rows."""
    # Born on or before this day: 18 on ``on`` (on a 29 February, 18 years back is a common
    # year, whose 28 February is the latest such birthday).
    leap_day = (on.month, on.day) == (2, 29)
    adult_born = dt.date(on.year - 18, 2, 28) if leap_day else on.replace(year=on.year - 18)
    minor = pl.col("birth_date") > pl.lit(adult_born)
    # Children of the applicant or spouse (relation 2x), as discovery reads a child's parents.
    orphan_allowance = (
        minor & pl.col("relation").str.starts_with("2") & (pl.col("_p") < ORPHAN_ALLOWANCE_SHARE)
    )
    disabled = pl.col("disability_category").cast(pl.String) != "none"
    monitored = pl.col("category") == "monitored"
    reason = (
        pl.when(pl.col("category") == "dibao")
        .then(pl.lit("低保对象"))
        .when(pl.col("category") == "tekun")
        .then(pl.lit("特困人员"))
        .when(pl.col("category") == "near_dibao")
        .then(pl.lit("低保边缘家庭成员"))
        .when(pl.col("category") == "rigid_expenditure")
        .then(pl.lit("刚性支出困难家庭成员"))
        .when(pl.col("_draw") < 0.5)
        .then(pl.lit("近一年申请未通过"))
        .otherwise(pl.lit("近一年退出保障"))
    )
    return rows.select(
        "resident_id",
        pl.col("household_id").cast(pl.String),
        "category",
        "receiving",
        pl.when(monitored)
        .then(pl.col("_recent"))
        .otherwise(pl.col("_included"))
        .alias("included_on"),
        reason.alias("reason"),
        pl.when(pl.col("receiving"))
        .then(pl.col("_review"))
        .otherwise(pl.lit(None, pl.Date))
        .alias("review_due"),
        pl.when(pl.col("category") == "rigid_expenditure")
        .then(pl.col("_rigid_from").dt.offset_by("12mo"))
        .otherwise(pl.lit(None, pl.Date))
        .alias("rigid_valid_until"),
        "monthly_amount",
        (pl.col("receiving") & disabled & (pl.col("_p") < 0.8)).alias(
            "disability_living_allowance"
        ),
        (disabled & pl.col("disability_grade").is_in([1, 2]) & (pl.col("_p") < 0.8)).alias(
            "disability_care_allowance"
        ),
        orphan_allowance.alias("orphan_allowance"),
        # The orphan allowance excludes this one (the rules' ``children_in_hardship``); the
        # engine knows no parents' situations, so it cannot exclude the orphans drawn here.
        (
            pl.col("children_in_hardship_eligible")
            & ~orphan_allowance
            & (pl.col("_hardship") < CHILDREN_IN_HARDSHIP_TAKE_UP)
        ).alias("children_in_hardship_allowance"),
    )
