"""Temporary assistance paid once: the reserve fund's floor and balance, help first (先行救助)
within the rules' limits, refusals that write nothing, jurisdiction, and the workbench's
overspent fund."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases.actions import submit_application
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core.clock import today
from jiuzhu.web.payments import oneoff
from jiuzhu.web.payments.models import OneOffPayment, ReserveFund
from jiuzhu.web.payments.queries import work_items
from jiuzhu.web.registry.models import Household

pytestmark = pytest.mark.django_db


def _household(township: str) -> Household:
    found = (
        Household.objects.filter(township_code=township, applications__isnull=True)
        .order_by("pk")
        .first()
    )
    assert found is not None
    return found


def _applicant(household: Household) -> object:
    return household.memberships.filter(valid_to__isnull=True).first().person  # type: ignore[union-attr]


def _help(
    user: User, household: Household, amount: int, **fields: str
) -> tuple[Application, OneOffPayment]:
    return oneoff.help_first(
        user,
        household,
        applicant=_applicant(household),  # type: ignore[arg-type]
        emergency=fields.pop("emergency", "住房失火"),
        amount=amount,
        form=fields.pop("form", "cash"),
        **fields,
    )


def test_the_fund_is_at_least_a_yuan_a_resident_and_only_the_district_records_it(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    township = townships[0]
    year = today().year
    with pytest.raises(ValidationError, match=r"不低于户籍人口每人每年1\.00元"):
        oneoff.set_reserve_fund(
            users["officer"], township, year, amount=4_999_900, registered_residents=50_000
        )
    with pytest.raises(PermissionDenied):
        oneoff.set_reserve_fund(
            users["head"], township, year, amount=5_000_000, registered_residents=50_000
        )
    fund = oneoff.set_reserve_fund(
        users["officer"], township, year, amount=5_000_000, registered_residents=50_000
    )
    assert oneoff.fund_balance(fund) == 5_000_000
    # Recorded again, it is corrected, not doubled.
    oneoff.set_reserve_fund(
        users["officer"], township, year, amount=6_000_000, registered_residents=50_000
    )
    assert ReserveFund.objects.get().amount == 6_000_000


def test_help_first_within_the_limits_registers_and_pays_once(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships[0])
    limits = oneoff.limits(household, today())
    assert limits.cap and limits.township_limit
    fund = oneoff.set_reserve_fund(
        users["officer"], townships[0], today().year, amount=100_000, registered_residents=1_000
    )
    application, payment = _help(
        users["caseworker"], household, 150_000, form="in_kind", goods="棉被两床、米面油"
    )
    assert application.stage == Stage.AWAITING_MATERIALS and application.fast_path
    assert application.program_inputs["temporary_assistance_type"] == "emergency"
    assert application.helped_amount == 150_000
    assert application.followup_due_on and application.followup_due_on > today()
    assert payment.fund == fund and payment.goods == "棉被两床、米面油"
    # Overspent: paid all the same, and the workbench says so to the township and the district.
    assert oneoff.fund_balance(fund) == -50_000
    for name in ("caseworker", "officer"):
        kinds = {work.kind: work for work in work_items(users[name], today())}
        assert kinds["临时救助备用金超支"].items[0].overdue


@pytest.mark.parametrize(
    ("amount", "fields", "field"),
    [
        (0, {}, "amount"),
        (10_000, {"emergency": " "}, "emergency"),
        (10_000, {"form": "in_kind"}, "goods"),
        (10_000, {"form": "cheque"}, "form"),
        (10**9, {}, "amount"),
    ],
)
def test_a_refused_help_writes_nothing(
    users: dict[str, User],
    townships: tuple[str, str],
    amount: int,
    fields: dict[str, str],
    field: str,
) -> None:
    household = _household(townships[0])
    with pytest.raises(ValidationError) as caught:
        _help(users["caseworker"], household, amount, **dict(fields))
    assert field in caught.value.message_dict
    assert not Application.objects.filter(household=household).exists()
    assert not OneOffPayment.objects.exists()


def test_only_the_township_helps_and_only_its_own_households(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships[0])
    for name in ("outsider", "officer", "community", "auditor"):
        with pytest.raises(PermissionDenied):
            _help(users[name], household, 10_000)
    assert not OneOffPayment.objects.exists()


def test_an_approved_ordinary_case_is_paid_once(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships[0])
    application = submit_application(
        users["caseworker"],
        household,
        program="temporary_assistance",
        applicant=_applicant(household),  # type: ignore[arg-type]
        channel="counter",
        materials=[],
    )
    with pytest.raises(ValidationError, match="已确认同意"):
        oneoff.pay_once(users["caseworker"], application, form="cash")
    # Decided through the ordinary procedure (stored directly here: the journey test walks it).
    Application.objects.filter(pk=application.pk).update(
        stage=Stage.APPROVED, monthly_amount=200_000
    )
    with pytest.raises(PermissionDenied):
        oneoff.pay_once(users["outsider"], application, form="cash")
    payment = oneoff.pay_once(users["caseworker"], application, form="in_kind", goods="米面油")
    assert payment.amount == 200_000 and payment.goods == "米面油"
    with pytest.raises(ValidationError, match="已发放"):
        oneoff.pay_once(users["caseworker"], application, form="cash")
    assert OneOffPayment.objects.filter(application=application).count() == 1
