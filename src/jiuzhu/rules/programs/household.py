"""Who is in the household, what it earns and what it owns.

- Membership (共同生活的家庭成员): 最低生活保障审核确认办法 (民政部 2021) Art. 7, with Tianjin's
  exclusion of conscripts; the same definition serves dibao, near-dibao and rigid expenditure.
- Counted income: Art. 13 (four categories, disregards, employment cost), Tianjin's classified
  income deductions for severely disabled and seriously ill members (《天津市社会救助家庭经济状况核定办法》（津民规〔2023〕1号）).
- Assets: Art. 14 and Tianjin's 《社会救助家庭经济状况核定办法》 (monetary assets per person
  against months of the standard; vehicles, housing, other disqualifiers).

The inputs these rules read, and the cross-field rules checked on entry, are in
``household_inputs``. Money is integer fen per month unless a name says ``annual``.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import HOUSEHOLD, PERSON, Formula, variable
from jiuzhu.rules.engine.parameters import Marker
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.codes import DISABILITY_CLASS, RELATION_GROUP_OF, enum
from jiuzhu.rules.programs.common import completed_years
from jiuzhu.rules.programs.household_inputs import BOOL, CODE, FEN, INCOME_COLUMNS
from jiuzhu.rules.programs.sources import DIBAO_MEASURES, TIANJIN_ECONOMIC_STATUS_MEASURES

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
    return completed_years(f, f("birth_date"))


@variable(
    PERSON,
    CODE,
    Unit.CODE,
    "亲属关系类别",
    "Relation group",
    codes="relation_group",
    reference="GB/T 4761-2008; " + DIBAO_MEASURES + "第七条",
)
def relation_group(f: Formula) -> pl.Expr:
    """The GB/T 4761 code's group: spouse, child, parent, …"""
    return f.recode("relation", RELATION_GROUP_OF, f.dtype("relation_group"))


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
    return disability_class_of(f("disability_category"), f("disability_grade"))


def disability_class_of(category: pl.Expr, grade: pl.Expr) -> pl.Expr:
    """A ``disability_category`` (Enum) and grade (1–4, null without a certificate) as one
    ``disability_class`` code: the one definition, for members and obligors alike."""
    # DISABILITY_CLASS lists "none", then each category's grades 1–4 in DISABILITY_CATEGORY
    # order, so the class is found by position rather than by building strings.
    position = category.to_physical().cast(pl.Int32)
    grade = grade.cast(pl.Int32).fill_null(1)
    index = pl.when(position == 0).then(0).otherwise((position - 1) * 4 + grade)
    classes = pl.Series(DISABILITY_CLASS.identifiers, dtype=enum(DISABILITY_CLASS))
    return pl.lit(classes).gather(index)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "因离家原因不计入家庭成员",
    "Excluded as living apart",
    reference=DIBAO_MEASURES + "第七条; 天津市现役义务兵不计入",
)
def excluded_by_absence(f: Formula) -> pl.Expr:
    """Prison, compulsory drug rehabilitation, declared missing, Tianjin conscripts; religious
    professionals only after living apart for the set number of years."""
    excluded = f.param("household.excluded_absence_reasons", key="absence_reason")
    years_apart = completed_years(f, f("absent_since"))
    long_enough = years_apart >= f.param("household.religious_professional_years_apart")
    religious = f("absence_reason") == "religious_professional"
    return excluded & (~religious | long_enough.fill_null(False))


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "未成年人",
    "Minor",
    reference="《中华人民共和国民法典》第十七条",
)
def minor(f: Formula) -> pl.Expr:
    """Under the age of majority (``household.adult_age``, 18): the one definition of a minor
    for every program."""
    return f("age") < f.param("household.adult_age")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "老年人",
    "Elderly",
    reference="《中华人民共和国老年人权益保障法》第二条",
)
def elderly(f: Formula) -> pl.Expr:
    """At least ``household.elderly_age`` (60): the one definition of an elderly person for
    every program (the tekun's own age test is ``tekun.elderly_age``)."""
    return f("age") >= f.param("household.elderly_age")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "共同生活的家庭成员",
    "Household member",
    reference=DIBAO_MEASURES + "第七条",
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
        .then(f("minor") | adult_child_counted)
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
    reference="一户一条救助链：特困人员由特困供养保障，不再计入低保救助单位",
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
    reference=DIBAO_MEASURES + "第七条",
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
    reference=DIBAO_MEASURES + "第十三条（扣除必要的就业成本）",
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
    reference=DIBAO_MEASURES + "第十三条; " + TIANJIN_ECONOMIC_STATUS_MEASURES,
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
    reference=TIANJIN_ECONOMIC_STATUS_MEASURES
    + "（分类救助抵扣家庭收入）; 天津日报 2025-09-26（按实际残疾人数/患病人数抵扣家庭收入）",
)
def classified_deduction(f: Formula) -> pl.Expr:
    """Deduction for a severely disabled or seriously ill member; a member meeting several
    conditions counts once, at the largest. Multiple disability, of unknown amount, is not
    applied and is reported; the household's own items are ``household_deduction_items``."""
    disability = f.param("income.classified_deductions_disability", key="disability_class")
    illness = f.param("income.classified_deductions_illness", key="serious_illness")
    return pl.max_horizontal(disability.fill_null(0), illness.fill_null(0))


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "可能适用未知的分类救助抵扣",
    "An unknown classified deduction may apply",
    reference=TIANJIN_ECONOMIC_STATUS_MEASURES + "（分类救助抵扣：多重残疾的金额未找到）",
)
def classified_deduction_unknown(f: Formula) -> pl.Expr:
    """The member's disability or illness has a deduction whose amount is unknown."""
    disability = f.param("income.classified_deductions_disability", key="disability_class")
    illness = f.param("income.classified_deductions_illness", key="serious_illness")
    return disability.is_null() | illness.is_null()


