"""An alert's evidence as a person reads it.

The batch half stores the evidence of an alert (``ALERT_SCHEMA`` ``evidence``, JSON) in its own
terms: the source record with the department's field names and codes, money in fen, the values
compared, the thresholds by parameter name, the signal code and its reference. The alert page
shows it in the user's language: every field by its label, every code by its label (a disability
category, an illness, a custody kind, a register category …), booleans as yes or no, money in
yuan, ID numbers masked (a disability certificate number starts with one), and the legal
references as the signal catalogue words them today (the document's title and number).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.discover.catalogue import Threshold, catalogue
from jiuzhu.feeds.base import SPECS
from jiuzhu.feeds.sources import SOURCES  # noqa: F401 — registers every source's spec
from jiuzhu.rules.engine import ParameterNotDefinedError
from jiuzhu.rules.engine.units import ParameterUnit
from jiuzhu.web.core.choices import label_of
from jiuzhu.web.core.jsonvalues import Scalar
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.programs import PROGRAM_LABELS
from jiuzhu.web.discovery.catalogue import signal_labels
from jiuzhu.web.discovery.models import Alert, RegisterCategory

# Not \b: Python counts Chinese characters as word characters, so an ID written right after one
# (身份证号120224…) would have no word boundary and stay unmasked. No look-ahead either: a
# disability certificate number is the holder's ID number followed by more characters.
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

EVIDENCE_TITLES = {
    "record": gettext_lazy("来源记录"),
    "records": gettext_lazy("来源记录"),
    "values": gettext_lazy("比较的数值"),
    "thresholds": gettext_lazy("阈值（依据与置信度）"),
    "rule": gettext_lazy("规则"),
    "sources": gettext_lazy("数据来源"),
    "text": gettext_lazy("说明"),
    "names": gettext_lazy("姓名不一致（身份证号相同）"),
}
THRESHOLD_COLUMNS = (
    gettext_lazy("说明"),
    gettext_lazy("取值"),
    gettext_lazy("依据"),
    gettext_lazy("置信度"),
)
CONFIDENCE = {
    "high": gettext_lazy("高"),
    "medium": gettext_lazy("中"),
    "low": gettext_lazy("低"),
    "unknown": gettext_lazy("未知"),
    "not_applicable": gettext_lazy("不适用"),
}
SOURCE_LABELS = {
    "medical_insurance": gettext_lazy("医疗保障结算信息"),
    "disability": gettext_lazy("残疾人证信息"),
    "deaths": gettext_lazy("死亡人员信息"),
    "custody": gettext_lazy("羁押、服刑及强制隔离戒毒人员信息"),
    "unemployment": gettext_lazy("失业登记信息"),
    "social_insurance": gettext_lazy("社会保险缴费信息"),
    "vehicles": gettext_lazy("机动车登记信息"),
    "real_estate": gettext_lazy("不动产登记信息"),
    "market_entities": gettext_lazy("市场主体登记信息"),
    "register": gettext_lazy("低收入人口库"),
    "registry": gettext_lazy("家庭档案"),
    "rules": gettext_lazy("救助规则测算"),
}
FIELD_LABELS = {
    "age": gettext_lazy("年龄"),
    "allowance": gettext_lazy("补贴标准"),
    "amount": gettext_lazy("金额"),
    "asset": gettext_lazy("财产类别"),
    "assistance_paid": gettext_lazy("医疗救助支付"),
    "authority": gettext_lazy("执行机关"),
    "before": gettext_lazy("登记库原记录"),
    "birth_date": gettext_lazy("出生日期"),
    "category": gettext_lazy("残疾类别"),
    "certificate": gettext_lazy("残疾人证号"),
    "child_group": gettext_lazy("儿童关系"),
    "contribution": gettext_lazy("个人缴费"),
    "custody": gettext_lazy("羁押类别"),
    "date": gettext_lazy("日期"),
    "department_names": gettext_lazy("部门记录中的姓名"),
    "detail": gettext_lazy("详情"),
    "diagnosis": gettext_lazy("病种"),
    "dibao_eligible": gettext_lazy("符合低保条件"),
    "died_on": gettext_lazy("死亡日期"),
    "disability": gettext_lazy("残疾类别"),
    "disability_category": gettext_lazy("残疾类别"),
    "disability_grade": gettext_lazy("残疾等级"),
    "disabled": gettext_lazy("残疾人数"),
    "disabled_before": gettext_lazy("上月残疾人数"),
    "elderly": gettext_lazy("老年人数"),
    "elderly_age": gettext_lazy("老年人年龄"),
    "elderly_not_disabled_before": gettext_lazy("上月非残疾老年人数"),
    "engine_amount": gettext_lazy("按救助规则测算的月救助金"),
    "event": gettext_lazy("事件"),
    "expected": gettext_lazy("应发金额"),
    "expected_release": gettext_lazy("预计释放日期"),
    "gap": gettext_lazy("差额"),
    "grade": gettext_lazy("残疾等级"),
    "group": gettext_lazy("人员类别"),
    "institution": gettext_lazy("机构"),
    "issued_on": gettext_lazy("发证日期"),
    "kind": gettext_lazy("类别"),
    "latest": gettext_lazy("停缴所属期"),
    "lead_months": gettext_lazy("提前月数"),
    "meaning": gettext_lazy("需复核事项"),
    "milestone": gettext_lazy("年龄节点"),
    "monitored": gettext_lazy("低收入人口"),
    "near_dibao_status": gettext_lazy("符合低保边缘条件"),
    "out_of_pocket": gettext_lazy("个人负担"),
    "paid": gettext_lazy("实发金额"),
    "paid_period": gettext_lazy("最后缴费所属期"),
    "parent_event": gettext_lazy("父母情况"),
    "parent_id": gettext_lazy("父母身份证号"),
    "parents_all_unable": gettext_lazy("父母均无法履行抚养义务"),
    "parents_in_household": gettext_lazy("家中父母人数"),
    "pattern": gettext_lazy("情形"),
    "person_category": gettext_lazy("人员类别"),
    "previous": gettext_lazy("缴费所属期"),
    "program": gettext_lazy("救助项目"),
    "reason": gettext_lazy("纳入原因"),
    "reference": gettext_lazy("登记编号"),
    "register": gettext_lazy("救助类别"),
    "register_category": gettext_lazy("低收入人口类别"),
    "registered_name": gettext_lazy("登记姓名"),
    "registered_on": gettext_lazy("登记日期"),
    "registry_category": gettext_lazy("登记库残疾类别"),
    "registry_grade": gettext_lazy("登记库残疾等级"),
    "registry_serious_illness": gettext_lazy("登记库重特大疾病"),
    "registry_special_outpatient": gettext_lazy("登记库门诊特殊病"),
    "relation": gettext_lazy("关系"),
    "resident_id": gettext_lazy("公民身份号码"),
    "review_due": gettext_lazy("核查期限"),
    "rigid_valid_until": gettext_lazy("认定有效期至"),
    "scheme": gettext_lazy("险种"),
    "settled_on": gettext_lazy("结算日期"),
    "situation": gettext_lazy("情形"),
    "standard": gettext_lazy("标准"),
    "started_on": gettext_lazy("开始日期"),
    "status": gettext_lazy("状态"),
    "tekun_eligible": gettext_lazy("符合特困条件"),
    "threshold": gettext_lazy("阈值"),
    "total_cost": gettext_lazy("医疗费用总额"),
    "turns": gettext_lazy("年满周岁"),
    "unpaid_period": gettext_lazy("未缴费所属期"),
    "visit": gettext_lazy("就诊类型"),
    "visit_type": gettext_lazy("就诊类型"),
}
"""Labels of the evidence's record and value keys (the batch conditions' field names)."""
MONEY_FIELDS = frozenset(
    {"allowance", "assistance_paid", "contribution", "engine_amount", "gap", "out_of_pocket",
     "paid", "threshold", "total_cost"}
)  # fmt: skip
"""Record fields in integer fen (the evidence keeps the source's fen)."""
YUAN_VALUES = frozenset(
    {"amount", "contribution", "expected", "gap", "paid", "standard", "threshold"}
)
"""Values compared that are yuan already (the explanation's numbers)."""
GRADE_FIELDS = frozenset({"grade", "disability_grade", "registry_grade"})
AGE_FIELDS = frozenset({"age", "turns", "elderly_age"})
DISABILITY_FIELDS = frozenset({"category", "disability_category", "registry_category"})
ILLNESS_FIELDS = frozenset({"diagnosis", "registry_serious_illness"})
REGISTER_FIELDS = frozenset({"register_category", "person_category"})

KINDS = {
    # Custody (the custody feed's kinds) and assets (vehicle, property, business).
    "detention": gettext_lazy("被刑事拘留"),
    "arrest": gettext_lazy("被逮捕羁押"),
    "prison": gettext_lazy("服刑"),
    "compulsory_drug_rehabilitation": gettext_lazy("强制隔离戒毒"),
    # A parent's change (CHILD_WELFARE_PARENT_CHANGE).
    "died": gettext_lazy("死亡"),
    "custody": gettext_lazy("被羁押、服刑或强制隔离戒毒"),
    "released": gettext_lazy("刑满释放或解除羁押、戒毒"),
    "vehicle": gettext_lazy("机动车"),
    "property": gettext_lazy("不动产"),
    "business": gettext_lazy("市场主体"),
}
CODE_LABELS: dict[str, Mapping[str, object]] = {
    "kind": KINDS,
    "event": KINDS,
    "visit_type": {
        "inpatient": gettext_lazy("住院"),
        "outpatient": gettext_lazy("门诊"),
        "special_outpatient": gettext_lazy("门诊特殊病"),
    },
    "scheme": {
        "employee_pension_insurance": gettext_lazy("城镇职工基本养老保险"),
        "residents_pension_insurance": gettext_lazy("城乡居民基本养老保险"),
        "unemployment_insurance": gettext_lazy("失业保险"),
        "employee_medical_insurance": gettext_lazy("职工基本医疗保险"),
    },
    "child_group": {"child": gettext_lazy("子女"), "grandchild": gettext_lazy("孙子女")},
    "milestone": {
        "work_age": gettext_lazy("进入劳动年龄"),
        "adult_age": gettext_lazy("成年"),
        "elderly_age": gettext_lazy("进入老年"),
    },
    "status": {
        "registered": gettext_lazy("登记失业"),
        "employed": gettext_lazy("已就业"),
        "cancelled": gettext_lazy("注销登记"),
    },
    "program": PROGRAM_LABELS,
}
"""Labels of the record's code values, by field."""
SHOWN_ELSEWHERE = frozenset({"signal", "label", "label_en", "month"})
"""Evidence keys the alert page shows in its header already."""


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _masked(value: object) -> object:
    """ID numbers in evidence shown masked (DESIGN.md §9)."""
    if isinstance(value, str):
        return _ID.sub(lambda m: mask_id(m.group(0).upper()), value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def _yuan(fen: int) -> str:
    return _("%(yuan)s 元") % {"yuan": f"{fen / 100:,.2f}"}


def _field(key: str) -> str:
    return str(FIELD_LABELS.get(key, _("其他")))


def _code(key: str, value: str) -> str:
    if key in DISABILITY_FIELDS:
        return label_of("disability_category", value)
    if key in ILLNESS_FIELDS:
        return label_of("serious_illness", value)
    if key in REGISTER_FIELDS:
        return str(dict(RegisterCategory.choices).get(value, value))
    return str(CODE_LABELS.get(key, {}).get(value, value))


def _number(key: str, value: object) -> str | None:
    """A number with its unit in words (a grade, an age), or None if it has none."""
    if key in GRADE_FIELDS:
        return _("%(grade)s级") % {"grade": value}
    if key in AGE_FIELDS:
        return _("%(years)s 周岁") % {"years": value}
    if key == "lead_months":
        return _("%(months)s 个月") % {"months": value}
    return None


def record_value(key: str, value: object) -> object:
    """A source record's value for display: codes by their label, fen as yuan, booleans as yes
    or no, grades and ages with their unit, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int) and key in MONEY_FIELDS:
        return _yuan(value)
    if isinstance(value, int | str) and (shown := _number(key, value)) is not None:
        return shown
    if isinstance(value, str):
        return _code(key, value)
    return value


def _value(key: str, value: str) -> str:
    if _NUMBER.fullmatch(value.replace(",", "")):
        if key in YUAN_VALUES:
            return _("%(yuan)s 元") % {"yuan": f"{float(value.replace(',', '')):,.2f}"}
        shown = _number(key, value)
        if shown is not None:
            return shown
    return value


def value_pairs(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """The values compared, in the UI language: ``key_en`` replaces ``key`` in English and is
    left out in Chinese; yuan, grades and ages with their unit."""
    english = _english()
    pairs = []
    for key, value in values.items():
        if key.endswith("_en"):
            continue
        shown = values.get(f"{key}_en") if english and values.get(f"{key}_en") else value
        if shown not in ("", None):
            pairs.append((_field(key), _value(key, str(shown))))
    return pairs


def _source(code: object) -> str:
    """A department source's name for its code (the catalogue's sources)."""
    label = SOURCE_LABELS.get(str(code))
    if label is not None:
        return str(label)
    spec = SPECS.get(str(code))
    return spec.label if spec is not None else _("其他")


def _catalogued(alert: Alert) -> dict[str, Threshold]:
    """The signal's thresholds for the alert's month as the catalogue words them now, by
    parameter name (none when the signal left the catalogue or the month precedes a value)."""
    signal = catalogue().get(alert.signal)
    if signal is None:
        return {}
    try:
        on = dt.date(int(alert.month[:4]), int(alert.month[5:7]), 1)
        return {t.name: t for t in signal.thresholds(on).values()}
    except (ValueError, ParameterNotDefinedError):
        return {}


def _unit_value(value: Scalar, unit: str) -> str:
    if value is None:
        return str(_("未知"))
    if unit == "fen" or unit.startswith("yuan"):
        try:
            per = ParameterUnit.from_key(unit)
            label = per.label_en if _english() else per.label
        except KeyError:  # "fen": the evidence keeps no more than that it is money
            label = _("元")
        return f"{int(value) / 100:,.2f} {label}"
    if unit == "years":
        return _("%(years)s 周岁") % {"years": value}
    if unit == "months":
        return _("%(months)s 个月") % {"months": value}
    return str(value)


def threshold_rows(alert: Alert, items: list[object]) -> list[list[object]]:
    """One row per threshold: what it is (in the UI language), its value with its unit, its
    legal source and the confidence; the catalogue's wording where it holds the same value."""
    known = _catalogued(alert)
    english = _english()
    rows: list[list[object]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        found = known.get(str(item.get("parameter", "")))
        if found is not None and found.value == item.get("value"):
            description = found.label_en if english and found.label_en else found.description
            unit, reference, confidence = found.unit, found.reference, found.confidence
        else:
            description = item.get("description", "")
            unit = str(item.get("unit", ""))
            reference = item.get("reference", "")
            confidence = str(item.get("confidence", ""))
        rows.append(
            [
                description,
                _unit_value(item.get("value"), unit),
                reference,
                CONFIDENCE.get(confidence, "—"),
            ]
        )
    return rows


def _rule(alert: Alert, value: Mapping[str, object]) -> list[tuple[str, object]]:
    """The signal (its label in the UI language) and its legal basis as the catalogue words it
    (the stored one for a signal no longer in the catalogue)."""
    signal = catalogue().get(alert.signal)
    evidence = alert.evidence or {}
    label = signal_labels().get(alert.signal) or evidence.get("label_en" if _english() else "label")
    reference = signal.reference if signal is not None else value.get("reference", "")
    return [(_("预警信号"), label or "—"), (_("依据"), reference or "—")]


def _table(value: list[dict[str, object]]) -> dict[str, object]:
    fields = list(dict.fromkeys(k for v in value for k in v))
    return {
        "headers": [_field(k) for k in fields],
        "rows": [[record_value(k, v.get(k)) for k in fields] for v in value],
    }


def _section(alert: Alert, key: str, value: object) -> dict[str, object] | None:
    """One section's content for the evidence ``key`` (None: nothing to show)."""
    if key == "sources" and isinstance(value, list):
        return {"text": _("、").join(_source(s) for s in value)}
    if key == "thresholds" and isinstance(value, list):
        # A signal without thresholds (a registration, a death) has none to show.
        return (
            {"headers": list(THRESHOLD_COLUMNS), "rows": threshold_rows(alert, value)}
            if value
            else None
        )
    if key == "rule" and isinstance(value, dict):
        return {"pairs": _rule(alert, value)}
    if key == "values" and isinstance(value, dict):
        return {"pairs": value_pairs(value)}
    if isinstance(value, dict):
        return {"pairs": [(_field(k), record_value(k, v)) for k, v in value.items()]}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _table(value)
    if isinstance(value, list):
        return {"text": _("、").join(str(record_value("", v)) for v in value)}
    return {"text": str(record_value("", value))}


def evidence_sections(alert: Alert) -> list[dict[str, object]]:
    """The alert's evidence as sections to render (``title`` and one of ``headers``/``rows``,
    ``pairs`` or ``text``): the source record, the values compared, the thresholds with their
    legal source and confidence, the signal and its legal basis, the data sources — labelled in
    the UI language, ID numbers masked."""
    evidence = alert.evidence or {}
    sections: list[dict[str, object]] = []
    for key, raw in evidence.items():
        if key in SHOWN_ELSEWHERE:
            continue
        section = _section(alert, key, _masked(raw))
        if section is not None:
            title = EVIDENCE_TITLES.get(key, _("其他"))
            sections.append({"title": title, "key": key, **section})
    return sections
