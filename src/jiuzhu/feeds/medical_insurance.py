"""医保结算 (医疗保障局): settlements with what insurance paid and the patient's own share, and
optionally the diagnosis (病种) where it is one of Tianjin's serious illnesses, mapped to the codes
of the ``serious_illness`` list (``jiuzhu.rules.programs.codes.SERIOUS_ILLNESS``)."""

from __future__ import annotations

import polars as pl

from jiuzhu.feeds.base import FeedSpec, Field, RowCheck, register
from jiuzhu.feeds.headers import aliases
from jiuzhu.rules.programs.codes import SERIOUS_ILLNESS

VISITS = {
    "门诊": "outpatient",
    "普通门诊": "outpatient",
    "住院": "inpatient",
    "门诊特殊病": "special_outpatient",
    "门特": "special_outpatient",
}

DIAGNOSES = {
    spelling: code.code
    for code in SERIOUS_ILLNESS.codes
    if code.code != "none"
    for spelling in (code.label, code.code, *code.synonyms)
    if spelling
}
"""病种 as departments write it (the list's Chinese label, a synonym or the code) → code; a blank
cell or another diagnosis is not a serious illness: write it blank."""

SPEC = register(
    FeedSpec(
        source="medical_insurance",
        label="医疗保障结算明细",
        department="天津市宝坻区医疗保障局",
        fields=(
            Field(
                "resident_id",
                aliases("resident_id", "身份证号", "参保人身份证号", "证件号码"),
                "id",
            ),
            Field("name", aliases("name", "姓名", "参保人姓名"), "text"),
            Field("settled_on", ("结算日期", "出院结算日期"), "date"),
            Field("visit_type", ("就诊类型", "医疗类别"), "code", codes=VISITS),
            Field("total_cost", ("医疗费用总额", "总费用"), "yuan"),
            Field("fund_paid", ("统筹基金支付",), "yuan"),
            Field("critical_illness_paid", ("大病保险支付",), "yuan"),
            Field("assistance_paid", ("医疗救助支付",), "yuan"),
            Field("out_of_pocket", ("个人自付", "个人负担"), "yuan"),
            Field("diagnosis", ("病种", "重特大疾病病种", "诊断病种"), "code", False, DIAGNOSES),
        ),
        period="settled_on",
        checks=(
            RowCheck(
                "out_of_pocket",
                lambda: (
                    pl.col("fund_paid")
                    + pl.col("critical_illness_paid")
                    + pl.col("assistance_paid")
                    + pl.col("out_of_pocket")
                    != pl.col("total_cost")
                ),
                "各项支付之和不等于医疗费用总额 (payments do not add up to the total cost)",
            ),
        ),
    )
)
