"""Heating assistance (取暖救助): Tianjin's winter heating aid for needy households, per heating
season.

There is no national rule; Tianjin's (天津日报 2014-11, the same rule in 2012, still paid in 2023)
gives a dibao household with central heating 60 % of its heating fee counted up to 1,250 yuan
(50 m²), so at most 750 yuan; a dibao household without central heating and a low-income
household (the rule's 低收入家庭, today near-dibao) a fixed 340 yuan; a 三无 dibao household and a
household with a home-based (decentralised) tekun member the full fee. Every value is of low
confidence: the current rule was not found. Where the rule is silent, this reading: a full-fee
household without central heating has no fee to pay in full, and gets the fixed amount as every
dibao household without central heating does. Priority veterans' heating aid is not social assistance
and is left out.

Applied for in the platform once a heating season (prefix QN); the application gives whether the
home is centrally heated, the season's fee and the 三无 finding (``Program.application_inputs``).
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
from jiuzhu.rules.programs.common import when_decided

BOOL, FEN = pl.Boolean(), pl.Int64()
P = "heating"
HEATING_RULE = "天津市困难家庭冬季取暖补贴（天津日报 2014-11；2012年同一规定）"

central_heating = input_variable(
    "central_heating",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "集中供热",
    "Centrally heated home",
    reference=HEATING_RULE,
    default=False,
    program=P,
)
heating_fee = input_variable(
    "heating_fee",
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "本采暖季采暖费",
    "Heating fee of the season (central heating)",
    reference=HEATING_RULE,
    nullable=True,
    program=P,
)
sanwu_dibao = input_variable(
    "sanwu_dibao",
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "三无低保家庭",
    "三无 dibao household (no capacity to work, no income, no supporter able to support)",
    reference=HEATING_RULE,
    default=False,
    program=P,
)

REASONS = ReasonSet(
    "heating",
    [
        Reason(
            "HEATING_FULL_FEE",
            "三无低保家庭或分散供养特困人员家庭，集中供热：全额补贴采暖费 {heating_amount}",
            "三无 dibao or home-based tekun household, central heating: the full fee "
            "{heating_amount}",
            "eligible",
            label="全额补贴",
            label_en="Full fee",
        ),
        Reason(
            "HEATING_CENTRAL_SHARE",
            "集中供热的低保家庭：采暖费按上限以内的规定比例补贴 {heating_amount}",
            "Dibao household with central heating: the set share of the fee up to the cap, "
            "{heating_amount}",
            "eligible",
            label="按比例补贴",
            label_en="Share of the fee",
        ),
        Reason(
            "HEATING_FIXED",
            "非集中供热的低保家庭或低保边缘家庭：定额补贴 {heating_amount}",
            "Dibao household without central heating, or near-dibao household: the fixed "
            "amount {heating_amount}",
            "eligible",
            label="定额补贴",
            label_en="Fixed amount",
        ),
        Reason(
            "HEATING_NOT_COVERED",
            "不是低保、低保边缘家庭，也没有分散供养特困人员",
            "Neither dibao nor near-dibao, and no home-based tekun member",
            label="不属于补贴对象",
            label_en="Not covered",
        ),
        Reason(
            "HEATING_FEE_MISSING",
            "集中供热但未填写采暖费，补贴金额待定",
            "Central heating without the fee: the amount is undetermined",
            "undetermined",
            label="缺采暖费",
            label_en="Fee missing",
        ),
        Reason(
            "HEATING_UNDETERMINED",
            "低保或低保边缘认定待定，取暖补贴随之待定",
            "Dibao or near-dibao status undetermined: heating aid too",
            "undetermined",
            label="待定",
            label_en="Undetermined",
        ),
    ],
)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "分散供养特困人员",
    "Home-based tekun person",
    reference=HEATING_RULE + "（分散供养五保户全额补贴）",
)
def heating_home_based_tekun(f: Formula) -> pl.Expr:
    """Eligible for tekun and supported at home (the old term 分散供养五保)."""
    return f("tekun_eligible") & (f("tekun_support_form") == "home_based")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "全额补贴对象",
    "Full-fee household",
    reference=HEATING_RULE,
)
def heating_full_fee_household(f: Formula) -> pl.Expr:
    """A 三无 dibao household, or one with a home-based tekun member."""
    return (f("sanwu_dibao") & f("dibao_eligible")) | f.any(PERSON, "heating_home_based_tekun")


@variable(
    HOUSEHOLD,
    BOOL,
    Unit.BOOLEAN,
    "符合取暖救助",
    "Heating assistance",
    reference=HEATING_RULE,
)
def heating_eligible(f: Formula) -> pl.Expr:
    """Dibao, near-dibao, or a full-fee household."""
    return f("dibao_eligible") | f("near_dibao_status") | f("heating_full_fee_household")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN,
    "本采暖季取暖补贴",
    "Heating aid for the season",
    reference=HEATING_RULE,
)
def heating_amount(f: Formula) -> pl.Expr:
    """Full fee, the share of the fee up to the cap, or the fixed amount (see the module);
    0 where not covered, null where undetermined or the fee is missing."""
    fee = f("heating_fee")
    central = f("central_heating")
    counted = pl.min_horizontal(fee, f.param("heating.fee_cap"))
    share = f.scale(counted, "heating.central_share")
    amount = (
        pl.when(central & f("heating_full_fee_household").fill_null(False))
        .then(fee)
        .when(central & f("dibao_eligible").fill_null(False))
        .then(pl.when(fee.is_null()).then(None).otherwise(share))
        .otherwise(f.param("heating.fixed_amount"))
    )
    return when_decided(f("heating_eligible"), amount)


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.REASONS,
    "取暖救助理由",
    "Heating assistance reason codes",
    reasons=REASONS,
)
def heating_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the heating decision."""
    eligible = f("heating_eligible")
    central = f("central_heating")
    full = central & f("heating_full_fee_household").fill_null(False)
    share = central & ~full & f("dibao_eligible").fill_null(False)
    return REASONS.mask(
        {
            "HEATING_FULL_FEE": eligible & full,
            "HEATING_CENTRAL_SHARE": eligible & share,
            "HEATING_FIXED": eligible & ~full & ~share,
            "HEATING_NOT_COVERED": ~eligible,
            "HEATING_FEE_MISSING": eligible & (full | share) & f("heating_fee").is_null(),
            "HEATING_UNDETERMINED": eligible.is_null(),
        }
    )
