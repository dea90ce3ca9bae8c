"""银行存款、理财和证券 (金融机构核对查询结果): balances by institution and type on a date."""

from __future__ import annotations

from jiuzhu.feeds.base import FeedSpec, Field, register
from jiuzhu.feeds.headers import aliases

TYPES = {
    "活期存款": "demand_deposit",
    "定期存款": "time_deposit",
    "理财产品": "wealth_product",
    "证券": "securities",
    "基金": "fund",
    "商业保险": "commercial_insurance",
}

SPEC = register(
    FeedSpec(
        source="financial_assets",
        label="存款及金融资产查询结果",
        department="各金融机构（经市民政局核对平台）",
        fields=(
            Field(
                "resident_id", aliases("resident_id", "证件号码", "身份证号", "客户证件号"), "id"
            ),
            Field("name", aliases("name", "客户姓名", "姓名"), "text"),
            Field("institution", ("机构名称", "金融机构"), "text"),
            Field("asset_type", ("资产类型", "账户类型"), "code", codes=TYPES),
            Field("balance", ("余额", "资产余额", "市值"), "yuan"),
            Field("queried_on", ("查询日期", "数据日期"), "date"),
        ),
        period="queried_on",
    )
)
