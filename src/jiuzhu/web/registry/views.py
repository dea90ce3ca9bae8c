"""Registry pages: search, the household page, unmasking an ID (audited), adding a member and
the household's declaration. Views validate input and call actions; they never write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import list_export_audit, record
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.presenting import Presenter
from jiuzhu.web.core import clock
from jiuzhu.web.core.exports import whole_ids, xlsx_response
from jiuzhu.web.core.idtext import reveals_id
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.months import month_of
from jiuzhu.web.core.periods import in_force, upcoming
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import post_only
from jiuzhu.web.registry import actions
from jiuzhu.web.registry.exports import household_export, household_rows
from jiuzhu.web.registry.forms import (
    DeclarationFormSet,
    SearchForm,
    community_choices,
)
from jiuzhu.web.registry.models import Asset, Household, Income, Membership, Person, Source
from jiuzhu.web.registry.queries import (
    community_name,
    current_members,
    household_for,
    households_for,
    rare_code_points,
    search,
    status_at_death,
)

PAGE_SIZE = 25
UNMASKING = ("registry.view_unmasked", "payments.view_unmasked_account", "audit.access_denied")
"""Views of a full number and refused accesses are audited but are not changes of the record
(the audit log shows them)."""


def _searched(request: HttpRequest) -> tuple[SearchForm, str, QuerySet[Household]]:
    """The search form of the request (posted, or in the address) and the households it finds
    in the jurisdiction (none for an invalid text; every household without one)."""
    if not request.user.has_perm("registry.view"):
        raise PermissionDenied
    user = staff(request)
    data = request.POST if request.method == "POST" else request.GET
    form = SearchForm(data, in_url=request.method != "POST")
    if not form.is_valid():
        return form, "", households_for(user).none()
    text = form.cleaned_data["q"]
    return form, text, search(user, text) if text else households_for(user)


def _may_help_first(user: Staff) -> bool:
    """Whether the user may open help first for a resident of another township
    (``payments:emergency``): the view's own rule (``payments.emergency_views._township``) — a
    township's user with ``payments.help_first`` there. A permission asked without a record
    would let an administrator through (a superuser holds every permission), whom the page then
    refuses for want of a township."""
    township = str(user.division_code or "")[:9]
    return len(township) == 9 and user.has_perm(
        "payments.help_first", Household(division_code=township)
    )


def search_view(request: HttpRequest) -> HttpResponse:
    """Search households of the jurisdiction by name, ID (whole or last digits), number or
    address; without a query, list them page by page.

    The search box posts, and the results are rendered from the POST (no redirect to an address
    holding the text); a link or a bookmark searches by GET, where a text that reveals an ID
    number is refused (400, with the reason on the field; ``core.idtext``)."""
    form, text, found = _searched(request)
    user = staff(request)
    data = request.POST if request.method == "POST" else request.GET
    page = Paginator(
        found.order_by("division_code", "number").prefetch_related(current_members()), PAGE_SIZE
    ).get_page(data.get("page"))
    context = {
        "form": form,
        "page": page,
        "q": text,
        # Further pages of a search by ID are posted too.
        "q_in_url": not reveals_id(text),
        "can_register": user.has_perm("registry.change") and bool(community_choices(user)),
        "can_help_elsewhere": _may_help_first(user),
    }
    htmx = getattr(request, "htmx", False)
    template = "registry/_results.html" if htmx else "registry/search.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


def export_view(request: HttpRequest) -> HttpResponseBase:
    """The households the search finds (all of the jurisdiction without a text) as xlsx,
    audited; the text is posted like the search's (an invalid one: the search page, 400)."""
    form, text, found = _searched(request)
    if not form.is_valid():
        return search_view(request)
    user = staff(request)
    # A searched ID number is never written whole into the file or the audit trail.
    filters = {str(form.fields["q"].label): mask_id(text) if reveals_id(text) else text}
    export = household_export(filters if text else {}, whole=whole_ids(request))
    return xlsx_response(
        request,
        export,
        household_rows(export, found),
        list_export_audit(user, "registry.export_households", "registry.household", export),
    )


def _applications(user: Staff, household: Household) -> list[Any]:
    """The household's applications, newest first; one handled by a township outside the
    user's jurisdiction (temporary assistance given where the emergency happened) carries that
    township's name as ``handled_by``: listed here, its page is that township's."""
    applications = list(household.applications.select_related("applicant").order_by("-created_at"))
    for application in applications:
        elsewhere = not user.covers(application.division_code)
        application.handled_by = community_name(application.division_code) if elsewhere else ""  # type: ignore[attr-defined]
    return applications


