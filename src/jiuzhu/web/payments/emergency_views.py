"""Help first where the emergency happened (急难发生地实施临时救助) for a resident of another
township of the district.

Tianjin's 2024 plan lifted the hukou restriction on temporary assistance and has the township
where the emergency happens give it (取消户籍地申请限制，全面推行由急难发生地实施临时救助). A
caseworker meets a person in trouble who lives elsewhere in the district: the person's ID
number, and nothing else, finds their household; the page then shows only what the help needs —
the township they are registered in and their masked name — and the help is registered and paid
by the caseworker's township (``oneoff.help_first`` with ``handled_in``). The application is then
that township's to complete: its page shows the applicant, and once verified the household's
members and checks, as the review of any application does; the household's own page stays its
township's. Each look-up that
finds a resident outside the user's jurisdiction is audited; a resident of the user's own
jurisdiction goes to the ordinary help-first page, and a person not registered in the district is
first registered as a household here (the registry's new-household page).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from jiuzhu.reference import division
from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.models import Application
from jiuzhu.web.core import clock
from jiuzhu.web.core.forms import ResidentIdField
from jiuzhu.web.core.masking import mask_id, mask_name
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.payments import oneoff
from jiuzhu.web.payments.oneoff_forms import HelpFirstForm
from jiuzhu.web.payments.oneoff_views import helped
from jiuzhu.web.registry.models import Membership
from jiuzhu.web.registry.queries import registered_in_district


class FindForm(forms.Form):
    """The ID number of the person the emergency happened to (shown to the caseworker)."""

    resident_id = ResidentIdField(label=gettext_lazy("受助人公民身份号码"))


def _township(user: Staff) -> str:
    """The township the user helps in (its code), or "" for a user who may not help first."""
    township = str(user.division_code or "")[:9]
    if len(township) != 9 or not user.has_perm(
        "payments.help_first", Application(division_code=township)
    ):
        return ""
    return township


def emergency_view(request: HttpRequest) -> HttpResponse:
    """Find the person by ID number; for a resident of another township, the help-first form
    (the ID number travels with it, never a record's number in the address)."""
    user = staff(request)
    township = _township(user)
    if not township:
        raise PermissionDenied
    find = FindForm(request.POST or None)
    context: dict[str, object] = {"find": find}
    if request.method == "POST" and find.is_valid():
        membership = registered_in_district(find.cleaned_data["resident_id"])
        if membership is None:
            context["not_registered"] = True
            context["can_register"] = user.has_perm("registry.change")
        elif user.covers(membership.household.division_code):
            return redirect("payments:help_first", household_pk=membership.household_id)
        else:
            return _help_elsewhere(request, user, township, membership, find)
    return render(request, "payments/emergency.html", context)


def _help_elsewhere(
    request: HttpRequest, user: Staff, township: str, membership: Membership, find: FindForm
) -> HttpResponse:
    household, person = membership.household, membership.person
    if "emergency" not in request.POST:
        # The look-up itself reached a record outside the user's jurisdiction.
        record(user, "payments.emergency_lookup", person, household=household)
    shown = mask_name(person.name)
    form = HelpFirstForm(
        request.POST if "emergency" in request.POST else None,
        members=[(person.pk, shown)],
        initial={"form": "cash", "persons": 1, "applicant": person.pk},
    )
    if "emergency" in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            application, payment = oneoff.help_first(
                user,
                household,
                applicant=person,
                emergency=data["emergency"],
                amount=data["amount"],
                form=data["form"],
                goods=data["goods"],
                persons=data["persons"],
                handled_in=township,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return helped(request, application, payment)
    home = division(household.township_code)
    return render(
        request,
        "payments/emergency.html",
        {
            "find": find,
            "form": form,
            "person": {"name": shown, "resident_id": mask_id(person.resident_id)},
            "home_township": home.name if home else household.township_code,
            "limits": oneoff.limits(household, clock.today(), _persons(form)),
        },
    )


def _persons(form: HelpFirstForm) -> int:
    """The persons the limits shown are counted for: as typed if it is a count the form
    takes, else one (the person at the counter)."""
    try:
        persons = int(str(form["persons"].value()))
    except ValueError:
        return 1
    return persons if 1 <= persons <= 50 else 1
