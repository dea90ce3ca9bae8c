"""Records are matched to members by ID number; where a department writes another name under
that number, the records still count (matched, not dropped) and a ``name`` warning is raised
for the caseworker to check, on the application page, in either language. Widths, middle-dot
variants and invisible characters are not another name."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.feeds import ids
from jiuzhu.web.registry.models import Person
from jiuzhu.web.verification.actions import run_verification
from jiuzhu.web.verification.comparisons import derive
from jiuzhu.web.verification.comparisons.common import (
    Delivery,
    HouseholdFacts,
    MemberFacts,
)
from jiuzhu.web.verification.models import DepartmentRecord, Discrepancy
from tests.web.conftest import PASSWORD
from tests.web.verification.test_run import household_of, under_declared_earner

ON = dt.date(2025, 10, 15)
RECEIVED = dt.datetime(2025, 10, 15, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ID = "120115198001010011"


def _tax(name: str, period: str = "2025-09") -> dict[str, Any]:
    return {
        "period": period,
        "received_at": RECEIVED.isoformat(),
        "name": name,
        "income": 300_000,
        "tax_withheld": 0,
        "employer": "某公司",
    }


def _findings(registered: str, *written: str) -> Any:
    member = MemberFacts(1, ID, registered, "01")
    records = {ID: {"tax": [_tax(name) for name in written]}}
    deliveries = {"tax": Delivery(RECEIVED, "2025-09")}
    return derive([member], records, {}, {}, HouseholdFacts(), deliveries, ON)


def test_another_name_under_the_members_id_is_a_warning_and_the_records_still_count() -> None:
    findings = _findings("张三", "张山", "张山")
    [name] = [c for c in findings.comparisons if c.item == "name"]
    assert name.warning and name.severity == "warning" and name.source == "tax"
    assert (name.declared, name.found) == ("张三", "张山")
    assert "已按身份证号计入" in name.note
    # Matched, not dropped: the wage is verified from the same records.
    assert findings.incomes[(1, "wage_income")].value == 100_000  # 300,000 fen over 6 months
    assert next(c for c in findings.comparisons if c.item == "wage_income").found == 100_000


@pytest.mark.parametrize(
    ("registered", "written"),
    [
        ("阿卜杜拉·买买提", "阿卜杜拉・买买提"),  # katakana middle dot
        ("阿卜杜拉·买买提", "阿卜杜拉．买买提"),  # full-width full stop
        ("张三", "张\u200b三"),  # zero-width space
        ("张三", "张三 "),  # a trailing space
        ("ＡＢＣ", "ABC"),  # full-width letters
    ],
)
def test_the_same_name_written_otherwise_is_no_warning(registered: str, written: str) -> None:
    findings = _findings(registered, written)
    assert not [c for c in findings.comparisons if c.item == "name"]


@pytest.mark.django_db
def test_the_caseworker_sees_the_name_warning_on_the_application_in_both_languages(
    new_application: Any,
) -> None:
    person = under_declared_earner()
    written = (
        DepartmentRecord.objects.filter(source="tax", resident_id=person.resident_id)
        .values_list("data__name", flat=True)
        .first()
    )
    assert written
    Person.objects.filter(pk=person.pk).update(name="欧阳某某")
    application, user = new_application(household_of(person))
    run = run_verification(user, application)
    row = Discrepancy.objects.get(run=run, person=person, item="name", source="tax")
    assert row.severity == "warning" and row.declared == "欧阳某某" and row.found == written
    # The tax records still verified the wage.
    wage = Discrepancy.objects.get(run=run, person=person, item="wage_income")
    assert wage.found is not None and wage.found > 0

    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "姓名（身份证号相同）" in page and "欧阳某某" in page and written in page
    assert "身份证号相同而姓名不同" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Name (same ID number)" in page


@pytest.mark.django_db
def test_a_member_whose_registry_row_holds_the_15_digit_form_is_verified(
    new_application: Any,
) -> None:
    """The departments write 18-digit IDs: a registry row still holding the 15-digit form (an
    old import) finds its records, not an empty verification."""
    person = under_declared_earner()
    legacy = ids.legacy_form(person.resident_id)
    assert legacy is not None  # the district's earners were born in the 1900s
    Person.objects.filter(pk=person.pk).update(resident_id=legacy)
    application, user = new_application(household_of(person))
    run = run_verification(user, application)
    wage = Discrepancy.objects.get(run=run, person=person, item="wage_income")
    assert wage.found is not None and wage.found > 0
    assert not Discrepancy.objects.filter(run=run, person=person, item="name").exists()
