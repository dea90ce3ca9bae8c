"""Each event names its household where it can be derived (``household_id``), for new events by
``record`` and for earlier ones by the data migration; the household page's filters read it."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.template import Context, Template

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit import protection
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.registry.models import Household, Membership
from tests.web.audit.test_log import history

__all__ = ["history"]

migration = importlib.import_module("jiuzhu.web.audit.migrations.0002_household_id")


@pytest.mark.django_db
def test_the_migration_fills_what_record_derives(history: dict[str, Any]) -> None:
    household: Household = history["household"]
    derived = dict(AuditEvent.objects.values_list("pk", "household_id"))
    assert derived and household.pk in derived.values()
    # The migration ran before the trail became append-only (0005): so here.
    with protection.lifted(connection):
        AuditEvent.objects.update(household_id=None)
        migration.fill_household(apps, None)
    assert dict(AuditEvent.objects.values_list("pk", "household_id")) == derived


@pytest.mark.django_db
def test_a_person_who_moved_out_keeps_the_household_of_the_latest_membership(
    users: dict[str, User], history: dict[str, Any]
) -> None:
    person = history["applicant"]
    Membership.objects.filter(person=person).update(valid_to="2025-10-01")
    event = record(users["caseworker"], "registry.update_person", person)
    assert event.household_id == history["household"].pk
    # Nothing to derive it from: none.
    assert (
        record(
            users["caseworker"], "registry.import", object_type="registry.importrun"
        ).household_id
        is None
    )


@pytest.mark.django_db
def test_the_change_log_filters_read_labels(history: dict[str, Any]) -> None:
    event = AuditEvent.objects.get(action="registry.update_member")
    shown = Template(
        "{{ event.action|audit_action }}|{{ event.after|audit_values:event }}"
        "|{{ values|audit_values }}"
    ).render(Context({"event": event, "values": {"wage_income": 100000, "stage": "accepted"}}))
    action, changes, values = shown.split("|")
    # The order of the changes is the database's (PostgreSQL keeps JSON keys sorted).
    assert action == "修改成员信息"
    assert set(changes.split("；")) == {"残疾类别：肢体残疾", "残疾等级：3"}
    assert values.startswith("工资性收入（月均）：1,000.00 元")
