"""Who is in the household, what it earns and what it owns.

- Membership (共同生活的家庭成员): 最低生活保障审核确认办法 (民政部 2021) Art. 7, with Tianjin's
  exclusion of conscripts; the same definition serves dibao, near-dibao and rigid expenditure.
- Counted income: Art. 13 (four categories, disregards, employment cost), Tianjin's classified
  income deductions for severely disabled and seriously ill members (spec-addendum decision 2).
- Assets: Art. 14 and Tianjin's 《社会救助家庭经济状况核定办法》 (monetary assets per person
  against months of the standard; vehicles, housing, other disqualifiers).

Money is integer fen per month unless a name says ``annual``.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import HOUSEHOLD, OBLIGOR, PERSON, Formula, input_variable, variable
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.parameters import Marker
from jiuzhu.rules.engine.schema import RowRule
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.codes import DISABILITY_CLASS, RELATION_GROUP_OF, enum
from jiuzhu.rules.programs.common import completed_years

N4 = "最低生活保障审核确认办法（民政部，2021）"
T9 = "天津市社会救助家庭经济状况核定办法（津民规〔2023〕1号）"
BOOL, DATE, CODE = pl.Boolean(), pl.Date(), pl.String()
FEN = pl.Int64()
P = "household"

# --- household inputs -------------------------------------------------------------------------

assessment_date = input_variable(
    DATE_VARIABLE,
    HOUSEHOLD,
    DATE,
    Unit.DATE,
    "评估日期",
    "Assessment date",
    reference="parameters are resolved for this date",
    required=True,
    program=P,
)
area_type = input_variable(
    "area_type",
    HOUSEHOLD,
    CODE,
    Unit.CODE,
    "城乡类别",
    "Urban or rural household",
    codes="area_type",
    required=True,
    program=P,
)
single_parent_family = input_variable(
    "single_parent_family",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "单亲家庭",
    "Single-parent family",
    default=False,
    program=P,
)
family_planning_special_support = input_variable(
    "family_planning_special_support",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "享受计划生育特别扶助金",
    "Receives family-planning special support",
    default=False,
    program=P,
)
has_no_children = input_variable(
    "has_no_children",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "无子女",
    "Has no children (anywhere)",
    default=False,
    program=P,
)
district_designated_hardship = input_variable(
    "district_designated_hardship",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "区定其他困难情形",
    "Other hardship designated by the district",
    default=False,
    program=P,
)
vehicles = input_variable(
    "vehicles",
    HOUSEHOLD,
    FEN,
    Unit.COUNT,
    "机动车数量",
    "Motor vehicles owned by members",
    default=0,
    program=P,
)
disability_mobility_vehicles = input_variable(
    "disability_mobility_vehicles",
    HOUSEHOLD,
    FEN,
    Unit.COUNT,
    "残疾人功能性补偿代步机动车数量",
    "Disability mobility vehicles",
    default=0,
    program=P,
)
homes = input_variable(
    "homes",
    HOUSEHOLD,
    FEN,
    Unit.COUNT,
    "住房套数",
    "Homes owned or rented (public housing)",
    default=0,
    program=P,
)
per_capita_floor_area = input_variable(
    "per_capita_floor_area",
    HOUSEHOLD,
    pl.Float64(),
    Unit.SQUARE_METRES,
    "人均住房建筑面积",
    "Per-capita floor area",
    nullable=True,
    program=P,
)
non_residential_property = input_variable(
    "non_residential_property",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "拥有非住宅房产",
    "Owns non-residential property",
    default=False,
    program=P,
)
self_funded_study_abroad = input_variable(
    "self_funded_study_abroad",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "成员自费出国留学",
    "A member studies abroad at own expense",
    default=False,
    program=P,
)
non_essential_luxury_goods = input_variable(
    "non_essential_luxury_goods",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "拥有非生活必需高档用品",
    "Owns non-essential luxury goods",
    default=False,
    program=P,
)
cash_from_sale_of_only_home_for_illness = input_variable(
    "cash_from_sale_of_only_home_for_illness",
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "因病变卖唯一住房所得现金",
    "Cash from selling the only home because of illness",
    default=0,
    program=P,
)

# --- person inputs ----------------------------------------------------------------------------

birth_date = input_variable(
    "birth_date", PERSON, DATE, Unit.DATE, "出生日期", "Date of birth", required=True, program=P
)
relation = input_variable(
    "relation",
    PERSON,
    CODE,
    Unit.CODE,
    "与申请人关系",
    "Relation to the applicant (GB/T 4761)",
    codes="relation",
    required=True,
    program=P,
)
absence_reason = input_variable(
    "absence_reason",
    PERSON,
    CODE,
    Unit.CODE,
    "离家原因",
    "Reason for living apart",
    codes="absence_reason",
    default="none",
    program=P,
)
absent_since = input_variable(
    "absent_since",
    PERSON,
    DATE,
    Unit.DATE,
    "离家日期",
    "Living apart since",
    nullable=True,
    program=P,
)
lives_with_household = input_variable(
    "lives_with_household",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "长期共同居住",
    "Lives with the household",
    default=True,
    program=P,
)
unable_to_live_independently = input_variable(
    "unable_to_live_independently",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "成年但不能独立生活",
    "Adult unable to live independently",
    default=False,
    program=P,
)
student_level = input_variable(
    "student_level",
    PERSON,
    CODE,
    Unit.CODE,
    "在校学段（全日制）",
    "Full-time education level",
    codes="student_level",
    default="none",
    program=P,
)
disability_category = input_variable(
    "disability_category",
    PERSON,
    CODE,
    Unit.CODE,
    "残疾类别",
    "Disability category",
    codes="disability_category",
    default="none",
    program=P,
)
disability_grade = input_variable(
    "disability_grade",
    PERSON,
    pl.Int8(),
    Unit.COUNT,
    "残疾等级",
    "Disability grade (1–4)",
    nullable=True,
    program=P,
)
serious_illness = input_variable(
    "serious_illness",
    PERSON,
    CODE,
    Unit.CODE,
    "重特大疾病病种",
    "Serious illness",
    codes="serious_illness",
    default="none",
    program=P,
)
special_outpatient_disease = input_variable(
    "special_outpatient_disease",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "门诊特殊病",
    "Special outpatient disease (Tianjin basic medical insurance)",
    default=False,
    program=P,
)
monetary_assets = input_variable(
    "monetary_assets",
    PERSON,
    FEN,
    Unit.FEN,
    "货币财产",
    "Monetary assets (cash, deposits, securities, insurance, subscribed capital)",
    reference=N4 + " 第十四条",
    default=0,
    program=P,
)

_INCOME_INPUTS = {
    "wage": ("wage_income", "工资性收入", "Wages"),
    "business_net": ("business_net_income", "经营净收入", "Net business income"),
    "property_net": ("property_net_income", "财产净收入", "Net property income"),
    "support_received": ("support_received", "赡养、扶养、抚养费收入", "Support received"),
    "employee_pension": ("employee_pension", "离退休金、职工养老金", "Employee pension"),
    "unemployment_insurance": ("unemployment_insurance", "失业保险金", "Unemployment insurance"),
    "residents_basic_pension": (
        "residents_basic_pension",
        "城乡居民基本养老保险基础养老金",
        "Residents' basic pension",
    ),
    "other_transfer": ("other_transfer_income", "其他转移性收入", "Other transfer income"),
    "preferential_payments": ("preferential_payments", "优待抚恤金", "Preferential payments"),
    "family_planning_payments": (
        "family_planning_payments",
        "计划生育奖励与扶助金",
        "Family-planning payments",
    ),
    "scholarships_and_rewards": (
        "scholarships_and_rewards",
        "奖学金、见义勇为等奖励",
        "Scholarships and rewards",
    ),
    "social_assistance_payments": (
        "social_assistance_payments",
        "社会救助款物",
        "Social-assistance payments",
    ),
    "old_age_allowance": ("old_age_allowance", "高龄津贴", "Old-age allowance"),
}
INCOME_COLUMNS: dict[str, str] = {
    component: column for component, (column, _, _) in _INCOME_INPUTS.items()
}
"""Income component code → person input column (monthly fen over the assessment window)."""

income_inputs = [
    input_variable(
        column,
        PERSON,
        FEN,
        Unit.FEN_PER_MONTH,
        label + "（月均）",
        label_en + " (monthly)",
        reference=N4 + " 第十三条",
        default=0,
        program=P,
    )
    for column, label, label_en in _INCOME_INPUTS.values()
]
transfer_expenditure = input_variable(
    "transfer_expenditure",
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "转移性支出（月均）",
    "Transfer expenditure: taxes, social-insurance contributions, support paid (monthly)",
    reference=N4 + " 第十三条",
    default=0,
    program=P,
)

# --- obligor inputs ---------------------------------------------------------------------------

obligor_birth_date = input_variable(
    "obligor_birth_date",
    OBLIGOR,
    DATE,
    Unit.DATE,
    "义务人出生日期",
    "Obligor's date of birth",
    required=True,
    program=P,
)
obligor_is_tekun = input_variable(
    "obligor_is_tekun",
    OBLIGOR,
    BOOL,
    Unit.BOOLEAN,
    "义务人为特困人员",
    "Obligor is a tekun person",
    default=False,
    program=P,
)
obligor_is_dibao_recipient = input_variable(
    "obligor_is_dibao_recipient",
    OBLIGOR,
    BOOL,
    Unit.BOOLEAN,
    "义务人为低保对象",
    "Obligor receives dibao",
    default=False,
    program=P,
)
obligor_disability_category = input_variable(
    "obligor_disability_category",
    OBLIGOR,
    CODE,
    Unit.CODE,
    "义务人残疾类别",
    "Obligor's disability category",
    codes="disability_category",
    default="none",
    program=P,
)
obligor_disability_grade = input_variable(
    "obligor_disability_grade",
    OBLIGOR,
    pl.Int8(),
    Unit.COUNT,
    "义务人残疾等级",
    "Obligor's disability grade",
    nullable=True,
    program=P,
)
obligor_annual_income = input_variable(
    "obligor_annual_income",
    OBLIGOR,
    FEN,
    Unit.FEN_PER_YEAR,
    "义务人年收入",
    "Obligor's own annual income",
    default=0,
    program=P,
)
obligor_assets_within_low_income_limit = input_variable(
    "obligor_assets_within_low_income_limit",
    OBLIGOR,
    BOOL,
    Unit.BOOLEAN,
    "义务人财产符合低收入家庭财产条件",
    "Obligor's assets within the low-income limit",
    # Conservative default: an obligor is taken as able to support unless shown otherwise.
    default=False,
    program=P,
)
obligor_lacks_civil_capacity = input_variable(
    "obligor_lacks_civil_capacity",
    OBLIGOR,
    BOOL,
    Unit.BOOLEAN,
    "义务人无民事行为能力",
    "Obligor lacks civil capacity",
    default=False,
    program=P,
)
obligor_declared_missing = input_variable(
    "obligor_declared_missing",
    OBLIGOR,
    BOOL,
    Unit.BOOLEAN,
    "义务人被宣告失踪",
    "Obligor declared missing",
    default=False,
    program=P,
)
obligor_in_prison = input_variable(
    "obligor_in_prison",
    OBLIGOR,
    BOOL,
    Unit.BOOLEAN,
    "义务人在监狱服刑",
    "Obligor in prison",
    default=False,
    program=P,
)

# --- membership -------------------------------------------------------------------------------


@variable(
    PERSON,
    pl.Int32(),
    Unit.YEARS,
    "年龄",
    "Age on the assessment date",
    reference="《中华人民共和国民法典》第二百零一条、第二百零二条（期间计算）",
)
def age(f: Formula) -> pl.Expr:
    """Completed years on the household's assessment date (周岁: the birthday counts; a
    29 February birth in a common year as ``household.leap_day_birthday`` says)."""
    return completed_years(f, f("birth_date"), f.date)


@variable(
    PERSON,
    CODE,
    Unit.CODE,
    "亲属关系类别",
    "Relation group",
    codes="relation_group",
    reference="GB/T 4761-2008; " + N4 + " 第七条",
)
def relation_group(f: Formula) -> pl.Expr:
    """The GB/T 4761 code's group: spouse, child, parent, …"""
    return f("relation").replace_strict(RELATION_GROUP_OF, default=None, return_dtype=pl.String)


