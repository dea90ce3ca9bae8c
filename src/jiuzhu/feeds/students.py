"""学籍信息 (教育局): pupils and students by school, level and status."""

from __future__ import annotations

from jiuzhu.feeds.base import FeedSpec, Field, register
from jiuzhu.feeds.headers import aliases

LEVELS = {
    "学前教育": "preschool",
    "幼儿园": "preschool",
    "小学": "primary",
    "初中": "junior_secondary",
    "普通高中": "senior_secondary",
    "高中": "senior_secondary",
    "中职": "secondary_vocational",
    "中等职业教育": "secondary_vocational",
    "高职专科": "higher_vocational",
    "专科": "higher_vocational",
    "本科": "undergraduate",
    "研究生": "postgraduate",
}
STATUSES = {
    "在读": "enrolled",
    "在校": "enrolled",
    "休学": "suspended",
    "毕业": "graduated",
    "辍学": "dropped_out",
}

SPEC = register(
    FeedSpec(
        source="students",
        label="学籍信息",
        department="天津市宝坻区教育局",
        fields=(
            Field("resident_id", aliases("resident_id", "身份证号", "学生身份证号"), "id"),
            Field("name", aliases("name", "姓名", "学生姓名"), "text"),
            Field("school", ("学校名称",), "text"),
            Field("level", ("学段",), "code", codes=LEVELS),
            Field("enrolled_on", ("入学日期", "入学年月"), "date"),
            Field("status", ("学籍状态",), "code", codes=STATUSES),
        ),
    )
)
