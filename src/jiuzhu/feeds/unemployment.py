"""失业登记 (人社局就业服务): unemployment registration and benefit."""

from __future__ import annotations

from jiuzhu.feeds.base import FeedSpec, Field, register
from jiuzhu.feeds.headers import aliases

STATUSES = {"登记失业": "registered", "已就业": "employed", "注销登记": "cancelled"}

SPEC = register(
    FeedSpec(
        source="unemployment",
        label="失业登记信息",
        department="天津市宝坻区人力资源和社会保障局（就业服务中心）",
        fields=(
            Field("resident_id", aliases("resident_id", "身份证号", "公民身份号码"), "id"),
            Field("name", aliases("name", "姓名"), "text"),
            Field("registered_on", ("失业登记日期", "登记日期"), "date"),
            Field("benefit", ("失业保险金月标准", "失业保险金"), "yuan", required=False),
            Field("status", ("状态", "登记状态"), "code", codes=STATUSES),
        ),
        period="registered_on",
    )
)
