"""住房公积金 deposits (公积金管理中心): monthly deposits and balance."""

from __future__ import annotations

from jiuzhu.feeds.base import FeedSpec, Field, register
from jiuzhu.feeds.headers import aliases

SPEC = register(
    FeedSpec(
        source="housing_fund",
        label="住房公积金缴存",
        department="天津市住房公积金管理中心宝坻管理部",
        fields=(
            Field("resident_id", aliases("resident_id", "身份证号", "证件号码"), "id"),
            Field("name", aliases("name", "姓名", "职工姓名"), "text"),
            Field("employer", ("单位名称",), "text", required=False),
            Field("period", ("缴存月份", "汇缴年月"), "period"),
            Field("personal_deposit", ("个人缴存额",), "yuan"),
            Field("employer_deposit", ("单位缴存额",), "yuan"),
            Field("balance", ("账户余额",), "yuan"),
        ),
        period="period",
    )
)
