"""个人所得税 monthly withholding records (税务局): wages and tax withheld per month."""

from __future__ import annotations

import polars as pl

from jiuzhu.feeds.base import FeedSpec, Field, RowCheck, register
from jiuzhu.feeds.headers import aliases

SPEC = register(
    FeedSpec(
        source="tax",
        label="个人所得税扣缴明细",
        department="国家税务总局天津市宝坻区税务局",
        fields=(
            Field(
                "resident_id", aliases("resident_id", "纳税人识别号", "身份证号", "证件号码"), "id"
            ),
            Field("name", aliases("name", "纳税人姓名", "姓名"), "text"),
            Field("period", ("所属期", "税款所属期", "所得期间"), "period"),
            Field("income", ("收入额", "本期收入", "工资薪金收入"), "yuan"),
            Field("tax_withheld", ("已扣缴税额", "本期已缴税额"), "yuan"),
            Field("employer", ("扣缴义务人名称", "扣缴单位"), "text", required=False),
        ),
        period="period",
        checks=(
            RowCheck(
                "tax_withheld",
                lambda: pl.col("tax_withheld") > pl.col("income"),
                "已扣缴税额大于收入额 (tax withheld exceeds income)",
            ),
        ),
    )
)
