"""Medical assistance (医疗救助): the insurance contribution paid for, and aid on own costs.

《社会救助暂行办法》（国务院令第649号）第二十八至三十条 gives two forms: the residents' medical-
insurance contribution paid for the person, and aid on the eligible costs they still bear after
basic, critical-illness and supplementary insurance. Tianjin covers tekun persons, dibao and
near-dibao household members and, on application, seriously ill people impoverished by illness
(《天津市医疗救助办法》 2021; 《关于健全重特大疾病医疗保险和救助制度的若干措施》（津政办规〔2022〕11号）).

- Contribution: dibao and low-income (today near-dibao) members pay nothing, the city paying the
  middle tier, from 2016-04-01 (津人社局发〔2016〕9号); tekun persons likewise.
- Aid on own costs, by category: a yearly deductible, a ratio up to a band of own costs and a
  higher one above it, and a yearly cap, less what was paid earlier in the year (a running annual
  total per person). Only an older table was found (before 2021: 60 % up to 20,000 and 80 % above
  for tekun and dibao, 65 / 85 % for severely disabled tekun, cap 100,000), used at low
  confidence up to 2022-12-31; from 2023-01-01 every value is unknown until a source or the
  bureau's local value gives it (addendum decision 13), so an amount then is undetermined,
  naming the missing values, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from jiuzhu.rules.engine import PERSON, Formula, Reason, ReasonSet, input_variable, variable
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.codes import MEDICAL_AID_CATEGORY, enum
from jiuzhu.rules.programs.common import when_decided
from jiuzhu.rules.programs.sources import SOCIAL_ASSISTANCE_MEASURES

BOOL, FEN, CODE = pl.Boolean(), pl.Int64(), pl.String()
P = "medical_assistance"
TIANJIN_MEDICAL = "《天津市医疗救助办法》（2021-02-10）; 津政办规〔2022〕11号"

impoverished_by_illness = input_variable(
    "impoverished_by_illness",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "经认定的因病致贫重病患者",
    "Recognised as seriously ill and impoverished by illness (on application)",
    reference=TIANJIN_MEDICAL,
    default=False,
    program=P,
)
own_costs = input_variable(
    "medical_own_costs",
    PERSON,
    FEN,
    Unit.FEN,
    "本次政策范围内个人自付医疗费用（经基本医保、大病保险、补充保险后）",
    "Eligible own medical costs of this settlement (after basic, critical-illness and "
    "supplementary insurance)",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第二十八条",
    default=0,
    program=P,
)
deductible_met = input_variable(
    "medical_deductible_met",
    PERSON,
    FEN,
    Unit.FEN,
    "本年度已计入起付标准的费用",
    "Own costs already counted towards this year's deductible",
    reference=TIANJIN_MEDICAL,
    default=0,
    program=P,
)
paid_this_year = input_variable(
    "medical_aid_paid_this_year",
    PERSON,
    FEN,
    Unit.FEN,
    "本年度已获医疗救助金额",
    "Medical aid already paid this year",
    reference=TIANJIN_MEDICAL,
    default=0,
    program=P,
)

REASONS = ReasonSet(
    "medical_assistance",
    [
        Reason(
            "MEDICAL_COVERED",
            "医疗救助对象：本次救助 {medical_assistance_amount}",
            "Covered by medical assistance: aid this time {medical_assistance_amount}",
            "eligible",
            label="医疗救助对象",
            label_en="Covered",
        ),
        Reason(
            "MEDICAL_CONTRIBUTION_PAID",
            "城乡居民医保个人缴费由财政全额资助",
            "The residents' medical-insurance contribution is paid in full",
            "eligible",
            label="资助参保",
            label_en="Contribution paid",
        ),
        Reason(
            "MEDICAL_CAP_REACHED",
            "本年度救助已达年度限额 {medical_assistance_annual_cap}",
            "This year's aid has reached the annual cap {medical_assistance_annual_cap}",
            "note",
            label="已达年度限额",
            label_en="Annual cap reached",
        ),
        Reason(
            "MEDICAL_NOT_COVERED",
            "不是特困、低保、低保边缘或经认定的因病致贫重病患者",
            "Neither tekun, dibao, near-dibao nor recognised as impoverished by illness",
            label="不属于救助对象",
            label_en="Not covered",
        ),
        Reason(
            "MEDICAL_VALUES_UNKNOWN",
            "评估日期的天津医疗救助起付标准、比例或年度限额未找到（2023年起），救助金额待定；"
            "可由区民政局录入本地值",
            "Tianjin's medical-aid deductible, ratios or cap on the date were not found (from "
            "2023): the amount is undetermined until the bureau records local values",
            "undetermined",
            label="救助标准未知待定",
            label_en="Values unknown",
        ),
        Reason(
            "MEDICAL_UNDETERMINED",
            "低保或低保边缘认定待定，医疗救助对象类别随之待定",
            "Dibao or near-dibao status undetermined: so is the category",
            "undetermined",
            label="待定",
            label_en="Undetermined",
        ),
    ],
)


@variable(
    PERSON,
    CODE,
    Unit.CODE,
    "医疗救助对象类别",
    "Medical aid category",
    codes="medical_aid_category",
    reference=TIANJIN_MEDICAL,
)
def medical_aid_category(f: Formula) -> pl.Expr:
    """The first that applies: tekun (severely disabled or not), dibao, near-dibao, impoverished
    by illness, none; null where the household's status is undetermined and would decide it."""
    tekun = f("tekun_eligible").fill_null(False)
    dibao, near = f.parent("dibao_eligible"), f.parent("near_dibao_status")
    index = (
        pl.when(tekun & f("severely_disabled"))
        .then(2)
        .when(tekun)
        .then(1)
        .when(dibao.is_null())
        .then(None)
        .when(dibao)
        .then(3)
        .when(near.is_null())
        .then(None)
        .when(near)
        .then(4)
        .when(f("impoverished_by_illness"))
        .then(5)
        .otherwise(0)
        .cast(pl.UInt8)
    )
    codes = pl.Series(MEDICAL_AID_CATEGORY.identifiers, dtype=enum(MEDICAL_AID_CATEGORY))
    return pl.lit(codes).gather(index)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "医疗救助对象",
    "Covered by medical assistance",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第二十八条; " + TIANJIN_MEDICAL,
)
def medical_assistance_eligible(f: Formula) -> pl.Expr:
    """In a covered category."""
    return f("medical_aid_category") != "none"


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "资助参加城乡居民医保",
    "Residents' medical-insurance contribution paid in full",
    reference="津人社局发〔2016〕9号; " + SOCIAL_ASSISTANCE_MEASURES + "第二十九条",
)
def medical_contribution_paid(f: Formula) -> pl.Expr:
    """By category (tekun, dibao, near-dibao: yes)."""
    return f.param("medical_assistance.contribution_fully_subsidised", key="medical_aid_category")


