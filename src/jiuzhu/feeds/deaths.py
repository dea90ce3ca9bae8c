"""死亡人员信息 (公安户籍注销 and 殡葬火化): deaths, household-register cancellation, cremation."""

from __future__ import annotations

import polars as pl

from jiuzhu.feeds.base import FeedSpec, Field, RowCheck, register
from jiuzhu.feeds.headers import aliases

SPEC = register(
    FeedSpec(
        source="deaths",
        label="死亡人员信息",
        department="天津市公安局宝坻分局、宝坻区殡葬管理所",
        fields=(
            Field("resident_id", aliases("resident_id", "身份证号", "公民身份号码"), "id"),
            Field("name", aliases("name", "姓名"), "text"),
            Field("died_on", ("死亡日期",), "date"),
            Field("register_cancelled_on", ("户籍注销日期", "注销日期"), "date", required=False),
            Field("cremated_on", ("火化日期",), "date", required=False),
        ),
        period="died_on",
        checks=(
            RowCheck(
                "register_cancelled_on",
                lambda: pl.col("register_cancelled_on") < pl.col("died_on"),
                "户籍注销日期早于死亡日期 (register cancelled before the death)",
            ),
            RowCheck(
                "cremated_on",
                lambda: pl.col("cremated_on") < pl.col("died_on"),
                "火化日期早于死亡日期 (cremated before the death)",
            ),
        ),
    )
)
