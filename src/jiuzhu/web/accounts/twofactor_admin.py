"""The second factor in the admin site: an audited reset action on the users' list.

django-otp's own device pages are removed: through them a superuser could delete a device (a
reset nobody audits) or read a key.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.web.accounts.models import User
from jiuzhu.web.accounts.twofactor_actions import reset_second_factor

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.action(description=gettext_lazy("重置第二认证因素"), permissions=["reset_second_factor"])
def reset_second_factor_action(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> None:
    """Reset the chosen users' second factor, each audited; a refusal (one's own, nothing to
    reset) is reported and the others go ahead."""
    by = request.user
    assert isinstance(by, User)
    done = 0
    for target in queryset.order_by("username"):
        try:
            reset_second_factor(by, target)
        except ValidationError as exc:
            modeladmin.message_user(request, "；".join(exc.messages), messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, _("已重置 %(count)s 个用户的第二认证因素。") % {"count": done}
        )


def has_reset_permission(request: HttpRequest) -> bool:
    """Whether the admin shows the reset action (administrators and superusers)."""
    return request.user.has_perm("accounts.reset_second_factor")
