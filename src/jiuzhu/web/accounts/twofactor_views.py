"""The two-factor pages: the code after the password, enrolment (QR code and key), the backup
codes shown once, and the administrators' page that resets a user's second factor.

Every page here is ``no-store`` (``never_cache``): they show a key, codes, or nothing worth
keeping in a browser's cache.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jiuzhu.web.accounts import twofactor_actions as actions
from jiuzhu.web.accounts.models import User
from jiuzhu.web.accounts.twofactor import (
    confirmed_device,
    is_verified,
    needs_second_factor,
    pending_device,
    secret_for_display,
    statuses,
)
from jiuzhu.web.accounts.twofactor_forms import CodeForm
from jiuzhu.web.accounts.twofactor_middleware import second_factor_not_required

SHOWN_CODES = "twofactor_backup_codes"
"""Session key of the new backup codes between the enrolment and the page that shows them once."""


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # LoginRequiredMiddleware lets no visitor through
        raise PermissionDenied
    return user


def _next(request: HttpRequest) -> str:
    """Where to go once the second factor is given: the page first asked for (same site
    only), else the workbench."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(page: str, request: HttpRequest) -> str:
    return reverse(page) + "?" + urlencode({"next": _next(request)})


def _elevate(request: HttpRequest, device: object) -> None:
    """Mark the session verified with ``device``, under a new session key (a session id
    seen before the second factor must not carry the verified session)."""
    django_otp.login(request, device)
    request.session.cycle_key()


@never_cache
@second_factor_not_required
def verify_view(request: HttpRequest) -> HttpResponse:
    """The code after the password (or a backup code)."""
    user = _user(request)
    if not needs_second_factor(user) or is_verified(user):
        return redirect(_next(request))
    if confirmed_device(user) is None:
        return redirect(_with_next("accounts:twofactor_enrol", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.verify_code(
                user, form.cleaned_data["code"], client=actions.client_address(request)
            )
        except ValidationError:  # the device was reset meanwhile
            return redirect(_with_next("accounts:twofactor_enrol", request))
        if outcome.device is not None:
            _elevate(request, outcome.device)
            if outcome.backup_codes_left is not None:
                messages.warning(
                    request,
                    _("已使用一个备用码，还剩 %(left)s 个。") % {"left": outcome.backup_codes_left},
                )
            return redirect(_next(request))
        form.add_error("code", outcome.refusal)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/twofactor_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@never_cache
@second_factor_not_required
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Enrolment: the QR code and the key of a new device, confirmed with a code."""
    user = _user(request)
    if not needs_second_factor(user):
        return redirect(_next(request))
    if confirmed_device(user) is not None:
        if is_verified(user):
            messages.info(request, _("已启用第二认证因素；如需更换手机，请系统管理员先重置"))
            return redirect(_next(request))
        return redirect(_with_next("accounts:twofactor_verify", request))
    device = actions.start_enrolment(user)
    form = CodeForm(request.POST or None, backup_allowed=False)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.confirm_enrolment(
                user, form.cleaned_data["code"], client=actions.client_address(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome.device is not None:
                _elevate(request, outcome.device)
                request.session[SHOWN_CODES] = outcome.backup_codes
                return redirect(_with_next("accounts:twofactor_backup_codes", request))
            form.add_error("code", outcome.refusal)
    context = {
        "form": form,
        "secret": secret_for_display(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "account": user.get_username(),
        "next": _next(request),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/twofactor_enrol.html", context, status=status)


@never_cache
@second_factor_not_required
def qr_view(request: HttpRequest) -> HttpResponse:
    """The QR code of the device being enrolled, as SVG drawn on the server (an ``<img>`` of
    the enrolment page: no script, no ``data:`` URL)."""
    device = pending_device(_user(request))
    if device is None:
        raise Http404
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        svg, kind="svg", omitsize=True, xmldecl=False, border=4, title=_("扫描二维码")
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@never_cache
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    """The new backup codes, once: the session forgets them as the page is shown."""
    codes = request.session.pop(SHOWN_CODES, None)
    if not codes:
        return redirect(_next(request))
    grouped = [f"{code[:4]} {code[4:]}" for code in codes]
    return render(
        request, "accounts/twofactor_backup_codes.html", {"codes": grouped, "next": _next(request)}
    )


@never_cache
def users_view(request: HttpRequest) -> HttpResponse:
    """The administrators' page: who must give a second factor, who has enrolled, and the
    reset."""
    if not request.user.has_perm("accounts.reset_second_factor"):
        raise PermissionDenied
    return render(request, "accounts/twofactor_users.html", {"statuses": statuses()})


@never_cache
def reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset a user's second factor (POST; a GET goes to the administrators' page)."""
    if request.method != "POST":
        return redirect("accounts:twofactor_users")
    if not request.user.has_perm("accounts.reset_second_factor"):
        raise PermissionDenied
    target = get_object_or_404(User, pk=pk)
    try:
        actions.reset_second_factor(_user(request), target)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("已重置 %(user)s 的第二认证因素：下次登录时重新启用。") % {"user": target}
        )
    return redirect("accounts:twofactor_users")