@variable(
    PERSON,
    CODE,
    Unit.CODE,
    "残疾类别与等级",
    "Disability class",
    codes="disability_class",
    reference="GB/T 26341-2010",
)
def disability_class(f: Formula) -> pl.Expr:
    """Category and grade as one code (``physical_1``); ``none`` without a certificate."""
    # DISABILITY_CLASS lists "none", then each category's grades 1–4 in DISABILITY_CATEGORY
    # order, so the class is found by position rather than by building strings.
    category = f("disability_category").to_physical().cast(pl.Int32)
    grade = f("disability_grade").cast(pl.Int32).fill_null(1)
    index = pl.when(category == 0).then(0).otherwise((category - 1) * 4 + grade)
    classes = pl.Series(DISABILITY_CLASS.identifiers, dtype=enum(DISABILITY_CLASS))
    return pl.lit(classes).gather(index)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "因离家原因不计入家庭成员",
    "Excluded as living apart",
    reference=N4 + " 第七条; 天津市现役义务兵不计入",
)
def excluded_by_absence(f: Formula) -> pl.Expr:
    """Prison, compulsory drug rehabilitation, declared missing, Tianjin conscripts; religious
    professionals only after living apart for the set number of years."""
    excluded = f.param("household.excluded_absence_reasons", key="absence_reason")
    years_apart = completed_years(f, f("absent_since"), f.date)
    long_enough = years_apart >= f.param("household.religious_professional_years_apart")
    religious = f("absence_reason") == "religious_professional"
    return excluded & (~religious | long_enough.fill_null(False))


