"""The writers of the second factor: enrolment, verification, backup codes and reset.

Each runs in a transaction on the locked device (or user) and writes an audit event. A wrong
code is an outcome, not an exception: the failure count that throttles the next try
(django-otp's ``ThrottlingMixin``: after n failures in a row every code is refused for
2^(n-1) s) and the failure's audit event must be committed, which an exception would roll back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.web.accounts.models import User
from jiuzhu.web.accounts.twofactor import BACKUP_CODE, BACKUP_CODES, TOTP_CODE, confirmed_device
from jiuzhu.web.audit.actions import client_address, record

__all__ = [
    "Outcome",
    "client_address",
    "confirm_enrolment",
    "enrol_with_key",
    "reset_second_factor",
    "start_enrolment",
    "verify_code",
]

DEVICE_NAME = "动态验证码"
BACKUP_NAME = "备用码"
"""The devices' names (stored in Chinese, as every text of the record)."""


@dataclass(frozen=True)
class Outcome:
    """What a code achieved: the device that accepted it, or the refusal in words."""

    device: Device | None
    refusal: str = ""
    backup_codes: list[str] = field(default_factory=list)
    """The new backup codes (an enrolment only: shown once, never again)."""
    backup_codes_left: int | None = None
    """After a backup code was used: how many remain."""


def start_enrolment(user: User) -> TOTPDevice:
    """The device being enrolled: the pending one, or a new one with a random 20-byte key.

    Not audited: a pending key grants nothing until a code confirms it (``confirm_enrolment``,
    audited); opening the page again shows the same key.

    Raises:
        ValidationError: the user already has a device in use (an administrator resets it
            first, ``reset_second_factor``).
    """
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if confirmed_device(user) is not None:
            raise ValidationError(_("已启用第二认证因素；如需更换手机，请系统管理员先重置"))
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        return device


def confirm_enrolment(user: User, code: str, *, client: str) -> Outcome:
    """Confirm the pending device with a code of the app, and give 10 new backup codes.

    Raises:
        ValidationError: no enrolment is under way (the page was not opened, or another
            session finished it).
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise ValidationError(_("没有正在启用的验证器：请重新打开启用页面"))
        refusal, throttled = _check(device, code, TOTP_CODE.match(code) is not None)
        if refusal:
            _record_failure(user, device, client, throttled=throttled, enrolling=True)
            return Outcome(None, refusal=refusal)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_backup_codes(user)
        record(user, "accounts.twofactor_enrol", user, backup_codes=len(codes), client=client)
        return Outcome(device, backup_codes=codes)


def enrol_with_key(user: User, key_hex: str) -> TOTPDevice:
    """Enrol a device with a known key (a hex string of up to 40 bytes) without a code, for a
    script run on the server (the load test, a rehearsal): it replaces the user's devices and
    gives no backup codes. Audited as an enrolment by script.

    Raises:
        ValidationError: the key is not hexadecimal or longer than 40 bytes.
    """
    try:
        key = bytes.fromhex(key_hex)
    except ValueError:
        raise ValidationError(_("密钥须为十六进制字符串")) from None
    if not 10 <= len(key) <= 40:
        raise ValidationError(_("密钥须为10至40字节"))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key.hex())
        record(user, "accounts.twofactor_enrol", user, backup_codes=0, script=True)
        return device


def verify_code(user: User, code: str, *, client: str) -> Outcome:
    """Check a code after the password: 6 digits go to the TOTP device, a backup code to the
    backup codes (used up on success).

    Raises:
        ValidationError: the user has no device in use (the view sends them to enrolment).
    """
    backup = BACKUP_CODE.match(code) is not None
    with transaction.atomic():
        device: TOTPDevice | StaticDevice | None
        if backup:
            device = StaticDevice.objects.select_for_update().filter(user=user).first()
        else:
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("-pk")
                .first()
            )
        if device is None and not backup:
            raise ValidationError(_("尚未启用第二认证因素"))
        refusal, throttled = (
            _check(device, code, backup or TOTP_CODE.match(code) is not None)
            if device is not None
            else (_("备用码不正确或已使用"), False)
        )
        if refusal:
            _record_failure(user, device, client, throttled=throttled, backup=backup)
            return Outcome(None, refusal=refusal)
        assert device is not None
        if backup:
            left = StaticToken.objects.filter(device=device).count()
            record(user, "accounts.twofactor_backup_code", user, remaining=left, client=client)
            return Outcome(device, backup_codes_left=left)
        record(user, "accounts.twofactor_verify", user, client=client)
        return Outcome(device)


def reset_second_factor(by: User, target: User) -> int:
    """Remove every device of ``target`` (app and backup codes): at the next log-in they enrol
    again. Returns how many devices were removed.

    Raises:
        PermissionDenied: ``by`` is no administrator.
        ValidationError: ``by`` resets their own (another administrator must: a stolen
            password alone must not be enough to replace the second factor), or ``target`` has
            nothing to reset.
    """
    if not by.has_perm("accounts.reset_second_factor"):
        raise PermissionDenied(_("只有系统管理员可以重置第二认证因素"))
    if by.pk == target.pk:
        raise ValidationError(_("不能重置自己的第二认证因素：请另一位系统管理员办理"))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=target.pk)
        enrolled = TOTPDevice.objects.filter(user=target, confirmed=True).exists()
        removed = TOTPDevice.objects.filter(user=target).delete()[1].get(
            TOTPDevice._meta.label, 0
        ) + StaticDevice.objects.filter(user=target).delete()[1].get(StaticDevice._meta.label, 0)
        if not removed:
            raise ValidationError(_("%(user)s 尚未启用第二认证因素，无需重置") % {"user": target})
        record(
            by,
            "accounts.twofactor_reset",
            target,
            before={"enrolled": enrolled},
            after={"enrolled": False},
            devices=removed,
        )
        return removed


def _check(device: TOTPDevice | StaticDevice, code: str, well_formed: bool) -> tuple[str, bool]:
    """The refusal of ``code`` by the locked ``device`` ("" when accepted, and then used up),
    and whether it was refused unread because of earlier failures (throttled)."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        until = timezone.localtime((details or {}).get("locked_until") or timezone.now())
        refusal = _("连续输错 %(count)s 次，请在 %(time)s 之后再试") % {
            "count": device.throttling_failure_count,
            "time": formats.time_format(until, "H:i:s"),
        }
        return refusal, True
    if well_formed and device.verify_token(code):
        return "", False
    if not well_formed:
        # A malformed code counts as a failure too: throttling must not depend on the form.
        device.throttle_increment()
    if isinstance(device, StaticDevice):
        return _("备用码不正确或已使用"), False
    return _("验证码不正确：请输入验证器当前显示的6位数字"), False


def _record_failure(
    user: User,
    device: ThrottlingMixin | None,
    client: str,
    *,
    throttled: bool,
    enrolling: bool = False,
    backup: bool = False,
) -> None:
    record(
        user,
        "accounts.twofactor_failure",
        user,
        enrolling=enrolling,
        backup_code=backup,
        throttled=throttled,
        failures=device.throttling_failure_count if device is not None else 0,
        client=client,
    )


def _new_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes with ``BACKUP_CODES`` new ones (distinct)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODES:
        codes.add(StaticToken.random_token())
    ordered = sorted(codes)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in ordered)
    return ordered
