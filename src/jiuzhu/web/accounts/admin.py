"""Users are created and given a role and a division in the admin site (administrators only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from jiuzhu.web.accounts.models import User
from jiuzhu.web.accounts.twofactor_admin import has_reset_permission, reset_second_factor_action

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts

_ROLE_FIELDS: tuple[str, _FieldOpts] = (
    "角色与辖区",
    {"fields": ("full_name", "role", "division_code")},
)


@admin.register(User)
class JiuzhuUserAdmin(UserAdmin[User]):
    list_display = ("username", "full_name", "role", "division_code", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "division_code")
    fieldsets = (*(UserAdmin.fieldsets or ()), _ROLE_FIELDS)
    add_fieldsets = (*UserAdmin.add_fieldsets, _ROLE_FIELDS)
    # The second factor's audited reset (issue 12: accounts.twofactor_admin).
    actions = [reset_second_factor_action]

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        return has_reset_permission(request)
