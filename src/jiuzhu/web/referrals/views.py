"""The referral pages: the form from the household page, and the referral letter (转介函) to
print and hand to the receiving body (each showing audited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.reference import division
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.referrals import actions
from jiuzhu.web.referrals.forms import ReferralForm
from jiuzhu.web.referrals.models import Referral
from jiuzhu.web.registry.queries import household_for


def list_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    """The household's referrals, latest first, each with its letter."""
    user = staff(request)
    household = household_for(user, household_pk)
    if not user.has_perm("referrals.view", household):
        raise PermissionDenied
    return render(
        request,
        "referrals/list.html",
        {
            "household": household,
            "referrals": household.referrals.select_related("person").order_by(
                "-referred_on", "-pk"
            ),
            "can_refer": user.has_perm("referrals.refer", household),
        },
    )


def new_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    """Refer a member: the form, then the letter."""
    user = staff(request)
    household = household_for(user, household_pk)
    if not user.has_perm("referrals.refer", household):
        raise PermissionDenied
    memberships = list(household.current_memberships)  # type: ignore[attr-defined]
    members = [(m.person_id, f"{m.person.name}（{m.get_relation_display()}）") for m in memberships]
    initial = {}
    person = request.GET.get("person", "")
    if person.isdigit() and int(person) in {pk for pk, _label in members}:
        initial["person"] = int(person)
    form = ReferralForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next(m.person for m in memberships if m.person_id == data.pop("person"))
        try:
            referral = actions.refer(user, household, chosen, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记转介，请打印转介函交本人或接收机构"))
            return redirect("referrals:letter", pk=referral.pk)
    return render(
        request,
        "referrals/new.html",
        {"household": household, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def letter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral letter (Chinese, the record's language); every showing is audited."""
    user = staff(request)
    referral = get_within(
        Referral.objects.filter(division_code__startswith=user.division_code or "-").select_related(
            "household", "person"
        ),
        pk,
    )
    if not user.has_perm("referrals.view", referral):
        raise PermissionDenied
    record(user, "referrals.print", referral, kind=referral.kind)
    township = division(referral.division_code[:9])
    return render(
        request,
        "referrals/letter.html",
        {
            "referral": referral,
            "masked_id": mask_id(referral.person.resident_id),
            "township": township.name if township else "",
        },
    )
