"""What the departments' records say about a household, compared with what it declared.

Pure functions, no database: ``derive`` takes the members, their records by source, the
declared values and the deliveries, and returns the answers to store, the verified values, and
one ``Comparison`` per item compared. ``jiuzhu.web.verification.actions.run_verification`` reads
the inputs and writes the outputs.

The rules (最低生活保障审核确认办法 Art. 17; 天津市家庭经济状况核对):

- A verified value is derived only from records found. A member without records of a source
  gets no verified value from it (the declaration stands) and the comparison says
  “未发现…记录” as information, not a warning.
- **Tax** (个人所得税扣缴明细): the monthly wage is the average of ``income`` over six months
  ending with the tax delivery's latest month, or with the application's month if that is
  earlier (a month's withholding is filed the month after, so the application's own month is
  usually not in the delivery yet). A month without a row counts as 0 — for a person who has tax
  rows at all; a person without tax rows has no verified wage (“未发现纳税记录”).
- **Social insurance**, the person's latest month (not after the application's month): the
  benefits 职工基本养老金 → ``employee_pension``, 城乡居民基础养老金 →
  ``residents_basic_pension``, 失业保险金 → ``unemployment_insurance``, and the personal
  contributions of all schemes → ``transfer_expenditure`` (the feed has no income tax or support
  paid, which the declared transfer expenditure may include: the comparison shows the gap).
- **Monetary assets** (per person): financial assets — for each institution and asset type, the
  balances of the latest query date — plus the subscribed capital of market entities whose status
  is 存续/在业.
- **Household** values, written only where records were found: active vehicles (not
  deregistered on the application's date) and disability cars among them; residential property
  (distinct certificates) and the per-capita floor area over the current members;
  non-residential property (commercial, office, industrial; a parking space does not count);
  the members' own medical payments (个人自付) over the twelve months ending with the medical
  delivery's latest month (or the application's month if earlier).
- **Compared only** (nothing is written; a person decides): the disability certificate against
  the registry's category and grade; school records against the registry's level; a member
  found in the deaths register; an unemployment registration while a wage is declared or found;
  housing-fund deposits by an employer while no wage is declared.
- **Names**: a record is matched by ID number; where its name is not the member's registered name
  (compared by ``jiuzhu.feeds.names.comparable``: width, middle dots and invisible characters
  do not count), the match stands and a ``warning`` says so, for a person to decide whether a
  name was mistyped or the ID belongs to someone else — never a silent match.
- A comparison is a ``warning`` when the values differ: money by more than one yuan
  (``MONEY_TOLERANCE``), floor area by more than 0.01 m², counts and codes at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jiuzhu.feeds import names as person_names
from jiuzhu.feeds import sources as feed_sources
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.programs.codes import CODE_LISTS
from jiuzhu.web.months import add_months, month_of

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

TAX_MONTHS = 6
MEDICAL_MONTHS = 12
MONEY_TOLERANCE = 100
"""Fen: amounts within one yuan of each other agree (rounding of averages and of yuan cells)."""
AREA_TOLERANCE = 1
"""Hundredths of a square metre."""

BENEFIT_COMPONENTS = {
    "employee_pension": "employee_pension",
    "residents_basic_pension": "residents_basic_pension",
    "unemployment_benefit": "unemployment_insurance",
}
"""Social-insurance ``benefit_type`` → the income component it verifies."""
SOCIAL_INSURANCE_COMPONENTS = (
    "employee_pension",
    "residents_basic_pension",
    "unemployment_insurance",
    "transfer_expenditure",
)
NON_RESIDENTIAL_USES = frozenset({"commercial", "office", "industrial"})
ACTIVE_ENTITY = "active"

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

_STUDENT_LABELS = {c.code: str(c.label) for c in CODE_LISTS["student_level"]}
_DISABILITY_LABELS = {c.code: str(c.label) for c in CODE_LISTS["disability_category"]}
_GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_UNEMPLOYMENT_STATUS = {"registered": "登记失业", "employed": "已就业", "cancelled": "注销登记"}


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


def disability_text(category: str, grade: int | None) -> str:
    if category in ("", "none"):
        return "无"
    return f"{_DISABILITY_LABELS.get(category, category)}{_GRADES.get(grade or 0, '')}"


def student_text(level: str) -> str:
    return _STUDENT_LABELS.get(level, level)


# --- derivation ---------------------------------------------------------------------------------


def derive(
    members: Sequence[MemberFacts],
    records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    declared_incomes: Mapping[tuple[int, str], int],
    declared_assets: Mapping[int, int],
    household: HouseholdFacts,
    deliveries: Mapping[str, Delivery],
    on: dt.date,
) -> Findings:
    """Answers, verified values and comparisons for a household (see the module docstring).

    Args:
        members: the current members.
        records: resident ID → source → the records (each a dict of the row's data plus
            ``period`` and ``received_at`` as ISO text), oldest period first.
        declared_incomes: (person, component) → the declared monthly amount (fen).
        declared_assets: person → the declared monetary assets (fen).
        household: the registered household values.
        deliveries: source → the current delivery (sources never delivered are absent).
        on: the application's date; its month bounds every window.
    """
    month = month_of(on)
    findings = Findings()
    all_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        by_source = records.get(member.resident_id, {})
        for source in SOURCES:
            all_rows[source] += by_source.get(source, [])
    tax_end = window_end(deliveries.get("tax"), all_rows["tax"], month)
    medical_end = window_end(
        deliveries.get("medical_insurance"), all_rows["medical_insurance"], month
    )

    for member in members:
        by_source = records.get(member.resident_id, {})
        summaries: dict[str, dict[str, Any]] = {}
        wage = _tax(member, by_source.get("tax", []), tax_end, declared_incomes, deliveries)
        summaries["tax"] = wage.summary
        _apply(findings, wage)
        insured = _social_insurance(
            member, by_source.get("social_insurance", []), month, declared_incomes, deliveries
        )
        summaries["social_insurance"] = insured.summary
        _apply(findings, insured)
        assets = _monetary_assets(
            member,
            by_source.get("financial_assets", []),
            by_source.get("market_entities", []),
            declared_assets,
            deliveries,
        )
        summaries["financial_assets"], summaries["market_entities"] = assets.summary["parts"]
        _apply(findings, assets)
        declared_wage = declared_incomes.get((member.person_id, "wage_income"), 0)
        found_wage = wage.incomes.get("wage_income")
        person_checks = (
            ("disability", _disability(member, by_source.get("disability", []), deliveries)),
            ("students", _students(member, by_source.get("students", []), deliveries)),
            ("deaths", _deaths(member, by_source.get("deaths", []), deliveries)),
            (
                "unemployment",
                _unemployment(
                    member,
                    by_source.get("unemployment", []),
                    declared_wage,
                    found_wage.value if found_wage else 0,
                    deliveries,
                ),
            ),
            (
                "housing_fund",
                _housing_fund(
                    member, by_source.get("housing_fund", []), month, declared_wage, deliveries
                ),
            ),
        )
        for source, part in person_checks:
            summaries[source] = part.summary
            findings.comparisons += part.comparisons
        findings.comparisons += _names(member, by_source, deliveries)
        for source in ("real_estate", "vehicles", "medical_insurance", "custody"):
            summaries[source] = {"count": len(by_source.get(source, []))}
        for source in SOURCES:
            rows = by_source.get(source, [])
            summary = summaries[source]
            delivery = deliveries.get(source)
            if delivery is not None:
                summary = {**summary, "received_at": delivery.received_at.isoformat()}
            elif not rows:
                summary = {**summary, "note": "未取得该部门数据"}
            findings.answers.append(Answer(member.person_id, source, bool(rows), rows, summary))

    _household(findings, members, records, household, deliveries, on, medical_end)
    return findings


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


def _apply(findings: Findings, part: _Part) -> None:
    for component, verified in part.incomes.items():
        findings.incomes[(part.person_id, component)] = verified
    findings.unsupported_incomes |= {(part.person_id, c) for c in part.unsupported}
    if part.asset is not None:
        findings.assets[part.person_id] = part.asset
    if part.asset_unsupported:
        findings.unsupported_assets.add(part.person_id)
    findings.comparisons += part.comparisons


def _tax(
    member: MemberFacts,
    rows: list[dict[str, Any]],
    end: str,
    declared: Mapping[tuple[int, str], int],
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    declared_wage = declared.get((member.person_id, "wage_income"))
    window = month_window(end, TAX_MONTHS)
    received = _received(rows, deliveries.get("tax"))
    if not rows:
        part.summary = {"note": "未发现纳税记录"}
        if "tax" in deliveries:
            part.unsupported.append("wage_income")
        if declared_wage:
            part.comparisons.append(
                Comparison(
                    member.person_id,
                    "wage_income",
                    "tax",
                    declared_wage,
                    None,
                    "fen_per_month",
                    False,
                    _span(window),
                    received,
                    "未发现纳税记录",
                )
            )
        return part
    by_month = dict.fromkeys(window, 0)
    for row in rows:
        if row["period"] in by_month:
            by_month[row["period"]] += int(row.get("income") or 0)
    total = sum(by_month.values())
    wage = (total + TAX_MONTHS // 2) // TAX_MONTHS
    employers = sorted({r["employer"] for r in rows if r.get("employer")})
    part.summary = {
        "monthly_wage": wage,
        "window": [window[0], window[-1]],
        "months": by_month,
        "employers": employers,
    }
    span = _span(window)
    part.incomes["wage_income"] = Verified(wage, f"核对：个人所得税扣缴明细 {span} 月均")
    part.comparisons.append(
        Comparison(
            member.person_id,
            "wage_income",
            "tax",
            declared_wage or 0,
            wage,
            "fen_per_month",
            money_differs(declared_wage, wage),
            span,
            received,
            "、".join(employers)[:200],
        )
    )
    return part


def _social_insurance(
    member: MemberFacts,
    rows: list[dict[str, Any]],
    month: str,
    declared: Mapping[tuple[int, str], int],
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    received = _received(rows, deliveries.get("social_insurance"))
    usable = [r for r in rows if r["period"] and r["period"] <= month]
    if not usable:
        part.summary = {"note": "未发现社会保险记录"}
        if "social_insurance" in deliveries:
            part.unsupported += list(SOCIAL_INSURANCE_COMPONENTS)
        for component in SOCIAL_INSURANCE_COMPONENTS:
            amount = declared.get((member.person_id, component))
            if amount:
                part.comparisons.append(
                    Comparison(
                        member.person_id,
                        component,
                        "social_insurance",
                        amount,
                        None,
                        "fen_per_month",
                        False,
                        "",
                        received,
                        "未发现社会保险记录",
                    )
                )
        return part
    latest = max(r["period"] for r in usable)
    current = [r for r in usable if r["period"] == latest]
    found = dict.fromkeys(SOCIAL_INSURANCE_COMPONENTS, 0)
    for row in current:
        benefit = BENEFIT_COMPONENTS.get(row.get("benefit_type") or "")
        if benefit:
            found[benefit] += int(row.get("benefit") or 0)
        found["transfer_expenditure"] += int(row.get("contribution") or 0)
    part.summary = {
        "period": latest,
        **found,
        "schemes": sorted({f"{r['scheme']}:{r['status']}" for r in current}),
    }
    for component, amount in found.items():
        basis = (
            f"核对：社会保险 {latest} 个人缴费"
            if component == "transfer_expenditure"
            else f"核对：社会保险 {latest} 待遇"
        )
        part.incomes[component] = Verified(amount, basis)
        declared_amount = declared.get((member.person_id, component))
        if amount or declared_amount:
            part.comparisons.append(
                Comparison(
                    member.person_id,
                    component,
                    "social_insurance",
                    declared_amount or 0,
                    amount,
                    "fen_per_month",
                    money_differs(declared_amount, amount),
                    latest,
                    received,
                )
            )
    return part


def _monetary_assets(
    member: MemberFacts,
    financial: list[dict[str, Any]],
    entities: list[dict[str, Any]],
    declared: Mapping[int, int],
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    latest: dict[tuple[str, str], str] = {}
    for row in financial:
        key = (row.get("institution") or "", row.get("asset_type") or "")
        latest[key] = max(latest.get(key, ""), row.get("queried_on") or "")
    balances = sum(
        int(r.get("balance") or 0)
        for r in financial
        if (r.get("queried_on") or "")
        == latest[(r.get("institution") or "", r.get("asset_type") or "")]
    )
    active = [r for r in entities if r.get("status") == ACTIVE_ENTITY]
    capital = sum(int(r.get("subscribed_capital") or 0) for r in active)
    dates = sorted(set(latest.values()))
    financial_summary: dict[str, Any] = {"balance": balances, "queried_on": dates}
    entity_summary: dict[str, Any] = {
        "subscribed_capital": capital,
        "active": [r.get("entity_name") for r in active],
    }
    if not financial:
        financial_summary["note"] = "未发现存款及金融资产"
    if not entities:
        entity_summary["note"] = "未发现市场主体登记"
    part.summary = {"parts": (financial_summary, entity_summary)}
    declared_amount = declared.get(member.person_id)
    received = _received(financial, deliveries.get("financial_assets")) or _received(
        entities, deliveries.get("market_entities")
    )
    if not financial and not entities:
        if "financial_assets" in deliveries or "market_entities" in deliveries:
            part.asset_unsupported = True
        if declared_amount:
            part.comparisons.append(
                Comparison(
                    member.person_id,
                    "monetary_assets",
                    "financial_assets",
                    declared_amount,
                    None,
                    "fen",
                    False,
                    "",
                    received,
                    "未发现存款、金融资产和市场主体登记",
                )
            )
        return part
    total = balances + capital
    period = _span(dates)
    part.asset = Verified(
        total,
        f"核对：金融资产 {format_yuan(balances)} 元（{period or '—'}）"
        f"＋认缴出资 {format_yuan(capital)} 元",
    )
    part.comparisons.append(
        Comparison(
            member.person_id,
            "monetary_assets",
            "financial_assets" if financial else "market_entities",
            declared_amount or 0,
            total,
            "fen",
            money_differs(declared_amount, total),
            period,
            received,
            f"金融资产 {format_yuan(balances)} 元，认缴出资 {format_yuan(capital)} 元",
        )
    )
    return part


def _latest(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return max(rows, key=lambda r: r.get(key) or "")


def _disability(
    member: MemberFacts, rows: list[dict[str, Any]], deliveries: Mapping[str, Delivery]
) -> _Part:
    part = _Part(person_id=member.person_id)
    registered = disability_text(member.disability_category, member.disability_grade)
    received = _received(rows, deliveries.get("disability"))
    if not rows:
        part.summary = {"note": "未发现残疾人证"}
        if member.disability_category not in ("", "none"):
            part.comparisons.append(
                # The disability drives the amount (classified deductions, the single-person
                # unit, tekun): declared but not in the federation's data, the home visit checks
                # it — when the federation's file came at all.
                Comparison(
                    member.person_id,
                    "disability",
                    "disability",
                    registered,
                    None,
                    "text",
                    "disability" in deliveries,
                    "",
                    received,
                    "申报有残疾，但残联数据中未发现残疾人证：入户调查时核实",
                )
            )
        return part
    certificate = _latest(rows, "issued_on")
    category = certificate.get("category") or "none"
    grade = int(certificate["grade"]) if certificate.get("grade") else None
    part.summary = {
        "category": category,
        "grade": grade,
        "certificate": certificate.get("certificate"),
        "issued_on": certificate.get("issued_on"),
    }
    differs = (category, grade) != (member.disability_category, member.disability_grade)
    part.comparisons.append(
        Comparison(
            member.person_id,
            "disability",
            "disability",
            registered,
            disability_text(category, grade),
            "text",
            differs,
            certificate.get("issued_on") or "",
            received,
        )
    )
    return part


def _students(
    member: MemberFacts, rows: list[dict[str, Any]], deliveries: Mapping[str, Delivery]
) -> _Part:
    part = _Part(person_id=member.person_id)
    received = _received(rows, deliveries.get("students"))
    if not rows:
        part.summary = {"note": "未发现学籍记录"}
        if member.student_level not in ("", "none"):
            part.comparisons.append(
                # A school stage keeps an adult child in the household (Art. 7) and continues
                # tekun past 18: declared but not in the education data, the visit checks it.
                Comparison(
                    member.person_id,
                    "student_level",
                    "students",
                    student_text(member.student_level),
                    None,
                    "text",
                    "students" in deliveries,
                    "",
                    received,
                    "申报在校就读，但学籍数据中未发现：入户调查时核实",
                )
            )
        return part
    enrolled = [r for r in rows if r.get("status") == "enrolled"]
    record = _latest(enrolled or rows, "enrolled_on")
    level = (record.get("level") or "none") if enrolled else "none"
    part.summary = {
        "level": level,
        "status": record.get("status"),
        "school": record.get("school"),
        "enrolled_on": record.get("enrolled_on"),
    }
    part.comparisons.append(
        Comparison(
            member.person_id,
            "student_level",
            "students",
            student_text(member.student_level),
            student_text(level),
            "text",
            level != member.student_level,
            record.get("enrolled_on") or "",
            received,
            record.get("school") or "",
        )
    )
    return part


def _names(
    member: MemberFacts,
    by_source: Mapping[str, list[dict[str, Any]]],
    deliveries: Mapping[str, Delivery],
) -> list[Comparison]:
    """One warning per source whose records carry the member's ID under another name."""
    found = []
    for source in SOURCES:
        rows = by_source.get(source, [])
        written = dict.fromkeys(str(r["name"]) for r in rows if r.get("name"))
        others = [n for n in written if not person_names.same_name(n, member.name)]
        if others:
            found.append(
                Comparison(
                    member.person_id,
                    "name",
                    source,
                    member.name,
                    "、".join(others),
                    "text",
                    True,
                    received_at=_received(rows, deliveries.get(source)),
                    note="身份证号相同而姓名不同：记录已按身份证号计入，请核实姓名或是否同一人",
                )
            )
    return found


