"""The log-in page (which says why a log-in ended) and a user's own password change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from jiuzhu.web.accounts import actions, expiry


def _ended(reason: str) -> str:
    """Why a log-in ended, in words (``accounts.expiry.REASONS``)."""
    if reason == expiry.IDLE:
        return _("您已超过%(minutes)d分钟没有操作，为保护居民信息，登录已自动结束，请重新登录。")
    return _(
        "已到工作日结束时间（北京时间%(day_end)s）或本次登录已达最长时限，登录已自动结束，请重新登录。"
    )


class LoginView(auth_views.LoginView):
    """Django's log-in, with the reason a previous log-in ended (``?expired=``)."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        reason = self.request.GET.get("expired", "")
        if reason in expiry.REASONS:
            context["ended"] = _ended(reason) % {
                "minutes": settings.JIUZHU_IDLE_MINUTES,
                "day_end": settings.JIUZHU_DAY_END,
            }
        return context


class OwnPasswordForm(PasswordChangeForm):
    """Django's form (the old password, the new one twice, the policy); saving goes through
    ``actions.change_own_password``, which audits it."""

    def save(self, commit: bool = True) -> Any:
        actions.change_own_password(self.user, self.cleaned_data["new_password1"])
        return self.user


class PasswordChangeView(auth_views.PasswordChangeView):
    """A user changes their own password; they stay logged in on this browser."""

    form_class = OwnPasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("workbench:home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)  # saves, and keeps this browser logged in
        messages.success(self.request, _("密码已修改。"))
        return response

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = actions.acting_user(self.request)
        return kwargs
