"""标准调整: a raised dibao standard recomputes every active entitlement; the differences wait for
a second person's approval and become versions from the effective month, only where the amount
changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.rules import load_system
from jiuzhu.rules.system import ENGINE_VERSION
from jiuzhu.web.accounts.models import User
from jiuzhu.web.entitlements.actions import standard_change_runs
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ItemOutcome,
    ReviewTask,
    RunStatus,
    TaskKind,
    VersionBasis,
)
from jiuzhu.web.entitlements.standard_change import recompute
from jiuzhu.web.registry.models import Household
from tests.web.entitlements.conftest import assessed, dibao_households, make_entitlement

EFFECTIVE = dt.date(2025, 9, 1)
RAISED = 110_000
"""1,100 yuan in fen: the test's new standard from 2025-09-01 (published: 1,045)."""


def raised_system() -> Any:
    """Tianjin's rules with the 2025-09-01 dibao standard raised to 1,100 yuan (the engine holds
    fen; ``with_value`` takes the resolved value, keyed by area type)."""
    system = load_system("tianjin")
    tree = system.parameters.with_value(
        "dibao.standard", EFFECTIVE, {"urban": RAISED, "rural": RAISED}
    )
    return dataclasses.replace(system, parameters=tree)


@pytest.fixture
def portfolio(users: dict[str, User]) -> dict[str, Any]:
    """Entitlements on the published standard (1,045 from 2025-09): four that the raise changes,
    one already at the raised amount, one household no longer eligible, one whose version starts
    in the effective month."""
    published = dibao_households("", EFFECTIVE)
    raised = dibao_households("", EFFECTIVE, raised_system())
    both = published.join(raised, on="household_id", suffix="_raised")
    assert both.height >= 6, "the test district needs dibao households"
    rows = both.sort("household_id").rows(named=True)
    changing = [
        make_entitlement(r["household_id"], amount=r["dibao_amount"], start_month="2025-06")
        for r in rows[:4]
    ]
    unchanged = make_entitlement(
        rows[4]["household_id"], amount=rows[4]["dibao_amount_raised"], start_month="2025-06"
    )
    late = make_entitlement(
        rows[5]["household_id"], amount=rows[5]["dibao_amount"], start_month="2025-09"
    )
    everyone = assessed("", EFFECTIVE, raised_system())
    ineligible_id = everyone.filter(~pl.col("dibao_eligible").fill_null(True))["household_id"][0]
    ineligible = make_entitlement(ineligible_id, amount=50_000, start_month="2025-06")
    return {
        "rows": {r["household_id"]: r for r in rows},
        "changing": changing,
        "unchanged": unchanged,
        "late": late,
        "ineligible": ineligible,
    }


