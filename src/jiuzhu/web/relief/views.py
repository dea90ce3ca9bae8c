"""The rescue station's pages: the list with a search by description, admission, and a stay
with its services, family contact and end. Views validate a form and call one action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.reference import baodi_divisions
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.relief import actions
from jiuzhu.web.relief.forms import AdmitForm, EndForm, UpdateForm
from jiuzhu.web.relief.models import Stay, StayStatus
from jiuzhu.web.relief.queries import registered, search, stays_for


def _divisions(user: Staff) -> list[tuple[str, str]]:
    return [
        (code, f"{d.township_name} {d.name}" if len(code) == 12 else d.name)
        for code, d in sorted(baodi_divisions().items())
        if user.covers(code)
    ]


def list_view(request: HttpRequest) -> HttpResponse:
    """The stays of the user's jurisdiction, or those a search by description finds."""
    user = staff(request)
    if not user.has_perm("relief.view"):
        raise PermissionDenied
    text = request.GET.get("q", "").strip()[:100]
    stays = search(user, text)[:200]
    return render(
        request,
        "relief/list.html",
        {"stays": stays, "q": text, "can_record": user.has_perm("relief.record")},
    )


def admit_view(request: HttpRequest) -> HttpResponse:
    """Admit a person who asks for help."""
    user = staff(request)
    if not user.has_perm("relief.record"):
        raise PermissionDenied
    form = AdmitForm(request.POST or None, divisions=_divisions(user))
    if request.method == "POST" and form.is_valid():
        try:
            stay = actions.admit(user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("已登记入站，救助期限至 %(due)s") % {"due": stay.leave_due_on}
            )
            return redirect("relief:stay", pk=stay.pk)
    return render(request, "relief/admit.html", {"form": form})


def stay_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A stay: who, found where, services, contact; the forms to update or end it."""
    user = staff(request)
    stay = stays_for(user).filter(pk=pk).first()
    if stay is None or not user.has_perm("relief.view", stay):
        raise Http404
    update = UpdateForm(
        request.POST if request.POST.get("step") == "update" else None,
        initial={
            "services": stay.services,
            "family_contact": stay.family_contact,
            "extension_reason": stay.extension_reason,
        },
    )
    end = EndForm(request.POST if request.POST.get("step") == "end" else None)
    if request.method == "POST":
        done = _post(request, user, stay, update, end)
        if done:
            return redirect("relief:stay", pk=stay.pk)
    return render(
        request,
        "relief/stay.html",
        {
            "stay": stay,
            "masked_id": mask_id(stay.resident_id) if stay.resident_id else "—",
            "update": update,
            "end": end,
            "open": stay.status == StayStatus.STAYING and user.has_perm("relief.record", stay),
            "registered": registered(user, stay),
        },
    )


def _post(request: HttpRequest, user: Staff, stay: Stay, update: UpdateForm, end: EndForm) -> bool:
    try:
        if request.POST.get("step") == "update" and update.is_valid():
            actions.update(user, stay, **update.cleaned_data)
            messages.success(request, _("已保存救助服务和联系情况"))
            return True
        if request.POST.get("step") == "end" and end.is_valid():
            actions.end(user, stay, **end.cleaned_data)
            messages.success(request, _("已登记离站"))
            return True
    except ValidationError as exc:
        add_errors(end if request.POST.get("step") == "end" else update, exc)
    except PermissionDenied:
        raise Http404 from None
    return False


def letter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter asking the receiving body to take over a person resettled at their hukou
    place (every showing audited); only for a stay ended by resettlement."""
    user = staff(request)
    stay = stays_for(user).filter(pk=pk).first()
    if stay is None or not user.has_perm("relief.view", stay):
        raise Http404
    if stay.status != StayStatus.RESETTLED:
        raise Http404
    record(user, "relief.print", stay)
    return render(
        request,
        "relief/letter.html",
        {"stay": stay, "masked_id": mask_id(stay.resident_id) if stay.resident_id else ""},
    )
