"""Users are created and given a role and a division in the admin site (administrators only).

The staff password policy applies to the admin's password forms as to everyone's (Django's
forms validate with ``AUTH_PASSWORD_VALIDATORS``); a password an administrator sets and an
unlock of a locked-out user are audit events (``accounts.actions``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.web.accounts import actions, expiry, lockout
from jiuzhu.web.accounts.models import User
from jiuzhu.web.accounts.twofactor_admin import has_reset_permission, reset_second_factor_action

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts

    # Generic in django-stubs only (django_stubs_ext does not patch the auth forms).
    _AdminPasswordForm = AdminPasswordChangeForm[User]
else:
    _AdminPasswordForm = AdminPasswordChangeForm

_ROLE_FIELDS: tuple[str, _FieldOpts] = (
    "角色与辖区",
    {"fields": ("full_name", "role", "division_code")},
)


_ACTING: ContextVar[User | None] = ContextVar("jiuzhu_admin_acting", default=None)
"""The administrator whose request the admin's password form serves (Django's admin builds the
form with the target user only)."""


class AuditedPasswordForm(_AdminPasswordForm):
    """The admin's "change password" form; saving goes through ``actions.set_password``."""

    def save(self, commit: bool = True) -> Any:
        administrator = _ACTING.get()
        if administrator is None:
            raise RuntimeError("AuditedPasswordForm is saved by JiuzhuUserAdmin only")
        actions.set_password(administrator, self.user, self.cleaned_data["password1"])
        return self.user


@admin.register(User)
class JiuzhuUserAdmin(UserAdmin[User]):
    list_display = ("username", "full_name", "role", "division_code", "is_active", "login_lock")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "division_code")
    fieldsets = (*(UserAdmin.fieldsets or ()), _ROLE_FIELDS)
    add_fieldsets = (*UserAdmin.add_fieldsets, _ROLE_FIELDS)
    change_password_form = AuditedPasswordForm
    # The second factor's audited reset (accounts.twofactor_admin) and the audited unlock.
    actions = [reset_second_factor_action, "unlock"]

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        return has_reset_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return lockout.with_failures(super().get_queryset(request))

    @admin.display(description=gettext_lazy("登录锁定"))
    def login_lock(self, user: User) -> str:
        """``锁定至 HH:MM`` while the username is locked out, else the recent failures, if any."""
        failures = getattr(user, "login_failures", None) or 0
        until = getattr(user, "login_failed_at", None)
        if failures >= settings.AXES_FAILURE_LIMIT and until is not None:
            ends = localtime(until + settings.AXES_COOLOFF_TIME, expiry.BEIJING)
            return _("锁定至 %(time)s") % {"time": f"{ends:%H:%M}"}
        return _("近期失败 %(count)d 次") % {"count": failures} if failures else ""

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        token = _ACTING.set(actions.acting_user(request))
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _ACTING.reset(token)

    @admin.action(description=gettext_lazy("解除登录锁定"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Lift the lockout of the chosen users (audited, one event each)."""
        administrator = actions.acting_user(request)
        for user in queryset:
            actions.unlock(administrator, user)
        messages.success(
            request, _("已解除 %(count)d 个用户的登录锁定。") % {"count": len(queryset)}
        )
