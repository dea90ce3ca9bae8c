"""The plan pages: the indicator dashboard, the register of care facilities (a facility, its
inspections, the forms to add and correct) and the counselling places. Views read forms and
call one action each; reading needs ``plan.view``, writing ``plan.manage``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.core import clock
from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import add_errors, post_only
from jiuzhu.web.plan import actions, queries
from jiuzhu.web.plan.forms import FacilityForm, InspectionForm, PointForm
from jiuzhu.web.plan.indicators import PLAN
from jiuzhu.web.plan.models import Facility


def _reader(request: HttpRequest) -> Staff:
    user = staff(request)
    if not user.has_perm("plan.view"):
        raise PermissionDenied
    return user


def _manager(request: HttpRequest) -> Staff:
    user = staff(request)
    if not user.has_perm("plan.manage"):
        raise PermissionDenied
    return user


def _townships(user: Staff) -> list[tuple[str, str]]:
    return [(code, name) for code, name in actions.townships().items() if user.covers(code)]


def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The plan's 2025 targets against today's values, over the user's jurisdiction."""
    user = _reader(request)
    today = clock.today()
    return render(
        request,
        "plan/dashboard.html",
        {
            "indicators": queries.dashboard(user, today),
            "today": today,
            "plan": PLAN,
            "demo": queries.has_demo_data(user),
        },
    )


def facilities_view(request: HttpRequest) -> HttpResponse:
    """The institutions and day-care centres of the user's jurisdiction."""
    user = _reader(request)
    names = actions.townships()
    facilities = list(queries.facilities_for(user))
    for facility in facilities:
        facility.township = names.get(facility.division_code, "")  # type: ignore[attr-defined]
    return render(
        request,
        "plan/facilities.html",
        {"facilities": facilities, "can_manage": user.has_perm("plan.manage")},
    )


def _facility_form(request: HttpRequest, user: Staff, facility: Facility | None) -> HttpResponse:
    initial = {f: getattr(facility, f) for f in actions.FACILITY_FIELDS} if facility else {}
    form = FacilityForm(request.POST or None, townships=_townships(user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_facility(user, facility, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已保存养老服务机构信息"))
            return redirect("plan:facility", pk=saved.pk)
    return render(
        request,
        "plan/facility_form.html",
        {"form": form, "facility": facility},
        status=400 if request.method == "POST" else 200,
    )


def facility_new_view(request: HttpRequest) -> HttpResponse:
    """Add an institution or a day-care centre."""
    return _facility_form(request, _manager(request), None)


def facility_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a facility (its beds, arrangement, status …)."""
    user = _manager(request)
    facility = get_within(queries.facilities_for(user), pk)
    if not user.has_perm("plan.manage", facility):
        raise PermissionDenied
    return _facility_form(request, user, facility)


def facility_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A facility: its facts, its arrangement today, its inspections and the form to add one."""
    user = _reader(request)
    facility = get_within(queries.facilities_for(user), pk)
    if not user.has_perm("plan.view", facility):
        raise PermissionDenied
    today = clock.today()
    row = queries.facility_row(facility)
    return render(
        request,
        "plan/facility.html",
        {
            "facility": facility,
            "township": actions.townships().get(facility.division_code, ""),
            "inspections": facility.inspections.all(),
            "covered": row.covered(today),
            "operating": row.operating(today),
            "can_manage": user.has_perm("plan.manage", facility),
            "form": InspectionForm(initial={"inspected_on": today}),
        },
    )


@post_only("plan:facility", pk="pk")
def inspect_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an inspection of a facility."""
    user = _manager(request)
    facility = get_within(queries.facilities_for(user), pk)
    if not user.has_perm("plan.manage", facility):
        raise PermissionDenied
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            actions.record_inspection(user, facility, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记检查记录"))
            return redirect("plan:facility", pk=facility.pk)
    return render(
        request,
        "plan/inspection_form.html",
        {"form": form, "facility": facility},
        status=400,
    )


def counselling_view(request: HttpRequest) -> HttpResponse:
    """The counselling places of the user's jurisdiction, and the form to add one."""
    user = _reader(request)
    can_manage = user.has_perm("plan.manage")
    form = PointForm(
        request.POST or None, townships=_townships(user), district=user.covers(DISTRICT_CODE)
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.save_point(user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_errors(form, _as_validation(exc))
            else:
                messages.success(request, _("已登记婚姻家庭辅导服务场所"))
                return redirect("plan:counselling")
    names = {DISTRICT_CODE: _("全区"), **actions.townships()}
    points = list(queries.points_for(user))
    for point in points:
        point.township = names.get(point.division_code, "")  # type: ignore[attr-defined]
    return render(
        request,
        "plan/counselling.html",
        {"points": points, "form": form, "can_manage": can_manage},
        status=400 if request.method == "POST" else 200,
    )


def counselling_point_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a counselling place (the day it stopped, its provider …)."""
    user = _reader(request)
    point = get_within(queries.points_for(user), pk)
    if not user.has_perm("plan.view", point):
        raise PermissionDenied
    can_manage = user.has_perm("plan.manage", point)
    initial = {f: getattr(point, f) for f in actions.POINT_FIELDS}
    form = PointForm(
        request.POST or None,
        townships=_townships(user),
        district=user.covers(DISTRICT_CODE),
        initial=initial,
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.save_point(user, point, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_errors(form, _as_validation(exc))
            else:
                messages.success(request, _("已保存婚姻家庭辅导服务场所"))
                return redirect("plan:counselling")
    return render(
        request,
        "plan/counselling_point.html",
        {"point": point, "form": form, "can_manage": can_manage},
        status=400 if request.method == "POST" else 200,
    )


def _as_validation(exc: Exception) -> ValidationError:
    """A refusal to place a record where the user may not (the registry, for a township
    caseworker) reads as a form error, not a 403 page: the user chose the wrong place."""
    if isinstance(exc, ValidationError):
        return exc
    return ValidationError({"venue": _("您只能登记本辖区乡镇（街道）的服务站点")})
