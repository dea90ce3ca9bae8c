"""Dibao (最低生活保障): eligibility and monthly amount.

社会救助暂行办法 Art. 9: per-capita income below the local standard and assets within the limit
(strict <). Art. 12 / 最低生活保障审核确认办法 Art. 23: the amount is the gap between the standard
and per-capita income, computed on household totals (standard × members − assessed income) so no
per-capita rounding can change it. Optional minimum payment and category
supplements (分类施保, Art. 27) are parameters; Tianjin has neither in force (no text found).
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import HOUSEHOLD, PERSON, Formula, Reason, ReasonSet, variable
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.engine.variables import input_variable
from jiuzhu.rules.programs.codes import SUPPLEMENT_GROUP
from jiuzhu.rules.programs.common import when_decided
from jiuzhu.rules.programs.sources import DIBAO_MEASURES, SOCIAL_ASSISTANCE_MEASURES

BOOL, FEN = pl.Boolean(), pl.Int64()

REASONS = ReasonSet(
    "dibao",
    [
        Reason(
            "DIBAO_ELIGIBLE",
            "家庭月核定收入 {assessed_income} 低于低保标准 {dibao_standard} × {unit_members} = "
            "{dibao_income_limit}，且财产符合规定：每月低保金 {dibao_amount}",
            "Assessed household income {assessed_income} is below the standard {dibao_standard} × "
            "{unit_members} = {dibao_income_limit} and assets qualify: dibao {dibao_amount}",
            "eligible",
            label="符合低保",
            label_en="Eligible",
        ),
        Reason(
            "DIBAO_NO_MEMBERS",
            "没有计入救助单位的家庭成员：成员均已纳入特困供养，或均不计入共同生活的家庭成员",
            "No member is counted in the assistance unit: every member is supported as tekun or "
            "is not a member living together",
            label="无计入成员（均特困或不计入）",
            label_en="No counted member",
        ),
        Reason(
            "DIBAO_INCOME_NOT_BELOW_STANDARD",
            "家庭月核定收入 {assessed_income} 不低于低保标准 {dibao_standard} × {unit_members} = "
            "{dibao_income_limit}（须严格低于）",
            "Assessed household income {assessed_income} is not below the standard {dibao_standard} × "
            "{unit_members} = {dibao_income_limit} (it must be strictly below)",
            label="收入不低于低保标准",
            label_en="Income not below standard",
        ),
        Reason(
            "DIBAO_MONETARY_ASSETS_OVER_LIMIT",
            "家庭货币财产 {household_monetary_assets} 超过限额 {dibao_asset_limit}",
            "Monetary assets {household_monetary_assets} exceed the limit {dibao_asset_limit}",
            label="货币财产超限",
            label_en="Monetary assets over limit",
        ),
        Reason(
            "DIBAO_VEHICLE",
            "家庭成员名下有机动车（残疾人功能性补偿代步机动车除外）",
            "A member owns a motor vehicle (disability mobility vehicles excepted)",
            label="有机动车",
            label_en="Owns a vehicle",
        ),
        Reason(
            "DIBAO_HOUSING",
            "拥有两套及以上住房且人均住房面积不低于全市平均",
            "Two or more homes and per-capita floor area not below the city average",
            label="住房超标",
            label_en="Housing over limit",
        ),
        Reason(
            "DIBAO_OTHER_PROPERTY",
            "有非住宅房产、自费出国留学或非生活必需高档用品",
            "Non-residential property, self-funded study abroad or luxury goods",
            label="有其他财产",
            label_en="Other property",
        ),
        Reason(
            "DIBAO_UNDETERMINED",
            "所需政策参数未知，无法认定，请补充参数后重新评估",
            "A parameter the decision needs is unknown: not decided; set the parameter and reassess",
            "undetermined",
            label="参数未知待定",
            label_en="Undetermined: parameter unknown",
        ),
        Reason(
            "DIBAO_CLASSIFIED_DEDUCTION",
            "已按分类救助抵扣家庭收入 {household_classified_deductions}",
            "Classified deductions of {household_classified_deductions} were taken off income",
            "note",
            label="已分类抵扣",
            label_en="Classified deduction taken",
        ),
        Reason(
            "DIBAO_MINIMUM_PAYMENT",
            "差额低于保底金额，按保底 {dibao_minimum_amount} 发放",
            "The gap is below the minimum payment; {dibao_minimum_amount} is paid",
            "note",
            label="按保底发放",
            label_en="Minimum payment",
        ),
        Reason(
            "DIBAO_CATEGORY_SUPPLEMENT",
            "分类施保增发 {dibao_category_supplement}",
            "Category supplement of {dibao_category_supplement}",
            "note",
            label="分类施保增发",
            label_en="Category supplement",
        ),
        Reason(
            "DIBAO_EMPLOYMENT_COST_UNKNOWN",
            "天津就业成本扣减标准未找到依据，未扣减：收入可能偏高、低保金可能偏低",
            "Tianjin's employment-cost deduction was not found and is not applied: income may be "
            "overstated and the amount understated",
            "note",
            label="就业成本扣减未知未扣",
            label_en="Employment-cost deduction unknown",
        ),
        Reason(
            "DIBAO_CLASSIFIED_DEDUCTION_UNKNOWN",
            "可能适用未找到金额的分类救助抵扣（多重残疾、单亲有在校子女、城镇“双老”或计划生育特别扶助），"
            "未抵扣",
            "A classified deduction whose amount was not found may apply (multiple disability, a "
            "single parent with a child in school, urban 双老, family-planning special support); "
            "not deducted",
            "note",
            label="分类抵扣金额未知未扣",
            label_en="Classified deduction amount unknown",
        ),
    ],
)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "低保标准",
    "Dibao standard (per person per month)",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第十条; 津民规〔2025〕6号",
)
def dibao_standard(f: Formula) -> pl.Expr:
    """The standard in force on the assessment date (urban and rural unified since 2017-04-01)."""
    return f.param("dibao.standard", key="area_type")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "低保收入线（标准×人数）",
    "Income limit (standard × members)",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第九条",
)
def dibao_income_limit(f: Formula) -> pl.Expr:
    """Standard × members: the comparison is cross-multiplied, never per capita."""
    return f("dibao_standard") * f("unit_members")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "低保收入条件",
    "Dibao income test",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第九条",
)
def dibao_income_test(f: Formula) -> pl.Expr:
    """Per-capita assessed income strictly below the standard."""
    return f("assessed_income") < f("dibao_income_limit")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "低保货币财产限额",
    "Dibao monetary-asset limit",
    reference="天津市社会救助家庭经济状况核定暂行办法 (2013): 人均不超过24个月城市低保标准",
)
def dibao_asset_limit(f: Formula) -> pl.Expr:
    """Months of the (urban) standard per member."""
    return (
        f.param("assets.dibao_monetary_asset_months")
        * f("asset_limit_standard")
        * f("unit_members")
    )


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "低保财产条件",
    "Dibao asset test",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第九条",
)
def dibao_assets_test(f: Formula) -> pl.Expr:
    """Monetary assets within the limit and no disqualifying property."""
    return (f("household_monetary_assets") <= f("dibao_asset_limit")) & f("other_assets_test")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "符合低保条件",
    "Eligible for dibao",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第九条",
)
def dibao_eligible(f: Formula) -> pl.Expr:
    """At least one member, the income test and the asset test (null: undetermined)."""
    return (f("unit_members") > 0) & f("dibao_income_test") & f("dibao_assets_test")


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "分类施保增发（个人）",
    "Category supplement of the person",
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第二十七条",
)
def dibao_category_supplement_person(f: Formula) -> pl.Expr:
    """Rate × standard for the largest group the member belongs to (elderly, minor, student,
    single-parent family, severe disability, serious illness); 0 where no rate is in force."""
    standard = f.parent("dibao_standard")
    member_of = {
        "elderly": f("elderly"),
        "minor": f("minor"),
        "student": f.param("household.counted_student_levels", key="student_level")
        & (f("student_level") != "none"),
        "single_parent": f.parent("single_parent_family"),
        "severe_disability": f("severely_disabled"),
        "serious_illness": f("serious_illness") != "none",
    }
    amounts = [
        pl.when(member_of[g.code])
        .then(f.scale(standard, "dibao.category_supplement_rate", code=g.code))
        .otherwise(0)
        for g in SUPPLEMENT_GROUP
    ]
    return pl.max_horizontal(amounts)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "分类施保增发",
    "Category supplement",
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第二十七条",
)
def dibao_category_supplement(f: Formula) -> pl.Expr:
    """Sum over the unit's members."""
    return f.sum(PERSON, "dibao_category_supplement_person", where="assistance_unit_member")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "低保保底金额",
    "Minimum dibao payment",
    reference=DIBAO_MEASURES + "第二十三条（分档）；天津未找到保底规定",
)
def dibao_minimum_amount(f: Formula) -> pl.Expr:
    """Minimum-payment ratio × income limit (0 in Tianjin)."""
    return f.scale(f("dibao_income_limit"), "dibao.minimum_payment_ratio")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "低保金",
    "Dibao amount (per month)",
    reference=SOCIAL_ASSISTANCE_MEASURES
    + "第十二条; 《最低生活保障审核确认办法》（民发〔2021〕57号）第二十三条",
)
def dibao_amount(f: Formula) -> pl.Expr:
    """Standard × members − assessed income (at least the minimum payment), plus category
    supplements; 0 when not eligible; null when undetermined."""
    gap = f("dibao_income_limit") - f("assessed_income")
    base = pl.max_horizontal(gap, f("dibao_minimum_amount"))
    return when_decided(f("dibao_eligible"), base + f("dibao_category_supplement"))


