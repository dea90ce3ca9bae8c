"""Discovery pages: the alert inbox, the low-income population register, discovery runs and the
statistics (the alert page and its steps are ``alert_views``). Views validate forms and call
actions (the one write path); every read is filtered to the user's jurisdiction."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import list_export_audit
from jiuzhu.web.core import clock
from jiuzhu.web.core.charts import Chart, Series
from jiuzhu.web.core.exports import form_filters, whole_ids, xlsx_response
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import post_only
from jiuzhu.web.discovery import actions
from jiuzhu.web.discovery.alert_views import explanation, township_name
from jiuzhu.web.discovery.catalogue import signal_labels
from jiuzhu.web.discovery.exports import register_entry_rows, register_export
from jiuzhu.web.discovery.forms import (
    OPEN,
    AlertFilterForm,
    RegisterFilterForm,
    RunForm,
)
from jiuzhu.web.discovery.models import (
    OPEN_STATUSES,
    AlertCategory,
    RegisterCategory,
    RegisterEntry,
)
from jiuzhu.web.discovery.queries import (
    StatRow,
    alerts_for,
    missing_deadline,
    overdue,
    register_counts,
    register_for,
    register_people,
    register_rows,
    register_townships,
    run_for,
    runs_for,
    statistics_by,
    with_deadline,
)
from jiuzhu.web.verification.labels import SOURCE_TITLES
from jiuzhu.web.workcalendar.working_days import covered_years, load_calendar, missing_warning

PAGE_SIZE = 50


def _view(request: HttpRequest, obj: models.Model | None = None) -> None:
    if not request.user.has_perm("discovery.view", obj):
        raise PermissionDenied


# --- inbox ---------------------------------------------------------------------------------


def inbox_view(request: HttpRequest) -> HttpResponse:
    """The alerts of the user's jurisdiction (and those assigned to the user), filtered by
    status, category, signal, overdue; the most urgent first (a fixed number of queries)."""
    _view(request)
    today = clock.today()
    mine = alerts_for(staff(request))
    labels = signal_labels()
    codes = mine.order_by("signal").values_list("signal", flat=True).distinct()
    form = AlertFilterForm(
        request.GET or None, signals=[(code, labels[code]) for code in codes if code in labels]
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
    found = (
        with_deadline(found)
        .select_related("household", "person", "assigned_to")
        .order_by(
            F("closed_on").asc(nulls_first=True),
            F("stage_due_on").asc(nulls_last=True),
            "-severity",
            "pk",
        )
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    covered = covered_years()
    for alert in page:
        due = alert.deadline
        alert.overdue = due is not None and due < today  # type: ignore[attr-defined]
        alert.due_missing = missing_deadline(alert, covered)  # type: ignore[attr-defined]
        alert.label = labels.get(alert.signal) or _("已停用的预警信号")  # type: ignore[attr-defined]
        alert.text = explanation(alert)  # type: ignore[attr-defined]
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


# --- register --------------------------------------------------------------------------------


def _register_filters(form: RegisterFilterForm) -> tuple[bool, Q]:
    """In the register (else those who left it) and the entry filters of a valid form."""
    if not form.is_valid():
        return True, Q()
    data = form.cleaned_data
    filters = Q()
    if data["category"]:
        filters &= Q(category=data["category"])
    if data["township"]:
        filters &= Q(township_code=data["township"])
    if data["q"].strip():
        filters &= Q(household__number=data["q"].strip()) | Q(
            person__name__startswith=data["q"].strip()
        )
    return data["current"] != "0", filters


def _register(request: HttpRequest) -> tuple[RegisterFilterForm, bool, QuerySet[RegisterEntry]]:
    """The register's filter form (townships: those of the user's register), whether it shows
    people in the register (else those who left it), and the entries of the jurisdiction it
    keeps."""
    _view(request)
    today = clock.today()
    division_code = str(getattr(request.user, "division_code", ""))
    codes = (
        register_townships(staff(request), today) if len(division_code) < 9 else [division_code[:9]]
    )
    form = RegisterFilterForm(request.GET or None, townships=[(c, township_name(c)) for c in codes])
    current, filters = _register_filters(form)
    return form, current, register_for(staff(request), today, current=current).filter(filters)


def register_view(request: HttpRequest) -> HttpResponse:
    """The low-income population register of the jurisdiction, one row per person with the
    reasons they are in it, filtered by category, township, in or out of the register,
    household number or name; the counts count people (a person in it for two reasons is one
    person)."""
    form, current, entries = _register(request)
    page = Paginator(register_people(entries), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = register_rows(entries, [row["person_id"] for row in page])
    counts = register_counts(entries)
    categories = [
        (label, counts["by_category"][code])
        for code, label in RegisterCategory.choices
        if counts["by_category"].get(code)
    ]
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
    return render(
        request,
        "discovery/register.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": counts,
            "categories": categories,
            "query": query,
            "current": current,
        },
    )


def register_export_view(request: HttpRequest) -> HttpResponseBase:
    """The register's entries for the page's filters, every page of them, as xlsx
    (audited)."""
    form, _current, entries = _register(request)
    user = staff(request)
    export = register_export(form_filters(form), whole=whole_ids(request))
    return xlsx_response(
        request,
        export,
        register_entry_rows(export, entries),
        list_export_audit(user, "discovery.export_register", "discovery.registerentry", export),
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
            "runs": runs_for(staff(request)).select_related("created_by")[:50],
            "form": form,
            "may_run": may_run,
        },
    )


@post_only("discovery:runs")
def start_run_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("discovery.run"):
        raise PermissionDenied
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for e in form.errors.get("month", [])))
        return redirect("discovery:runs")
    run = actions.start_discovery(staff(request), form.cleaned_data["month"])
    messages.success(request, _("主动发现任务已提交，正在后台运行"))
    return redirect("discovery:run", pk=run.pk)


def run_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(staff(request), pk)
    _view(request)
    feeds = [
        (str(SOURCE_TITLES.get(source, source)), info) for source, info in (run.feeds or {}).items()
    ]
    return render(request, "discovery/run.html", {"run": run, "job": run.job, "feeds": feeds})


# --- statistics ------------------------------------------------------------------------------


def _alert_chart(key: str, title: str, rows: list[StatRow]) -> Chart:
    """Alerts raised, open and overdue per row of a statistics table (horizontal bars: two
    dozen townships or signals read down the page)."""
    return Chart(
        key=f"alerts-{key}",
        title=title,
        categories=[r.label for r in rows],
        series=[
            Series(_("未办结"), [r.open for r in rows]),
            Series(_("已办结"), [r.total - r.open for r in rows]),
        ],
        unit=_("条"),
        stacked=True,
        horizontal=True,
    )


def statistics_view(request: HttpRequest) -> HttpResponse:
    """Alerts by category, township and signal: raised, open, overdue, outcomes, and the median
    closing time in working days."""
    _view(request)
    today = clock.today()
    month = request.GET.get("month", "")
    found = alerts_for(staff(request))
    if re.fullmatch(r"\d{4}-\d{2}", month):
        found = found.filter(month=month)
    rows = list(
        with_deadline(found).values_list(
            "category",
            "township_code",
            "signal",
            "status",
            "outcome",
            "raised_on",
            "stage_due_on",
            "closed_on",
        )
    )
    years = {d.year for row in rows for d in (row[5], row[7]) if d is not None}
    townships = {row[1] for row in rows}
    labels = {
        "category": {k: str(v) for k, v in AlertCategory.choices},
        "township": {code: township_name(code) for code in townships},
        "signal": signal_labels(),
    }
    calendar = load_calendar(years)
    # A year missing from the holiday table: the alerts it concerns count without their
    # closing time, and the page says which year is missing.
    error = missing_warning(years - calendar.years) if years - calendar.years else ""
    tables = statistics_by(rows, calendar, today, labels)
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
            "charts": [
                _alert_chart("signal", _("预警：按预警信号"), tables["signal"]),
                _alert_chart("township", _("预警：按乡镇（街道）"), tables["township"]),
            ],
            "month": month,
            "error": error,
        },
    )
