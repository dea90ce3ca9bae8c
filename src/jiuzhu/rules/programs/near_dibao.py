"""Near-dibao households (低保边缘家庭) and their cash assistance.

National (最低生活保障审核确认办法 Art. 8): not eligible for dibao, per-capita income below
1.5 × the standard, assets within the limit. Tianjin words the band "above the standard and not
above 1.5 × the standard" (超出…但不高于…1.5倍): both bounds and their inclusiveness are
parameters (policy cases C04, C11, C12). Status opens special assistance; cash of 30 % of the
standard per household per month, rounded to the yuan, is paid only to households in the 2016
categories (关于调整城乡低收入家庭救助有关政策的通知; 津民规〔2025〕6号: 314 yuan from 2025-09-01).
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from jiuzhu.rules.engine import HOUSEHOLD, PERSON, Formula, Reason, ReasonSet, variable
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.common import when_decided
from jiuzhu.rules.programs.sources import TIANJIN_LOW_INCOME_NOTICE

BOOL, FEN = pl.Boolean(), pl.Int64()

REASONS = ReasonSet(
    "near_dibao",
    [
        Reason(
            "NEAR_DIBAO_STATUS",
            "家庭月核定收入 {assessed_income} 在低保边缘区间内（上限 {near_dibao_income_ceiling}），财产符合规定",
            "Assessed income {assessed_income} is inside the near-dibao band (ceiling "
            "{near_dibao_income_ceiling}) and assets qualify",
            "eligible",
            label="低保边缘家庭",
            label_en="Near-dibao household",
        ),
        Reason(
            "NEAR_DIBAO_CASH",
            "符合发放救助金类别：每户每月 {near_dibao_cash}（低保标准的30%，四舍五入到元）",
            "In a cash category: {near_dibao_cash} per household (30 % of the standard, "
            "rounded to the yuan)",
            "eligible",
            label="发放救助金",
            label_en="Cash assistance",
        ),
        Reason(
            "NEAR_DIBAO_NO_CASH_CATEGORY",
            "不属于发放救助金的类别，仅享受专项救助",
            "Not in a cash category: status gives access to special assistance only",
            "note",
            label="不属发放救助金类别",
            label_en="No cash category",
        ),
        Reason(
            "NEAR_DIBAO_DIBAO_ELIGIBLE",
            "符合低保条件",
            "Eligible for dibao",
            label="符合低保",
            label_en="Eligible for dibao",
        ),
        Reason(
            "NEAR_DIBAO_INCOME_NOT_ABOVE_STANDARD",
            "家庭月核定收入 {assessed_income} 未超出低保标准合计 {dibao_income_limit}",
            "Assessed income {assessed_income} is not above the standard total {dibao_income_limit}",
            label="收入未超出低保标准",
            label_en="Income not above dibao standard",
        ),
        Reason(
            "NEAR_DIBAO_INCOME_ABOVE_CEILING",
            "家庭月核定收入 {assessed_income} 超过低保边缘上限 {near_dibao_income_ceiling}",
            "Assessed income {assessed_income} is above the near-dibao ceiling {near_dibao_income_ceiling}",
            label="收入超过边缘上限",
            label_en="Income above ceiling",
        ),
        Reason(
            "NEAR_DIBAO_MONETARY_ASSETS_OVER_LIMIT",
            "家庭货币财产 {near_dibao_countable_assets} 超过限额 {near_dibao_asset_limit}",
            "Monetary assets {near_dibao_countable_assets} exceed the limit {near_dibao_asset_limit}",
            label="货币财产超限",
            label_en="Monetary assets over limit",
        ),
        Reason(
            "NEAR_DIBAO_OTHER_ASSETS",
            "有机动车、多套住房或其他不符合规定的财产",
            "A vehicle, several homes or other disqualifying property",
            label="其他财产不符",
            label_en="Other assets do not qualify",
        ),
        Reason(
            "NEAR_DIBAO_NO_MEMBERS",
            "没有计入救助单位的家庭成员：成员均已纳入特困供养，或均不计入共同生活的家庭成员",
            "No member is counted in the assistance unit: every member is supported as tekun or "
            "is not a member living together",
            label="无计入成员（均特困或不计入）",
            label_en="No counted member",
        ),
        Reason(
            "NEAR_DIBAO_UNDETERMINED",
            "所需政策参数未知，无法认定",
            "A parameter the decision needs is unknown",
            "undetermined",
            label="参数未知待定",
            label_en="Undetermined: parameter unknown",
        ),
    ],
)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "低保边缘收入上限",
    "Near-dibao income ceiling (household)",
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第八条; 天津: 不高于同期低保标准1.5倍",
)
def near_dibao_income_ceiling(f: Formula) -> pl.Expr:
    """1.5 × standard × members, exact to the fen (for display; the test cross-multiplies)."""
    return f.scale(f("dibao_income_limit"), "near_dibao.income_ceiling_ratio")


def income_band(f: Formula, income: pl.Expr, limit: pl.Expr) -> pl.Expr:
    """Whether ``income`` (a unit's assessed income) is inside the near-dibao band for a unit
    whose dibao income limit (standard × members) is ``limit``.

    Lower bound by ``near_dibao.income_floor_rule``: above the standard (Tianjin) or merely not
    dibao-eligible (national). Upper bound: ≤ or < ratio × limit by
    ``near_dibao.income_ceiling_inclusive``, cross-multiplied so no rounding can flip it.
    """

    def build(ratio: object, inclusive: object, floor_rule: object) -> pl.Expr:
        if (
            not isinstance(ratio, Fraction)
            or not isinstance(inclusive, bool)
            or not isinstance(floor_rule, str)
        ):
            return pl.lit(None, pl.Boolean)
        scaled_income, scaled_limit = income * ratio.denominator, limit * ratio.numerator
        below = scaled_income <= scaled_limit if inclusive else scaled_income < scaled_limit
        above = income > limit if floor_rule == "above_standard" else pl.lit(True)
        return above & below

    return f.params(
        build,
        "near_dibao.income_ceiling_ratio",
        "near_dibao.income_ceiling_inclusive",
        "near_dibao.income_floor_rule",
    )


def cash_category(f: Formula, members: str, member_count: str) -> pl.Expr:
    """Whether the unit whose members are flagged by ``members`` is in a cash category in force:
    a disabled member; a member with a serious illness or 门诊特殊病; a single-parent family with a
    child in school; family-planning special support; all members 60+ with no children; other
    cases designated by the district."""
    categories = {
        "disability": f.any(PERSON, "has_disability", where=members),
        "serious_illness": f.any(PERSON, "serious_or_special_illness", where=members),
        "single_parent_student": f("single_parent_family")
        & f.any(PERSON, "student_preschool_to_university", where=members),
        "family_planning_special_support": f("family_planning_special_support"),
        "elderly_without_children": f.all(PERSON, "aged_60_or_over", where=members)
        & f("has_no_children")
        & (f(member_count) > 0),
        "district_designated": f("district_designated_hardship"),
    }
    return pl.any_horizontal(
        [
            f.param("near_dibao.cash_categories", code=code) & condition
            for code, condition in categories.items()
        ]
    )


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "低保边缘收入条件",
    "Near-dibao income test",
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第八条; 天津市低收入人口认定管理办法 (2024)",
)
def near_dibao_income_test(f: Formula) -> pl.Expr:
    """Assessed income inside the near-dibao band (see ``income_band``)."""
    return income_band(f, f("assessed_income"), f("dibao_income_limit"))


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "低保边缘计入的货币财产",
    "Near-dibao countable monetary assets",
    reference="天津 低保边缘: 因病变卖家庭唯一住房获得的现金除外",
)
def near_dibao_countable_assets(f: Formula) -> pl.Expr:
    """Monetary assets less the exempt cash from selling the only home because of illness."""
    exempt = (
        pl.when(f.param("near_dibao.exempt_cash_from_sale_of_only_home"))
        .then(f("cash_from_sale_of_only_home_for_illness"))
        .otherwise(0)
    )
    return (f("household_monetary_assets") - exempt).clip(lower_bound=0)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "低保边缘货币财产限额",
    "Near-dibao monetary-asset limit",
    reference="天津 低保边缘: 人均不超过36个月城乡低保标准之和",
)
def near_dibao_asset_limit(f: Formula) -> pl.Expr:
    """Months of the standard per member."""
    return (
        f.param("near_dibao.monetary_asset_months") * f("asset_limit_standard") * f("unit_members")
    )


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "低保边缘财产条件",
    "Near-dibao asset test",
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第八条",
)
def near_dibao_assets_test(f: Formula) -> pl.Expr:
    """Countable monetary assets within the limit and no disqualifying property."""
    return (f("near_dibao_countable_assets") <= f("near_dibao_asset_limit")) & f(
        "other_assets_test"
    )


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "低保边缘家庭",
    "Near-dibao household",
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第八条; 天津市低收入人口认定管理办法 (2024)",
)
def near_dibao_status(f: Formula) -> pl.Expr:
    """Not dibao-eligible, inside the income band and within the asset limits."""
    return (
        (f("unit_members") > 0)
        & ~f("dibao_eligible")
        & f("near_dibao_income_test")
        & f("near_dibao_assets_test")
    )


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "在校学生（学前至全日制大学）",
    "Student from pre-school to university",
    reference=TIANJIN_LOW_INCOME_NOTICE + " (子女在校: 学前教育至全日制大学)",
)
def student_preschool_to_university(f: Formula) -> pl.Expr:
    """In pre-school, school or full-time undergraduate or vocational higher education."""
    return f("student_level").is_in(
        [
            "preschool",
            "primary",
            "junior_secondary",
            "senior_secondary",
            "secondary_vocational",
            "higher_vocational",
            "undergraduate",
        ]
    )


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "患大病或门诊特殊病",
    "Serious illness or special outpatient disease",
    reference=TIANJIN_LOW_INCOME_NOTICE,
)
def serious_or_special_illness(f: Formula) -> pl.Expr:
    """A listed serious illness or a 门诊特殊病 of Tianjin basic medical insurance."""
    return (f("serious_illness") != "none") | f("special_outpatient_disease")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "持残疾人证",
    "Holds a disability certificate",
    reference=TIANJIN_LOW_INCOME_NOTICE,
)
def has_disability(f: Formula) -> pl.Expr:
    """Any category and grade."""
    return f("disability_category") != "none"


@variable(
    PERSON, BOOL, Unit.BOOLEAN, "年满60周岁", "Aged 60 or over", reference=TIANJIN_LOW_INCOME_NOTICE
)
def aged_60_or_over(f: Formula) -> pl.Expr:
    """An elderly person (``elderly``: 60 or over)."""
    return f("elderly")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "属于低保边缘救助金发放类别",
    "In a near-dibao cash category",
    reference=TIANJIN_LOW_INCOME_NOTICE,
)
def near_dibao_cash_category(f: Formula) -> pl.Expr:
    """The assistance unit is in a cash category in force (see ``cash_category``)."""
    return cash_category(f, "assistance_unit_member", "unit_members")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "低保边缘救助金标准",
    "Near-dibao cash rate (household)",
    reference=TIANJIN_LOW_INCOME_NOTICE + "; 津民规〔2025〕6号",
)
def near_dibao_cash_rate(f: Formula) -> pl.Expr:
    """30 % of the standard, rounded to the yuan half up (313.5 → 314)."""
    return f.scale(f("dibao_standard"), "near_dibao.cash_ratio", "near_dibao.cash_rounding")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "低保边缘救助金",
    "Near-dibao cash (per household per month)",
    reference=TIANJIN_LOW_INCOME_NOTICE + "; 津民规〔2025〕6号",
)
def near_dibao_cash(f: Formula) -> pl.Expr:
    """The cash rate for a near-dibao household in a cash category; 0 otherwise."""
    qualifies = f("near_dibao_status") & f("near_dibao_cash_category")
    return when_decided(qualifies, f("near_dibao_cash_rate"))


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.REASONS,
    "低保边缘认定理由",
    "Near-dibao reason codes",
    reasons=REASONS,
)
def near_dibao_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the near-dibao decision."""
    status = f("near_dibao_status")
    income, limit = f("assessed_income"), f("dibao_income_limit")
    return REASONS.mask(
        {
            "NEAR_DIBAO_STATUS": status,
            "NEAR_DIBAO_CASH": status & f("near_dibao_cash_category"),
            "NEAR_DIBAO_NO_CASH_CATEGORY": status & ~f("near_dibao_cash_category"),
            "NEAR_DIBAO_DIBAO_ELIGIBLE": f("dibao_eligible"),
            "NEAR_DIBAO_INCOME_NOT_ABOVE_STANDARD": (f("unit_members") > 0)
            & (income <= limit)
            & ~f("near_dibao_income_test")
            & ~f("dibao_eligible").fill_null(False),
            "NEAR_DIBAO_INCOME_ABOVE_CEILING": (income > limit) & ~f("near_dibao_income_test"),
            "NEAR_DIBAO_MONETARY_ASSETS_OVER_LIMIT": f("near_dibao_countable_assets")
            > f("near_dibao_asset_limit"),
            "NEAR_DIBAO_OTHER_ASSETS": ~f("other_assets_test"),
            "NEAR_DIBAO_NO_MEMBERS": f("unit_members") == 0,
            "NEAR_DIBAO_UNDETERMINED": status.is_null(),
        }
    )
