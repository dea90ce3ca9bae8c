"""Template context: the name of the signed-in user's jurisdiction."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from jiuzhu.reference import division
from jiuzhu.web.accounts.models import DISTRICT_CODE


def jurisdiction(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    code = getattr(user, "division_code", "") if user is not None else ""
    if not code:
        return {}
    if code == DISTRICT_CODE:
        return {"jurisdiction_name": _("宝坻区")}
    found = division(code)
    return {"jurisdiction_name": found.name if found else code}
