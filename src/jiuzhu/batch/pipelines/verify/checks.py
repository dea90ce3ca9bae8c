"""The comparisons that write nothing (a person decides): the disability certificate and the
school records against the registry, the deaths register, an unemployment registration beside a
wage, housing-fund deposits beside no declared wage, and a member's ID found under another name.

The rules are stated in the package docstring (``jiuzhu.batch.pipelines.verify``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiuzhu.batch.pipelines.verify.common import (
    SOURCES,
    Comparison,
    Delivery,
    MemberFacts,
    _latest,
    _Part,
    _received,
)
from jiuzhu.feeds import names as person_names
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.programs.codes import CODE_LISTS

_STUDENT_LABELS = {c.code: str(c.label) for c in CODE_LISTS["student_level"]}
_DISABILITY_LABELS = {c.code: str(c.label) for c in CODE_LISTS["disability_category"]}
_GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_UNEMPLOYMENT_STATUS = {"registered": "登记失业", "employed": "已就业", "cancelled": "注销登记"}


def disability_text(category: str, grade: int | None) -> str:
    if category in ("", "none"):
        return "无"
    return f"{_DISABILITY_LABELS.get(category, category)}{_GRADES.get(grade or 0, '')}"


def student_text(level: str) -> str:
    return _STUDENT_LABELS.get(level, level)


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
                # A school stage keeps an adult child in the household (《最低生活保障审核确认
                # 办法》第七条) and continues tekun past 18: declared but not in the education
                # data, the visit checks it.
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