def _deaths(
    member: MemberFacts, rows: list[dict[str, Any]], deliveries: Mapping[str, Delivery]
) -> _Part:
    part = _Part(person_id=member.person_id)
    if not rows:
        return part
    death = _latest(rows, "died_on")
    part.summary = {"died_on": death.get("died_on")}
    part.comparisons.append(
        Comparison(
            member.person_id,
            "death",
            "deaths",
            "在世（家庭成员）",
            f"死亡（{death.get('died_on')}）",
            "text",
            True,
            death.get("died_on") or "",
            _received(rows, deliveries.get("deaths")),
            "死亡人员仍登记为家庭成员，须核实并调整家庭成员",
        )
    )
    return part


def _unemployment(
    member: MemberFacts,
    rows: list[dict[str, Any]],
    declared_wage: int,
    found_wage: int,
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    if not rows:
        return part
    registration = _latest(rows, "registered_on")
    status = registration.get("status") or ""
    part.summary = {
        "status": status,
        "registered_on": registration.get("registered_on"),
        "benefit": registration.get("benefit"),
    }
    registered = status == "registered"
    working = declared_wage > 0 or found_wage > 0
    wage_text = (
        f"工资 {format_yuan(max(declared_wage, found_wage))} 元/月" if working else "无工资收入"
    )
    part.comparisons.append(
        Comparison(
            member.person_id,
            "unemployment_registration",
            "unemployment",
            wage_text,
            f"{_UNEMPLOYMENT_STATUS.get(status, status)}（{registration.get('registered_on')}）",
            "text",
            registered and working,
            registration.get("registered_on") or "",
            _received(rows, deliveries.get("unemployment")),
            "登记失业但有工资收入" if registered and working else "",
        )
    )
    return part


def _housing_fund(
    member: MemberFacts,
    rows: list[dict[str, Any]],
    month: str,
    declared_wage: int,
    deliveries: Mapping[str, Delivery],
) -> _Part:
    part = _Part(person_id=member.person_id)
    usable = [r for r in rows if r["period"] and r["period"] <= month]
    if not usable:
        return part
    latest = max(r["period"] for r in usable)
    current = [r for r in usable if r["period"] == latest]
    employer_deposit = sum(int(r.get("employer_deposit") or 0) for r in current)
    employers = sorted({r["employer"] for r in current if r.get("employer")})
    part.summary = {
        "period": latest,
        "employer_deposit": employer_deposit,
        "personal_deposit": sum(int(r.get("personal_deposit") or 0) for r in current),
        "employers": employers,
    }
    undeclared = employer_deposit > 0 and not declared_wage
    part.comparisons.append(
        Comparison(
            member.person_id,
            "housing_fund",
            "housing_fund",
            f"申报工资 {format_yuan(declared_wage)} 元/月" if declared_wage else "未申报工资收入",
            f"单位缴存 {format_yuan(employer_deposit)} 元/月",
            "text",
            undeclared,
            latest,
            _received(rows, deliveries.get("housing_fund")),
            ("单位缴存住房公积金表明在职，但未申报工资；" if undeclared else "")
            + "、".join(employers)[:150],
        )
    )
    return part


def _household(
    findings: Findings,
    members: Sequence[MemberFacts],
    records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    household: HouseholdFacts,
    deliveries: Mapping[str, Delivery],
    on: dt.date,
    medical_end: str,
) -> None:
    """Vehicles, property and medical payments of all members together."""

    def rows_of(source: str) -> list[dict[str, Any]]:
        return [r for m in members for r in records.get(m.resident_id, {}).get(source, [])]

    def compare(item: str, source: str, declared: Any, found: Any, unit: str, **kw: Any) -> None:
        if found is None:
            differs = False  # nothing found is no evidence of a difference
        elif unit in ("fen", "fen_per_month"):
            differs = money_differs(declared, found)
        elif unit == "area":
            differs = declared is None or abs(declared - found) > AREA_TOLERANCE
        else:
            differs = declared != found
        findings.comparisons.append(
            Comparison(None, item, source, declared, found, unit, differs, **kw)
        )

    today = on.isoformat()
    vehicles = rows_of("vehicles")
    if vehicles:
        active = [r for r in vehicles if not r.get("deregistered") or r["deregistered"] > today]
        mobility = [
            r
            for r in active
            if r.get("vehicle_type") == "disability_car" or r.get("use") == "disability"
        ]
        received = _received(vehicles, deliveries.get("vehicles"))
        plates = "、".join(r.get("plate") or "" for r in active)
        findings.household["vehicles"] = len(active)
        findings.household["disability_mobility_vehicles"] = len(mobility)
        compare(
            "vehicles",
            "vehicles",
            household.vehicles,
            len(active),
            "count",
            received_at=received,
            note=(plates or "仅有已注销车辆")[:200],
        )
        if mobility or household.disability_mobility_vehicles:
            compare(
                "disability_mobility_vehicles",
                "vehicles",
                household.disability_mobility_vehicles,
                len(mobility),
                "count",
                received_at=received,
            )
    elif household.vehicles:
        findings.comparisons.append(
            Comparison(
                None,
                "vehicles",
                "vehicles",
                household.vehicles,
                None,
                "count",
                False,
                received_at=_received([], deliveries.get("vehicles")),
                note="未发现机动车登记",
            )
        )

    estate = rows_of("real_estate")
    received = _received(estate, deliveries.get("real_estate"))
    residential: dict[str, dict[str, Any]] = {}
    for row in estate:
        if row.get("use") == "residential":
            residential.setdefault(row.get("certificate") or f"line {row.get('line')}", row)
    if residential:
        area = sum(int(r.get("floor_area") or 0) for r in residential.values())
        per_capita = (area + len(members) // 2) // max(len(members), 1)
        findings.household["homes"] = len(residential)
        findings.household["per_capita_floor_area"] = (Decimal(per_capita) / 100).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        compare(
            "homes",
            "real_estate",
            household.homes,
            len(residential),
            "count",
            received_at=received,
            note=f"住宅建筑面积合计 {Decimal(area) / 100:.2f} 平方米",
        )
        declared_area = (
            None
            if household.per_capita_floor_area is None
            else int(household.per_capita_floor_area * 100)
        )
        compare(
            "per_capita_floor_area",
            "real_estate",
            declared_area,
            per_capita,
            "area",
            received_at=received,
            note=f"{len(members)} 名成员",
        )
    elif household.homes:
        findings.comparisons.append(
            Comparison(
                None,
                "homes",
                "real_estate",
                household.homes,
                None,
                "count",
                False,
                received_at=received,
                note="未发现住宅不动产登记（租住或辖区外房产不在本数据中）",
            )
        )
    other = [r for r in estate if r.get("use") in NON_RESIDENTIAL_USES]
    if other:
        findings.household["non_residential_property"] = True
    if other or household.non_residential_property:
        compare(
            "non_residential_property",
            "real_estate",
            "有" if household.non_residential_property else "无",
            "有" if other else ("无" if estate else None),
            "text",
            received_at=received,
            note="、".join(r.get("address") or "" for r in other)[:200],
        )

    window = month_window(medical_end, MEDICAL_MONTHS)
    medical = [r for r in rows_of("medical_insurance") if r.get("period") in set(window)]
    received = _received(medical, deliveries.get("medical_insurance"))
    if medical:
        own = sum(int(r.get("out_of_pocket") or 0) for r in medical)
        findings.household["rigid_medical_expenditure"] = own
        compare(
            "rigid_medical_expenditure",
            "medical_insurance",
            household.rigid_medical_expenditure,
            own,
            "fen",
            period=_span(window),
            received_at=received,
            note=f"{len(medical)} 次结算",
        )
    elif household.rigid_medical_expenditure:
        findings.comparisons.append(
            Comparison(
                None,
                "rigid_medical_expenditure",
                "medical_insurance",
                household.rigid_medical_expenditure,
                None,
                "fen",
                False,
                _span(window),
                received,
                "未发现医保结算记录",
            )
        )
