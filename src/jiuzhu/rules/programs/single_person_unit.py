"""Single-person unit (单人户): dibao for a severely disabled or seriously ill member alone.

最低生活保障审核确认办法 Art. 8: a member of a near-dibao household who is severely disabled
(grade 1–2, or grade 3 intellectual or mental) or has a serious illness may apply alone. The Baodi
plan adds "其他低收入家庭中完全丧失劳动能力和部分丧失劳动能力且无法依靠产业就业帮扶脱贫的人员": a member
who has fully or partly lost the capacity to work and cannot escape poverty through employment
support (read as qualifying both losses) has the option too. The Baodi
plan makes it an exclusive choice: **either** the household takes near-dibao assistance **or**
the member takes dibao as a one-person unit and the rest of the household is reassessed without
them. Only a household that is near-dibao as a whole (after classified deductions) has the option
(《最低生活保障审核确认办法》第八条). Both options are computed and reported; never both granted — the
household's program columns always describe option A (the household as a whole).
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import HOUSEHOLD, PERSON, Formula, Reason, ReasonSet, variable
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.common import when_decided
from jiuzhu.rules.programs.near_dibao import cash_category, income_band
from jiuzhu.rules.programs.sources import DIBAO_MEASURES, TIANJIN_ECONOMIC_STATUS_MEASURES

BOOL, FEN = pl.Boolean(), pl.Int64()
SINGLE_PERSON_BASIS = DIBAO_MEASURES + "第八条; 宝坻区民政事业发展“十四五”规划"

REASONS = ReasonSet(
    "single_person_unit",
    [
        Reason(
            "SINGLE_PERSON_UNIT_AVAILABLE",
            "可选单人户：{single_person_unit_members} 单独纳入低保共 {single_person_unit_members_amount}，"
            "其余 {single_person_unit_rest_members} 重新认定；与低保边缘救助只能选其一",
            "Single-person unit possible: {single_person_unit_members} on dibao alone "
            "({single_person_unit_members_amount}); the other {single_person_unit_rest_members} "
            "reassessed; exclusive with near-dibao assistance",
            "eligible",
            label="可选单人户",
            label_en="Single-person unit available",
        ),
        Reason(
            "SINGLE_PERSON_UNIT_NOT_NEAR_DIBAO",
            "家庭整体不是低保边缘家庭，不适用单人户",
            "The household is not near-dibao as a whole: no single-person option",
            label="整户非低保边缘",
            label_en="Household not near-dibao",
        ),
        Reason(
            "SINGLE_PERSON_UNIT_NO_QUALIFYING_MEMBER",
            "没有可单独纳入低保的重度残疾、重病或丧失劳动能力且无法依靠就业帮扶脱贫的成员"
            "（或其本人收入、财产不符合）",
            "No severely disabled, seriously ill or work-incapable member (without a way out "
            "through employment support) who qualifies alone (income or assets)",
            label="无重残重病成员",
            label_en="No qualifying member",
        ),
        Reason(
            "SINGLE_PERSON_UNIT_NOT_IN_FORCE",
            "评估日期单人户规定尚未施行",
            "The single-person rule is not in force on the assessment date",
            label="政策未施行",
            label_en="Not in force",
        ),
        Reason(
            "SINGLE_PERSON_UNIT_UNDETERMINED",
            "所需政策参数未知，无法认定",
            "A needed parameter is unknown",
            "undetermined",
            label="参数未知待定",
            label_en="Undetermined: parameter unknown",
        ),
    ],
)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "可单独申请低保的成员",
    "May apply alone (severe disability or illness)",
    reference=SINGLE_PERSON_BASIS,
)
def single_person_unit_qualifying(f: Formula) -> pl.Expr:
    """A unit member who is severely disabled or has a serious illness in the local list, or —
    the Baodi plan's extension — has fully or partly lost the capacity to work and cannot escape
    poverty through industry or employment support."""
    illness = f.param("single_person_unit.qualifying_illness", key="serious_illness")
    lost = f.param("single_person_unit.work_capacity_loss", key="work_capacity")
    work = lost & f("employment_support_insufficient")
    return f("assistance_unit_member") & (f("severely_disabled") | illness | work)


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "单人户核定收入",
    "Assessed income as a one-person unit",
    reference=TIANJIN_ECONOMIC_STATUS_MEASURES + "（本人的分类救助抵扣）",
)
def single_person_unit_income(f: Formula) -> pl.Expr:
    """The member's counted income less their own classified deduction, at least 0."""
    return (f("counted_income") - f("classified_deduction")).clip(lower_bound=0)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "单人户符合低保条件",
    "Dibao-eligible as a one-person unit",
    reference=SINGLE_PERSON_BASIS + "; 《社会救助暂行办法》（国务院令第649号）第九条",
)
def single_person_unit_dibao_eligible(f: Formula) -> pl.Expr:
    """A qualifying member whose own income is below the standard and whose own assets are
    within one person's limit."""
    standard = f.parent("dibao_standard")
    asset_limit = f.param("assets.dibao_monetary_asset_months") * f.parent("asset_limit_standard")
    return (
        f("single_person_unit_qualifying")
        & (f("single_person_unit_income") < standard)
        & (f("monetary_assets") <= asset_limit)
        & f.parent("other_assets_test")
    )


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "单人户低保金",
    "Dibao as a one-person unit",
    reference="《社会救助暂行办法》（国务院令第649号）第十二条",
)
def single_person_unit_dibao_amount(f: Formula) -> pl.Expr:
    """Standard − own assessed income for an eligible member."""
    gap = f.parent("dibao_standard") - f("single_person_unit_income")
    return when_decided(f("single_person_unit_dibao_eligible"), gap)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "单人户方案下的其余成员",
    "Remaining member under the single-person option",
)
def single_person_unit_rest_member(f: Formula) -> pl.Expr:
    """A unit member who is not split off."""
    return f("assistance_unit_member") & ~f("single_person_unit_dibao_eligible")