@pytest.mark.django_db
def test_a_raised_standard_changes_amounts_only_after_a_second_person_approves(
    users: dict[str, User], portfolio: dict[str, Any]
) -> None:
    versions_before = EntitlementVersion.objects.count()
    run = standard_change_runs.start_standard_change(
        users["officer"],
        parameter_path="dibao.standard",
        effective_month="2025-09",
        description="测试：低保标准提高到1100元",
        system=raised_system(),
    )
    assert run.status == RunStatus.PROPOSED
    assert run.checked == 7
    assert run.changed == 4
    assert run.flagged == 2
    # Nothing is applied while the run waits.
    assert EntitlementVersion.objects.count() == versions_before
    outcomes = dict(run.items.values_list("entitlement_id", "outcome"))
    assert outcomes[portfolio["late"].pk] == ItemOutcome.NEEDS_CORRECTION
    assert outcomes[portfolio["ineligible"].pk] == ItemOutcome.NOT_ELIGIBLE
    assert portfolio["unchanged"].pk not in outcomes
    # Each changed amount rises by exactly (1,100 − 1,045) yuan per member counted.
    for entitlement in portfolio["changing"]:
        item = run.items.get(entitlement=entitlement)
        row = portfolio["rows"][entitlement.household_id]
        assert item.outcome == ItemOutcome.CHANGE
        assert item.new_amount == row["dibao_amount_raised"]
        assert item.new_amount - item.old_amount == 5_500 * row["unit_members"]
    # Totals by township and program add up to the run's.
    assert sum(t["checked"] for t in run.totals) == 7
    assert sum(t["after"] - t["before"] for t in run.totals) == run.total_after - run.total_before
    assert run.total_after - run.total_before == sum(
        5_500 * portfolio["rows"][e.household_id]["unit_members"] for e in portfolio["changing"]
    )

    # Maker–checker: not the starter, not a township role.
    with pytest.raises(PermissionDenied):
        standard_change_runs.approve_standard_change(users["officer"], run)
    with pytest.raises(PermissionDenied):
        standard_change_runs.approve_standard_change(users["caseworker"], run)
    assert EntitlementVersion.objects.count() == versions_before

    run = standard_change_runs.approve_standard_change(users["officer2"], run, note="同意")
    assert run.status == RunStatus.APPROVED
    assert (run.applied, run.skipped) == (4, 0)
    assert EntitlementVersion.objects.count() == versions_before + 4
    digest = raised_system().parameters.digest()
    assert digest != load_system("tianjin").parameters.digest()
    for entitlement in portfolio["changing"]:
        first, second = entitlement.versions.order_by("number")
        assert first.valid_to == "2025-09"
        assert second.valid_from == "2025-09"
        assert second.valid_to == ""
        assert second.basis == VersionBasis.STANDARD_CHANGE
        assert (
            second.monthly_amount
            == portfolio["rows"][entitlement.household_id]["dibao_amount_raised"]
        )
        assert (second.engine_version, second.parameter_digest) == (ENGINE_VERSION, digest)
        assert second.created_by == users["officer2"]
    # Where nothing changes there is no new version; what the run could not decide gets a task.
    assert portfolio["unchanged"].versions.count() == 1
    flagged = set(
        ReviewTask.objects.filter(kind=TaskKind.STANDARD_CHANGE).values_list(
            "entitlement_id", flat=True
        )
    )
    assert flagged == {portfolio["late"].pk, portfolio["ineligible"].pk}
    assert portfolio["late"].versions.count() == 1
    with pytest.raises(ValidationError):
        standard_change_runs.approve_standard_change(users["director"], run)


@pytest.mark.django_db
def test_an_entitlement_changed_after_the_run_is_skipped(
    users: dict[str, User], portfolio: dict[str, Any]
) -> None:
    run = standard_change_runs.start_standard_change(
        users["officer"],
        parameter_path="dibao.standard",
        effective_month="2025-09",
        system=raised_system(),
    )
    moved = portfolio["changing"][0]
    first = moved.versions.get()
    first.valid_to = "2025-10"
    first.save()
    EntitlementVersion.objects.create(
        entitlement=moved,
        number=2,
        valid_from="2025-10",
        monthly_amount=1,
        basis=VersionBasis.CORRECTION,
    )
    run = standard_change_runs.approve_standard_change(users["director"], run)
    assert (run.applied, run.skipped) == (3, 1)
    assert moved.versions.count() == 2
    assert ReviewTask.objects.filter(entitlement=moved, kind=TaskKind.STANDARD_CHANGE).exists()


