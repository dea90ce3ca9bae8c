"""不动产登记 (规划和自然资源局): registered property, owner, use and area."""

from __future__ import annotations

from jiuzhu.feeds.base import FeedSpec, Field, register
from jiuzhu.feeds.headers import aliases

USES = {
    "住宅": "residential",
    "成套住宅": "residential",
    "商业": "commercial",
    "商服": "commercial",
    "办公": "office",
    "工业": "industrial",
    "车位": "parking",
}

SPEC = register(
    FeedSpec(
        source="real_estate",
        label="不动产登记信息",
        department="天津市规划和自然资源局宝坻分局（不动产登记中心）",
        fields=(
            Field(
                "resident_id",
                aliases("resident_id", "权利人证件号", "权利人身份证号", "证件号码"),
                "id",
            ),
            Field("name", aliases("name", "权利人", "权利人姓名"), "text"),
            Field("certificate", ("不动产权证号", "不动产权证书号"), "text", is_code=True),
            Field("address", ("坐落",), "text"),
            # Hundredths of a square metre (Int64), exact as money is in fen.
            Field("floor_area", ("建筑面积", "建筑面积（平方米）"), "area"),
            Field("use", ("房屋用途", "用途"), "code", codes=USES),
            Field("registered_on", ("登记日期", "登簿日期"), "date"),
        ),
    )
)