@variable(
    HOUSEHOLD, pl.Int64(), Unit.PERSONS, "单独纳入低保人数", "Members split off as one-person units"
)
def single_person_unit_members(f: Formula) -> pl.Expr:
    """Members eligible for dibao alone."""
    return f.count(PERSON, where="single_person_unit_dibao_eligible")


@variable(HOUSEHOLD, FEN, Unit.FEN_PER_MONTH, "单人户低保金合计", "Dibao of the one-person units")
def single_person_unit_members_amount(f: Formula) -> pl.Expr:
    """Sum of the split-off members' dibao."""
    return f.sum(
        PERSON, "single_person_unit_dibao_amount", where="single_person_unit_dibao_eligible"
    )


@variable(HOUSEHOLD, pl.Int64(), Unit.PERSONS, "其余成员人数", "Remaining members")
def single_person_unit_rest_members(f: Formula) -> pl.Expr:
    """Unit members not split off."""
    return f.count(PERSON, where="single_person_unit_rest_member")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "其余成员核定收入",
    "Assessed income of the remaining members",
)
def single_person_unit_rest_income(f: Formula) -> pl.Expr:
    """Counted income less classified deductions of the remaining members, at least 0."""
    rest = "single_person_unit_rest_member"
    income = f.sum(PERSON, "counted_income", where=rest).clip(lower_bound=0)
    return (income - f.sum(PERSON, "classified_deduction", where=rest)).clip(lower_bound=0)


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "其余成员低保收入线",
    "Income limit of the remaining members",
)
def single_person_unit_rest_income_limit(f: Formula) -> pl.Expr:
    """Standard × remaining members."""
    return f("dibao_standard") * f("single_person_unit_rest_members")


