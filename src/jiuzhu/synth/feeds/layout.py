"""How each department writes its file (``Layout``, one per source in ``LAYOUTS``: format,
encoding, headers, date and month forms, the dirt it carries) and ``SyntheticFeed``, one file's
cells before writing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

DATE_FORMS = {
    "iso": "%Y-%m-%d",
    "slash": "%Y/%-m/%-d",
    "compact": "%Y%m%d",
    "chinese": "%Y年%-m月%-d日",
}
"""How departments write a date in text (an xlsx may also hold Excel date cells: ``excel``)."""
PERIOD_FORMS = {"compact": "%Y%m", "iso": "%Y-%m", "chinese": "%Y年%-m月"}
"""How departments write a month."""


@dataclass(frozen=True)
class Layout:
    """How a department writes its file and which dirt it carries (rates are shares of rows;
    a rate above zero always gives at least one dirty row)."""

    format: str
    """``csv`` or ``xlsx``."""
    encoding: str
    """CSV: ``utf-8``, ``utf-8-sig`` (with BOM) or ``gb18030``; xlsx: empty."""
    headers: Mapping[str, str]
    """Field → the header written (one of the spec's aliases); unlisted fields: the first."""
    date_form: str = "iso"
    """A key of ``DATE_FORMS`` or ``excel`` (date cells, xlsx only)."""
    period_form: str = "iso"
    line_terminator: str = "\n"
    full_width: float = 0.0
    """ID numbers typed with full-width digits."""
    lower_x: float = 0.0
    """Of the ID numbers ending in X, those with a lower-case x."""
    legacy: float = 0.0
    """Of the ID numbers of people born 1900–1999, those in the 15-digit form."""
    duplicates: float = 0.0
    """Rows exported twice."""
    odd_dates: float = 0.0
    """Date cells in another form than the file's."""
    odd_periods: float = 0.0
    """Month cells in another form than the file's."""
    unknown: float = 0.0
    """People not in the district's registry (a valid ID number of elsewhere)."""
    numbered: bool = False
    """A leading 序号 column."""


LAYOUTS: dict[str, Layout] = {
    "tax": Layout(
        "csv",
        "utf-8-sig",
        {
            "resident_id": "纳税人识别号",
            "name": "纳税人姓名",
            "period": "税款所属期",
            "income": "收入额",
            "tax_withheld": "已扣缴税额",
            "employer": "扣缴义务人名称",
        },
        period_form="iso",
        line_terminator="\r\n",
        full_width=0.002,
        duplicates=0.003,
        odd_periods=0.005,
        unknown=0.002,
    ),
    "social_insurance": Layout(
        "csv",
        "gb18030",
        {
            "resident_id": "公民身份号码",
            "contribution": "个人缴费金额",
            "benefit": "月待遇",
        },
        period_form="compact",
        line_terminator="\r\n",
        lower_x=0.01,
        legacy=0.005,
        odd_periods=0.005,
    ),
    "housing_fund": Layout(
        "csv",
        "gb18030",
        {"resident_id": "证件号码", "name": "职工姓名", "period": "汇缴年月"},
        period_form="chinese",
        line_terminator="\r\n",
        full_width=0.003,
        odd_periods=0.01,
    ),
    "real_estate": Layout(
        "csv",
        "utf-8",
        {
            "resident_id": "权利人证件号",
            "name": "权利人",
            "floor_area": "建筑面积（平方米）",
            "registered_on": "登簿日期",
        },
        date_form="slash",
        legacy=0.01,
        full_width=0.002,
        duplicates=0.003,
        odd_dates=0.005,
    ),
    "vehicles": Layout(
        "xlsx",
        "",
        {"resident_id": "身份证明号码", "name": "机动车所有人"},
        date_form="excel",
        full_width=0.003,
        lower_x=0.02,
        odd_dates=0.01,
        unknown=0.003,
    ),
    "financial_assets": Layout(
        "csv",
        "gb18030",
        {
            "resident_id": "客户证件号",
            "name": "客户姓名",
            "institution": "金融机构",
            "asset_type": "账户类型",
            "balance": "资产余额",
        },
        date_form="compact",
        line_terminator="\r\n",
        duplicates=0.005,
        odd_dates=0.005,
        lower_x=0.01,
    ),
    "market_entities": Layout(
        "xlsx",
        "",
        {"entity_name": "企业名称", "status": "登记状态"},
        date_form="excel",
        odd_dates=0.01,
        legacy=0.01,
    ),
    "medical_insurance": Layout(
        "csv",
        "utf-8-sig",
        {
            "resident_id": "参保人身份证号",
            "name": "参保人姓名",
            "visit_type": "医疗类别",
            "out_of_pocket": "个人负担",
        },
        date_form="iso",
        line_terminator="\r\n",
        full_width=0.002,
        duplicates=0.003,
        odd_dates=0.005,
        unknown=0.002,
    ),
    "disability": Layout(
        "xlsx",
        "",
        {"resident_id": "公民身份号码"},
        date_form="excel",
        lower_x=0.02,
        legacy=0.005,
        duplicates=0.003,
        odd_dates=0.01,
    ),
    "deaths": Layout(
        "xlsx",
        "",
        {"register_cancelled_on": "户籍注销日期"},
        date_form="chinese",
        odd_dates=0.02,
        unknown=0.05,
        numbered=True,
    ),
    "unemployment": Layout(
        "xlsx",
        "",
        {"resident_id": "公民身份号码", "registered_on": "失业登记日期", "status": "登记状态"},
        date_form="iso",
        odd_dates=0.02,
        full_width=0.01,
        numbered=True,
    ),
    "custody": Layout(
        "xlsx",
        "",
        {"resident_id": "公民身份号码", "kind": "执行类型", "started_on": "收押日期"},
        date_form="iso",
        odd_dates=0.02,
        numbered=True,
    ),
    "students": Layout(
        "xlsx",
        "",
        {"resident_id": "学生身份证号", "name": "学生姓名"},
        date_form="excel",
        odd_dates=0.005,
        lower_x=0.01,
    ),
}


@dataclass
class SyntheticFeed:
    """One department file before writing: its cells and what reading it must find."""

    source: str
    layout: Layout
    cells: pl.DataFrame
    """The file's columns under their headers, every cell as written (xlsx date columns:
    ``Date`` or a struct of ``date``/``text``)."""
    numeric: frozenset[str]
    """Headers of columns written as numbers in a workbook."""
    rows: int
    """Distinct rows (what ``read_feed`` accepts)."""
    duplicates: int
    unknown_ids: int
    """Accepted rows whose person is not in the registry."""
    dirt: dict[str, int] = field(default_factory=dict)
    """Dirty cells by kind (``full_width``, ``lower_x``, ``legacy``, ``odd_dates``,
    ``odd_periods``)."""

    @property
    def filename(self) -> str:
        return f"{self.source}.{self.layout.format}"
