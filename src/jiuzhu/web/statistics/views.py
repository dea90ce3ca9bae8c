"""统计报表: the monthly tables a civil-affairs bureau reports (docs/statistics.md), each by
month over a period (default the last 12 months) and by township for the period's last month,
with a chart each and an xlsx export.

Every view needs ``statistics.view``; the figures cover the user's jurisdiction (a township
user's their township, district users and auditors the district). The page shows the counts
as they are (its readers may open every record behind them); the charts, whose image leaves
the platform, and the workbook (``statistics.export``, audited) are suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.reference import baodi_divisions, division
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.charts import Chart
from jiuzhu.web.core.months import add_months, month_of
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.statistics import exports
from jiuzhu.web.statistics.figures import figures
from jiuzhu.web.statistics.forms import DEFAULT_MONTHS, MAX_MONTHS, PeriodForm, months_between
from jiuzhu.web.statistics.tables import SPEC_BY_KEY, SPECS, Spec, Table, build, link


@dataclass
class Section:
    """One table of the page: by month and by township, their charts."""

    spec: Spec
    by_month: Table
    by_township: Table
    trend: Chart
    townships: Chart


def _user(request: HttpRequest, permission: str = "statistics.view") -> Staff:
    user = staff(request)
    if not user.has_perm(permission):
        raise PermissionDenied
    return user


def _period(request: HttpRequest) -> tuple[PeriodForm, list[str] | None]:
    """The form and its months: the chosen period (a blank end is the current month, a blank
    start the ``DEFAULT_MONTHS`` months to the end), the last ``DEFAULT_MONTHS`` months when
    nothing is chosen, or None when the choice is invalid: the form says why, and nothing is
    counted for a period the user did not choose."""
    current = month_of(clock.today())
    default = add_months(current, 1 - DEFAULT_MONTHS)
    # The default period shows in the fields, not only as a placeholder.
    form = PeriodForm(request.GET or None, initial={"start": default, "end": current})
    if not form.is_bound:
        return form, months_between(default, current)
    if not form.is_valid():
        return form, None
    end = form.cleaned_data["end"] or current
    start = form.cleaned_data["start"] or add_months(end, 1 - DEFAULT_MONTHS)
    # The form checks a period given whole; one end left blank is checked here.
    if start > end:
        form.add_error("start", _("起始月份不能晚于截止月份（%(end)s）") % {"end": end})
        return form, None
    if add_months(start, MAX_MONTHS - 1) < end:
        form.add_error("start", _("统计期最长 %(n)s 个月") % {"n": MAX_MONTHS})
        return form, None
    return form, months_between(start, end)


def scope_name(scope: str) -> str:
    """The jurisdiction's name (宝坻区, or the township's)."""
    if scope == DISTRICT_CODE:
        return _("宝坻区")
    found = division(scope)
    return found.name if found else scope


def _townships(scope: str, frame: pl.DataFrame) -> list[tuple[str, str]]:
    """(code, name) of the townships in ``scope``: the reference list's and any the figures
    name besides (a household of a code the list lacks is still counted)."""
    codes = {c for c, d in baodi_divisions().items() if d.level == "township"}
    codes = {c for c in codes if c.startswith(scope) or scope.startswith(c)}
    codes |= set(frame["township"].unique().to_list())
    return [(code, scope_name(code)) for code in sorted(codes)]


def sections(user: Staff, months: list[str]) -> list[Section]:
    """Every table of ``SPECS`` for ``user``'s jurisdiction over ``months``."""
    scope = user.division_code
    frame = figures(scope, months)
    townships = _townships(scope, frame)
    last = frame.filter(pl.col("month") == months[-1])
    # A saved image names the jurisdiction and the period: the page's headings do not go with it.
    where = {"scope": scope_name(scope), "start": months[0], "end": months[-1]}
    found = []
    for spec in SPECS:
        by_month = build(frame, spec, months, months, "month")
        by_township = build(
            last, spec, [c for c, _n in townships], [n for _c, n in townships], "township"
        )
        link(by_month, by_township)
        trend = _("%(t)s：逐月") % {"t": spec.title}
        per_township = _("%(t)s：按乡镇（街道），%(m)s") % {"t": spec.title, "m": months[-1]}
        found.append(
            Section(
                spec,
                by_month,
                by_township,
                by_month.chart(
                    f"{spec.key}-trend",
                    trend,
                    "line",
                    _("月份"),
                    _("%(scope)s%(t)s，%(start)s 至 %(end)s") % {"t": trend, **where},
                ),
                by_township.chart(
                    f"{spec.key}-townships",
                    per_township,
                    "bar",
                    _("乡镇（街道）"),
                    _("%(scope)s%(t)s") % {"t": per_township, **where},
                ),
            )
        )
    return found


def report_view(request: HttpRequest) -> HttpResponse:
    """The report: every table of the period, by month and by township; no table for an
    invalid period, only its errors."""
    user = _user(request)
    form, months = _period(request)
    return _page(request, user, form, months)


def _page(
    request: HttpRequest, user: Staff, form: PeriodForm, months: list[str] | None, status: int = 200
) -> HttpResponse:
    context: dict[str, object] = {"form": form, "scope": scope_name(user.division_code)}
    if months:
        context |= {
            "months": months,
            "sections": sections(user, months),
            "query": f"start={months[0]}&end={months[-1]}",
        }
    return render(request, "statistics/report.html", context, status=status)


def export_view(request: HttpRequest) -> HttpResponse:
    """One table (``?table=``) as an xlsx workbook, suppressed, audited; refused (400, the
    page with the period's errors) for an invalid period rather than exporting another."""
    user = _user(request, "statistics.export")
    spec = SPEC_BY_KEY.get(request.GET.get("table", ""))
    if spec is None:
        raise Http404
    form, months = _period(request)
    if months is None:
        return _page(request, user, form, None, status=400)
    section = next(s for s in sections(user, months) if s.spec is spec)
    record(
        user,
        "statistics.export",
        division_code=user.division_code,
        table=spec.key,
        first_month=months[0],
        month=months[-1],
    )
    heading = [
        f"{spec.title}（{scope_name(user.division_code)}）",
        _("统计期：%(start)s 至 %(end)s；按乡镇（街道）为 %(end)s")
        % {"start": months[0], "end": months[-1]},
        _("导出时间：%(at)s；导出人：%(who)s（%(role)s）")
        % {
            "at": f"{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}",
            "who": user.get_full_name() or user.get_username(),
            "role": user.get_role_display(),
        },
    ]
    content = exports.workbook(
        [(_("按月"), section.by_month), (_("按乡镇（街道）"), section.by_township)], heading
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    name = f"statistics-{spec.key}-{months[0]}-{months[-1]}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