@variable(
    PERSON, BOOL, Unit.BOOLEAN, "共同生活的家庭成员", "Household member", reference=N4 + " 第七条"
)
def household_member(f: Formula) -> pl.Expr:
    """Art. 7: spouse; minor children; adult children who cannot live independently, including
    full-time students up to undergraduate level; others with a statutory support duty who live
    together long-term (which relation groups count is a parameter)."""
    group = f("relation_group")
    adult_child_counted = (
        f("lives_with_household")
        | f("unable_to_live_independently")
        | f.param("household.counted_student_levels", key="student_level")
    )
    counted = (
        pl.when(group.is_in(["self", "spouse"]))
        .then(True)
        .when(group == "child")
        .then((f("age") < 18) | adult_child_counted)
        .otherwise(
            f.param("household.counted_relation_groups", key="relation_group")
            & f("lives_with_household")
        )
    )
    return counted & ~f("excluded_by_absence")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "计入低保等救助单位",
    "In the assistance unit",
    reference="一户一条救助链 (N8): a tekun person is supported by tekun, not counted again",
)
def assistance_unit_member(f: Formula) -> pl.Expr:
    """A household member who is not covered by tekun support (an undetermined tekun status
    leaves the unit undetermined)."""
    return f("household_member") & ~f("tekun_eligible")


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.PERSONS,
    "救助单位人数",
    "Members in the assistance unit",
    reference=N4 + " 第七条",
)
def unit_members(f: Formula) -> pl.Expr:
    """Household members counted for dibao, near-dibao and rigid expenditure."""
    return f.count(PERSON, where="assistance_unit_member")


