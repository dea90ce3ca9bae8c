"""残疾人证 (残联): second-generation disability certificates, category and grade (GB/T 26341)."""

from __future__ import annotations

import polars as pl

from jiuzhu.feeds.base import FeedSpec, Field, RowCheck, register
from jiuzhu.feeds.headers import aliases

CATEGORIES = {
    "视力残疾": "visual",
    "视力": "visual",
    "1": "visual",
    "听力残疾": "hearing",
    "听力": "hearing",
    "2": "hearing",
    "言语残疾": "speech",
    "言语": "speech",
    "3": "speech",
    "肢体残疾": "physical",
    "肢体": "physical",
    "4": "physical",
    "智力残疾": "intellectual",
    "智力": "intellectual",
    "5": "intellectual",
    "精神残疾": "mental",
    "精神": "mental",
    "6": "mental",
    "多重残疾": "multiple",
    "多重": "multiple",
    "7": "multiple",
}
GRADES = {
    "一级": "1",
    "1": "1",
    "二级": "2",
    "2": "2",
    "三级": "3",
    "3": "3",
    "四级": "4",
    "4": "4",
}
CATEGORY_DIGIT = {
    "visual": "1",
    "hearing": "2",
    "speech": "3",
    "physical": "4",
    "intellectual": "5",
    "mental": "6",
    "multiple": "7",
}

SPEC = register(
    FeedSpec(
        source="disability",
        label="残疾人证信息",
        department="天津市宝坻区残疾人联合会",
        fields=(
            Field("resident_id", aliases("resident_id", "身份证号", "公民身份号码"), "id"),
            Field("name", aliases("name", "姓名"), "text"),
            Field("certificate", ("残疾人证号",), "text", is_code=True),
            Field("category", ("残疾类别",), "code", codes=CATEGORIES),
            Field("grade", ("残疾等级",), "code", codes=GRADES),
            Field("issued_on", ("发证日期",), "date"),
        ),
        checks=(
            RowCheck(
                "certificate",
                lambda: (
                    (
                        pl.col("certificate").str.slice(0, 18).str.to_uppercase()
                        != pl.col("resident_id")
                    )
                    | (
                        pl.col("certificate").str.slice(18, 1)
                        != pl.col("category").replace_strict(
                            CATEGORY_DIGIT, default=None, return_dtype=pl.String
                        )
                    )
                    | (pl.col("certificate").str.slice(19, 1) != pl.col("grade"))
                ),
                "残疾人证号与身份证号、类别、等级不一致 (certificate number disagrees with ID, category or grade)",
            ),
        ),
    )
)
