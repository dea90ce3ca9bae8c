"""Funeral assistance (丧葬救助): what a household gets or is spared when a member dies.

Three Tianjin rules and one national one, for a decedent recorded on the household:

- the residents' funeral subsidy (《天津市无丧葬补助居民丧葬补贴发放办法》, revised, in force
  2025-01-01): 1,800 yuan for a resident with no other funeral grant, claimed within 6 months of
  cremation; not for tekun persons (their funeral is paid from their support, 《社会救助暂行办法》
  第十五条), people entitled to a funeral grant from pension, unemployment or work-injury
  insurance (civil servants and retirees among them), people cremated outside Tianjin or paid
  elsewhere. Dibao recipients are not excluded. The amount before 2025 was not found;
- the eco-burial reward of 1,000 yuan and the basic funeral-service subsidy of 1,420 yuan per
  body buried the land-saving way, from 2020-01-01;
- basic funeral services (collection, storage, cremation, keeping the ashes) free for a tekun
  person; for a dibao recipient Tianjin's rule was not found, so the waiver is undetermined.

Triggered from a recorded death (the household's member) or the deaths feed: the platform fills
the decedent's columns of the household.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import (
    HOUSEHOLD,
    Formula,
    Reason,
    ReasonSet,
    input_variable,
    variable,
)
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.common import completed_months
from jiuzhu.rules.programs.sources import SOCIAL_ASSISTANCE_MEASURES

BOOL, FEN, CODE, DATE = pl.Boolean(), pl.Int64(), pl.String(), pl.Date()
P = "funeral"
RESIDENTS_SUBSIDY = "《天津市无丧葬补助居民丧葬补贴发放办法》（修订，2025年1月1日施行）"
ECO_BURIAL = "天津市节地生态安葬奖补政策（2020年1月1日起）"

died_on = input_variable(
    "decedent_died_on",
    HOUSEHOLD,
    DATE,
    Unit.DATE,
    "逝者死亡日期",
    "Decedent's date of death (blank: no death to settle)",
    reference=RESIDENTS_SUBSIDY,
    nullable=True,
    program=P,
)
cremated_on = input_variable(
    "decedent_cremated_on",
    HOUSEHOLD,
    DATE,
    Unit.DATE,
    "逝者火化日期",
    "Decedent's date of cremation",
    reference=RESIDENTS_SUBSIDY,
    nullable=True,
    program=P,
)
status_at_death = input_variable(
    "decedent_status",
    HOUSEHOLD,
    CODE,
    Unit.CODE,
    "逝者生前救助身份",
    "Decedent's assistance status at death",
    codes="status_at_death",
    reference=RESIDENTS_SUBSIDY,
    default="none",
    program=P,
)
other_grant = input_variable(
    "decedent_other_funeral_grant",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "逝者享有其他丧葬补助（养老、失业、工伤保险或机关事业单位）或已在外地领取",
    "Decedent entitled to another funeral grant (pension, unemployment or work-injury insurance, "
    "public employer) or paid elsewhere",
    reference=RESIDENTS_SUBSIDY,
    default=False,
    program=P,
)
cremated_outside = input_variable(
    "decedent_cremated_outside_tianjin",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "逝者在本市以外火化",
    "Decedent cremated outside Tianjin",
    reference=RESIDENTS_SUBSIDY,
    default=False,
    program=P,
)
eco_burial = input_variable(
    "decedent_eco_burial",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "逝者骨灰节地生态安葬",
    "Decedent's ashes buried the land-saving (eco) way",
    reference=ECO_BURIAL,
    default=False,
    program=P,
)

REASONS = ReasonSet(
    "funeral",
    [
        Reason(
            "FUNERAL_RESIDENTS_SUBSIDY",
            "无丧葬补助居民丧葬补贴 {funeral_residents_subsidy}",
            "Residents' funeral subsidy {funeral_residents_subsidy}",
            "eligible",
            label="居民丧葬补贴",
            label_en="Residents' subsidy",
        ),
        Reason(
            "FUNERAL_ECO_BURIAL",
            "节地生态安葬：奖补和基本殡葬服务补贴合计 {funeral_eco_burial_amount}",
            "Eco-burial: reward and basic-service subsidy {funeral_eco_burial_amount}",
            "eligible",
            label="生态安葬奖补",
            label_en="Eco-burial",
        ),
        Reason(
            "FUNERAL_SERVICES_WAIVED",
            "免除基本殡葬服务费用（接运、暂存、火化、骨灰寄存）",
            "Basic funeral services free (collection, storage, cremation, ashes)",
            "eligible",
            label="免除基本殡葬费",
            label_en="Services free",
        ),
        Reason(
            "FUNERAL_TEKUN_EXCLUDED",
            "特困人员的丧葬事宜由供养经费办理，不发放居民丧葬补贴",
            "A tekun person's funeral is paid from their support: no residents' subsidy",
            label="特困不发补贴",
            label_en="Tekun: no subsidy",
        ),
        Reason(
            "FUNERAL_OTHER_GRANT",
            "享有其他丧葬补助、已在外地领取或在本市以外火化，不发放居民丧葬补贴",
            "Another funeral grant, paid elsewhere or cremated outside Tianjin: no residents' "
            "subsidy",
            label="有其他丧葬补助",
            label_en="Other grant",
        ),
        Reason(
            "FUNERAL_CLAIM_LATE",
            "火化之日起超过申领期限（6个月），不再发放居民丧葬补贴",
            "Claimed more than the set months (6) after cremation: no residents' subsidy",
            label="超过申领期限",
            label_en="Claimed late",
        ),
        Reason(
            "FUNERAL_NO_DEATH",
            "未登记逝者",
            "No death recorded",
            label="无逝者",
            label_en="No death",
        ),
        Reason(
            "FUNERAL_UNDETERMINED",
            "所需标准未找到（如评估日期的补贴标准或低保对象殡葬费用减免规定）或缺火化日期，待定",
            "A needed value was not found (the subsidy on the date, or the dibao waiver) or the "
            "cremation date is missing: undetermined",
            "undetermined",
            label="待定",
            label_en="Undetermined",
        ),
    ],
)


def _decedent(f: Formula) -> pl.Expr:
    return f("decedent_died_on").is_not_null()


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "无丧葬补助居民丧葬补贴",
    "Residents' funeral subsidy",
    reference=RESIDENTS_SUBSIDY,
)
def funeral_residents_subsidy(f: Formula) -> pl.Expr:
    """The subsidy for a decedent claimed in time and not excluded; 0 otherwise; null where the
    amount or the claim period is unknown or the cremation date is missing."""
    excluded = (
        f.param("funeral.excluded_status", key="decedent_status")
        | f("decedent_other_funeral_grant")
        | f("decedent_cremated_outside_tianjin")
    )
    in_time = completed_months(f("decedent_cremated_on"), f.date) < f.param("funeral.claim_months")
    return (
        pl.when(~_decedent(f) | excluded)
        .then(0)
        .when(in_time.is_null())
        .then(None)
        .when(in_time)
        .then(f.param("funeral.residents_subsidy"))
        .otherwise(0)
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "节地生态安葬奖补和基本殡葬服务补贴",
    "Eco-burial reward and basic funeral-service subsidy",
    reference=ECO_BURIAL,
)
def funeral_eco_burial_amount(f: Formula) -> pl.Expr:
    """1,000 + 1,420 for a decedent buried the eco way; 0 otherwise."""
    amount = f.param("funeral.eco_burial_reward") + f.param("funeral.basic_service_subsidy")
    return pl.when(_decedent(f) & f("decedent_eco_burial")).then(amount).otherwise(0)


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "免除基本殡葬服务费用",
    "Basic funeral services free",
    reference=SOCIAL_ASSISTANCE_MEASURES + "第十五条",
)
def funeral_basic_services_waived(f: Formula) -> pl.Expr:
    """By the decedent's assistance status (tekun: yes; dibao: unknown, so null)."""
    return _decedent(f) & f.param("funeral.basic_services_waived", key="decedent_status")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "符合丧葬救助",
    "Funeral assistance",
    reference=RESIDENTS_SUBSIDY + "; " + ECO_BURIAL,
)
def funeral_eligible(f: Formula) -> pl.Expr:
    """A subsidy, an eco-burial amount or free services; null where one of them is
    undetermined and none of the others applies."""
    return (
        (f("funeral_residents_subsidy") > 0)
        | (f("funeral_eco_burial_amount") > 0)
        | f("funeral_basic_services_waived")
    )


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "丧葬救助金额",
    "Funeral assistance paid",
    reference=RESIDENTS_SUBSIDY + "; " + ECO_BURIAL,
)
def funeral_amount(f: Formula) -> pl.Expr:
    """The subsidy plus the eco-burial amount (cash, once); the free services are not cash."""
    return f("funeral_residents_subsidy") + f("funeral_eco_burial_amount")


