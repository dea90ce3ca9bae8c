"""Imports stay inside the importer's jurisdiction, and every refused access is recorded
(issue 10, point 7).

A director whose division is a township could import another township's households; a 403 or
the 404 that answers a record of another township left no trace in the audit log.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from jiuzhu.batch.inputs import InputFileError
from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.registry.actions import import_workbook
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.verification.actions import import_feed
from jiuzhu.web.verification.models import FeedImport
from tests.web.conftest import ON, PASSWORD, make_user

EXAMPLE = Path(__file__).parents[2] / "examples" / "baodi_example.xlsx"
"""21 households in 21 villages of 宝坻区, the first in 120115001 (宝平街道)."""


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_a_township_director_cannot_import_another_townships_households() -> None:
    director = make_user("township_director", Role.DISTRICT_DIRECTOR, "120115001")
    before = (Household.objects.count(), Person.objects.count())
    with pytest.raises(InputFileError) as raised:
        import_workbook(director, EXAMPLE, ON)
    outside = [p for p in raised.value.problems if "辖区" in str(p)]
    assert len(outside) == 20  # every household but the one of 宝平街道, each named
    assert any("120115002001" in str(p) for p in outside)
    assert not any("120115001001" in str(p) for p in outside)
    assert (Household.objects.count(), Person.objects.count()) == before  # nothing written


@pytest.mark.django_db
def test_a_district_director_imports_the_whole_district() -> None:
    director = make_user("district_director", Role.DISTRICT_DIRECTOR, "120115")
    assert import_workbook(director, EXAMPLE, ON).households == 21


@pytest.mark.django_db
def test_department_data_is_loaded_only_at_district_level(district_folder: Path) -> None:
    director = make_user("township_director", Role.DISTRICT_DIRECTOR, "120115001")
    before = FeedImport.objects.count()
    with pytest.raises(NotPermitted, match="区级"):
        import_feed(director, district_folder / "feeds" / "social_insurance.csv")
    assert FeedImport.objects.count() == before


@pytest.mark.django_db
def test_a_record_of_another_township_is_not_found_and_the_attempt_recorded(
    users: dict[str, User],
) -> None:
    household = Household.objects.filter(township_code=users["caseworker"].division_code).first()
    assert household is not None
    url = f"/registry/households/{household.pk}/"
    response = _client(users["outsider"]).get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 404  # the same answer as a record that does not exist
    event = AuditEvent.objects.get(action="audit.access_denied")
    assert event.user == users["outsider"]
    assert (event.object_type, event.object_id) == ("registry.household", str(household.pk))
    # Filed under the record's division: the township whose record was asked for sees it.
    assert event.division_code == household.division_code
    assert event.detail["status"] == 404 and event.detail["path"] == url
    assert event.detail["client"] == "10.1.2.3"
    assert event.detail["user_division"] == users["outsider"].division_code
    assert event.at is not None


@pytest.mark.django_db
def test_a_refused_action_is_recorded_with_its_reason_and_shown_on_the_audit_page(
    users: dict[str, User],
) -> None:
    auditor = _client(users["auditor"])
    assert auditor.post("/discovery/runs/start/", {"month": "2025-09"}).status_code == 403
    event = AuditEvent.objects.get(action="audit.access_denied")
    assert event.user == users["auditor"] and event.detail["status"] == 403
    assert event.detail["path"] == "/discovery/runs/start/"
    page = auditor.get("/audit/", {"action": "audit.access_denied"}).content.decode()
    assert "拒绝访问" in page and "/discovery/runs/start/" in page and "提交表单" in page
    # The search box's text (it may hold an ID number) never enters the log.
    _client(users["outsider"]).get("/audit/?q=120224198001011234")
    paths = AuditEvent.objects.filter(action="audit.access_denied").values_list("detail", flat=True)
    assert sorted(d["path"] for d in paths) == ["/audit/", "/discovery/runs/start/"]
