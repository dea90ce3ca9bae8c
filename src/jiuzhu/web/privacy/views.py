"""A resident's request for their data (《中华人民共和国个人信息保护法》第四十五条): the household's
members, each with the button that exports their copy (xlsx, audited)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import post_only
from jiuzhu.web.privacy import actions
from jiuzhu.web.privacy.personal_data import household_of_person
from jiuzhu.web.privacy.queries import members
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import household_for


def _household(request: HttpRequest, pk: int) -> Household:
    """The household (404 outside the jurisdiction), if the user may export its members'
    copies (403 with the reason otherwise)."""
    household = household_for(staff(request), pk)
    if not request.user.has_perm("privacy.export_personal_data", household):
        raise NotPermitted(actions.WHO_EXPORTS)
    return household


def household_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    return render(
        request,
        "privacy/household.html",
        {"household": household, "members": members(household)},
    )


@post_only("privacy:household", pk="pk")  # type: ignore[arg-type]  # a file, not a page
def export_view(request: HttpRequest, pk: int, person_pk: int) -> FileResponse:
    household = _household(request, pk)
    person = household_of_person(household, person_pk)
    if person is None:
        raise Http404
    out = actions.export_personal_data(staff(request), household, person)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"personal-data-{household.number}-{person.pk}-{timezone.localtime():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
