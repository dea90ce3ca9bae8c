"""市场主体登记 (市场监管局): businesses, investors and subscribed capital."""

from __future__ import annotations

from jiuzhu.feeds.base import FeedSpec, Field, register
from jiuzhu.feeds.headers import aliases

STATUSES = {
    "存续": "active",
    "在业": "active",
    "吊销": "revoked",
    "注销": "closed",
    "迁出": "moved",
}

SPEC = register(
    FeedSpec(
        source="market_entities",
        label="市场主体登记信息",
        department="天津市宝坻区市场监督管理局",
        fields=(
            Field(
                "resident_id",
                aliases("resident_id", "投资人证件号码", "法定代表人证件号码", "证件号码"),
                "id",
            ),
            Field("name", aliases("name", "投资人", "投资人姓名"), "text"),
            Field("credit_code", ("统一社会信用代码",), "text", is_code=True),
            Field("entity_name", ("主体名称", "企业名称"), "text"),
            Field("subscribed_capital", ("认缴出资额（万元）", "认缴出资额"), "wan_yuan"),
            Field("established_on", ("成立日期",), "date"),
            Field("status", ("登记状态", "经营状态"), "code", codes=STATUSES),
        ),
    )
)
