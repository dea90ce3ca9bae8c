"""What happens to a log-in, written to the audit trail: logging in, a failed attempt, a
lockout, logging out, a log-in that expired; and the two writes of the accounts app an
administrator or a user makes outside the admin's own forms: unlocking a locked-out user and
setting a password.

A failed attempt has no user: the event keeps the username that was tried (never the
password) and the client's address, and is filed under the division of the user of that name,
or under the district for a name nobody has (so that the district's auditors see it).
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jiuzhu.web.accounts.lockout import USERNAME_KEPT
from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.audit.actions import client_address, record


def record_login(request: HttpRequest, user: User) -> None:
    """``user`` logged in from the request's address."""
    record(user, "accounts.login", user, client=client_address(request))


def record_logout(request: HttpRequest, user: User) -> None:
    """``user`` logged out."""
    record(user, "accounts.logout", user, client=client_address(request))


def record_login_failed(request: HttpRequest, username: str, *, locked: bool) -> None:
    """An attempt to log in as ``username`` failed (a wrong password, an unknown or inactive
    user, or — ``locked`` — any attempt while the username or the address is locked out)."""
    tried, object_id, division_code = _tried(username)
    record(
        None,
        "accounts.login_failed",
        object_type="accounts.user",
        object_id=object_id,
        division_code=division_code,
        username=tried,
        client=client_address(request),
        locked=locked,
    )


def record_lockout(request: HttpRequest, username: str, failures: int) -> None:
    """``failures`` failed attempts locked the username and the address out."""
    tried, object_id, division_code = _tried(username)
    record(
        None,
        "accounts.lockout",
        object_type="accounts.user",
        object_id=object_id,
        division_code=division_code,
        username=tried,
        client=client_address(request),
        failures=failures,
    )


def record_session_expired(request: HttpRequest, user: User, reason: str) -> None:
    """``user``'s log-in ended without them logging out (``reason``: ``idle`` or ``day_end``,
    see ``accounts.expiry``)."""
    record(user, "accounts.session_expired", user, client=client_address(request), ended=reason)


def acting_user(request: HttpRequest) -> User:
    """The member of staff making ``request`` (``core.users.staff``, which this lowest layer
    of the web apps may not import).

    Raises:
        PermissionDenied: no one is logged in (LoginRequiredMiddleware lets no visitor through).
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _tried(username: str) -> tuple[str, str, str]:
    """The username kept, the user's pk ("" for a name nobody has) and the division an event
    about an attempt as ``username`` is filed under."""
    tried = username[:USERNAME_KEPT]
    found = User.objects.filter(username=tried).only("pk", "division_code").first()
    if found is None:
        return tried, "", DISTRICT_CODE
    return tried, str(found.pk), found.division_code or DISTRICT_CODE


def unlock(administrator: User, user: User) -> int:
    """Lift the lockout of ``user``'s username (axes' reset) before the cool-off ends; returns
    how many counters were cleared. A locked address is not lifted: it unlocks by itself at
    the end of the cool-off.

    Raises:
        PermissionDenied: ``administrator`` is not a system administrator (or a superuser).
    """
    _require_administrator(administrator)
    with transaction.atomic():
        cleared = axes_reset(username=user.username)
        record(administrator, "accounts.unlock", user, cleared=cleared)
    return cleared


def change_own_password(user: User, new_password: str) -> None:
    """``user`` sets a new password of their own (the form checked the old one and the
    policy; checked again here so that no caller bypasses it).

    Raises:
        ValidationError: the password breaks the policy (``AUTH_PASSWORD_VALIDATORS``).
    """
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(user, "accounts.password_changed", user)


def set_password(administrator: User, user: User, new_password: str) -> None:
    """An administrator sets ``user``'s password (the admin's password form).

    Raises:
        PermissionDenied: ``administrator`` is not a system administrator (or a superuser).
        ValidationError: the password breaks the policy.
    """
    _require_administrator(administrator)
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(administrator, "accounts.password_set", user)


def _require_administrator(user: User) -> None:
    if not (user.is_superuser or (user.is_staff and user.role == Role.ADMINISTRATOR)):
        raise PermissionDenied(_("只有系统管理员可以解除登录锁定或设置他人的密码"))
