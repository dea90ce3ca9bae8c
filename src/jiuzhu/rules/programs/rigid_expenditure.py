"""Rigid-expenditure hardship families (刚性支出困难家庭), Tianjin trial rule.

《天津市刚性支出困难家庭认定办法（试行）》: not dibao, tekun or
near-dibao; per-capita income below last year's Tianjin per-capita disposable income; rigid
expenditure on illness, study, disaster and accident in the 12 months before the application at
least 60 % of the household's annual income; assets within the rules; recognised for at most
12 months. Living expenses are not counted in Tianjin (the national rule counts them).
The status opens special assistance; it carries no monthly cash of its own.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import (
    HOUSEHOLD,
    PERSON,
    Formula,
    Reason,
    ReasonSet,
    input_variable,
    variable,
)
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.codes import RIGID_EXPENDITURE_CATEGORY
from jiuzhu.rules.programs.sources import TIANJIN_RIGID_EXPENDITURE_MEASURES

BOOL, FEN = pl.Boolean(), pl.Int64()
P = "rigid_expenditure"

declared_annual_income = input_variable(
    "declared_annual_income",
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_YEAR,
    "近12个月家庭收入",
    "Household income over the last 12 months (if not given: 12 × monthly counted income)",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES,
    nullable=True,
    program=P,
)

EXPENDITURE_COLUMNS: dict[str, str] = {
    c.code: f"rigid_{c.code}_expenditure" for c in RIGID_EXPENDITURE_CATEGORY
}
"""Rigid expenditure category → household input column (fen over the last 12 months)."""


expenditure_inputs = [
    input_variable(
        EXPENDITURE_COLUMNS[c.code],
        HOUSEHOLD,
        FEN,
        Unit.FEN_PER_YEAR,
        f"近12个月{c.label}",
        f"{c.label_en} expenditure, last 12 months",
        reference=TIANJIN_RIGID_EXPENDITURE_MEASURES,
        default=0,
        program=P,
    )
    for c in RIGID_EXPENDITURE_CATEGORY
]

REASONS = ReasonSet(
    "rigid_expenditure",
    [
        Reason(
            "RIGID_ELIGIBLE",
            "近12个月刚性支出 {rigid_expenditure_total} 达到家庭年收入 {rigid_annual_income} 的规定比例，"
            "人均收入低于上年度全市居民人均可支配收入：认定有效期至 {rigid_expenditure_valid_until}",
            "Rigid expenditure {rigid_expenditure_total} reaches the set share of annual income "
            "{rigid_annual_income}; per-capita income below last year's disposable income; valid until "
            "{rigid_expenditure_valid_until}",
            "eligible",
            label="符合刚性支出困难",
            label_en="Eligible",
        ),
        Reason(
            "RIGID_IN_OTHER_PROGRAM",
            "已符合低保、特困或低保边缘条件",
            "Already dibao, tekun or near-dibao",
            label="已属低保、特困或边缘",
            label_en="Already in another program",
        ),
        Reason(
            "RIGID_INCOME_NOT_BELOW_THRESHOLD",
            "家庭年收入 {rigid_annual_income} 不低于上年度人均可支配收入 × {unit_members} = {rigid_income_threshold}",
            "Annual income {rigid_annual_income} is not below last year's per-capita disposable "
            "income × {unit_members} = {rigid_income_threshold}",
            label="收入不低于门槛",
            label_en="Income not below threshold",
        ),
        Reason(
            "RIGID_RATIO_BELOW",
            "近12个月刚性支出 {rigid_expenditure_total} 未达到家庭年收入 {rigid_annual_income} 的规定比例",
            "Rigid expenditure {rigid_expenditure_total} is below the set share of annual income "
            "{rigid_annual_income}",
            label="刚性支出占比不足",
            label_en="Expenditure share too low",
        ),
        Reason(
            "RIGID_ASSETS",
            "财产不符合规定",
            "Assets do not qualify",
            label="财产不符",
            label_en="Assets do not qualify",
        ),
        Reason(
            "RIGID_NOT_IN_FORCE",
            "评估日期刚性支出困难家庭认定尚未施行",
            "Rigid-expenditure recognition is not in force on the assessment date",
            label="政策未施行",
            label_en="Not in force",
        ),
        Reason(
            "RIGID_UNDETERMINED",
            "所需政策参数未知（如上年度全市居民人均可支配收入），无法认定",
            "A needed parameter is unknown (e.g. last year's per-capita disposable income)",
            "undetermined",
            label="参数未知待定",
            label_en="Undetermined: parameter unknown",
        ),
    ],
)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_YEAR,
    "家庭年收入",
    "Household annual income",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES,
)
def rigid_annual_income(f: Formula) -> pl.Expr:
    """Declared 12-month income, or 12 × monthly counted income of the assistance unit."""
    return pl.coalesce(f("declared_annual_income"), f("household_counted_income") * 12)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_YEAR,
    "刚性支出合计（近12个月）",
    "Rigid expenditure, last 12 months",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES + "（因病因学因灾因意外事故，不计生活支出）",
)
def rigid_expenditure_total(f: Formula) -> pl.Expr:
    """Sum of the categories counted on the date (Tianjin: medical net of insurance, education,
    disaster, accident; not living expenses)."""
    return pl.sum_horizontal(
        [
            pl.when(f.param("rigid_expenditure.counted_categories", code=code))
            .then(f(column))
            .otherwise(0)
            for code, column in EXPENDITURE_COLUMNS.items()
        ]
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_YEAR,
    "收入门槛（上年度人均可支配收入×人数）",
    "Income threshold",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES,
)
def rigid_income_threshold(f: Formula) -> pl.Expr:
    """Last year's Tianjin per-capita disposable income × members."""
    return f.param("statistics.per_capita_disposable_income_previous_year") * f("unit_members")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "刚性支出比例条件",
    "Expenditure ratio test",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES,
)
def rigid_ratio_test(f: Formula) -> pl.Expr:
    """Expenditure ≥ ratio × annual income (cross-multiplied), and some expenditure."""
    ratio = f.ratio("rigid_expenditure.expenditure_ratio")
    total = f("rigid_expenditure_total")
    return (total > 0) & (total * ratio.denominator >= f("rigid_annual_income") * ratio.numerator)


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "刚性支出财产条件",
    "Rigid-expenditure asset test",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES + " (家庭财产状况符合相关规定)",
)
def rigid_assets_test(f: Formula) -> pl.Expr:
    """Monetary assets within months of the standard per member; no disqualifying property."""
    limit = (
        f.param("rigid_expenditure.monetary_asset_months")
        * f("asset_limit_standard")
        * f("unit_members")
    )
    return (f("household_monetary_assets") <= limit) & f("other_assets_test")


