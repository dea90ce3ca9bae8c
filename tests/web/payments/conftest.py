"""Payroll fixtures: entitlements granted directly (Entitlement + EntitlementVersion rows) to
households of the session district, with bank accounts; a fast password hasher; and, for the
transactional tests, the session district put back if an earlier transactional test flushed it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jiuzhu.web.entitlements.models import Entitlement, EntitlementVersion, Status, VersionBasis
from jiuzhu.web.payments.models import AccountStatus, BankAccount
from jiuzhu.web.payments.validation import luhn_check_digit
from jiuzhu.web.registry.models import Household


def households_of(township: str, count: int) -> list[Household]:
    return list(Household.objects.filter(township_code=township).order_by("pk")[:count])


def account_number(household: Household, person: Any = None) -> str:
    """A 19-digit synthetic UnionPay card number (with its Luhn check digit), unique per
    household (and person)."""
    return card(f"622202{(person.pk if person else 0) % 10_000:04d}{household.pk:08d}")


def card(body: str) -> str:
    """``body`` completed with its Luhn check digit."""
    return body + luhn_check_digit(body)


def grant(
    households: Sequence[Household],
    *,
    program: str = "dibao",
    start: str = "2025-08",
    amount: int = 100_000,
    with_accounts: bool = True,
    status: str = Status.ACTIVE,
    prefix: str = "ET",
) -> list[Entitlement]:
    """One entitlement per household from ``start`` at ``amount`` fen a month (version 1),
    and, unless told otherwise, a bank account in force in the household's name (as if
    recorded and checked before)."""
    entitlements = Entitlement.objects.bulk_create(
        [
            Entitlement(
                number=f"{prefix}{program[:2].upper()}{h.pk:08d}",
                program=program,
                household=h,
                division_code=h.division_code,
                status=status,
                start_month=start,
            )
            for h in households
        ]
    )
    EntitlementVersion.objects.bulk_create(
        [
            EntitlementVersion(
                entitlement=e,
                number=1,
                valid_from=start,
                monthly_amount=amount,
                basis=VersionBasis.DECISION,
            )
            for e in entitlements
        ]
    )
    if with_accounts:
        BankAccount.objects.bulk_create(
            [
                BankAccount(
                    household=h,
                    bank_name="中国工商银行宝坻支行",
                    account_number=account_number(h),
                    holder_name=holder(h),
                    holder_id=holder_id(h),
                    status=AccountStatus.IN_FORCE,
                )
                for h in households
            ]
        )
    return entitlements


def _first_member(household: Household) -> Any:
    return (
        household.memberships.filter(valid_to__isnull=True)
        .select_related("person")
        .order_by("relation", "person_id")
        .first()
    )


def holder(household: Household) -> str:
    member = _first_member(household)
    return member.person.name if member else "户主"


def holder_id(household: Household) -> str:
    member = _first_member(household)
    return member.person.resident_id if member else ""


def new_version(
    entitlement: Entitlement,
    *,
    valid_from: str,
    amount: int,
    basis: str = VersionBasis.STANDARD_CHANGE,
) -> EntitlementVersion:
    """A version from ``valid_from`` (possibly a month already paid), closing the one before —
    as the entitlements app does for a standard change."""
    current = entitlement.versions.order_by("-number").first()
    assert current is not None
    EntitlementVersion.objects.filter(pk=current.pk).update(valid_to=valid_from)
    return EntitlementVersion.objects.create(
        entitlement=entitlement,
        number=current.number + 1,
        valid_from=valid_from,
        monthly_amount=amount,
        basis=basis,
    )


def holder_fields(
    household: Household, number: str, bank: str = "中国银行宝坻支行"
) -> dict[str, str]:
    """The fields of ``record_account`` for an account held by the household's first member."""
    member = (
        household.memberships.filter(valid_to__isnull=True)
        .select_related("person")
        .order_by("relation", "person_id")
        .first()
    )
    assert member is not None
    return {
        "bank_name": bank,
        "account_number": number,
        "holder_name": member.person.name,
        "holder_id": member.person.resident_id,
    }