@pytest.mark.django_db
def test_a_run_needs_a_value_starting_in_the_month_and_a_district_role(
    users: dict[str, User], portfolio: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        standard_change_runs.start_standard_change(
            users["officer"], parameter_path="dibao.standard", effective_month="2025-10"
        )
    with pytest.raises(ValidationError):
        standard_change_runs.start_standard_change(
            users["officer"], parameter_path="dibao.nothing", effective_month="2025-09"
        )
    with pytest.raises(PermissionDenied):
        standard_change_runs.start_standard_change(
            users["caseworker"], parameter_path="dibao.standard", effective_month="2025-09"
        )
    run = standard_change_runs.start_standard_change(
        users["officer"], parameter_path="dibao.standard", effective_month="2025-09"
    )
    # On the published standard the portfolio's amounts (made on it) do not change.
    assert run.changed == 1  # only the entitlement made at the raised amount goes back down
    standard_change_runs.discard_standard_change(users["officer2"], run, note="测算")
    assert not EntitlementVersion.objects.filter(basis=VersionBasis.STANDARD_CHANGE).exists()


def _make_many(count: int) -> None:
    """``count`` entitlements: five on dibao households (the raise changes them) and the rest on
    households the rules do not find eligible (flagged), so every branch of the batch runs."""
    eligible = dibao_households("", EFFECTIVE)["household_id"].to_list()[:5]
    others = list(
        Household.objects.exclude(pk__in=eligible)
        .order_by("pk")
        .values_list("pk", flat=True)[: count - len(eligible)]
    )
    for household_id in [*eligible, *others]:
        make_entitlement(household_id, amount=12_345, start_month="2025-06")


@pytest.mark.django_db
def test_the_batch_runs_a_fixed_number_of_queries(
    users: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    """No per-entitlement query: 100 more entitlements cost at most a bulk batch or two more
    (SQLite caps a bulk insert at 999 parameters), not a hundred queries."""
    counts = []
    for size in (20, 120):
        Entitlement.objects.all().delete()
        _make_many(size)
        with CaptureQueriesContext(connection) as recomputing:
            result = recompute("2025-09", system=raised_system())
        assert result.rows.height == size
        with CaptureQueriesContext(connection) as starting:
            run = standard_change_runs.start_standard_change(
                users["officer"],
                parameter_path="dibao.standard",
                effective_month="2025-09",
                system=raised_system(),
            )
        with CaptureQueriesContext(connection) as approving:
            standard_change_runs.approve_standard_change(users["officer2"], run)
        counts.append((len(recomputing), len(starting), len(approving)))
    assert counts[0][:2] == counts[1][:2], counts
    assert counts[1][2] - counts[0][2] <= 2, counts
    with django_assert_max_num_queries(30):
        standard_change_runs.start_standard_change(
            users["officer"],
            parameter_path="dibao.standard",
            effective_month="2025-09",
            system=raised_system(),
        )


@pytest.mark.django_db
def test_registry_data_the_engine_refuses_leaves_only_that_household_undetermined(
    users: dict[str, User], portfolio: dict[str, Any]
) -> None:
    """A back-dated month meets today's registry: a baby born since and a member who left
    since are read as of the effective date; a household with two applicants (bad data) is
    flagged on its own instead of stopping the district's batch."""
    from jiuzhu.web.registry.models import Membership, Person

    def others(entitlement: Any) -> list[Membership]:
        return list(
            Membership.objects.filter(household=entitlement.household, valid_to__isnull=True)
            .exclude(relation__in=("01", "02"))
            .order_by("pk")
        )

    larger = [e for e in portfolio["changing"] if others(e)]
    assert len(larger) >= 3, "the test needs three changing households with two members"
    first, second, third = larger[:3]
    Person.objects.filter(pk=others(first)[0].person_id).update(birth_date=dt.date(2025, 9, 20))
    away = others(second)[0]
    away.absence_reason = "prison"
    away.absent_since = dt.date(2025, 9, 15)
    away.save()
    Membership.objects.filter(pk=others(third)[0].pk).update(relation="01")
    result = recompute("2025-09", system=raised_system())
    outcomes = dict(result.rows.select("entitlement_id", "outcome").iter_rows())
    assert outcomes[third.pk] == ItemOutcome.UNDETERMINED
    assert outcomes[first.pk] != ItemOutcome.UNDETERMINED
    assert outcomes[second.pk] != ItemOutcome.UNDETERMINED
    assert result.rows.height == 7