@variable(
    HOUSEHOLD, BOOL, Unit.BOOLEAN, "已符合低保、特困或低保边缘", "In dibao, tekun or near-dibao"
)
def rigid_in_other_program(f: Formula) -> pl.Expr:
    """Dibao-eligible, near-dibao, or any member eligible for tekun."""
    return f("dibao_eligible") | f("near_dibao_status") | f.any(PERSON, "tekun_eligible")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "刚性支出困难家庭",
    "Rigid-expenditure hardship family",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES,
)
def rigid_expenditure_eligible(f: Formula) -> pl.Expr:
    """All conditions of the Tianjin trial rule, where it is in force."""
    return (
        f.param("rigid_expenditure.in_force")
        & (f("unit_members") > 0)
        & ~f("rigid_in_other_program")
        & (f("rigid_annual_income") < f("rigid_income_threshold"))
        & f("rigid_ratio_test")
        & f("rigid_assets_test")
    )


@variable(
    HOUSEHOLD,
    pl.Date(),
    Unit.DATE,
    "认定有效期至",
    "Recognised until",
    reference=TIANJIN_RIGID_EXPENDITURE_MEASURES + " (有效期一般不超过12个月)",
)
def rigid_expenditure_valid_until(f: Formula) -> pl.Expr:
    """The day before the same date ``validity_months`` later, for an eligible household."""

    def build(months: object) -> pl.Expr:
        if not isinstance(months, int):
            return pl.lit(None, pl.Date)
        return f.date.dt.offset_by(f"{months}mo").dt.offset_by("-1d")

    until = f.params(build, "rigid_expenditure.validity_months")
    return pl.when(f("rigid_expenditure_eligible")).then(until).otherwise(None)


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.REASONS,
    "刚性支出困难认定理由",
    "Rigid-expenditure reason codes",
    reasons=REASONS,
)
def rigid_expenditure_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the rigid-expenditure decision."""
    eligible = f("rigid_expenditure_eligible")
    in_force = f.param("rigid_expenditure.in_force")
    return REASONS.mask(
        {
            "RIGID_ELIGIBLE": eligible,
            "RIGID_IN_OTHER_PROGRAM": in_force & f("rigid_in_other_program"),
            "RIGID_INCOME_NOT_BELOW_THRESHOLD": in_force
            & (f("rigid_annual_income") >= f("rigid_income_threshold")),
            "RIGID_RATIO_BELOW": in_force & ~f("rigid_ratio_test"),
            "RIGID_ASSETS": in_force & ~f("rigid_assets_test"),
            "RIGID_NOT_IN_FORCE": ~in_force,
            "RIGID_UNDETERMINED": eligible.is_null(),
        }
    )
