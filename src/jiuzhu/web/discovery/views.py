"""Discovery pages: the alert inbox, an alert with its evidence and the steps the user may take
(assign, home visit, outcome), the low-income population register, discovery runs and the
statistics. Views validate forms and call actions (the one write path); every read is filtered
to the user's jurisdiction (another township's alert answers 404)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.feeds.base import SPECS
from jiuzhu.feeds.sources import SOURCES  # noqa: F401 — registers every source's spec
from jiuzhu.reference import division
from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases import clock
from jiuzhu.web.discovery import actions
from jiuzhu.web.discovery.catalogue import signal_labels
from jiuzhu.web.discovery.forms import (
    OPEN,
    AlertFilterForm,
    AssignForm,
    OutcomeForm,
    RegisterFilterForm,
    RunForm,
    VisitForm,
)
from jiuzhu.web.discovery.models import (
    OPEN_STATUSES,
    Alert,
    AlertCategory,
    Outcome,
)
from jiuzhu.web.discovery.queries import (
    alert_for,
    alerts_for,
    overdue,
    register_for,
    run_for,
    runs_for,
    statistics_by,
)
from jiuzhu.web.entitlements.models import ReviewTask, TaskKind
from jiuzhu.web.registry.queries import mask_id
from jiuzhu.web.workcalendar.working_days import CalendarMissingError, load_calendar

PAGE_SIZE = 50
# Not \b: Python counts Chinese characters as word characters, so an ID written right after one
# (身份证号120224…) would have no word boundary and stay unmasked.
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
EVIDENCE_TITLES = {
    "record": gettext_lazy("来源记录"),
    "records": gettext_lazy("来源记录"),
    "values": gettext_lazy("比较的数值"),
    "thresholds": gettext_lazy("阈值（依据与置信度）"),
    "rule": gettext_lazy("规则"),
    "sources": gettext_lazy("数据来源"),
    "text": gettext_lazy("说明"),
}
THRESHOLD_COLUMNS = {
    "parameter": gettext_lazy("参数"),
    "description": gettext_lazy("说明"),
    "value": gettext_lazy("取值"),
    "reference": gettext_lazy("依据"),
    "confidence": gettext_lazy("置信度"),
}
CONFIDENCE = {
    "high": gettext_lazy("高"),
    "medium": gettext_lazy("中"),
    "low": gettext_lazy("低"),
    "unknown": gettext_lazy("未知"),
    "not_applicable": gettext_lazy("不适用"),
}
FIELD_LABELS = {
    "age": gettext_lazy("年龄"),
    "allowance": gettext_lazy("补贴标准"),
    "amount": gettext_lazy("金额"),
    "asset": gettext_lazy("财产类别"),
    "authority": gettext_lazy("执行机关"),
    "before": gettext_lazy("登记库原记录"),
    "category": gettext_lazy("残疾类别"),
    "certificate": gettext_lazy("残疾人证号"),
    "child_group": gettext_lazy("儿童关系"),
    "contribution": gettext_lazy("个人缴费"),
    "custody": gettext_lazy("羁押类别"),
    "date": gettext_lazy("日期"),
    "detail": gettext_lazy("详情"),
    "diagnosis": gettext_lazy("病种"),
    "dibao_eligible": gettext_lazy("符合低保条件"),
    "disability": gettext_lazy("残疾类别"),
    "disability_category": gettext_lazy("残疾类别"),
    "disability_grade": gettext_lazy("残疾等级"),
    "disabled": gettext_lazy("残疾人数"),
    "disabled_before": gettext_lazy("上月残疾人数"),
    "elderly": gettext_lazy("老年人数"),
    "elderly_age": gettext_lazy("老年人年龄"),
    "elderly_not_disabled_before": gettext_lazy("上月非残疾老年人数"),
    "engine_amount": gettext_lazy("规则引擎测算金额"),
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
    "registered_on": gettext_lazy("登记日期"),
    "registry_category": gettext_lazy("登记库残疾类别"),
    "registry_grade": gettext_lazy("登记库残疾等级"),
    "registry_serious_illness": gettext_lazy("登记库重特大疾病"),
    "registry_special_outpatient": gettext_lazy("登记库门诊特殊病"),
    "relation": gettext_lazy("关系"),
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
    "unpaid_period": gettext_lazy("未缴费所属期"),
    "visit": gettext_lazy("就诊类型"),
    "visit_type": gettext_lazy("就诊类型"),
}
"""Labels of the evidence's record and value keys (the batch pipeline's field names)."""
MONEY_FIELDS = frozenset(
    {"allowance", "contribution", "engine_amount", "gap", "out_of_pocket", "paid", "threshold",
     "total_cost"}
)  # fmt: skip
"""Record fields in fen (``ALERT_SCHEMA`` evidence keeps the source's integer fen)."""
SHOWN_ELSEWHERE = frozenset({"signal", "label", "label_en", "month"})
"""Evidence keys the alert page shows in its header already."""


def _view(request: HttpRequest, obj: Any = None) -> None:
    if not request.user.has_perm("discovery.view", obj):
        raise PermissionDenied


def _explanation(alert: Alert) -> str:
    english = (get_language() or "").startswith("en")
    return (
        alert.explanation_en if english and alert.explanation_en else alert.explanation_zh
    ) or ""


def _masked(value: Any) -> Any:
    """ID numbers in evidence shown masked (DESIGN.md §9)."""
    if isinstance(value, str):
        return _ID.sub(lambda m: mask_id(m.group(0).upper()), value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def _threshold_value(item: dict[str, Any]) -> str:
    value = item.get("value")
    if value is None:
        return str(_("未知"))
    if item.get("unit") == "fen" and isinstance(value, int):
        return _("%(yuan)s 元") % {"yuan": f"{value / 100:,.2f}"}
    return f"{value} {item.get('unit', '')}".strip()


def _source(code: Any) -> str:
    """A department source's name (the feed's label, e.g. 残疾人证信息) for its code."""
    spec = SPECS.get(str(code))
    return spec.label if spec is not None else str(code)


def _field(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def _record_value(key: str, value: Any) -> Any:
    """A record's value for display: fen as yuan, booleans as yes or no."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key in MONEY_FIELDS and isinstance(value, int):
        return _("%(yuan)s 元") % {"yuan": f"{value / 100:,.2f}"}
    return "—" if value is None else value


def _value_pairs(values: dict[str, Any], english: bool) -> list[tuple[str, Any]]:
    """The values compared, in the UI language: ``key_en`` replaces ``key`` in English and is
    left out in Chinese."""
    pairs = []
    for key, value in values.items():
        if key.endswith("_en"):
            continue
        shown = values.get(f"{key}_en") if english and values.get(f"{key}_en") else value
        if shown not in ("", None):
            pairs.append((_field(key), shown))
    return pairs


def evidence_sections(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence (``ALERT_SCHEMA`` ``evidence``: the source record, the values compared, the
    thresholds with their reference and confidence, the rule) as sections to render: a table
    for a list of records, pairs for an object, text otherwise; ID numbers masked, the rule's
    text in the UI language."""
    english = (get_language() or "").startswith("en")
    sections: list[dict[str, Any]] = []
    for key, raw in (evidence or {}).items():
        if key in SHOWN_ELSEWHERE:
            continue
        value = _masked(raw)
        title = EVIDENCE_TITLES.get(key, key)
        if key == "thresholds" and not value:
            continue  # a signal without thresholds (a registration, a death) has none to show
        if key == "sources" and isinstance(value, list):
            sections.append({"title": title, "text": "、".join(_source(v) for v in value)})
        elif key == "thresholds" and isinstance(value, list):
            headers = list(THRESHOLD_COLUMNS.values())
            rows = [
                [
                    item.get("parameter", item.get("name", "")),
                    item.get("description", ""),
                    _threshold_value(item) if "unit" in item else item.get("value", ""),
                    item.get("reference", ""),
                    CONFIDENCE.get(str(item.get("confidence")), item.get("confidence", "")),
                ]
                for item in value
                if isinstance(item, dict)
            ]
            sections.append({"title": title, "headers": headers, "rows": rows, "key": key})
        elif key == "rule" and isinstance(value, dict):
            # The rule's text is the explanation's template, shown filled in at the top of the
            # page; here the signal and its legal basis.
            label = evidence.get("label_en") if english else evidence.get("label")
            sections.append(
                {
                    "title": title,
                    "pairs": [
                        (_("预警信号"), label or evidence.get("signal", "")),
                        (_("依据"), value.get("reference", "")),
                    ],
                    "key": key,
                }
            )
        elif key == "values" and isinstance(value, dict):
            sections.append({"title": title, "pairs": _value_pairs(value, english), "key": key})
        elif key == "record" and isinstance(value, dict):
            pairs = [(_field(k), _record_value(k, v)) for k, v in value.items()]
            sections.append({"title": title, "pairs": pairs, "key": key})
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            fields = list(dict.fromkeys(k for v in value for k in v))
            labels = [_field(k) for k in fields]
            rows = [[_record_value(k, v.get(k)) for k in fields] for v in value]
            sections.append({"title": title, "headers": labels, "rows": rows, "key": key})
        elif isinstance(value, dict):
            sections.append({"title": title, "pairs": list(value.items()), "key": key})
        elif isinstance(value, list):
            sections.append({"title": title, "text": "、".join(str(v) for v in value), "key": key})
        else:
            sections.append({"title": title, "text": str(value), "key": key})
    return sections


# --- inbox and alert -------------------------------------------------------------------------


def inbox_view(request: HttpRequest) -> HttpResponse:
    """The alerts of the user's jurisdiction (and those assigned to the user), filtered by
    status, category, signal, overdue; the most urgent first (a fixed number of queries)."""
    _view(request)
    today = clock.today()
    mine = alerts_for(request.user)
    labels = signal_labels()
    codes = sorted(set(mine.values_list("signal", flat=True).distinct()))
    form = AlertFilterForm(
        request.GET or None, signals=[(code, labels.get(code, code)) for code in codes]
    )
    found = mine
    status = OPEN
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"] if "status" in request.GET else OPEN
        if data["category"]:
            found = found.filter(category=data["category"])
        if data["signal"]:
            found = found.filter(signal=data["signal"])
        if data["overdue"]:
            found = overdue(found, today)
        if data["mine"]:
            found = found.filter(assigned_to=request.user.pk)
    if status == OPEN:
        found = found.filter(status__in=OPEN_STATUSES)
    elif status:
        found = found.filter(status=status)
    found = found.select_related("household", "person", "assigned_to").order_by(
        "closed_on", "due_on", "-severity", "pk"
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page:
        alert.overdue = alert.is_open and alert.due_on < today  # type: ignore[attr-defined]
        alert.label = labels.get(alert.signal, alert.signal)  # type: ignore[attr-defined]
        alert.text = _explanation(alert)  # type: ignore[attr-defined]
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
    return render(
        request,
        "discovery/inbox.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "today": today,
            "open_count": mine.filter(status__in=OPEN_STATUSES).count(),
            "overdue_count": overdue(mine, today).count(),
            "may_run": request.user.has_perm("discovery.run"),
        },
    )


def _staff_for(alert: Alert) -> list[tuple[int, str]]:
    users = User.objects.filter(
        role__in=actions.HANDLERS, is_active=True, division_code__startswith=alert.division_code
    ).order_by("division_code", "username")
    return [(u.pk, f"{u}（{u.get_role_display()}）") for u in users]


def alert_view(request: HttpRequest, pk: int) -> HttpResponse:
    alert = alert_for(request.user, pk)
    _view(request, alert)
    return render(request, "discovery/alert.html", _alert_context(request, alert))


def _alert_context(request: HttpRequest, alert: Alert, **forms: Any) -> dict[str, Any]:
    today = clock.today()
    may_handle = alert.is_open and request.user.has_perm("discovery.handle", alert)
    may_assign = alert.is_open and request.user.has_perm("discovery.assign", alert)
    has_visit = alert.visits.exists()
    tasks = list(
        ReviewTask.objects.filter(kind=TaskKind.DISCOVERY_CHECK, key=f"alert:{alert.pk}")
        .select_related("entitlement")
        .order_by("pk")
    )
    # The application taken because of the alert, else the household's since the alert.
    applications = (
        [alert.application]
        if alert.application is not None
        else list(alert.household.applications.filter(created_at__date__gte=alert.raised_on))
        if alert.household is not None
        else []
    )
    return {
        "alert": alert,
        "label": signal_labels().get(alert.signal, alert.signal),
        "explanation": _explanation(alert),
        "evidence": evidence_sections(alert.evidence),
        "visits": list(alert.visits.select_related("recorded_by")),
        "tasks": tasks,
        "applications": applications,
        "overdue": alert.is_open and alert.due_on < today,
        "today": today,
        "township": _township_name(alert.township_code),
        "may_handle": may_handle,
        "may_assign": may_assign,
        "has_visit": has_visit,
        "assign_form": forms.get("assign_form")
        or (AssignForm(staff=_staff_for(alert)) if may_assign else None),
        "visit_form": forms.get("visit_form")
        or VisitForm(
            initial={"visited_on": today, "staff_1": getattr(request.user, "full_name", "")}
        ),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
    }


def _township_name(code: str) -> str:
    found = division(code) if code else None
    return found.name if found else code


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_POST
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of an alert: ``assign``, ``visit`` or ``conclude``. A refused step re-renders
    the page with the errors (status 400) and writes nothing."""
    alert = alert_for(request.user, pk)
    _view(request, alert)
    if step == "assign":
        if not request.user.has_perm("discovery.assign", alert):
            raise PermissionDenied
        form: Any = AssignForm(request.POST, staff=_staff_for(alert))
        if form.is_valid():
            assignee = User.objects.filter(pk=form.cleaned_data["assignee"]).first()
            try:
                if assignee is None:
                    raise ValidationError({"assignee": _("该人员不能处理预警")})
                actions.assign(request.user, alert, assignee)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("已分派给 %(name)s") % {"name": assignee})
                return redirect("discovery:alert", pk=alert.pk)
        context = _alert_context(request, alert, assign_form=form)
    elif step == "visit":
        if not request.user.has_perm("discovery.handle", alert):
            raise PermissionDenied
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                actions.record_visit(
                    request.user,
                    alert,
                    visited_on=form.cleaned_data["visited_on"],
                    staff=form.staff(),
                    findings=form.cleaned_data["findings"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("已记录入户核实情况"))
                return redirect("discovery:alert", pk=alert.pk)
        context = _alert_context(request, alert, visit_form=form)
    elif step == "conclude":
        if not request.user.has_perm("discovery.handle", alert):
            raise PermissionDenied
        form = OutcomeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                alert = actions.conclude(
                    request.user,
                    alert,
                    outcome=data["outcome"],
                    note=data["note"],
                    program=data["program"],
                    referred_to=data["referred_to"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                return _after_conclusion(request, alert)
        context = _alert_context(request, alert, outcome_form=form)
    else:
        raise PermissionDenied
    return render(request, "discovery/alert.html", context, status=400)


def _after_conclusion(request: HttpRequest, alert: Alert) -> HttpResponse:
    """After an inclusion, the new-application page prefilled with the household, the program
    and the applicant (when the user takes applications); otherwise back to the alert."""
    messages.success(
        request, _("预警已办结：%(outcome)s") % {"outcome": alert.get_outcome_display()}
    )
    if alert.outcome == Outcome.INCLUDED and alert.household is not None:
        if request.user.has_perm("cases.apply", alert.household):
            prefill = actions.prefill_for(alert)
            query = {"program": prefill.program, "alert": str(alert.pk)}
            if prefill.applicant:
                query["applicant"] = str(prefill.applicant)
            url = reverse("cases:new_application", args=[prefill.household_pk])
            return redirect(f"{url}?{urlencode(query)}")
        messages.info(request, _("请由村（居）协理员或乡镇经办人受理该家庭的救助申请"))
    return redirect("discovery:alert", pk=alert.pk)


# --- register --------------------------------------------------------------------------------


def register_view(request: HttpRequest) -> HttpResponse:
    """The low-income population register of the jurisdiction, filtered by category,
    township, in or out of the register, household number or name."""
    _view(request)
    today = clock.today()
    division_code = str(getattr(request.user, "division_code", ""))
    codes = (
        sorted(register_for(request.user, today).values_list("township_code", flat=True).distinct())
        if len(division_code) < 9
        else [division_code[:9]]
    )
    form = RegisterFilterForm(
        request.GET or None, townships=[(c, _township_name(c)) for c in codes]
    )
    current = True
    filters = Q()
    if form.is_valid():
        data = form.cleaned_data
        current = data["current"] != "0"
        if data["category"]:
            filters &= Q(category=data["category"])
        if data["township"]:
            filters &= Q(township_code=data["township"])
        if data["q"]:
            filters &= Q(household__number=data["q"].strip()) | Q(
                person__name__startswith=data["q"].strip()
            )
    found = (
        register_for(request.user, today, current=current)
        .filter(filters)
        .select_related("person", "household")
        .order_by("household__number", "person_id", "category")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
    return render(
        request,
        "discovery/register.html",
        {"form": form, "page": page, "query": query, "current": current},
    )


# --- runs ------------------------------------------------------------------------------------


def run_list_view(request: HttpRequest) -> HttpResponse:
    _view(request)
    may_run = request.user.has_perm("discovery.run")
    form = RunForm(initial={"month": f"{clock.today():%Y-%m}"})
    return render(
        request,
        "discovery/runs.html",
        {
            "runs": runs_for(request.user).select_related("created_by")[:50],
            "form": form,
            "may_run": may_run,
        },
    )


@require_POST
def start_run_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("discovery.run"):
        raise PermissionDenied
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for e in form.errors.get("month", [])))
        return redirect("discovery:runs")
    run = actions.start_discovery(request.user, form.cleaned_data["month"])
    messages.success(request, _("主动发现任务已提交，正在后台运行"))
    return redirect("discovery:run", pk=run.pk)


def run_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    _view(request)
    return render(request, "discovery/run.html", {"run": run, "job": run.job})


# --- statistics ------------------------------------------------------------------------------


def statistics_view(request: HttpRequest) -> HttpResponse:
    """Alerts by category, township and signal: raised, open, overdue, outcomes, and the median
    closing time in working days."""
    _view(request)
    today = clock.today()
    month = request.GET.get("month", "")
    found = alerts_for(request.user)
    if re.fullmatch(r"\d{4}-\d{2}", month):
        found = found.filter(month=month)
    rows = list(
        found.values_list(
            "category",
            "township_code",
            "signal",
            "status",
            "outcome",
            "raised_on",
            "due_on",
            "closed_on",
        )
    )
    years = {d.year for row in rows for d in (row[5], row[7]) if d is not None}
    townships = {row[1] for row in rows}
    labels = {
        "category": {k: str(v) for k, v in AlertCategory.choices},
        "township": {code: _township_name(code) for code in townships},
        "signal": signal_labels(),
    }
    error = ""
    try:
        tables = statistics_by(rows, load_calendar(years), today, labels)
    except CalendarMissingError as exc:
        # A year missing from the holiday table: counts without closing times, and the error.
        error = str(exc)
        rows = [(*row[:7], None) for row in rows]
        tables = statistics_by(rows, load_calendar([]), today, labels)
    return render(
        request,
        "discovery/statistics.html",
        {
            "tables": [
                (_("按类别"), tables["category"]),
                (_("按乡镇（街道）"), tables["township"]),
                (_("按预警信号"), tables["signal"]),
            ],
            "total": tables["all"][0] if tables["all"] else None,
            "month": month,
            "error": error,
        },
    )
