"""The procedure before a fraud's fine is decided (《中华人民共和国行政处罚法》):

* 第四十四条: the party is first informed of the facts, reasons, grounds, the intended penalty
  and their rights — the prior notice (行政处罚事先告知书, issued by the documents app, which
  calls ``notified``);
* 第四十五条: their statement and defence are heard, what holds is adopted, and the penalty may
  not be made heavier because they defended themselves (``record_statement``);
* 第六十三条、第六十四条: for a 较大数额罚款 they may request a hearing within 5 working days of
  the notice (``record_hearing_request``, ``record_hearing_outcome``).

``decision_refusal`` says why the decision may not be issued yet. An overpayment is no penalty:
none of this applies to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.rules.enforcement import (
    HEARING_REQUEST_WORKING_DAYS,
    STATEMENT_WORKING_DAYS,
    hearing_right,
)
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.procedure import rule
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.core import clock
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments.models import Recovery
from jiuzhu.web.payments.recoveries import fine_for, repaid
from jiuzhu.web.workcalendar.working_days import CalendarMissingError, add_working_days


def statement_ends(recovery: Recovery) -> dt.date | None:
    """The last day of the party's statement period (and of the hearing request, whichever is
    later), counted in working days from the prior notice; None before the notice.

    Raises:
        CalendarMissingError: the count reaches a year without a calendar.
    """
    if recovery.notified_on is None:
        return None
    on = recovery.notified_on
    days = max(
        rule(STATEMENT_WORKING_DAYS).number(on), rule(HEARING_REQUEST_WORKING_DAYS).number(on)
    )
    return add_working_days(on, days)


def decision_refusal(recovery: Recovery, today: dt.date) -> str | None:
    """Why the fraud decision may not be issued on ``today``, or None (an overpayment: None)."""
    if recovery.kind != Recovery.RecoveryKind.FRAUD:
        return None
    if recovery.notified_on is None:
        return _("请先出具行政处罚事先告知书，告知当事人陈述、申辩（和要求听证）的权利")
    if recovery.hearing_requested_on and not recovery.hearing_outcome:
        return _("当事人已要求听证：请先登记听证结果")
    if recovery.hearing_outcome:
        return None
    fine = recovery.notified_fine_amount or recovery.fine_amount
    if recovery.statement_on is not None and hearing_right(fine, recovery.notified_on) is False:
        return None
    # A statement heard does not end the time to ask for a hearing while the fine may be one
    # that gives the right (the threshold unknown counts as may).
    return _period_refusal(recovery, today)


def _period_refusal(recovery: Recovery, today: dt.date) -> str | None:
    """Why the statement period (or the hearing request period) is still running, or None."""
    try:
        ends = statement_ends(recovery)
    except CalendarMissingError as exc:
        return str(exc)
    if ends is None or today > ends:
        return None
    if recovery.statement_on is not None:
        return _("当事人可在%(day)s前要求听证：期满未要求听证后方可决定") % {
            "day": ends.isoformat()
        }
    return _("陈述、申辩期限至%(day)s：期满未陈述或登记陈述、申辩及复核意见后方可决定") % {
        "day": ends.isoformat()
    }


def notified(user: Staff, recovery: Recovery) -> Recovery:
    """Record that the prior notice was issued today with the fine it announces (called by the
    documents app in the transaction that numbers the notice; ``recovery`` locked).

    Raises:
        PermissionDenied; ValidationError: not a fraud, or already notified.
    """
    require(user, "payments.recovery", recovery)
    if recovery.kind != Recovery.RecoveryKind.FRAUD or recovery.notified_on is not None:
        raise ValidationError(_("只有尚未告知的骗取追回出具行政处罚事先告知书"))
    recovery.notified_on = clock.today()
    recovery.notified_fine_amount = recovery.fine_amount
    recovery.save(update_fields=["notified_on", "notified_fine_amount"])
    record(
        user,
        "payments.penalty_notified",
        recovery,
        after=snapshot(recovery, ["notified_on", "notified_fine_amount"]),
    )
    return recovery


def decided(user: Staff, recovery: Recovery) -> Recovery:
    """Record that the fraud decision was issued today (called by the documents app in the
    transaction that numbers it): the statement, hearing and fine are closed from then on.

    Raises:
        PermissionDenied; ValidationError: the procedure does not allow the decision yet.
    """
    require(user, "payments.recovery", recovery)
    reason = decision_refusal(recovery, clock.today())
    if reason:
        raise ValidationError(reason)
    recovery.penalty_decided_on = clock.today()
    recovery.save(update_fields=["penalty_decided_on"])
    record(user, "payments.penalty_decided", recovery, fine=recovery.fine_amount)
    return recovery


def _open(user: Staff, recovery: Recovery) -> Recovery:
    """The recovery locked, once the prior notice is issued and before the decision."""
    require(user, "payments.recovery", recovery)
    recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
    if recovery.kind != Recovery.RecoveryKind.FRAUD or recovery.notified_on is None:
        raise ValidationError(_("行政处罚事先告知书出具后才能登记陈述、申辩或听证"))
    if recovery.penalty_decided_on is not None:
        raise ValidationError(_("处罚决定已作出，不能再登记"))
    return recovery


def _revised_fine(recovery: Recovery, fine_multiple: Decimal | str | None) -> None:
    """Set the fine the decision will impose (a lower multiple after the statement or hearing).

    Raises:
        ValidationError (on ``fine_multiple``): outside the rules' range, a fine above the one
            the prior notice announced (《行政处罚法》第四十五条第二款: 不得因当事人陈述、申辩而给予
            更重的处罚), or one that would leave less owed than already repaid.
    """
    if fine_multiple in (None, ""):
        return
    try:
        multiple, fine = fine_for(recovery.amount, fine_multiple)
    except ValidationError as exc:
        raise ValidationError({"fine_multiple": exc.messages[0]}) from None
    ceiling = recovery.notified_fine_amount or 0
    if fine > ceiling:
        raise ValidationError(
            {
                "fine_multiple": _(
                    "不得因当事人陈述、申辩而给予更重的处罚：罚款不得高于告知的 %(fine)s 元"
                )
                % {"fine": format_yuan(ceiling)}
            }
        )
    paid = repaid(recovery)
    if recovery.amount + fine < paid:
        raise ValidationError(
            {
                "fine_multiple": _(
                    "已缴回 %(paid)s 元，高于减轻后的应缴总额：请先处理多缴部分的退还"
                )
                % {"paid": format_yuan(paid)}
            }
        )
    recovery.fine_multiple = multiple
    recovery.fine_amount = fine


def record_statement(
    user: Staff,
    recovery: Recovery,
    *,
    received_on: dt.date,
    statement: str,
    adopted: bool,
    finding: str,
    fine_multiple: Decimal | str | None = None,
) -> Recovery:
    """Record the party's statement and defence and the bureau's finding on it: adopted or not,
    with the reasons, and the fine the decision will impose (never higher than notified).

    Raises:
        PermissionDenied; ValidationError: no statement or no reasons, a date in the future or
            before the notice, a heavier fine, no notice yet or the decision already made.
    """
    errors: dict[str, str] = {}
    if not statement.strip():
        errors["statement"] = _("请填写当事人陈述、申辩的内容")
    if not finding.strip():
        errors["finding"] = _("请写明采纳或者不予采纳的理由")
    if received_on > clock.today():
        errors["received_on"] = _("日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recovery = _open(user, recovery)
        if recovery.statement_on is not None:
            raise ValidationError(_("已登记陈述、申辩及复核意见，不能重复登记"))
        if recovery.notified_on and received_on < recovery.notified_on:
            raise ValidationError({"received_on": _("日期不能早于事先告知日期")})
        before = snapshot(
            recovery,
            [
                "statement_on",
                "statement",
                "statement_adopted",
                "statement_finding",
                "fine_multiple",
                "fine_amount",
            ],
        )
        _revised_fine(recovery, fine_multiple)
        recovery.statement_on = received_on
        recovery.statement = statement.strip()
        recovery.statement_adopted = adopted
        recovery.statement_finding = finding.strip()
        recovery.save()
        record(
            user,
            "payments.penalty_statement",
            recovery,
            before=before,
            after=snapshot(
                recovery,
                [
                    "statement_on",
                    "statement",
                    "statement_adopted",
                    "statement_finding",
                    "fine_multiple",
                    "fine_amount",
                ],
            ),
        )
    return recovery


def record_hearing_request(user: Staff, recovery: Recovery, *, requested_on: dt.date) -> Recovery:
    """Record that the party requested a hearing: the decision waits for its outcome.

    Raises:
        PermissionDenied; ValidationError: a date in the future or before the notice, a request
            already recorded, no notice yet or the decision already made.
    """
    if requested_on > clock.today():
        raise ValidationError({"requested_on": _("日期不能晚于今天")})
    with transaction.atomic():
        recovery = _open(user, recovery)
        if recovery.notified_on and requested_on < recovery.notified_on:
            raise ValidationError({"requested_on": _("日期不能早于事先告知日期")})
        if recovery.hearing_requested_on is not None:
            raise ValidationError(_("已登记听证要求"))
        recovery.hearing_requested_on = requested_on
        recovery.save(update_fields=["hearing_requested_on"])
        record(
            user,
            "payments.hearing_request",
            recovery,
            after=snapshot(recovery, ["hearing_requested_on"]),
        )
    return recovery


def record_hearing_outcome(
    user: Staff,
    recovery: Recovery,
    *,
    held_on: dt.date,
    outcome: str,
    fine_multiple: Decimal | str | None = None,
) -> Recovery:
    """Record the hearing held and its outcome, and the fine the decision will impose (never
    higher than notified).

    Raises:
        PermissionDenied; ValidationError: no hearing requested, no outcome, a date in the
            future, a heavier fine, or the decision already made.
    """
    errors: dict[str, str] = {}
    if not outcome.strip():
        errors["outcome"] = _("请填写听证结果")
    if held_on > clock.today():
        errors["held_on"] = _("日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recovery = _open(user, recovery)
        if recovery.hearing_requested_on is None:
            raise ValidationError(_("当事人未要求听证"))
        if recovery.hearing_outcome:
            raise ValidationError(_("已登记听证结果，不能重复登记"))
        before = snapshot(
            recovery,
            [
                "hearing_requested_on",
                "hearing_held_on",
                "hearing_outcome",
                "fine_multiple",
                "fine_amount",
            ],
        )
        _revised_fine(recovery, fine_multiple)
        recovery.hearing_held_on = held_on
        recovery.hearing_outcome = outcome.strip()
        recovery.save()
        record(
            user,
            "payments.hearing_outcome",
            recovery,
            before=before,
            after=snapshot(
                recovery,
                [
                    "hearing_requested_on",
                    "hearing_held_on",
                    "hearing_outcome",
                    "fine_multiple",
                    "fine_amount",
                ],
            ),
        )
    return recovery
