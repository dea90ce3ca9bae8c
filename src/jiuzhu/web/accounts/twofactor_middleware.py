"""Deny by default until the second factor is given (after ``LoginRequiredMiddleware``).

A signed-in user who needs a second factor (``twofactor.needs_second_factor``) and whose
session has not given it reaches only:
- the two-factor pages (views marked ``second_factor_not_required``);
- the log-out;
- the pages open to anyone (``login_not_required``: the log-in page and the language switch,
  which the two-factor pages offer): they give nothing an anonymous visitor lacks.
Static files never reach a view (WhiteNoise serves them first). Every other URL, the admin
included, redirects to the code page (a device in use) or to enrolment (none); an htmx request
gets ``HX-Redirect`` so that the whole page goes there, not a fragment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django_htmx.http import HttpResponseClientRedirect

from jiuzhu.web.accounts.models import User
from jiuzhu.web.accounts.twofactor import confirmed_device, is_verified, needs_second_factor

OPEN_VIEWS = frozenset({"accounts:logout"})
"""Views reachable before the second factor that are not ours to mark."""

V = TypeVar("V", bound=Callable[..., HttpResponse])


def second_factor_not_required(view: V) -> V:
    """Mark a view as reachable before the second factor is given (the two-factor pages)."""
    view.second_factor_required = False  # type: ignore[attr-defined]
    return view


class TwoFactorMiddleware(MiddlewareMixin):
    """Send whoever owes a second factor to the two-factor pages."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: object,
        view_kwargs: object,
    ) -> HttpResponse | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if not getattr(view_func, "second_factor_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if not needs_second_factor(user) or is_verified(user):
            return None
        return _to_second_factor(request, user)


def _to_second_factor(request: HttpRequest, user: User) -> HttpResponse:
    page = "accounts:twofactor_verify" if confirmed_device(user) else "accounts:twofactor_enrol"
    target = reverse(page)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request") == "true":
        return HttpResponseClientRedirect(target)
    return HttpResponseRedirect(target)