def household_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A household: members (IDs masked), declared and verified money, applications."""
    user = staff(request)
    household = household_for(user, pk)
    if not user.has_perm("registry.view", household):
        raise PermissionDenied
    members = household.current_memberships  # type: ignore[attr-defined]
    person_ids = [m.person_id for m in members]
    incomes: dict[int, dict[str, dict[str, int]]] = {}
    # Transfer expenditure (contributions withheld) is an outgoing, not income.
    for income in Income.objects.filter(person_id__in=person_ids).exclude(
        component="transfer_expenditure"
    ):
        incomes.setdefault(income.person_id, {}).setdefault(income.source, {})[income.component] = (
            income.monthly_amount
        )
    assets: dict[int, dict[str, int]] = {}
    for asset in Asset.objects.filter(person_id__in=person_ids):
        assets.setdefault(asset.person_id, {})[asset.source] = asset.amount
    rows = [
        {
            "membership": m,
            "masked_id": mask_id(m.person.resident_id),
            "rare": rare_code_points(m.person.name),
            "declared": sum(incomes.get(m.person_id, {}).get(Source.DECLARED, {}).values()),
            "verified": sum(incomes.get(m.person_id, {}).get(Source.VERIFIED, {}).values())
            if Source.VERIFIED in incomes.get(m.person_id, {})
            else None,
            "assets_declared": assets.get(m.person_id, {}).get(Source.DECLARED),
            "assets_verified": assets.get(m.person_id, {}).get(Source.VERIFIED),
        }
        for m in members
    ]
    applications = _applications(user, household)
    # The reverse relation keeps the registry free of an import of the entitlements app; the
    # household itself was already checked against the user's jurisdiction.
    entitlements = list(
        household.entitlements.select_related("person")
        .prefetch_related("versions")
        .order_by("-start_month", "-pk")
    )
    month = month_of(clock.today())
    for entitlement in entitlements:
        # The amount in force this month: an approved change may start later (core.periods).
        versions = list(entitlement.versions.all())
        entitlement.current = in_force(versions, month)  # type: ignore[attr-defined]
        entitlement.upcoming = upcoming(versions, month)  # type: ignore[attr-defined]
    former = _former_members(household, entitlements)
    # The household's whole record: its members, applications, entitlements and accounts too
    # (every event carries the household it concerns), labelled in the reader's language.
    history = Presenter(request.user).present(
        AuditEvent.objects.filter(household_id=household.pk)
        .exclude(action__in=UNMASKING)
        .select_related("user")[:50]
    )
    return render(
        request,
        "registry/household.html",
        {
            "household": household,
            "community_name": community_name(household.division_code),
            "rows": rows,
            "former": former,
            "applications": applications,
            "entitlements": entitlements,
            "history": history,
            "can_view_entitlements": request.user.has_perm("entitlements.view", household),
            "can_view_payments": request.user.has_perm("payments.view", household),
            "can_unmask": request.user.has_perm("registry.view_unmasked", household),
            "can_apply": request.user.has_perm("cases.apply", household),
            "can_help_first": request.user.has_perm("payments.help_first", household),
            "can_refer": request.user.has_perm("referrals.refer", household),
            "can_change": request.user.has_perm("registry.change", household),
            # A member's copy of their data (privacy app, issue 12).
            "can_export_personal_data": request.user.has_perm(
                "privacy.export_personal_data", household
            ),
        },
    )


def _former_members(household: Household, entitlements: list[Any]) -> list[Membership]:
    """The household's former members, latest first; a deceased one with the status at death
    a funeral claim opens with (``status_at_death``)."""
    former = list(
        household.memberships.filter(valid_to__isnull=False)
        .select_related("person")
        .order_by("-valid_to")
    )
    for membership in former:
        died = membership.person.died_on
        membership.status_at_death = (  # type: ignore[attr-defined]
            status_at_death(membership.person_id, died, entitlements) if died else ""
        )
    return former


@post_only("registry:household", pk="pk")
def unmask_view(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Show one member's full ID number; every such view is audited (DESIGN.md §9)."""
    household = household_for(staff(request), pk)
    if not request.user.has_perm("registry.view_unmasked", household):
        raise PermissionDenied
    person = get_object_or_404(
        Person, pk=person_pk, memberships__household=household, memberships__valid_to__isnull=True
    )
    record(
        request.user,
        "registry.view_unmasked",
        person,
        division_code=household.division_code,
        field="resident_id",
    )
    return HttpResponse(person.resident_id)


def declaration_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The household's declared monthly income and monetary assets, member by member (yuan)."""
    household = household_for(staff(request), pk)
    if not request.user.has_perm("registry.change", household):
        raise PermissionDenied
    members = household.current_memberships  # type: ignore[attr-defined]
    declared: dict[int, dict[str, int]] = {}
    for income in Income.objects.filter(
        person_id__in=[m.person_id for m in members], source=Source.DECLARED
    ):
        declared.setdefault(income.person_id, {})[income.component] = income.monthly_amount
    for asset in Asset.objects.filter(
        person_id__in=[m.person_id for m in members], source=Source.DECLARED
    ):
        declared.setdefault(asset.person_id, {})["monetary_assets"] = asset.amount
    initial = [
        {
            "person_id": m.person_id,
            **{key: f"{value / 100:.2f}" for key, value in declared.get(m.person_id, {}).items()},
        }
        for m in members
    ]
    formset = DeclarationFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        allowed = {m.person_id for m in members}
        rows = [f.cleaned_data for f in formset if f.cleaned_data.get("person_id") in allowed]
        actions.declare(staff(request), household, rows)
        messages.success(request, _("已保存申报的收入和财产"))
        return redirect("registry:household", pk=household.pk)
    names = {m.person_id: m.person.name for m in members}
    forms_with_names = [(names.get(f.initial.get("person_id")), f) for f in formset]
    return render(
        request,
        "registry/declaration.html",
        {"household": household, "formset": formset, "forms": forms_with_names},
    )
