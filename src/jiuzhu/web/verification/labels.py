"""The verification report's words in the user's language.

The verification pipeline (``jiuzhu.batch.pipelines.verify``) returns its items and sources as
codes, with the Chinese names the record keeps (it runs without Django); the report shows them
through these lazy labels, so an English page reads in English. A test checks that every code
there has a label here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SOURCE_TITLES = {
    "tax": _("纳税记录"),
    "social_insurance": _("社会保险"),
    "housing_fund": _("住房公积金"),
    "real_estate": _("不动产登记"),
    "vehicles": _("机动车登记"),
    "financial_assets": _("存款及金融资产"),
    "market_entities": _("市场主体登记"),
    "medical_insurance": _("医保结算"),
    "disability": _("残疾人证"),
    "deaths": _("死亡信息"),
    "unemployment": _("失业登记"),
    "students": _("学籍信息"),
    "custody": _("羁押、服刑、强制隔离戒毒"),
}
"""Department sources (``jiuzhu.batch.pipelines.verify.SOURCES``)."""

ITEM_TITLES = {
    "wage_income": _("工资性收入（月均）"),
    "employee_pension": _("职工基本养老金"),
    "residents_basic_pension": _("城乡居民基础养老金"),
    "unemployment_insurance": _("失业保险金"),
    "transfer_expenditure": _("个人缴纳社会保险费（月）"),
    "monetary_assets": _("货币财产（存款、金融资产、认缴出资）"),
    "disability": _("残疾类别和等级"),
    "student_level": _("在校学段"),
    "death": _("死亡信息"),
    "unemployment_registration": _("失业登记"),
    "housing_fund": _("住房公积金缴存（就业迹象）"),
    "vehicles": _("机动车数量"),
    "disability_mobility_vehicles": _("残疾人功能性补偿代步机动车数量"),
    "homes": _("住房套数"),
    "per_capita_floor_area": _("人均住房建筑面积"),
    "non_residential_property": _("非住宅房产"),
    "rigid_medical_expenditure": _("近12个月医疗个人自付费用"),
    "name": _("姓名（身份证号相同）"),
}
"""Compared items (``jiuzhu.batch.pipelines.verify.ITEMS``)."""
