"""Entitlement test helpers: entitlements made directly (as a confirmed decision would), and
households picked by what the rules engine says of them on the district's date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from jiuzhu.rules import load_system
from jiuzhu.web.entitlements.assessment import without_persons
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ReviewClass,
    Status,
    VersionBasis,
)
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household, Person
from tests.web.conftest import ON

OUTPUTS = ["unit_members", "dibao_eligible", "dibao_amount"]


def set_today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


def assessed(township: str = "", on: dt.date = ON, system: Any = None) -> pl.DataFrame:
    """Every household of the township (blank: the district) with ``OUTPUTS`` on ``on``."""
    system = system or load_system("tianjin")
    ids = list(
        Household.objects.filter(township_code__startswith=township).values_list("pk", flat=True)
    )
    frames = without_persons(engine_frames(system, ids, on))
    result = system.simulate(frames["household"], frames["person"], frames["obligor"], OUTPUTS)
    return result.households.select("household_id", *OUTPUTS)


def dibao_households(township: str = "", on: dt.date = ON, system: Any = None) -> pl.DataFrame:
    """Dibao-eligible households of the township (blank: the district): household_id,
    unit_members, dibao_eligible, dibao_amount."""
    return assessed(township, on, system).filter(pl.col("dibao_eligible").fill_null(False))


def make_entitlement(
    household: Household | int,
    *,
    program: str = "dibao",
    amount: int = 100_000,
    start_month: str = "2025-05",
    person: Person | None = None,
    review_class: str = ReviewClass.STABLE,
    status: str = Status.ACTIVE,
) -> Entitlement:
    """An entitlement with its first version (basis decision), amount in fen per month."""
    if not isinstance(household, Household):
        household = Household.objects.get(pk=household)
    count = Entitlement.objects.count()
    entitlement = Entitlement.objects.create(
        number=f"ET{household.pk:06d}{count:04d}",
        program=program,
        household=household,
        person=person,
        division_code=household.division_code,
        status=status,
        start_month=start_month,
        review_class=review_class,
    )
    EntitlementVersion.objects.create(
        entitlement=entitlement,
        number=1,
        valid_from=start_month,
        monthly_amount=amount,
        basis=VersionBasis.DECISION,
    )
    return entitlement


def member(household: Household, relation: str | None = None) -> Person:
    memberships = household.memberships.filter(valid_to__isnull=True).select_related("person")
    if relation:
        memberships = memberships.filter(relation=relation)
    found = memberships.order_by("relation", "person_id").first()
    assert found is not None
    return found.person


@pytest.fixture
def first_township(townships: tuple[str, str]) -> str:
    return townships[0]
