"""Verifying an application: the verified values, the comparisons, the audit trail, the report
and its jurisdiction, and a query count that does not grow with the household."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from jiuzhu.batch.pipelines.verify.common import month_window
from jiuzhu.feeds.sources import SOURCES
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.registry.models import Asset, Household, Income, Membership, Person, Source
from jiuzhu.web.verification.actions import run_verification
from jiuzhu.web.verification.models import DepartmentRecord, Discrepancy, VerificationAnswer
from jiuzhu.web.verification.queries import verification_report
from tests.web.verification.conftest import caseworker

pytestmark = pytest.mark.django_db

TAX_WINDOW = month_window("2025-09", 6)
"""The six months before the district's date (2025-10-15) that the tax feed covers."""
MAX_QUERIES = 24


def tax_average(resident_id: str) -> int:
    by_month: dict[str, int] = defaultdict(int)
    for period, data in DepartmentRecord.objects.filter(
        sealed_match("resident_id", resident_id), source="tax"
    ).values_list("period", "data"):
        if period in TAX_WINDOW:
            by_month[period] += data["income"]
    return (sum(by_month.values()) + 3) // 6


def household_of(person: Person) -> Household:
    return Household.objects.get(memberships__person=person, memberships__valid_to__isnull=True)


def under_declared_earner() -> Person:
    """A member whose declared wage is more than a yuan below the tax records' average."""
    declared = Income.objects.filter(component="wage_income", source=Source.DECLARED)
    for income in declared.select_related("person").order_by("pk"):
        if tax_average(income.person.resident_id) - income.monthly_amount > 100:
            return income.person
    raise AssertionError("no under-declared earner in the district")


def test_verified_wage_and_the_discrepancy(new_application: Any) -> None:
    person = under_declared_earner()
    declared = Income.objects.get(person=person, component="wage_income", source=Source.DECLARED)
    application, user = new_application(household_of(person))
    run = run_verification(user, application)

    expected = tax_average(person.resident_id)
    verified = Income.objects.get(person=person, component="wage_income", source=Source.VERIFIED)
    assert verified.monthly_amount == expected
    assert verified.basis.startswith("核对")
    # The declaration is kept beside the verified value.
    declared.refresh_from_db()
    assert declared.monthly_amount < expected
    row = Discrepancy.objects.get(run=run, person=person, item="wage_income")
    assert (row.declared, row.found, row.unit, row.severity) == (
        declared.monthly_amount,
        expected,
        "fen_per_month",
        "warning",
    )
    assert row.period == "2025-04至2025-09" and row.received_at is not None
    assert run.warnings >= 1
    members = Membership.objects.filter(household=application.household, valid_to__isnull=True)
    assert VerificationAnswer.objects.filter(run=run).count() == members.count() * len(SOURCES)
    answer = VerificationAnswer.objects.get(run=run, person=person, source="tax")
    assert answer.found and answer.summary["monthly_wage"] == expected
    assert {r["period"] for r in answer.records} == set(TAX_WINDOW)
    event = AuditEvent.objects.get(action="verification.run", object_id=str(run.pk))
    key = f"income:{person.pk}:wage_income"
    assert event.before[key] is None and event.after[key]["monthly_amount"] == expected
    assert event.division_code == application.household.division_code


def test_monetary_assets_are_deposits_plus_business_capital(
    new_application: Any, district_folder: Path
) -> None:
    """The head of a household with a business: the bank balances and the subscribed capital
    of the active business add up to the monetary assets the synthetic district gave them."""
    owners = set(
        DepartmentRecord.objects.filter(
            source="market_entities", data__status="active"
        ).values_list("resident_id", flat=True)
    )
    banked = set(
        DepartmentRecord.objects.filter(source="financial_assets").values_list(
            "resident_id", flat=True
        )
    )
    resident_id = sorted(owners & banked)[0]
    person = Person.objects.get(sealed_match("resident_id", resident_id))
    Asset.objects.filter(person=person, source=Source.DECLARED).update(amount=1)
    application, user = new_application(household_of(person))
    run = run_verification(user, application)

    balances = sum(
        DepartmentRecord.objects.filter(
            sealed_match("resident_id", resident_id), source="financial_assets"
        ).values_list("data__balance", flat=True)
    )
    capital = sum(
        DepartmentRecord.objects.filter(
            sealed_match("resident_id", resident_id),
            source="market_entities",
            data__status="active",
        ).values_list("data__subscribed_capital", flat=True)
    )
    truth = (
        pl.read_parquet(district_folder / "persons.parquet")
        .filter(pl.col("resident_id") == resident_id)["monetary_assets"]
        .item()
    )
    verified = Asset.objects.get(person=person, source=Source.VERIFIED)
    assert verified.amount == balances + capital == truth
    row = Discrepancy.objects.get(run=run, person=person, item="monetary_assets")
    assert (row.declared, row.found, row.severity) == (1, truth, "warning")


