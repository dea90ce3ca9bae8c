"""A second verification of an application writes the verified values its findings change: an
earlier value the records now contradict is updated, one the current delivery no longer
supports with any record is removed, each change audited with its before and after."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.registry.models import Income, Source
from jiuzhu.web.verification.actions import run_verification
from jiuzhu.web.verification.models import DepartmentRecord
from tests.web.verification.test_run import household_of, tax_average, under_declared_earner

pytestmark = pytest.mark.django_db


def test_a_new_run_updates_a_changed_value_and_removes_one_without_records(
    new_application: Any,
) -> None:
    person = under_declared_earner()
    expected = tax_average(person.resident_id)
    application, user = new_application(household_of(person))
    run_verification(user, application)
    verified = Income.objects.filter(person=person, component="wage_income", source=Source.VERIFIED)
    verified.update(monthly_amount=1)
    key = f"income:{person.pk}:wage_income"

    updated = run_verification(user, application)
    assert verified.get().monthly_amount == expected
    event = AuditEvent.objects.get(action="verification.run", object_id=str(updated.pk))
    assert event.before[key]["monthly_amount"] == 1
    assert event.after[key]["monthly_amount"] == expected

    unchanged = run_verification(user, application)
    event = AuditEvent.objects.get(action="verification.run", object_id=str(unchanged.pk))
    assert key not in (event.before or {})

    DepartmentRecord.objects.filter(
        sealed_match("resident_id", person.resident_id), source="tax"
    ).delete()
    removed = run_verification(user, application)
    assert not verified.exists()
    assert Income.objects.filter(
        person=person, component="wage_income", source=Source.DECLARED
    ).exists()
    event = AuditEvent.objects.get(action="verification.run", object_id=str(removed.pk))
    assert event.before[key]["monthly_amount"] == expected and event.after[key] is None
