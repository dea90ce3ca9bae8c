"""Importing a caseworker's workbook into the registry: all or nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from jiuzhu.batch.inputs import InputFileError
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.registry.actions import import_workbook
from jiuzhu.web.registry.models import Household, Income, Membership, Person
from tests.web.conftest import ON

EXAMPLE = Path(__file__).parents[2] / "examples" / "baodi_example.xlsx"


@pytest.mark.django_db
def test_the_example_workbook_enters_the_registry() -> None:
    before = Household.objects.count()
    run = import_workbook(None, EXAMPLE, ON)
    assert run.households == 21 and run.persons == 43
    assert Household.objects.count() == before + 21
    person = Person.objects.get(sealed_match("resident_id", "12022419800410003X"))
    assert person.name and person.birth_date.isoformat() == "1980-04-10"
    membership = Membership.objects.get(person=person)
    assert membership.household.division_code == "120115001001"
    assert Income.objects.filter(
        person__in=Person.objects.filter(memberships__household__number__gte="H")
    ).exists()
    assert AuditEvent.objects.filter(action="registry.import_workbook").exists()


@pytest.mark.django_db
def test_a_bad_cell_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    book["成员"]["C3"] = "120224198202150047"  # wrong check character
    book["家庭"]["B4"] = None  # no division code
    book.save(bad)
    before = (Household.objects.count(), Person.objects.count())
    with pytest.raises(InputFileError) as raised:
        import_workbook(None, bad, ON)
    text = "\n".join(str(p) for p in raised.value.problems)
    assert "校验码应为" in text
    assert (Household.objects.count(), Person.objects.count()) == before