def test_vehicles_are_counted_and_written_to_the_household(new_application: Any) -> None:
    owner = (
        DepartmentRecord.objects.filter(source="vehicles", data__deregistered=None)
        .order_by("pk")
        .values_list("resident_id", flat=True)
    )
    person = next(p for p in Person.objects.filter(sealed_match("resident_id", *owner[:50])))
    household = household_of(person)
    members = Membership.objects.filter(household=household, valid_to__isnull=True)
    ids = list(members.values_list("person__resident_id", flat=True))
    active = DepartmentRecord.objects.filter(
        sealed_match("resident_id", *ids), source="vehicles", data__deregistered=None
    ).count()
    assert active >= 1
    Household.objects.filter(pk=household.pk).update(vehicles=0)
    application, user = new_application(household)
    run = run_verification(user, application)

    household.refresh_from_db()
    assert household.vehicles == active
    row = Discrepancy.objects.get(run=run, person=None, item="vehicles")
    assert (row.declared, row.found, row.unit, row.severity) == (0, active, "count", "warning")
    event = AuditEvent.objects.get(
        action="verification.household_values", object_id=str(household.pk)
    )
    assert event.before["vehicles"] == 0 and event.after["vehicles"] == active
    assert event.detail["basis"] == "核对"

    # A second run finds the same: nothing changes, nothing more is audited.
    verified = set(
        Income.objects.filter(
            person__memberships__household=household, source=Source.VERIFIED
        ).values_list("pk", "monthly_amount", "basis")
    )
    run_verification(user, application)
    assert (
        AuditEvent.objects.filter(
            action="verification.household_values", object_id=str(household.pk)
        ).count()
        == 1
    )
    assert verified == set(
        Income.objects.filter(
            person__memberships__household=household, source=Source.VERIFIED
        ).values_list("pk", "monthly_amount", "basis")
    )
    assert application.verification_runs.count() == 2


def test_a_member_found_dead_is_a_warning(new_application: Any) -> None:
    dead = Person.objects.filter(
        resident_id_hash__in=DepartmentRecord.objects.filter(source="deaths").values(
            "resident_id_hash"
        )
    ).first()
    assert dead is not None
    application, user = new_application(household_of(dead))
    run = run_verification(user, application)
    row = Discrepancy.objects.get(run=run, person=dead, item="death")
    assert row.severity == "warning" and row.found.startswith("死亡")


def test_housing_fund_without_a_declared_wage_is_a_warning(new_application: Any) -> None:
    depositor = Person.objects.filter(
        resident_id_hash__in=DepartmentRecord.objects.filter(source="housing_fund").values(
            "resident_id_hash"
        )
    ).first()
    assert depositor is not None
    Income.objects.filter(person=depositor, component="wage_income").delete()
    application, user = new_application(household_of(depositor))
    run = run_verification(user, application)
    row = Discrepancy.objects.get(run=run, person=depositor, item="housing_fund")
    assert row.severity == "warning" and row.declared == "未申报工资收入"


def test_the_report_and_its_jurisdiction(new_application: Any) -> None:
    person = under_declared_earner()
    household = household_of(person)
    application, user = new_application(household)
    assert verification_report(user, application).run is None
    run_verification(user, application)

    report = verification_report(user, application)
    assert report.run is not None and report.warnings >= 1
    member = next(m for m in report.members if m.person_id == person.pk)
    assert member.masked_id == person.resident_id[:6] + "********" + person.resident_id[14:]
    wage = next(i for i in member.items if i.item == "wage_income")
    assert wage.warning and wage.found.endswith("元/月") and wage.source_label == "纳税记录"
    tax = next(s for s in report.sources if s.source == "tax")
    assert person.name in tax.members_found and tax.received_at is not None
    html = render_to_string("verification/report.html", {"report": report})
    assert 'class="diff"' in html and "tag warn" in html and member.masked_id in html
    assert person.resident_id not in html

    other_township = (
        Household.objects.exclude(township_code=household.township_code)
        .values_list("township_code", flat=True)
        .first()
    )
    assert other_township
    with pytest.raises(Http404):
        verification_report(caseworker(other_township), application)


def _household_of_size(size: int, smallest: bool) -> Household:
    counts: dict[int, int] = defaultdict(int)
    for household_id in Membership.objects.filter(valid_to__isnull=True).values_list(
        "household_id", flat=True
    ):
        counts[household_id] += 1
    chosen = (min if smallest else max)(counts, key=lambda h: (counts[h], h))
    assert (counts[chosen] <= size) if smallest else (counts[chosen] >= size)
    return Household.objects.get(pk=chosen)


def test_queries_do_not_grow_with_the_household(
    new_application: Any, django_assert_max_num_queries: Any
) -> None:
    counts = []
    for household in (_household_of_size(1, True), _household_of_size(5, False)):
        application, user = new_application(household)
        with (
            django_assert_max_num_queries(MAX_QUERIES),
            CaptureQueriesContext(connection) as queries,
        ):
            run_verification(user, application)
        counts.append(len(queries))
    small, large = counts
    assert large <= small + 2, counts  # at most the creations of other kinds of rows