@variable(
    HOUSEHOLD, pl.Int64(), Unit.REASONS, "丧葬救助理由", "Funeral reason codes", reasons=REASONS
)
def funeral_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the funeral decision."""
    decedent = _decedent(f)
    subsidy = f("funeral_residents_subsidy")
    in_time = completed_months(f("decedent_cremated_on"), f.date) < f.param("funeral.claim_months")
    other = f("decedent_other_funeral_grant") | f("decedent_cremated_outside_tianjin")
    return REASONS.mask(
        {
            "FUNERAL_RESIDENTS_SUBSIDY": subsidy > 0,
            "FUNERAL_ECO_BURIAL": f("funeral_eco_burial_amount") > 0,
            "FUNERAL_SERVICES_WAIVED": f("funeral_basic_services_waived"),
            "FUNERAL_TEKUN_EXCLUDED": decedent & (f("decedent_status") == "tekun"),
            "FUNERAL_OTHER_GRANT": decedent & other,
            "FUNERAL_CLAIM_LATE": decedent & ~other & (f("decedent_status") != "tekun") & ~in_time,
            "FUNERAL_NO_DEATH": ~decedent,
            "FUNERAL_UNDETERMINED": decedent
            & (
                subsidy.is_null()
                | f("funeral_eco_burial_amount").is_null()
                | f("funeral_basic_services_waived").is_null()
            ),
        }
    )