# --- income -----------------------------------------------------------------------------------


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "就业成本扣减",
    "Employment-cost deduction",
    reference=N4 + " 第十三条（扣除必要的就业成本）",
)
def employment_cost_deduction(f: Formula) -> pl.Expr:
    """The employment-cost deduction rate × the dibao standard, at most the wage. Tianjin adopted a
    deduction in 2024 whose amount was not found: an unknown rate is not applied, and
    ``employment_cost_deduction_unknown`` reports it (docs/decisions/0004)."""
    rate_amount = f.scale(f.parent("dibao_standard"), "income.employment_cost_deduction_rate")
    return pl.min_horizontal(f("wage_income"), rate_amount.fill_null(0))


@variable(PERSON, BOOL, Unit.BOOLEAN, "就业成本扣减标准未知", "Employment-cost deduction unknown")
def employment_cost_deduction_unknown(f: Formula) -> pl.Expr:
    """A wage earner whose employment-cost deduction rests on an unknown value."""
    rate_amount = f.scale(f.parent("dibao_standard"), "income.employment_cost_deduction_rate")
    return (f("wage_income") > 0) & rate_amount.is_null()


def counted_income_expression(f: Formula, disregards: str) -> pl.Expr:
    """Sum of income components not disregarded under ``disregards``, less transfer expenditure.

    A disregard whose status is unknown for the date makes the component (and so the income)
    null where it is non-zero: the decision is then undetermined rather than guessed.
    """
    amounts = {
        component: f(column) - f("employment_cost_deduction") if component == "wage" else f(column)
        for component, column in INCOME_COLUMNS.items()
    }

    def build(disregarded: object) -> pl.Expr:
        assert isinstance(disregarded, dict)
        terms = []
        for component, amount in amounts.items():
            status = disregarded[component]
            if status is False:
                terms.append(amount)
            elif isinstance(status, Marker):
                terms.append(pl.when(amount == 0).then(0).otherwise(None))
        return pl.sum_horizontal(terms, ignore_nulls=False)

    return f.params(build, disregards) - f("transfer_expenditure")


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "个人计算收入",
    "Counted income of the person",
    reference=N4 + " 第十三条; " + T9,
)
def counted_income(f: Formula) -> pl.Expr:
    """Wages (less employment cost), net business, property and transfer income, less transfer
    expenditure; disregarded items (优待抚恤金, 计划生育奖扶金, 奖学金 and rewards, social
    assistance, and the residents' basic pension during the 14th FYP) are not counted."""
    return counted_income_expression(f, "income.disregarded")


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "分类救助收入抵扣",
    "Classified income deduction",
    reference="天津日报 2025-09-26 (分类救助: 按实际残疾人数/患病人数抵扣家庭收入); addendum decision 2",
)
def classified_deduction(f: Formula) -> pl.Expr:
    """Deduction for a severely disabled or seriously ill member; a member meeting several
    conditions counts once, at the largest. Unknown items (multiple disability; the elderly,
    minor and widowed-single-parent items) are not applied and are reported."""
    disability = f.param("income.classified_deductions_disability", key="disability_class")
    illness = f.param("income.classified_deductions_illness", key="serious_illness")
    return pl.max_horizontal(disability.fill_null(0), illness.fill_null(0))


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "可能适用未知的分类救助抵扣",
    "An unknown classified deduction may apply",
    reference="addendum decision 2 (items cut off in every source)",
)
def classified_deduction_unknown(f: Formula) -> pl.Expr:
    """The member meets a condition whose deduction amount is unknown."""
    disability = f.param("income.classified_deductions_disability", key="disability_class")
    illness = f.param("income.classified_deductions_illness", key="serious_illness")
    elderly = f.param("income.classified_deductions_other", code="elderly")
    minor = f.param("income.classified_deductions_other", code="minor")
    single = f.param("income.classified_deductions_other", code="widowed_single_parent")
    age_ = f("age")
    return (
        disability.is_null()
        | illness.is_null()
        | ((age_ >= 60) & elderly.is_null())
        | ((age_ < 18) & minor.is_null())
        | (f.parent("single_parent_family") & single.is_null())
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "家庭计算收入（分类救助抵扣前）",
    "Counted household income (before classified deductions)",
    reference=N4 + " 第十三条",
)
def household_counted_income(f: Formula) -> pl.Expr:
    """Sum of the assistance unit's counted income (before classified deductions), at least 0."""
    return f.sum(PERSON, "counted_income", where="assistance_unit_member").clip(lower_bound=0)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "分类救助抵扣合计",
    "Classified deductions",
    reference="addendum decision 2",
)
def household_classified_deductions(f: Formula) -> pl.Expr:
    """Sum of the members' classified deductions."""
    return f.sum(PERSON, "classified_deduction", where="assistance_unit_member")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "核定家庭收入（分类救助抵扣后）",
    "Assessed household income (after classified deductions)",
    reference="addendum decision 2: deductions apply to the dibao and near-dibao tests and amount",
)
def assessed_income(f: Formula) -> pl.Expr:
    """Counted income less classified deductions, never below 0."""
    return (f("household_counted_income") - f("household_classified_deductions")).clip(
        lower_bound=0
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "家庭人均核定收入",
    "Assessed income per member",
    reference=N4 + " 第十三条",
)
def per_capita_assessed_income(f: Formula) -> pl.Expr:
    """Assessed income per member of the assistance unit, rounded down to the fen; null for a
    unit without members. For people reading a result: every test compares the household's
    income with the standard × members instead, so no division rounding can flip a decision."""
    members = f("unit_members")
    return pl.when(members > 0).then(f("assessed_income") // members).otherwise(None)


# --- assets -----------------------------------------------------------------------------------


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "家庭货币财产",
    "Household monetary assets",
    reference=N4 + " 第十四条",
)
def household_monetary_assets(f: Formula) -> pl.Expr:
    """Sum of the assistance unit's monetary assets."""
    return f.sum(PERSON, "monetary_assets", where="assistance_unit_member")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "车辆条件",
    "Vehicle test passed",
    reference="天津市社会救助家庭经济状况核定暂行办法 (2013) 不再进行认定情形",
)
def vehicle_test(f: Formula) -> pl.Expr:
    """No motor vehicle in a member's name, a disability mobility vehicle excepted."""
    exempt = (
        pl.when(f.param("assets.disability_mobility_vehicle_exempt"))
        .then(f("disability_mobility_vehicles"))
        .otherwise(0)
    )
    countable = f("vehicles") - pl.min_horizontal(exempt, f("vehicles"))
    return ~(f.param("assets.vehicle_disqualifies") & (countable > 0))


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "住房条件",
    "Housing test passed",
    reference="天津市社会救助家庭经济状况核定暂行办法 (2013) 不再进行认定情形",
)
def housing_test(f: Formula) -> pl.Expr:
    """Two or more homes disqualify unless per-capita floor area is below the city average
    (unknown average → undetermined for such households only)."""
    below_average = f("per_capita_floor_area") < f.param("assets.city_average_floor_area")
    return ~(f.param("assets.multiple_homes_disqualify") & (f("homes") >= 2) & ~below_average)


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "其他财产条件",
    "Other asset tests passed",
    reference="天津市社会救助家庭经济状况核定暂行办法 (2013) 不再进行认定情形",
)
def other_assets_test(f: Formula) -> pl.Expr:
    """Vehicles, housing, non-residential property, self-funded study abroad, luxury goods."""
    return (
        f("vehicle_test")
        & f("housing_test")
        & ~(f.param("assets.non_residential_property_disqualifies") & f("non_residential_property"))
        & ~(f.param("assets.study_abroad_disqualifies") & f("self_funded_study_abroad"))
        & ~(f.param("assets.luxury_goods_disqualify") & f("non_essential_luxury_goods"))
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "财产限额计算基准（城市低保标准）",
    "Asset limit base (urban dibao standard)",
    reference="2013 暂行办法: 人均不超过N个月城市低保标准",
)
def asset_limit_standard(f: Formula) -> pl.Expr:
    """The (urban) dibao standard that monetary-asset limits multiply."""
    return f.param("dibao.standard", code="urban")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "有成员就业成本扣减标准未知",
    "Employment-cost deduction unknown in the unit",
)
def unit_employment_cost_unknown(f: Formula) -> pl.Expr:
    """Some unit member's wage would take Tianjin's (unknown) employment-cost deduction."""
    return f.any(PERSON, "employment_cost_deduction_unknown", where="assistance_unit_member")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "有成员可能适用未知的分类救助抵扣",
    "Unknown classified deduction in the unit",
)
def unit_classified_deduction_unknown(f: Formula) -> pl.Expr:
    """Some unit member meets a classified-deduction condition whose amount is unknown."""
    return f.any(PERSON, "classified_deduction_unknown", where="assistance_unit_member")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "重度残疾人",
    "Severely disabled",
    reference=N4 + " 第八条（一级、二级重度残疾人和三级智力残疾人、三级精神残疾人）",
)
def severely_disabled(f: Formula) -> pl.Expr:
    """Grade 1 or 2 of any category, or grade 3 intellectual or mental disability."""
    return f.param("household.severe_disability", key="disability_class")


