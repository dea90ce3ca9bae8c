"""The local values page: what is in force, what waits for its check, and the form to enter a
value for a parameter the rules mark unknown or low on a date."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiuzhu.rules import load_system
from jiuzhu.web.core import clock
from jiuzhu.web.core.parameters import parameter_label, value_text
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.localvalues import actions
from jiuzhu.web.localvalues.forms import LocalValueForm, ReasonForm
from jiuzhu.web.localvalues.models import LocalValue, Status


def _weak_parameters() -> list[tuple[str, str]]:
    """The parameters with an unknown or low-confidence value on some date, named in the user's
    language."""
    system = load_system(actions.JURISDICTION)
    found = [
        (parameter.path, parameter_label(system, parameter.path))
        for parameter in system.parameters
        if any(v.has_unknown or v.confidence == "low" for v in parameter.values)
    ]
    return sorted(found, key=lambda item: item[1])


def local_values_view(request: HttpRequest) -> HttpResponse:
    """Every local value (in force, waiting, sent back) and, for a district officer, the form."""
    user = staff(request)
    if not user.has_perm("localvalues.view"):
        raise PermissionDenied
    form = LocalValueForm(
        request.POST or None,
        parameters=_weak_parameters(),
        tree=load_system(actions.JURISDICTION).parameters,
        initial={"start": clock.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.enter(
                user,
                parameter=data["parameter"],
                start=data["start"],
                value=data["value"],
                document=data["document"],
                document_number=data["document_number"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已录入本地值，待另一人复核后生效"))
            return redirect("localvalues:list")
    values = list(
        LocalValue.objects.select_related("entered_by", "checked_by").order_by(
            "parameter", "-start", "-pk"
        )
    )
    system, today = load_system(actions.JURISDICTION), clock.today()
    for value in values:
        value.label = parameter_label(system, value.parameter)  # type: ignore[attr-defined]
        # As the parameter files write it: money in yuan.
        value.text = value_text(system, value.parameter, value.value, in_fen=False)  # type: ignore[attr-defined]
        # In force for the rules from its start only: an adopted standard from next month is
        # not yet what is paid.
        value.pending = value.status == Status.IN_FORCE and value.start > today  # type: ignore[attr-defined]
    return render(
        request,
        "localvalues/list.html",
        {
            "values": values,
            "form": form,
            "can_enter": user.has_perm("localvalues.enter", LocalValue()),
            "can_check": user.has_perm("localvalues.check", LocalValue()),
            "reason_form": ReasonForm(),
            "user_pk": user.pk,
            "waiting": Status.AWAITING_CHECK,
        },
    )


def _checker_post(request: HttpRequest) -> HttpResponse | None:
    """403 for a user who may not check values; the list again for a GET (a reload)."""
    if not request.user.has_perm("localvalues.check", LocalValue()):
        raise PermissionDenied
    return None if request.method == "POST" else redirect("localvalues:list")


def check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Check a waiting value (another officer than the one who entered it)."""
    if (reload := _checker_post(request)) is not None:
        return reload
    entry = get_object_or_404(LocalValue, pk=pk)
    try:
        actions.check(staff(request), entry)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("本地值已复核生效"))
    return redirect("localvalues:list")


def reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a waiting value back with the reason."""
    if (reload := _checker_post(request)) is not None:
        return reload
    entry = get_object_or_404(LocalValue, pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("请写明退回理由")})
        actions.reject(staff(request), entry, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("本地值已退回"))
    return redirect("localvalues:list")
