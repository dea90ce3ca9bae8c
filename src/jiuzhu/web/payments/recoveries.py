"""Recoveries of overpayments and fraud."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.rules.enforcement import fraud_multiples
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments.models import Recovery, Repayment

# --- Recoveries ----------------------------------------------------------------------------------


def record_recovery(
    user: Staff,
    entitlement: Entitlement,
    *,
    amount: int,
    reason: str,
    kind: str,
    fine_multiple: Decimal | str | None = None,
    monthly_deduction: int | None = None,
) -> Recovery:
    """Decide a recovery (fen). An *overpayment* is deducted by the following payrolls (at most
    ``monthly_deduction`` a month). *Fraud* (社会救助暂行办法 Art. 68) is a separate path: the
    amount is ordered repaid with a fine of ``fine_multiple`` (1–3) times it, never deducted
    by the payroll; ``settle_recovery`` records the repayment.

    Raises:
        PermissionDenied; ValidationError: a non-positive amount, no reason, a fine outside 1–3
            or a fine for an overpayment.
    """
    require(user, "payments.recovery", entitlement)
    errors: dict[str, str] = {}
    if amount <= 0:
        errors["amount"] = _("追回金额应大于0")
    if not reason.strip():
        errors["reason"] = _("请写明追回原因")
    if kind not in Recovery.RecoveryKind.values:
        errors["kind"] = _("未知的追回类型")
    multiple: Decimal | None = None
    fine = 0
    if kind == Recovery.RecoveryKind.FRAUD:
        try:
            multiple, fine = fine_for(max(amount, 0), fine_multiple)
        except ValidationError as exc:
            errors["fine_multiple"] = exc.messages[0]
    elif fine_multiple not in (None, ""):
        errors["fine_multiple"] = _("多发追回不处罚款")
    if monthly_deduction is not None and monthly_deduction <= 0:
        errors["monthly_deduction"] = _("每月扣回上限应大于0")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recovery = Recovery.objects.create(
            entitlement=entitlement,
            division_code=entitlement.division_code,
            kind=kind,
            amount=amount,
            fine_multiple=multiple,
            fine_amount=fine,
            monthly_deduction=monthly_deduction
            if kind == Recovery.RecoveryKind.OVERPAYMENT
            else None,
            reason=reason.strip(),
            decided_by=user,
            decided_on=clock.today(),
        )
        record(user, "payments.recovery", recovery, amount=amount, kind=kind, fine=fine)
    return recovery


def settle_recovery(user: Staff, recovery: Recovery, *, note: str) -> Recovery:
    """Record that a recovery was repaid outside the payroll (the fraud path, or an overpayment
    repaid in cash): it is no longer deducted.

    Raises:
        PermissionDenied; ValidationError: no note, or already settled.
    """
    require(user, "payments.recovery", recovery)
    if not note.strip():
        raise ValidationError({"note": _("请填写缴回情况")})
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
        if recovery.status == Recovery.RecoveryStatus.SETTLED:
            raise ValidationError(_("该追回已结清"))
        before = recovery.status
        recovery.status = Recovery.RecoveryStatus.SETTLED
        recovery.settled_at = timezone.now()
        recovery.settlement_note = note.strip()
        recovery.save()
        record(
            user,
            "payments.settle_recovery",
            recovery,
            before={"status": before},
            after={"status": recovery.status},
            note=note,
        )
    return recovery


def fine_for(amount: int, fine_multiple: Decimal | str | None) -> tuple[Decimal, int]:
    """The multiple as written and the fine it gives on ``amount`` (fen, rounded half up to the
    fen), within the range the rules give today (``jiuzhu.rules.enforcement``,
    《社会救助暂行办法》第六十八条: 1 to 3 times).

    Raises:
        ValidationError: not a number, or outside the range.
    """
    try:
        multiple = Decimal(str(fine_multiple))
    except InvalidOperation:
        multiple = Decimal("NaN")
    low, high = fraud_multiples(clock.today())
    if not multiple.is_finite() or not (low <= multiple <= high):
        raise ValidationError(
            _("骗取的，罚款为骗取金额的%(low)s倍以上%(high)s倍以下") % {"low": low, "high": high}
        )
    return multiple, int((Decimal(amount) * multiple).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def owed(recovery: Recovery) -> int:
    """What the recovery orders repaid (fen): the amount, and for fraud the fine."""
    return recovery.amount + recovery.fine_amount


def repaid(recovery: Recovery) -> int:
    """What has been repaid on it outside the payroll (fen)."""
    return sum(r.amount for r in recovery.repayments.all())


def record_repayment(
    user: Staff, recovery: Recovery, *, amount: int, paid_on: dt.date, note: str
) -> Repayment:
    """Record money repaid on a recovery (fen, e.g. an instalment of a fraud's amount and fine);
    the recovery is settled once the repayments reach what it orders repaid.

    Raises:
        PermissionDenied; ValidationError: a non-positive amount or more than is still owed,
            a date in the future (one before the decision is accepted: money may be handed
            back while the case is decided), no note (the receipt), or the recovery already
            settled.
    """
    require(user, "payments.recovery", recovery)
    errors: dict[str, str] = {}
    if amount <= 0:
        errors["amount"] = _("缴回金额应大于0")
    if paid_on > clock.today():
        errors["paid_on"] = _("日期不能晚于今天")
    if not note.strip():
        errors["note"] = _("请填写缴回票据号或说明")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
        if recovery.status == Recovery.RecoveryStatus.SETTLED:
            raise ValidationError(_("该追回已结清"))
        left = owed(recovery) - repaid(recovery)
        if amount > left:
            raise ValidationError(
                {"amount": _("超过尚欠金额 %(left)s 元") % {"left": format_yuan(left)}}
            )
        repayment = Repayment.objects.create(
            recovery=recovery,
            division_code=recovery.division_code,
            paid_on=paid_on,
            amount=amount,
            note=note.strip(),
            recorded_by=user,
        )
        if amount == left:
            recovery.status = Recovery.RecoveryStatus.SETTLED
            recovery.settled_at = timezone.now()
            recovery.settlement_note = _("分次缴回结清")
        else:
            recovery.status = Recovery.RecoveryStatus.RECOVERING
        recovery.save(update_fields=["status", "settled_at", "settlement_note"])
        record(
            user,
            "payments.repayment",
            repayment,
            amount=amount,
            owed=left - amount,
            settled=recovery.status == Recovery.RecoveryStatus.SETTLED,
        )
    return repayment