@variable(
    HOUSEHOLD, pl.Int64(), Unit.REASONS, "低保认定理由", "Dibao reason codes", reasons=REASONS
)
def dibao_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the dibao decision."""
    eligible = f("dibao_eligible")
    deduction_matters = (f("assessed_income") > 0) & f("dibao_assets_test").fill_null(True)
    return REASONS.mask(
        {
            "DIBAO_ELIGIBLE": eligible,
            "DIBAO_NO_MEMBERS": f("unit_members") == 0,
            "DIBAO_INCOME_NOT_BELOW_STANDARD": (f("unit_members") > 0) & ~f("dibao_income_test"),
            "DIBAO_MONETARY_ASSETS_OVER_LIMIT": f("household_monetary_assets")
            > f("dibao_asset_limit"),
            "DIBAO_VEHICLE": ~f("vehicle_test"),
            "DIBAO_HOUSING": ~f("housing_test"),
            "DIBAO_OTHER_PROPERTY": f("vehicle_test") & f("housing_test") & ~f("other_assets_test"),
            "DIBAO_UNDETERMINED": eligible.is_null(),
            "DIBAO_CLASSIFIED_DEDUCTION": f("household_classified_deductions") > 0,
            "DIBAO_MINIMUM_PAYMENT": eligible
            & (f("dibao_minimum_amount") > f("dibao_income_limit") - f("assessed_income")),
            "DIBAO_CATEGORY_SUPPLEMENT": eligible & (f("dibao_category_supplement") > 0),
            # Only where the missing deduction could change something: income left to deduct
            # from, and the assets not already deciding against the household.
            "DIBAO_EMPLOYMENT_COST_UNKNOWN": deduction_matters & f("unit_employment_cost_unknown"),
            "DIBAO_CLASSIFIED_DEDUCTION_UNKNOWN": deduction_matters
            & f("unit_classified_deduction_unknown"),
        }
    )


# --- employment conditionality ----------------------------------------------------------------

SANCTION_BASIS = (
    "《社会救助暂行办法》（国务院令第649号）第四十五条; "
    "《最低生活保障审核确认办法》（民发〔2021〕57号）第三十四条"
)

consecutive_job_refusals = input_variable(
    "consecutive_job_refusals",
    PERSON,
    FEN,
    Unit.COUNT,
    "无正当理由连续拒绝介绍工作的次数",
    "Consecutive refusals of suitable job offers without good reason",
    reference=SANCTION_BASIS,
    default=0,
    program="dibao",
)
employment_sanction_percent = input_variable(
    "employment_sanction_percent",
    PERSON,
    FEN,
    Unit.COUNT,
    "拒绝就业减发本人份额的百分比（100为停发）",
    "Percentage of the member's own share cut for refusing work (100: stopped)",
    reference=SANCTION_BASIS,
    default=100,
    program="dibao",
)


def sanction_cut(amount: pl.Expr, members: pl.Expr, percent: pl.Expr) -> pl.Expr:
    """The cut for one sanctioned member (Int64 fen): his or her own share of ``amount``
    (``amount // members``, rounded down to the fen, so the household never loses more than the
    member's exact share), times ``percent`` %, rounded down; 0 where no member is counted.
    For example 163,500 fen for 3 members, stopped (100 %) → 54,500."""
    return pl.when(members > 0).then(amount // members * percent // 100).otherwise(0).cast(pl.Int64)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "因拒绝就业减发本人低保金",
    "Own dibao cut for refusing work",
    reference=SANCTION_BASIS,
)
def dibao_employment_sanctioned(f: Formula) -> pl.Expr:
    """A member of the assistance unit who refused suitable job offers at least
    ``dibao.employment_refusal_limit`` times in a row without good reason."""
    return f("assistance_unit_member") & (
        f("consecutive_job_refusals") >= f.param("dibao.employment_refusal_limit")
    )


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "拒绝就业减发金额（本人份额）",
    "Cut of the member's own share for refusing work",
    reference=SANCTION_BASIS,
)
def dibao_employment_sanction_cut_person(f: Formula) -> pl.Expr:
    """``sanction_cut`` of the household's dibao amount for a sanctioned member, else 0."""
    cut = sanction_cut(
        f.parent("dibao_amount"), f.parent("unit_members"), f("employment_sanction_percent")
    )
    return pl.when(f("dibao_employment_sanctioned")).then(cut).otherwise(0)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "拒绝就业减发金额",
    "Dibao cut for members refusing work",
    reference=SANCTION_BASIS,
)
def dibao_employment_sanction_cut(f: Formula) -> pl.Expr:
    """The sanctioned members' cuts, summed (fen per month); the household is paid
    ``dibao_amount`` less this."""
    return f.sum(PERSON, "dibao_employment_sanction_cut_person")