def _household_items(f: Formula) -> dict[str, pl.Expr]:
    """Each per-household classified-deduction item → whether the household meets it."""
    unit = "assistance_unit_member"
    student = f.any(PERSON, "student_preschool_to_university", where=unit)
    single = f("single_parent_family") & student
    return {
        "widowed_single_parent_student": single & f("single_parent_widowed"),
        "single_parent_student": single & ~f("single_parent_widowed"),
        "urban_double_elderly": (f("area_type") == "urban")
        & (f("unit_members") == 2)
        & f.all(PERSON, "elderly", where=unit)
        & f("has_no_children")
        & f("living_on_one_pension"),
        "family_planning_special_support": f("family_planning_special_support"),
    }


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "分类救助按户抵扣",
    "Classified deductions per household",
    reference="天津市《关于完善分类救助有关政策的通知》",
)
def household_deduction_items(f: Formula) -> pl.Expr:
    """The known amounts of the per-household items the household meets (widowed or other
    single parent with a child in school, urban 双老, family-planning special support); an
    item of unknown amount is not applied and is reported."""
    path = "income.classified_deductions_household"
    amounts = [
        pl.when(meets).then(f.param(path, code=code).fill_null(0)).otherwise(0)
        for code, meets in _household_items(f).items()
    ]
    return pl.sum_horizontal(amounts)


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "可能适用未知的按户分类救助抵扣",
    "An unknown per-household classified deduction may apply",
    reference="天津市《关于完善分类救助有关政策的通知》（按户抵扣金额未找到）",
)
def household_deduction_item_unknown(f: Formula) -> pl.Expr:
    """The household meets a per-household item whose amount is unknown."""
    path = "income.classified_deductions_household"
    return pl.any_horizontal(
        [meets & f.param(path, code=code).is_null() for code, meets in _household_items(f).items()]
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "家庭计算收入（分类救助抵扣前）",
    "Counted household income (before classified deductions)",
    reference=DIBAO_MEASURES + "第十三条",
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
    reference=TIANJIN_ECONOMIC_STATUS_MEASURES + "（分类救助抵扣）",
)
def household_classified_deductions(f: Formula) -> pl.Expr:
    """Sum of the members' classified deductions and the household's own items."""
    members = f.sum(PERSON, "classified_deduction", where="assistance_unit_member")
    return members + f("household_deduction_items")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "核定家庭收入（分类救助抵扣后）",
    "Assessed household income (after classified deductions)",
    reference=TIANJIN_ECONOMIC_STATUS_MEASURES + "（分类救助抵扣适用于低保和低保边缘的认定与金额）",
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
    reference=DIBAO_MEASURES + "第十三条",
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
    reference=DIBAO_MEASURES + "第十四条",
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
    """Some unit member, or the household, meets a classified-deduction condition whose amount
    is unknown."""
    members = f.any(PERSON, "classified_deduction_unknown", where="assistance_unit_member")
    return members | f("household_deduction_item_unknown")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "重度残疾人",
    "Severely disabled",
    reference=DIBAO_MEASURES + "第八条（一级、二级重度残疾人和三级智力残疾人、三级精神残疾人）",
)
def severely_disabled(f: Formula) -> pl.Expr:
    """Grade 1 or 2 of any category, or grade 3 intellectual or mental disability."""
    return f.param("household.severe_disability", key="disability_class")


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
