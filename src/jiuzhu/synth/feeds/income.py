"""The feeds of earnings and contributions: tax (the tax bureau), social_insurance (the social
insurance fund) and housing_fund (the housing provident fund)."""

from __future__ import annotations

import numpy as np
import polars as pl

from jiuzhu.synth.feeds.context import _Context
from jiuzhu.synth.feeds.layout import LAYOUTS

TAX_MONTHS = 6
INSURANCE_MONTHS = 3


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
