"""The shared vocabulary of the comparisons: sources and items (codes, with the Chinese names the
record keeps), the inputs and outputs of ``derive`` (members, household, deliveries, answers,
verified values, comparisons, findings), the month windows and the helpers every rule uses.

Money is integer fen, months ``YYYY-MM`` text. The package docstring
(``jiuzhu.batch.pipelines.verify``) states the shapes, the rules and their legal source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jiuzhu.feeds import sources as feed_sources
from jiuzhu.rules.months import add_months

SOURCES = feed_sources.SOURCES
"""Every department source, in the order the report lists them."""

SOURCE_LABELS = {
    "tax": "纳税记录",
    "social_insurance": "社会保险",
    "housing_fund": "住房公积金",
    "real_estate": "不动产登记",
    "vehicles": "机动车登记",
    "financial_assets": "存款及金融资产",
    "market_entities": "市场主体登记",
    "medical_insurance": "医保结算",
    "disability": "残疾人证",
    "deaths": "死亡信息",
    "unemployment": "失业登记",
    "students": "学籍信息",
    "custody": "羁押、服刑、强制隔离戒毒",
}
"""Source code → its Chinese name (the web shows ``labels.SOURCE_TITLES``)."""

MONEY_TOLERANCE = 100
"""Fen: amounts within one yuan of each other agree (rounding of averages and of yuan cells)."""

LABELS = {
    "wage_income": "工资性收入（月均）",
    "employee_pension": "职工基本养老金",
    "residents_basic_pension": "城乡居民基础养老金",
    "unemployment_insurance": "失业保险金",
    "transfer_expenditure": "个人缴纳社会保险费（月）",
    "monetary_assets": "货币财产（存款、金融资产、认缴出资）",
    "disability": "残疾类别和等级",
    "student_level": "在校学段",
    "death": "死亡信息",
    "unemployment_registration": "失业登记",
    "housing_fund": "住房公积金缴存（就业迹象）",
    "vehicles": "机动车数量",
    "disability_mobility_vehicles": "残疾人功能性补偿代步机动车数量",
    "homes": "住房套数",
    "per_capita_floor_area": "人均住房建筑面积",
    "non_residential_property": "非住宅房产",
    "rigid_medical_expenditure": "近12个月医疗个人自付费用",
    "name": "姓名（身份证号相同）",
}
"""Item code → the Chinese name the record keeps (``Discrepancy.label``); the web shows the
translated label of the code (``jiuzhu.web.verification.labels.ITEM_TITLES``)."""
ITEMS = tuple(LABELS)
"""Every compared item, in the order the report lists them."""


@dataclass(frozen=True)
class MemberFacts:
    """A current member as the registry has them."""

    person_id: int
    resident_id: str
    name: str
    relation: str
    disability_category: str = "none"
    disability_grade: int | None = None
    student_level: str = "none"


@dataclass(frozen=True)
class HouseholdFacts:
    """The household's registered values that verification compares."""

    vehicles: int = 0
    disability_mobility_vehicles: int = 0
    homes: int = 0
    per_capita_floor_area: Decimal | None = None
    non_residential_property: bool = False
    rigid_medical_expenditure: int = 0


@dataclass(frozen=True)
class Delivery:
    """The current delivery of a source: when it arrived and the latest month it covers."""

    received_at: dt.datetime
    last_period: str = ""


@dataclass
class Answer:
    """What a source said about a member: the matching records and the derived values."""

    person_id: int
    source: str
    found: bool
    records: list[dict[str, Any]]
    summary: dict[str, Any]


@dataclass(frozen=True)
class Verified:
    """A value derived from department records, with its basis (≤ 200 characters)."""

    value: int
    basis: str


@dataclass
class Comparison:
    """One item compared: declared (or registered) against found."""

    person_id: int | None
    item: str
    source: str
    declared: Any
    found: Any
    unit: str
    warning: bool
    period: str = ""
    received_at: dt.datetime | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.item]

    @property
    def severity(self) -> str:
        return "warning" if self.warning else "info"


@dataclass
class Findings:
    """Everything ``derive`` concluded."""

    answers: list[Answer] = field(default_factory=list)
    incomes: dict[tuple[int, str], Verified] = field(default_factory=dict)
    """(person, component) → the verified monthly amount."""
    assets: dict[int, Verified] = field(default_factory=dict)
    """person → the verified monetary assets."""
    unsupported_incomes: set[tuple[int, str]] = field(default_factory=set)
    """(person, component) the source was delivered for but has no records of: a verified value
    left from an earlier run no longer has evidence."""
    unsupported_assets: set[int] = field(default_factory=set)
    household: dict[str, Any] = field(default_factory=dict)
    """Household field → the value found (only where records were found)."""
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        return sum(c.warning for c in self.comparisons)


# --- months -------------------------------------------------------------------------------------


def month_window(end: str, count: int) -> list[str]:
    """The ``count`` months ending with ``end``, oldest first."""
    return [add_months(end, -i) for i in range(count - 1, -1, -1)]


def window_end(delivery: Delivery | None, rows: Iterable[Mapping[str, Any]], month: str) -> str:
    """The last month a window may cover: the delivery's latest month, or the latest month among
    ``rows`` when the delivery is unknown — never after the application's ``month``."""
    latest = delivery.last_period if delivery and delivery.last_period else ""
    if not latest:
        latest = max((r["period"] for r in rows if r.get("period")), default="")
    return min(latest, month) if latest else month


# --- helpers ------------------------------------------------------------------------------------


def money_differs(declared: int | None, found: int | None) -> bool:
    return abs((declared or 0) - (found or 0)) > MONEY_TOLERANCE


def _received(rows: Sequence[Mapping[str, Any]], delivery: Delivery | None) -> dt.datetime | None:
    if delivery is not None:
        return delivery.received_at
    times = [r["received_at"] for r in rows if r.get("received_at")]
    return dt.datetime.fromisoformat(max(times)) if times else None


def _span(periods: Sequence[str]) -> str:
    if not periods:
        return ""
    return periods[0] if periods[0] == periods[-1] else f"{periods[0]}至{periods[-1]}"


@dataclass
class _Part:
    """What one source's rule concluded for one member."""

    summary: dict[str, Any] = field(default_factory=dict)
    incomes: dict[str, Verified] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    asset: Verified | None = None
    asset_unsupported: bool = False
    comparisons: list[Comparison] = field(default_factory=list)
    person_id: int = 0


def _latest(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return max(rows, key=lambda r: r.get(key) or "")
