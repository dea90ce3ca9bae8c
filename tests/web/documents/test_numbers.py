"""Document numbers: one sequence per township, year and kind, without gaps — the number is
taken in the transaction that records the issued notice, under a lock on the sequence row, so a
rollback gives it back and two issuances at once get consecutive numbers (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections, transaction

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.core.programs import Program
from jiuzhu.web.documents.actions import fill_example_offices, issue_notice, take_number
from jiuzhu.web.documents.models import IssuedDocument, NumberSequence
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON, make_user
from tests.web.documents.conftest import applicant_of


def _approved(household: Household, user: User, suffix: int) -> Application:
    """An application decided as approved (as ``cases.actions.confirm_decision`` leaves it)."""
    return Application.objects.create(
        number=f"DBTEST{household.pk:08d}{suffix}",
        program=Program.DIBAO,
        household=household,
        applicant=applicant_of(household),
        division_code=household.division_code,
        channel=Channel.COUNTER,
        stage=Stage.APPROVED,
        created_by=user,
        accepted_on=ON,
        decided_on=ON,
        monthly_amount=50_000,
        first_paid_month="2025-11",
    )


def _two_households(township: str) -> list[Household]:
    found = list(
        Household.objects.filter(township_code=township, memberships__relation="01")
        .distinct()
        .order_by("pk")[:2]
    )
    assert len(found) == 2
    return found


@pytest.mark.django_db
def test_numbers_follow_per_township_year_and_kind(townships: tuple[str, str]) -> None:
    first, other = townships
    assert [take_number(first, 2025, "approval")[0] for _ in range(3)] == [1, 2, 3]
    assert take_number(first, 2025, "refusal")[0] == 1
    assert take_number(other, 2025, "approval")[0] == 1
    sequence, number = take_number(first, 2026, "approval")
    assert sequence == 1 and "〔2026〕1号" in number


@pytest.mark.django_db
def test_a_rolled_back_issuance_leaves_no_gap(
    townships: tuple[str, str], users: dict[str, User]
) -> None:
    fill_example_offices()
    one, two = (
        _approved(h, users["caseworker"], i) for i, h in enumerate(_two_households(townships[0]))
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        issued = issue_notice(users["caseworker"], "approval", one)
        assert issued.sequence == 1
        raise RuntimeError("the printer jammed before the transaction ended")
    assert not IssuedDocument.objects.exists()
    assert issue_notice(users["caseworker"], "approval", two).sequence == 1
    assert issue_notice(users["caseworker"], "approval", one).sequence == 2
    # Issuing again is a reprint: the same number, no new one taken.
    assert issue_notice(users["caseworker"], "approval", two).sequence == 1
    assert NumberSequence.objects.get(kind="approval").last == 2


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks (select_for_update) need PostgreSQL; SQLite serialises writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_issuances_at_once_get_consecutive_numbers_on_postgresql(
    committed_district: None,
) -> None:
    township = Household.objects.order_by("township_code").values_list("township_code", flat=True)[
        0
    ]
    user = make_user("issuer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    fill_example_offices()
    applications = [_approved(h, user, i) for i, h in enumerate(_two_households(township))]
    # The sequence row exists (committed) before either starts: only its lock can keep two
    # issuances from reading the same last number.
    NumberSequence.objects.create(township_code=township, year=ON.year, kind="approval", last=4)
    holding, release, second_done = threading.Event(), threading.Event(), threading.Event()
    found: list[int] = []
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                found.append(issue_notice(user, "approval", applications[0]).sequence)
                holding.set()
                release.wait(timeout=20)  # the printer is slow: the transaction stays open
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
            holding.set()
        finally:
            connections.close_all()

    def second() -> None:
        try:
            holding.wait(timeout=20)
            found.append(issue_notice(user, "approval", applications[1]).sequence)
            second_done.set()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert holding.wait(timeout=20)
    # The second issuance waits for the first transaction's lock on the sequence row.
    assert not second_done.wait(timeout=1.5)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert found == [5, 6]
    assert NumberSequence.objects.get(township_code=township, kind="approval").last == 6
    numbers = set(IssuedDocument.objects.values_list("number", flat=True))
    assert len(numbers) == 2
