"""The legal documents the programs cite, each by its title and number: one spelling for every
variable's ``reference`` (an article is appended, e.g. ``DIBAO_MEASURES + "第七条"``)."""

from __future__ import annotations

from typing import Final

SOCIAL_ASSISTANCE_MEASURES: Final = "《社会救助暂行办法》（国务院令第649号）"
DIBAO_MEASURES: Final = "《最低生活保障审核确认办法》（民发〔2021〕57号）"
TEKUN_MEASURES: Final = "《特困人员认定办法》（民发〔2021〕43号）"
TIANJIN_ECONOMIC_STATUS_MEASURES: Final = (
    "《天津市社会救助家庭经济状况核定办法》（津民规〔2023〕1号）"
)
TIANJIN_LOW_INCOME_NOTICE: Final = (
    "天津市《关于调整城乡低收入家庭救助有关政策的通知》（2016年4月1日施行）"
)
TIANJIN_RIGID_EXPENDITURE_MEASURES: Final = "《天津市刚性支出困难家庭认定办法（试行）》"
TEMPORARY_ASSISTANCE_OPINIONS: Final = (
    "《民政部 财政部关于进一步加强和改进临时救助工作的意见》（民发〔2018〕23号）"
)
TIANJIN_TEMPORARY_ASSISTANCE: Final = (
    "天津临时救助规定（天津日报 2021-08-30 所载；2025年1月1日起《天津市临时救助办法》，金额未找到）"
)
ORPHAN_OPINIONS: Final = "《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）"
DE_FACTO_UNSUPPORTED_OPINIONS: Final = (
    "《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）"
)
