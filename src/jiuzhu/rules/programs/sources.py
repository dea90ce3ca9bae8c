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
