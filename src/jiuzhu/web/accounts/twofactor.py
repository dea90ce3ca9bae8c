"""The second factor (issue 12): who must give it, the devices that give it, and the codes.

District staff (``DISTRICT_ROLES``: they confirm decisions and release payments for the whole
district) and administrators (role ``administrator``, and superusers) give a 6-digit code of an
authenticator app after their password: a TOTP device of django-otp (RFC 6238: HMAC-SHA1, 30-s
steps, 6 digits, one step of clock drift either way, a code never accepted twice). A device
comes with 10 single-use backup codes (a django-otp static device) for a lost phone.

``JIUZHU["SECOND_FACTOR_REQUIRED"]`` (env ``JIUZHU_SECOND_FACTOR``, default on) turns the
requirement off for the demo and for the web tests that are not about it.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.web.accounts.models import DISTRICT_ROLES, Role, User

BACKUP_CODES = 10
"""How many single-use backup codes an enrolment gives."""

TOTP_CODE = re.compile(r"^\d{6}$")
BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")
"""A backup code: 8 characters of base32 in lower case (``StaticToken.random_token``: 40 bits)."""


def required() -> bool:
    """Whether the platform asks for a second factor at all (the setting)."""
    return bool(settings.JIUZHU.get("SECOND_FACTOR_REQUIRED", True))


def needs_second_factor(user: User) -> bool:
    """Whether ``user`` must give a second factor after the password: district roles and
    administrators (and superusers) do; township roles and auditors do not."""
    if not required() or not user.is_authenticated:
        return False
    return user.role in DISTRICT_ROLES or user.role == Role.ADMINISTRATOR or user.is_superuser


def is_verified(user: object) -> bool:
    """Whether the session of ``user`` (``request.user``) has given the second factor
    (``django_otp.middleware.OTPMiddleware`` sets ``otp_device``)."""
    return getattr(user, "otp_device", None) is not None


def confirmed_device(user: User) -> TOTPDevice | None:
    """The user's TOTP device in use, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def pending_device(user: User) -> TOTPDevice | None:
    """The TOTP device being enrolled (its key shown, not yet confirmed with a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def normalise_code(text: str) -> str:
    """A code as typed: full-width digits and letters made ASCII (NFKC), spaces and dashes
    removed, lower case (backup codes are shown in groups of four)."""
    folded = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\-]", "", folded).lower()


def secret_for_display(device: TOTPDevice) -> str:
    """The device's key as an authenticator app takes it by hand: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def code_at(key_hex: str, at: float | None = None) -> str:
    """The 6-digit TOTP code of the hex key ``key_hex`` at Unix time ``at`` (now by default):
    RFC 6238 with HMAC-SHA1 and 30-s steps from 0, as every authenticator app computes it (for
    scripts and tests that log in as a user whose key they know)."""
    generator = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6)
    if at is not None:
        generator.time = at
    return f"{generator.token():06d}"


@dataclass(frozen=True)
class Status:
    """A user's second factor as the administrators' page shows it."""

    user: User
    enrolled: bool
    backup_codes: int


def statuses() -> list[Status]:
    """Every active user who must give a second factor, with their enrolment (for the
    administrators' page; a few dozen users at most)."""
    users: QuerySet[User] = (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[*DISTRICT_ROLES, Role.ADMINISTRATOR]) | Q(is_superuser=True))
        .annotate(
            devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True),
            codes=Count(
                "staticdevice__token_set",
                filter=Q(staticdevice__confirmed=True),
                distinct=True,
            ),
        )
        .order_by("role", "username")
    )
    return [Status(u, u.devices > 0, u.codes) for u in users]  # type: ignore[attr-defined]
