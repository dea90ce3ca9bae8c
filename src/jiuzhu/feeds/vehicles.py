"""机动车登记 (公安交管): vehicles by owner, type, use and first registration."""

from __future__ import annotations

import polars as pl

from jiuzhu.feeds.base import FeedSpec, Field, RowCheck, register
from jiuzhu.feeds.headers import aliases

TYPES = {
    "小型轿车": "car",
    "小型普通客车": "car",
    "小型越野客车": "car",
    "轻型货车": "truck",
    "三轮汽车": "tricycle",
    "残疾人专用小型自动挡载客汽车": "disability_car",
    "摩托车": "motorcycle",
}
USES = {"非营运": "private", "营运": "commercial", "残疾人专用": "disability"}

SPEC = register(
    FeedSpec(
        source="vehicles",
        label="机动车登记信息",
        department="天津市公安局交通管理局宝坻支队",
        fields=(
            Field(
                "resident_id",
                aliases("resident_id", "所有人身份证号", "身份证明号码", "证件号码"),
                "id",
            ),
            Field("name", aliases("name", "所有人", "机动车所有人"), "text"),
            Field("plate", ("号牌号码",), "text"),
            Field("vehicle_type", ("车辆类型",), "code", codes=TYPES),
            Field("use", ("使用性质",), "code", codes=USES),
            Field("first_registered", ("初次登记日期",), "date"),
            Field("deregistered", ("注销日期",), "date", required=False),
        ),
        checks=(
            RowCheck(
                "deregistered",
                lambda: pl.col("deregistered") < pl.col("first_registered"),
                "注销日期早于初次登记日期 (deregistered before first registered)",
            ),
        ),
    )
)
