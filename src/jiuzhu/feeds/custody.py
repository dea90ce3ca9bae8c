"""羁押、服刑和强制隔离戒毒 (公安、司法行政): people held in custody, with the kind, the holding
institution and the dates (a release date where the person has been released).

A member serving a sentence or in compulsory drug rehabilitation is not counted in the household
(最低生活保障审核确认办法 第七条); a parent so held for six months or more may make a child de
facto unsupported (《关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）)."""

from __future__ import annotations

import polars as pl

from jiuzhu.feeds.base import FeedSpec, Field, RowCheck, register
from jiuzhu.feeds.headers import aliases

KINDS = {
    "刑事拘留": "detention",
    "拘留": "detention",
    "逮捕": "arrest",
    "服刑": "prison",
    "在押服刑": "prison",
    "监狱服刑": "prison",
    "强制隔离戒毒": "compulsory_drug_rehabilitation",
    "强戒": "compulsory_drug_rehabilitation",
}

SPEC = register(
    FeedSpec(
        source="custody",
        label="羁押服刑及强制隔离戒毒人员信息",
        department="天津市公安局宝坻分局、天津市监狱管理局、天津市强制隔离戒毒所",
        fields=(
            Field(
                "resident_id", aliases("resident_id", "身份证号", "公民身份号码", "证件号码"), "id"
            ),
            Field("name", aliases("name", "姓名"), "text"),
            Field("kind", ("羁押类型", "类型", "执行类型"), "code", codes=KINDS),
            Field("institution", ("执行场所", "羁押场所", "监所名称"), "text"),
            Field("started_on", ("入所日期", "收押日期", "开始日期"), "date"),
            Field("expected_release", ("预计释放日期", "刑期止日", "期满日期"), "date", False),
            Field("released_on", ("释放日期", "出所日期"), "date", False),
        ),
        period="started_on",
        checks=(
            RowCheck(
                "expected_release",
                lambda: pl.col("expected_release") < pl.col("started_on"),
                "预计释放日期早于入所日期 (expected release before the start)",
            ),
            RowCheck(
                "released_on",
                lambda: pl.col("released_on") < pl.col("started_on"),
                "释放日期早于入所日期 (released before the start)",
            ),
        ),
    )
)