@variable(HOUSEHOLD, FEN, Unit.FEN, "其余成员货币财产", "Monetary assets of the remaining members")
def single_person_unit_rest_assets(f: Formula) -> pl.Expr:
    """Sum of the remaining members' monetary assets."""
    return f.sum(PERSON, "monetary_assets", where="single_person_unit_rest_member")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "其余成员符合低保条件",
    "Remaining members eligible for dibao",
    reference="《社会救助暂行办法》（国务院令第649号）第九条",
)
def single_person_unit_rest_dibao_eligible(f: Formula) -> pl.Expr:
    """The dibao tests applied to the remaining members."""
    members = f("single_person_unit_rest_members")
    asset_limit = (
        f.param("assets.dibao_monetary_asset_months") * f("asset_limit_standard") * members
    )
    return (
        (members > 0)
        & (f("single_person_unit_rest_income") < f("single_person_unit_rest_income_limit"))
        & (f("single_person_unit_rest_assets") <= asset_limit)
        & f("other_assets_test")
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "其余成员低保金",
    "Dibao of the remaining members",
    reference="《社会救助暂行办法》（国务院令第649号）第十二条",
)
def single_person_unit_rest_dibao_amount(f: Formula) -> pl.Expr:
    """Standard × remaining members − their assessed income (with the minimum payment and the
    category supplements of the remaining members, as for a whole household)."""
    limit = f("single_person_unit_rest_income_limit")
    gap = limit - f("single_person_unit_rest_income")
    minimum = f.scale(limit, "dibao.minimum_payment_ratio")
    supplement = f.sum(
        PERSON, "dibao_category_supplement_person", where="single_person_unit_rest_member"
    )
    return when_decided(
        f("single_person_unit_rest_dibao_eligible"), pl.max_horizontal(gap, minimum) + supplement
    )


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "其余成员为低保边缘家庭",
    "Remaining members near-dibao",
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第八条",
)
def single_person_unit_rest_near_dibao_status(f: Formula) -> pl.Expr:
    """The near-dibao tests applied to the remaining members."""
    members = f("single_person_unit_rest_members")
    asset_limit = f.param("near_dibao.monetary_asset_months") * f("asset_limit_standard") * members
    band = income_band(
        f, f("single_person_unit_rest_income"), f("single_person_unit_rest_income_limit")
    )
    return (
        (members > 0)
        & ~f("single_person_unit_rest_dibao_eligible")
        & band
        & (f("single_person_unit_rest_assets") <= asset_limit)
        & f("other_assets_test")
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "其余成员低保边缘救助金",
    "Near-dibao cash of the remaining members",
)
def single_person_unit_rest_near_dibao_cash(f: Formula) -> pl.Expr:
    """The cash rate if the remaining members are near-dibao and in a cash category."""
    category = cash_category(f, "single_person_unit_rest_member", "single_person_unit_rest_members")
    return when_decided(
        f("single_person_unit_rest_near_dibao_status") & category, f("near_dibao_cash_rate")
    )


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "可选择单人户",
    "Single-person option available",
    reference=SINGLE_PERSON_BASIS,
)
def single_person_unit_available(f: Formula) -> pl.Expr:
    """In force, the household near-dibao as a whole, and some member eligible alone."""
    return (
        f.param("single_person_unit.in_force")
        & f("near_dibao_status")
        & (f("single_person_unit_members") > 0)
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "单人户方案月救助金合计",
    "Monthly total under the single-person option",
)
def single_person_unit_option_amount(f: Formula) -> pl.Expr:
    """Option B: the split-off members' dibao plus the remaining members' dibao or near-dibao
    cash. Option A is the household's near-dibao cash (``near_dibao_cash``)."""
    total = (
        f("single_person_unit_members_amount")
        + f("single_person_unit_rest_dibao_amount")
        + f("single_person_unit_rest_near_dibao_cash")
    )
    return when_decided(f("single_person_unit_available"), total)


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.REASONS,
    "单人户理由",
    "Single-person unit reason codes",
    reasons=REASONS,
)
def single_person_unit_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the single-person option."""
    available = f("single_person_unit_available")
    in_force = f.param("single_person_unit.in_force")
    return REASONS.mask(
        {
            "SINGLE_PERSON_UNIT_AVAILABLE": available,
            "SINGLE_PERSON_UNIT_NOT_NEAR_DIBAO": in_force & ~f("near_dibao_status"),
            "SINGLE_PERSON_UNIT_NO_QUALIFYING_MEMBER": in_force
            & (f("single_person_unit_members") == 0),
            "SINGLE_PERSON_UNIT_NOT_IN_FORCE": ~in_force,
            "SINGLE_PERSON_UNIT_UNDETERMINED": available.is_null(),
        }
    )