# --- tekun-related person inputs ---------------------------------------------------------------

self_care = input_variable(
    "self_care",
    PERSON,
    CODE,
    Unit.CODE,
    "生活自理能力",
    "Self-care ability",
    codes="self_care",
    default="self_caring",
    program=P,
)
tekun_support_form = input_variable(
    "tekun_support_form",
    PERSON,
    CODE,
    Unit.CODE,
    "供养方式",
    "Form of tekun support",
    codes="support_form",
    default="home_based",
    program=P,
)
holds_rural_land_or_collective_share = input_variable(
    "holds_rural_land_or_collective_share",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "有承包土地或参加农村集体经济收益分配",
    "Holds contracted land or a rural collective share",
    default=False,
    program=P,
)
relocated_to_town = input_variable(
    "relocated_to_town",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "易地扶贫搬迁至城镇",
    "Relocated to a town (poverty alleviation)",
    default=False,
    program=P,
)
chooses_orphan_support = input_variable(
    "chooses_orphan_support",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "选择孤儿或事实无人抚养儿童保障",
    "Chose orphan or de facto unsupported child support",
    default=False,
    program=P,
)


# --- cross-field input rules -------------------------------------------------------------------

_APPLICANTS = (
    pl.col("relation").cast(pl.String).is_in(["01", "02"]).cast(pl.Int32).sum().over("household_id")
)