@variable(
    PERSON,
    FEN,
    Unit.FEN,
    "医疗救助年度限额",
    "Medical aid annual cap",
    reference=TIANJIN_MEDICAL,
)
def medical_assistance_annual_cap(f: Formula) -> pl.Expr:
    """By category; null where unknown."""
    return f.param("medical_assistance.annual_cap", key="medical_aid_category")


def _per_category(f: Formula, build: Callable[[str], pl.Expr]) -> pl.Expr:
    """``build(code)`` for the person's category, chained over the categories."""
    category = f("medical_aid_category")
    expr: pl.Expr = pl.lit(None, pl.Int64)
    for code in reversed(MEDICAL_AID_CATEGORY.identifiers):
        expr = pl.when(category == code).then(build(code)).otherwise(expr)
    return expr


@variable(
    PERSON,
    FEN,
    Unit.FEN,
    "本次医疗救助金额",
    "Medical aid this settlement",
    reference=TIANJIN_MEDICAL,
)
def medical_assistance_amount(f: Formula) -> pl.Expr:
    """Own costs past the year's remaining deductible, times the ratio up to the band and the
    higher ratio above it, at most what is left of the annual cap; 0 outside the covered
    categories; null where a value is unknown."""
    deductible = f.param("medical_assistance.deductible", key="medical_aid_category")
    remaining = (deductible - f("medical_deductible_met")).clip(lower_bound=0)
    counted = (f("medical_own_costs") - remaining).clip(lower_bound=0)
    band = f.param("medical_assistance.band")
    below = pl.min_horizontal(counted, band)
    above = (counted - band).clip(lower_bound=0)

    def aid(code: str) -> pl.Expr:
        return f.scale(below, "medical_assistance.ratio", code=code) + f.scale(
            above, "medical_assistance.ratio_above_band", code=code
        )

    left = (f("medical_assistance_annual_cap") - f("medical_aid_paid_this_year")).clip(
        lower_bound=0
    )
    # min_horizontal skips nulls: an unknown cap or band must leave the amount unknown.
    amount = (
        pl.when(left.is_null() | band.is_null())
        .then(None)
        .otherwise(pl.min_horizontal(_per_category(f, aid), left))
    )
    return when_decided(f("medical_assistance_eligible"), amount)


@variable(
    PERSON,
    pl.Int64(),
    Unit.REASONS,
    "医疗救助理由",
    "Medical assistance reason codes",
    reasons=REASONS,
)
def medical_assistance_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the medical-assistance decision."""
    eligible = f("medical_assistance_eligible")
    amount = f("medical_assistance_amount")
    left = f("medical_assistance_annual_cap") - f("medical_aid_paid_this_year")
    return REASONS.mask(
        {
            "MEDICAL_COVERED": eligible,
            "MEDICAL_CONTRIBUTION_PAID": f("medical_contribution_paid"),
            "MEDICAL_CAP_REACHED": eligible & (left <= 0),
            "MEDICAL_NOT_COVERED": ~eligible,
            "MEDICAL_VALUES_UNKNOWN": eligible & amount.is_null(),
            "MEDICAL_UNDETERMINED": eligible.is_null(),
        }
    )
