"""社会保险 contributions and benefits (人社局): contributions by scheme and month, pensions paid."""

from __future__ import annotations

from jiuzhu.feeds.base import FeedSpec, Field, register
from jiuzhu.feeds.headers import aliases

SCHEMES = {
    "城镇职工基本养老保险": "employee_pension_insurance",
    "职工养老": "employee_pension_insurance",
    "城乡居民基本养老保险": "residents_pension_insurance",
    "居民养老": "residents_pension_insurance",
    "失业保险": "unemployment_insurance",
    "职工基本医疗保险": "employee_medical_insurance",
}
BENEFITS = {
    "无": "none",
    "职工基本养老金": "employee_pension",
    "城乡居民基础养老金": "residents_basic_pension",
    "失业保险金": "unemployment_benefit",
}

SPEC = register(
    FeedSpec(
        source="social_insurance",
        label="社会保险缴费及待遇",
        department="天津市宝坻区人力资源和社会保障局",
        fields=(
            Field(
                "resident_id", aliases("resident_id", "身份证号", "公民身份号码", "证件号码"), "id"
            ),
            Field("name", aliases("name", "姓名"), "text"),
            Field("scheme", ("险种",), "code", codes=SCHEMES),
            Field("period", ("费款所属期", "所属期"), "period"),
            Field("contribution", ("个人缴费", "个人缴费金额"), "yuan"),
            Field("benefit_type", ("待遇类型",), "code", codes=BENEFITS),
            Field("benefit", ("待遇金额", "月待遇"), "yuan"),
            Field(
                "status",
                ("参保状态",),
                "code",
                codes={"正常参保": "active", "暂停缴费": "suspended", "终止": "ended"},
            ),
        ),
        period="period",
    )
)
