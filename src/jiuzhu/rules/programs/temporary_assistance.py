"""Temporary assistance (临时救助): who qualifies, the most it may give, and who approves it.

《社会救助暂行办法》（国务院令第649号）第四十七条 gives it to households whose basic living suddenly
becomes seriously difficult; 民发〔2018〕23号 names two types: **emergency** (急难型: fire, road
accident, injury, a life-threatening illness) and **expenditure** (支出型: necessary spending
suddenly beyond the household's means, with per-capita disposable income below the locality's
last-year figure). An emergency is helped without an economic assessment (津民规〔2023〕1号
第二条 excludes it). Amounts are set in months of the dibao standard: in Tianjin up to 3 months a
person for emergency living aid, and the township (street) may approve a case up to 6 months of
the standard (天津日报 2021-08-30). The 2025 rule (《天津市临时救助办法》, in force 2025-01-01)
was found without its amounts: the values carry forward at low confidence and every
explanation says so; the expenditure type's amount was not found at all and stays unknown.

Applied for in the platform (prefix LS) through the ordinary procedure, or helped first (先行救助)
with the paperwork completed after; the application gives the type, the township's finding and
the amount proposed (``Program.application_inputs``).
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
from jiuzhu.rules.programs.sources import (
    SOCIAL_ASSISTANCE_MEASURES,
    TEMPORARY_ASSISTANCE_OPINIONS,
    TIANJIN_ECONOMIC_STATUS_MEASURES,
    TIANJIN_TEMPORARY_ASSISTANCE,
)

BOOL, FEN, COUNT, CODE = pl.Boolean(), pl.Int64(), pl.Int64(), pl.String()
P = "temporary_assistance"

temporary_assistance_type = input_variable(
    "temporary_assistance_type",
    HOUSEHOLD,
    CODE,
    Unit.CODE,
    "临时救助类型",
    "Temporary assistance type (none, emergency, expenditure)",
    codes="temporary_assistance_type",
    reference=TEMPORARY_ASSISTANCE_OPINIONS,
    default="none",
    program=P,
)
persons_affected = input_variable(
    "temporary_assistance_persons",
    HOUSEHOLD,
    COUNT,
    Unit.PERSONS,
    "临时救助受困人数",
    "Persons affected by the emergency (if not given: the household's members)",
    reference=TIANJIN_TEMPORARY_ASSISTANCE + "（每人生活救助标准）",
    nullable=True,
    program=P,
)
expenditure_beyond_means = input_variable(
    "expenditure_beyond_means",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "生活必需支出突然超出家庭承受能力",
    "Necessary spending suddenly beyond the household's means (the township's finding)",
    reference=TEMPORARY_ASSISTANCE_OPINIONS + "（支出型）",
    default=False,
    program=P,
)
requested = input_variable(
    "temporary_assistance_requested",
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "拟给予临时救助金额",
    "Temporary assistance amount proposed (decides who approves it)",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第四十八条",
    nullable=True,
    program=P,
)

REASONS = ReasonSet(
    "temporary_assistance",
    [
        Reason(
            "TEMP_EMERGENCY",
            "急难型临时救助：突发意外事件致基本生活严重困难，不作家庭经济状况认定；"
            "生活救助每人最高 {temporary_assistance_emergency_cap}",
            "Emergency type: a sudden event made basic living seriously difficult; no economic "
            "assessment; living aid at most {temporary_assistance_emergency_cap}",
            "eligible",
            label="急难型",
            label_en="Emergency type",
        ),
        Reason(
            "TEMP_EXPENDITURE",
            "支出型临时救助：生活必需支出突然超出家庭承受能力，家庭人均收入低于上年度人均可支配收入",
            "Expenditure type: necessary spending beyond the household's means, per-capita "
            "income below last year's per-capita disposable income",
            "eligible",
            label="支出型",
            label_en="Expenditure type",
        ),
        Reason(
            "TEMP_NOT_ASKED",
            "未申请临时救助",
            "No temporary assistance asked",
            label="未申请",
            label_en="Not asked",
        ),
        Reason(
            "TEMP_NOT_BEYOND_MEANS",
            "未认定生活必需支出突然超出家庭承受能力",
            "Spending not found to be beyond the household's means",
            label="支出未超出承受能力",
            label_en="Spending within means",
        ),
        Reason(
            "TEMP_INCOME_NOT_BELOW",
            "家庭人均收入不低于上年度全市居民人均可支配收入",
            "Per-capita income not below last year's per-capita disposable income",
            label="收入不低于门槛",
            label_en="Income not below threshold",
        ),
        Reason(
            "TEMP_DISTRICT_APPROVES",
            "拟给予金额 {temporary_assistance_requested} 超过乡镇（街道）审批限额 "
            "{temporary_assistance_township_limit}，报区民政局审批",
            "The amount proposed {temporary_assistance_requested} exceeds the township's limit "
            "{temporary_assistance_township_limit}: the district approves",
            "note",
            label="区民政局审批",
            label_en="District approves",
        ),
        Reason(
            "TEMP_AMOUNTS_CARRIED_FORWARD",
            "2025年起《天津市临时救助办法》的金额未找到，沿用此前的6个月审批限额和3个月急难型标准（低置信度）",
            "The 2025 Tianjin rule's amounts were not found: the earlier 6-month approval limit "
            "and 3-month emergency aid are carried forward (low confidence)",
            "note",
            label="金额沿用旧规定",
            label_en="Amounts carried forward",
        ),
        Reason(
            "TEMP_UNDETERMINED",
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
    COUNT,
    Unit.PERSONS,
    "临时救助计算人数",
    "Persons counted for temporary assistance",
    reference=TIANJIN_TEMPORARY_ASSISTANCE + "（每人生活救助标准）",
)
def temporary_assistance_persons_counted(f: Formula) -> pl.Expr:
    """The persons affected as recorded, else the household's members."""
    return pl.coalesce(f("temporary_assistance_persons"), f.count(PERSON, where="household_member"))


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "乡镇（街道）审批限额",
    "Township approval limit (per case)",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第四十八条; " + TIANJIN_TEMPORARY_ASSISTANCE,
)
def temporary_assistance_township_limit(f: Formula) -> pl.Expr:
    """Months of the dibao standard a township may approve for one household's case."""
    return f.param("temporary_assistance.township_approval_months") * f("dibao_standard")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "急难型生活救助上限（每人）",
    "Emergency living aid, most per person",
    reference=TIANJIN_TEMPORARY_ASSISTANCE + "（每人生活救助标准最高至3个月低保金）",
)
def temporary_assistance_emergency_cap(f: Formula) -> pl.Expr:
    """Months of the dibao standard per person (the standard itself: 低保金 read as the
    standard)."""
    return f.param("temporary_assistance.emergency_living_months") * f("dibao_standard")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "临时救助上限（合计）",
    "Temporary assistance, most for the household",
    reference=TEMPORARY_ASSISTANCE_OPINIONS + "; " + TIANJIN_TEMPORARY_ASSISTANCE,
)
def temporary_assistance_cap(f: Formula) -> pl.Expr:
    """Per person cap × persons counted, for an eligible household of either type; null where
    the type's amount is unknown (the expenditure type's has not been found)."""
    per_person = (
        pl.when(f("temporary_assistance_type") == "emergency")
        .then(f("temporary_assistance_emergency_cap"))
        .otherwise(f.param("temporary_assistance.expenditure_living_months") * f("dibao_standard"))
    )
    cap = per_person * f("temporary_assistance_persons_counted")
    return pl.when(f("temporary_assistance_eligible")).then(cap).otherwise(None)


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "支出型收入条件",
    "Expenditure-type income test",
    reference=TEMPORARY_ASSISTANCE_OPINIONS
    + "（家庭人均可支配收入应低于当地上年度人均可支配收入）; "
    + TIANJIN_ECONOMIC_STATUS_MEASURES,
)
def temporary_assistance_income_test(f: Formula) -> pl.Expr:
    """12 × monthly counted income below last year's per-capita disposable income × members
    (cross-multiplied, so no rounding)."""
    threshold = f.param("statistics.per_capita_disposable_income_previous_year")
    return f("household_counted_income") * 12 < threshold * f("unit_members")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "符合临时救助",
    "Temporary assistance",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第四十七条; " + TEMPORARY_ASSISTANCE_OPINIONS,
)
def temporary_assistance_eligible(f: Formula) -> pl.Expr:
    """An emergency qualifies as such; the expenditure type needs the township's finding and
    the income test; no type asked, no assistance."""
    kind = f("temporary_assistance_type")
    expenditure = f("expenditure_beyond_means") & f("temporary_assistance_income_test")
    return (
        pl.when(kind == "emergency")
        .then(True)
        .when(kind == "expenditure")
        .then(expenditure)
        .otherwise(False)
    )


