"""Migration 0003 of the registry: the 15-digit IDs (GB 11643-1989) of persons and obligors
become 18 digits, each conversion an audit event with the number before and after; a number
that cannot be converted, or whose 18-digit form another person holds, is left and recorded.

The migration runs as Django runs it (``MigrationExecutor``): the registry is taken back to
0002, rows are written through the historic models, then 0003 is applied. Migrating needs a
connection outside a transaction on SQLite, hence ``transaction=True``; nothing here is
specific to one database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiuzhu.web.audit.models import AuditEvent

BEFORE = ("registry", "0002_household_floor_area_person_died_on_and_more")
CONVERTING = ("registry", "0003_resident_ids_18")
ACTION = "registry.convert_resident_id"

LEGACY = "120224650301002"
CONVERTED = "120224196503010021"
"""A 15-digit number of 宝坻县 (120224) and its 18-digit form (check character by GB 11643)."""
OBLIGOR_LEGACY, OBLIGOR_CONVERTED = "120224330412025", "120224193304120259"
IMPOSSIBLE = "120224651301003"
"""Born in the 13th month: it cannot be converted."""
HELD_LEGACY, HELD = "120224580920014", "120224195809200149"
"""A 15-digit number whose 18-digit form a second registration already holds."""
MODERN = "120115197611030479"


@pytest.fixture
def before_0003() -> Iterator[Any]:
    """The registry at 0002, and the historic models of that state; 0003 and everything else
    applied again afterwards, whatever the test did."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    try:
        yield executor.loader.project_state([BEFORE, ("audit", "0002_household_id")]).apps
    finally:
        MigrationExecutor(connection).migrate(leaves)


def _apply_0003() -> tuple[Any, Any]:
    """Apply 0003 alone; the historic Person and Obligor after it (later migrations add
    columns that the current models would read)."""
    executor = MigrationExecutor(connection)
    assert (CONVERTING[0], CONVERTING[1]) not in executor.loader.applied_migrations
    executor.migrate([CONVERTING])
    apps = MigrationExecutor(connection).loader.project_state([CONVERTING]).apps
    return apps.get_model("registry", "Person"), apps.get_model("registry", "Obligor")


def _person(apps: Any, household: Any, resident_id: str, born: dt.date, name: str) -> Any:
    person = apps.get_model("registry", "Person").objects.create(
        resident_id=resident_id, name=name, sex="1", birth_date=born
    )
    apps.get_model("registry", "Membership").objects.create(
        household=household, person=person, relation="01", valid_from=dt.date(2024, 1, 1)
    )
    return person


@pytest.mark.django_db(transaction=True)
def test_15_digit_ids_become_18_digits_each_with_an_audit_event(before_0003: Any) -> None:
    apps = before_0003
    household = apps.get_model("registry", "Household").objects.create(
        number="HMIG0003",
        division_code="120115001001",
        township_code="120115001",
        area_type="urban",
    )
    legacy = _person(apps, household, LEGACY, dt.date(1965, 3, 1), "甲")
    impossible = _person(apps, household, IMPOSSIBLE, dt.date(1965, 1, 1), "乙")
    duplicate = _person(apps, household, HELD_LEGACY, dt.date(1958, 9, 20), "丙")
    holder = apps.get_model("registry", "Person").objects.create(
        resident_id=HELD, name="丙", sex="1", birth_date=dt.date(1958, 9, 20)
    )
    modern = _person(apps, household, MODERN, dt.date(1976, 11, 3), "丁")
    obligor = apps.get_model("registry", "Obligor").objects.create(
        supported=legacy, resident_id=OBLIGOR_LEGACY, birth_date=dt.date(1933, 4, 12)
    )
    blank_obligor = apps.get_model("registry", "Obligor").objects.create(
        supported=modern, resident_id="", birth_date=dt.date(1950, 1, 1)
    )

    Person, Obligor = _apply_0003()

    assert Person.objects.get(pk=legacy.pk).resident_id == CONVERTED
    assert Obligor.objects.get(pk=obligor.pk).resident_id == OBLIGOR_CONVERTED
    assert Person.objects.get(pk=impossible.pk).resident_id == IMPOSSIBLE
    assert Person.objects.get(pk=duplicate.pk).resident_id == HELD_LEGACY
    assert Person.objects.get(pk=holder.pk).resident_id == HELD
    assert Person.objects.get(pk=modern.pk).resident_id == MODERN
    assert Obligor.objects.get(pk=blank_obligor.pk).resident_id == ""

    events = {(e.object_type, e.object_id): e for e in AuditEvent.objects.filter(action=ACTION)}
    # One event per 15-digit number, none for the others.
    assert set(events) == {
        ("registry.person", str(legacy.pk)),
        ("registry.person", str(impossible.pk)),
        ("registry.person", str(duplicate.pk)),
        ("registry.obligor", str(obligor.pk)),
    }
    converted = events[("registry.person", str(legacy.pk))]
    assert converted.before == {"resident_id": LEGACY}
    assert converted.after == {"resident_id": CONVERTED}
    assert converted.household_id == household.pk
    assert converted.division_code == "120115001001"
    assert converted.user is None
    assert "15位旧号码升级为18位" in converted.detail["note"]
    # The obligor's event belongs to the household of the person supported.
    by_obligor = events[("registry.obligor", str(obligor.pk))]
    assert by_obligor.before == {"resident_id": OBLIGOR_LEGACY}
    assert by_obligor.after == {"resident_id": OBLIGOR_CONVERTED}
    assert by_obligor.household_id == household.pk

    left = events[("registry.person", str(impossible.pk))]
    assert left.before == {"resident_id": IMPOSSIBLE} and left.after is None
    assert left.detail["note"].startswith("未能升级") and "19651301" in left.detail["note"]
    held = events[("registry.person", str(duplicate.pk))]
    assert held.before == {"resident_id": HELD_LEGACY} and held.after is None
    assert "已登记为另一人员" in held.detail["note"]
    # The note names the other registration masked, never whole.
    assert (
        HELD not in held.detail["note"] and HELD[:6] + "********" + HELD[14:] in held.detail["note"]
    )
