"""Bank accounts: the account a household (or a tekun person) is paid into (最低生活保障审核确认
办法 Art. 25: 社会化发放), recorded by one person and checked by another.

The township caseworker records the account at the counter (a district officer may too); the
township head or a district officer checks it against the passbook or card — never the person
who recorded it (``payments.workflow.ACCOUNT``). Only an account in force is paid into. A change
of account is a new account: when it is checked, the old one is marked *replaced*, never edited
or deleted, so a payment keeps the account it was sent to.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.locks import locked
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments import validation
from jiuzhu.web.payments.models import AccountStatus, BankAccount
from jiuzhu.web.payments.workflow import ACCOUNT, payee_accounts
from jiuzhu.web.registry.models import Household, Person


def _snapshot(account: BankAccount) -> dict[str, Any]:
    """What the audit trail keeps of an account: masked, like every log (DESIGN.md §9)."""
    return {
        "status": account.status,
        "account": account.masked,
        "bank": account.bank_name,
        "holder": account.holder_name,
        "holder_id": mask_id(account.holder_id) if account.holder_id else "",
        "person": account.person_id,
    }


def _clean(
    household: Household,
    person: Person | None,
    *,
    bank_name: str,
    account_number: str,
    holder_name: str,
    holder_id: str,
    holder_note: str,
) -> dict[str, str]:
    """Every field checked at once (all the problems in one answer).

    The holder is normally a current member of the household — for a tekun person's own
    account, that person; anyone else (a guardian, a custodian) needs a stated reason. A holder
    who is a member must bear the name the registry has for that ID.
    """
    errors: dict[str, Any] = {}
    cleaned: dict[str, str] = {}
    for field, cleaner, value in (
        ("bank_name", validation.clean_bank_name, bank_name),
        ("account_number", validation.clean_account_number, account_number),
        ("holder_name", validation.clean_holder_name, holder_name),
        ("holder_id", validation.clean_holder_id, holder_id),
    ):
        try:
            cleaned[field] = cleaner(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    note = " ".join(str(holder_note).split())
    if len(note) > 200:
        errors["holder_note"] = _("原因不能超过200个字")
    members = {
        m.person.resident_id: m.person
        for m in household.memberships.filter(valid_to__isnull=True).select_related("person")
    }
    if person is not None and person.resident_id not in members:
        errors["person"] = _("该人员不是家庭现有成员")
    number = cleaned.get("holder_id")
    if number and "holder_name" in cleaned:
        member = members.get(number)
        expected = person if person is not None else member
        if member is not None and member.name != cleaned["holder_name"]:
            errors["holder_name"] = _("户名与该身份证号在登记库中的姓名“%(name)s”不一致") % {
                "name": member.name
            }
        elif (expected is None or expected.resident_id != number) and not note:
            errors["holder_note"] = (
                _("持卡人不是该特困人员本人，请写明原因（如监护人）")
                if person is not None
                else _("持卡人不是该家庭的现有成员，请写明原因（如监护人）")
            )
    if errors:
        raise ValidationError(errors)
    return {**cleaned, "holder_note": note}


def record_account(
    user: Staff,
    household: Household,
    *,
    bank_name: str,
    account_number: str,
    holder_name: str,
    holder_id: str,
    holder_note: str = "",
    person: Person | None = None,
) -> BankAccount:
    """Record the account a household (``person`` None) or a tekun person is paid into; it
    waits for its check by another person. For a payee with an account in force this is a
    replacement: the account in force stays in force until the new one is checked.

    Raises:
        NotPermitted: not a township caseworker or district officer of the jurisdiction;
        Refused: the payee already has an account waiting for its check;
        ValidationError: the problems of the fields (``validation``), a person who is not a
            current member, a holder outside the household without a reason, or the very
            account already in force.
    """
    probe = BankAccount(household=household, person=person)
    today = clock.today()
    # Who may, first (a refusal says so before any field is looked at); again on the lock.
    current = payee_accounts(probe).filter(status=AccountStatus.IN_FORCE).first()
    ACCOUNT.check(user, current or probe, "replace" if current else "record", today)
    data = _clean(
        household,
        person,
        bank_name=bank_name,
        account_number=account_number,
        holder_name=holder_name,
        holder_id=holder_id,
        holder_note=holder_note,
    )
    with transaction.atomic():
        # The household row serialises two clerks recording for the same payee at once.
        Household.objects.select_for_update().filter(pk=household.pk).first()
        current = payee_accounts(probe).filter(status=AccountStatus.IN_FORCE).first()
        if current is None:
            ACCOUNT.check(user, probe, "record", today)
        else:
            ACCOUNT.check(user, current, "replace", today)
            if current.account_number == data["account_number"]:
                raise ValidationError({"account_number": _("与现有有效账户相同，无需更换")})
        account = BankAccount.objects.create(
            household=household,
            person=person,
            status=AccountStatus.AWAITING_CHECK,
            created_by=user,
            **data,
        )
        record(
            user,
            "payments.record_account",
            account,
            after=_snapshot(account),
            replaces=current.masked if current else None,
        )
    return account


def check_account(user: Staff, account: BankAccount) -> BankAccount:
    """Put an account in force after checking it against the passbook or card and the holder's
    ID (another person than the one who recorded it). The payee's account in force until now,
    if any, is marked replaced (its payments keep it).

    Raises:
        Refused: the account is not waiting for its check;
        NotPermitted: not a township head or district officer of the jurisdiction, or the
            person who recorded it.
    """
    with transaction.atomic():
        account = locked(account, "created_by")
        ACCOUNT.check(user, account, "check", clock.today())
        now = timezone.now()
        current = (
            payee_accounts(account)
            .select_for_update()
            .filter(status=AccountStatus.IN_FORCE)
            .first()
        )
        if current is not None:
            # First, so that the payee never has two accounts in force (the constraint).
            current.status = AccountStatus.REPLACED
            current.replaced_at = now
            current.save(update_fields=["status", "replaced_at"])
        account.status = AccountStatus.IN_FORCE
        account.checked_by = user
        account.checked_at = now
        account.replaces = current
        account.save(update_fields=["status", "checked_by", "checked_at", "replaces"])
        record(
            user,
            "payments.check_account",
            account,
            before={"status": AccountStatus.AWAITING_CHECK},
            after={"status": account.status},
            replaced=current.masked if current else None,
        )
    return account


def reject_account(user: Staff, account: BankAccount, *, reason: str) -> BankAccount:
    """Send a recorded account back with the reason (a wrong digit, a holder who does not
    match the card …): it is never paid into; the caseworker records the right one.

    Raises:
        ValidationError: no reason; Refused: not waiting for its check; NotPermitted: as for
            ``check_account``.
    """
    reason = " ".join(str(reason).split())
    if not reason:
        raise ValidationError({"reason": _("请写明退回理由")})
    with transaction.atomic():
        account = locked(account, "created_by")
        ACCOUNT.check(user, account, "reject", clock.today())
        account.status = AccountStatus.REJECTED
        account.checked_by = user
        account.checked_at = timezone.now()
        account.rejection_reason = reason
        account.save(update_fields=["status", "checked_by", "checked_at", "rejection_reason"])
        record(
            user,
            "payments.reject_account",
            account,
            before={"status": AccountStatus.AWAITING_CHECK},
            after={"status": account.status},
            reason=reason,
        )
    return account


def reveal_account(user: Staff, account: BankAccount) -> str:
    """The whole account number, for one look (roles above community worker, as for ID
    numbers); every look is an audit event.

    Raises:
        PermissionDenied: the role may not, or the account is outside the jurisdiction.
    """
    require(user, "payments.view_unmasked", account)
    record(
        user,
        "payments.view_unmasked_account",
        account,
        division_code=account.household.division_code,
        field="account_number",
    )
    return account.account_number