@variable(
    HOUSEHOLD,
    CODE,
    Unit.CODE,
    "审批层级",
    "Who approves the amount proposed",
    codes="approval_level",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第四十八条; " + TIANJIN_TEMPORARY_ASSISTANCE,
)
def temporary_assistance_approver(f: Formula) -> pl.Expr:
    """The township up to its limit (inclusive), the district above it; none without a
    proposed amount."""
    amount = f("temporary_assistance_requested")
    level = pl.when(amount <= f("temporary_assistance_township_limit"))
    return (
        level.then(pl.lit("township"))
        .when(amount.is_not_null() & f("temporary_assistance_township_limit").is_not_null())
        .then(pl.lit("district"))
        .otherwise(None)
    )


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.REASONS,
    "临时救助理由",
    "Temporary assistance reason codes",
    reasons=REASONS,
)
def temporary_assistance_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the temporary-assistance decision."""
    kind = f("temporary_assistance_type")
    eligible = f("temporary_assistance_eligible")
    expenditure = kind == "expenditure"
    carried = f.param("temporary_assistance.amounts_carried_forward")
    return REASONS.mask(
        {
            "TEMP_EMERGENCY": kind == "emergency",
            "TEMP_EXPENDITURE": expenditure & eligible,
            "TEMP_NOT_ASKED": kind == "none",
            "TEMP_NOT_BEYOND_MEANS": expenditure & ~f("expenditure_beyond_means"),
            "TEMP_INCOME_NOT_BELOW": expenditure & ~f("temporary_assistance_income_test"),
            "TEMP_DISTRICT_APPROVES": f("temporary_assistance_approver") == "district",
            "TEMP_AMOUNTS_CARRIED_FORWARD": (kind != "none") & carried,
            "TEMP_UNDETERMINED": eligible.is_null(),
        }
    )
