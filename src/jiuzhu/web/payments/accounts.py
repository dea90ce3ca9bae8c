"""Bank accounts: the account a household (or a tekun person) is paid into."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.web.audit.actions import record
from jiuzhu.web.payments.common import require
from jiuzhu.web.payments.models import (
    BankAccount,
)
from jiuzhu.web.registry.models import Household, Person


def add_bank_account(
    user: Any,
    household: Household,
    *,
    bank_name: str,
    account_number: str,
    holder_name: str,
    person: Person | None = None,
) -> BankAccount:
    """Record the account a household (or a tekun person) is paid into; the one in force
    before is deactivated, never edited (a payment keeps the account it was sent to).

    Raises:
        PermissionDenied: not a district role in the jurisdiction;
        ValidationError: an account number that is not 8–32 digits, a blank bank or name, a
            person who is not a current member.
    """
    require(user, "payments.bank_account", household)
    number = account_number.replace(" ", "").strip()
    errors: dict[str, str] = {}
    if not (number.isdigit() and 8 <= len(number) <= 32):
        errors["account_number"] = _("银行账号应为8至32位数字")
    if not bank_name.strip():
        errors["bank_name"] = _("请填写开户银行")
    if not holder_name.strip():
        errors["holder_name"] = _("请填写户名")
    if (
        person is not None
        and not household.memberships.filter(person=person, valid_to__isnull=True).exists()
    ):
        errors["person"] = _("该人员不是家庭现有成员")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        previous = list(
            BankAccount.objects.select_for_update().filter(
                household=household, person=person, active=True
            )
        )
        BankAccount.objects.filter(pk__in=[a.pk for a in previous]).update(
            active=False, deactivated_at=timezone.now()
        )
        account = BankAccount.objects.create(
            household=household,
            person=person,
            bank_name=bank_name.strip(),
            account_number=number,
            holder_name=holder_name.strip(),
            created_by=user,
        )
        record(
            user,
            "payments.bank_account",
            account,
            before={"account": previous[0].masked if previous else None},
            after={"account": account.masked, "bank": account.bank_name},
        )
    return account