ROW_RULES = [
    RowRule(
        PERSON,
        "relation",
        (_APPLICANTS != 1) & pl.col("household_id").is_first_distinct(),
        "每户应有且仅有一名申请人（与申请人关系为01本人或02户主） "
        "(each household needs exactly one applicant, relation 01 or 02)",
        ("relation",),
    ),
    RowRule(
        PERSON,
        "disability_grade",
        (pl.col("disability_category") != "none")
        & (pl.col("disability_grade").is_null() | ~pl.col("disability_grade").is_between(1, 4)),
        "填写残疾类别时须填写残疾等级1–4 (a disability category needs a grade 1–4, GB/T 26341)",
        ("disability_category", "disability_grade"),
    ),
    RowRule(
        PERSON,
        "disability_grade",
        (pl.col("disability_category") == "none") & pl.col("disability_grade").is_not_null(),
        "填写残疾等级时须填写残疾类别 (a disability grade needs a disability category)",
        ("disability_category", "disability_grade"),
    ),
    RowRule(
        OBLIGOR,
        "obligor_disability_grade",
        (pl.col("obligor_disability_category") != "none")
        & (
            pl.col("obligor_disability_grade").is_null()
            | ~pl.col("obligor_disability_grade").is_between(1, 4)
        ),
        "填写残疾类别时须填写残疾等级1–4 (a disability category needs a grade 1–4, GB/T 26341)",
        ("obligor_disability_category", "obligor_disability_grade"),
    ),
    RowRule(
        PERSON,
        "absent_since",
        (pl.col("absence_reason") == "religious_professional") & pl.col("absent_since").is_null(),
        "宗教教职人员须填写离家日期（满三年不计入，最低生活保障审核确认办法 第七条） (a religious professional living apart needs the date they left)",
        ("absence_reason", "absent_since"),
    ),
    RowRule(
        PERSON,
        "birth_date",
        pl.col("birth_date") > pl.col(DATE_VARIABLE),
        "出生日期晚于评估日期 (born after the assessment date)",
        ("birth_date",),
        needs_date=True,
    ),
    RowRule(
        PERSON,
        "absent_since",
        pl.col("absent_since") > pl.col(DATE_VARIABLE),
        "离家日期晚于评估日期 (living apart since a date after the assessment date)",
        ("absent_since",),
        needs_date=True,
    ),
]
"""Cross-field rules checked on entry (see ``jiuzhu.rules.engine.schema``)."""


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.MONTHS,
    "收入核算期",
    "Income assessment window",
    reference="天津市社会救助家庭经济状况核定暂行办法 (2013): 城市申请当月前3个月；农村上一年度",
)
def income_window_months(f: Formula) -> pl.Expr:
    """Months over which monthly incomes are averaged (verification uses it to sum feeds)."""
    return f.param("income.assessment_window_months", key="area_type")
