"""What a household declares: the input variables of the household, its persons and their
support obligors, and the cross-field rules checked on entry.

- Household: assessment date, urban or rural, family circumstances, and the asset facts that
  Tianjin's 《社会救助家庭经济状况核定办法》 tests (vehicles, homes, other property).
- Person: birth date, relation (GB/T 4761), living apart (最低生活保障审核确认办法 (民政部 2021)
  Art. 7), disability (GB/T 26341), illness, monetary assets (Art. 14), the income components and
  transfer expenditure (Art. 13), and the facts tekun support asks for.
- Obligor: a person's statutory supporters outside the household and their own means.

The rules computed from these (membership, counted income, deductions, assets) are in
``household``. Money is integer fen per month unless a name says ``annual``.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import HOUSEHOLD, OBLIGOR, PERSON, input_variable
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.engine.schema import RowRule, count_per_parent
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.sources import DIBAO_MEASURES

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
single_parent_widowed = input_variable(
    "single_parent_widowed",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "单亲因丧偶",
    "The single parent is widowed",
    default=False,
    program=P,
)
living_on_one_pension = input_variable(
    "living_on_one_pension",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "仅靠一人养老金生活",
    "Living on one member's pension",
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
    reference=DIBAO_MEASURES + "第十四条",
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
        reference=DIBAO_MEASURES + "第十三条",
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
    reference=DIBAO_MEASURES + "第十三条",
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
work_capacity = input_variable(
    "work_capacity",
    PERSON,
    CODE,
    Unit.CODE,
    "劳动能力",
    "Capacity to work (as assessed: able, partly or fully lost)",
    codes="work_capacity",
    default="able",
    program=P,
)
employment_support_insufficient = input_variable(
    "employment_support_insufficient",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "无法依靠产业就业帮扶脱贫",
    "Cannot escape poverty through industry or employment support",
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

ROW_RULES = [
    count_per_parent(
        PERSON,
        "relation",
        pl.col("relation").is_in(["01", "02"]),
        1,
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
        "宗教教职人员须填写离家日期（满三年不计入，《最低生活保障审核确认办法》（民发〔2021〕57号）第七条） (a religious professional living apart needs the date they left)",
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
