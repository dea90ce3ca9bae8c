"""Plan indicators: the registers' actions (permission, validation, audit, jurisdiction), the
indicators (beds of operating institutions only, an expired agreement not covering, an unknown
target shown as unknown, the orphan allowance against the dibao standard) and the pages for
each role."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jiuzhu.rules import load_system
from jiuzhu.web.accounts.models import DISTRICT_CODE, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.plan import actions, indicators, queries
from jiuzhu.web.plan.indicators import FacilityRow, PointRow, Share, Status
from jiuzhu.web.plan.models import CounsellingPoint, Facility, Inspection
from tests.web.conftest import ON, PASSWORD

pytestmark = pytest.mark.django_db


def _facility(user: User, township: str, **fields: Any) -> Facility:
    values: dict[str, Any] = {
        "division_code": township,
        "name": "测试敬老院",
        "kind": "institution",
        "operator": "测试镇人民政府",
        "beds": 120,
        "medical": "agreement",
        "medical_partner": "测试镇卫生院",
        "medical_start": dt.date(2024, 1, 1),
        "medical_end": dt.date(2026, 12, 31),
        "opened_on": dt.date(2010, 1, 1),
        "status": "operating",
        "closed_on": None,
        **fields,
    }
    return actions.save_facility(user, **values)


def _row(**fields: Any) -> FacilityRow:
    values: dict[str, Any] = {
        "township": "120115001",
        "institution": True,
        "beds": 100,
        "opened_on": dt.date(2010, 1, 1),
        "closed_on": None,
        "medical": "in_house",
        "medical_start": None,
        "medical_end": None,
        **fields,
    }
    return FacilityRow(**values)


# --- the indicators --------------------------------------------------------------------------


def test_beds_count_only_operating_institutions() -> None:
    rows = [
        _row(beds=100),
        _row(beds=40, closed_on=dt.date(2024, 12, 31)),  # closed: not counted
        _row(beds=8, institution=False),  # a day-care centre's rest beds: not counted
        _row(beds=50, opened_on=dt.date(2026, 1, 1)),  # not yet open
        _row(beds=30, township="120115002"),
    ]
    assert indicators.beds(rows, ON) == {"120115001": 100, "120115002": 30}
    assert indicators.beds_status(3560, True) is Status.MET
    assert indicators.beds_status(3559, True) is Status.NOT_MET
    assert indicators.beds_status(9999, False) is Status.DISTRICT_ONLY


def test_an_expired_agreement_covers_nothing() -> None:
    agreement = {"medical": "agreement", "medical_start": dt.date(2023, 7, 1)}
    rows = [
        _row(**agreement, medical_end=dt.date(2025, 6, 30)),  # expired in the summer
        _row(**agreement, medical_end=ON),  # ends today: still in force
        _row(medical="in_house"),
        _row(medical="none", institution=False),
        _row(medical="none", closed_on=dt.date(2020, 1, 1)),  # closed: not in the count
    ]
    share = indicators.coverage(rows, ON)["120115001"]
    assert (share.part, share.whole) == (2, 4)
    assert indicators.coverage_status(share) is Status.NOT_MET
    assert indicators.coverage_status(Share(4, 4)) is Status.MET
    assert indicators.coverage_status(Share(0, 0)) is Status.UNKNOWN


def test_counselling_counts_the_registry_and_each_township() -> None:
    points = [
        PointRow(DISTRICT_CODE, True, dt.date(2021, 3, 1), None),
        PointRow("120115001", False, dt.date(2023, 6, 1), None),
        PointRow("120115002", False, dt.date(2023, 6, 1), dt.date(2024, 1, 1)),  # stopped
    ]
    units = indicators.counselling(points, ["120115001", "120115002"], DISTRICT_CODE, ON)
    assert units == {DISTRICT_CODE: True, "120115001": True, "120115002": False}
    assert indicators.COUNSELLING_TARGET is None


def test_the_orphan_allowance_against_the_last_standard_change() -> None:
    system = load_system("tianjin")
    # Tianjin's published values: the allowance before 2025-12-17 is unknown.
    link = indicators.orphan_link(system, ON)
    assert link.changed_on == dt.date(2025, 9, 1) and link.standard == 104500
    assert link.allowance is None and link.status is Status.UNKNOWN
    raised = system.with_parameters(
        {"child_welfare.allowance": {dt.date(2016, 4, 1): 2000, dt.date(2025, 9, 1): 2100}}
    )
    link = indicators.orphan_link(raised, ON)
    assert (link.allowance, link.before, link.status) == (210000, 200000, Status.MET)
    assert link.ratio == Fraction(210000, 104500)
    flat = system.with_parameters({"child_welfare.allowance": 2000})
    assert indicators.orphan_link(flat, ON).status is Status.NOT_MET


def test_the_dashboard_shows_an_unknown_target_as_unknown(users: dict[str, User]) -> None:
    board = {i.key: i for i in queries.dashboard(users["officer"], ON)}
    assert board["counselling"].status is Status.UNKNOWN
    assert "未知" in board["counselling"].target
    assert board["orphan_allowance"].status is Status.UNKNOWN
    assert board["beds"].status is Status.NOT_MET  # no institution registered
    assert board["medical_coverage"].status is Status.UNKNOWN  # nothing to measure


# --- the actions -----------------------------------------------------------------------------


def test_officers_and_the_own_townships_caseworker_add_facilities(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    first, other = townships
    facility = _facility(users["officer"], first)
    event = AuditEvent.objects.get(action="plan.add_facility", object_id=str(facility.pk))
    assert event.after["beds"] == 120 and event.division_code == first
    own = _facility(users["caseworker"], first, name="本镇日间照料中心", kind="day_care")
    assert own.created_by == users["caseworker"]
    for role in ("auditor", "head", "community", "director"):
        with pytest.raises(PermissionDenied):
            _facility(users[role], first)
    with pytest.raises(PermissionDenied):
        _facility(users["caseworker"], other)
    with pytest.raises(PermissionDenied):  # nor move one of its own away
        actions.save_facility(
            users["caseworker"],
            own,
            **{f: getattr(own, f) for f in actions.FACILITY_FIELDS} | {"division_code": other},
        )
    assert Facility.objects.count() == 2


def test_a_facility_is_validated(users: dict[str, User], townships: tuple[str, str]) -> None:
    officer, first = users["officer"], townships[0]
    cases = [
        ({"beds": -1}, "beds"),
        ({"beds": 10**9}, "beds"),
        ({"beds": "12"}, "beds"),
        ({"division_code": "110101001"}, "division_code"),
        ({"name": "  "}, "name"),
        ({"medical_end": dt.date(2024, 1, 1)}, "medical_end"),  # ends as it starts
        ({"medical_end": None}, "medical_end"),
        ({"medical_partner": ""}, "medical_partner"),
        ({"opened_on": ON + dt.timedelta(days=1)}, "opened_on"),
        ({"status": "closed"}, "closed_on"),
        ({"status": "closed", "closed_on": dt.date(2009, 1, 1)}, "closed_on"),
        ({"kind": "hospital"}, "kind"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as refused:
            _facility(officer, first, **fields)
        assert field in refused.value.error_dict, fields
    assert not Facility.objects.exists()
    clinic = _facility(officer, first, medical="in_house", medical_partner="x", medical_end=ON)
    assert clinic.medical_partner == "" and clinic.medical_end is None


def test_a_correction_and_an_inspection_are_audited(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    officer = users["officer"]
    facility = _facility(officer, townships[0])
    values = {f: getattr(facility, f) for f in actions.FACILITY_FIELDS}
    actions.save_facility(officer, facility, **values | {"beds": 150})
    event = AuditEvent.objects.get(action="plan.change_facility")
    assert (event.before, event.after) == ({"beds": 120}, {"beds": 150})
    with pytest.raises(ValidationError, match="发现的问题"):
        actions.record_inspection(
            officer, facility, inspected_on=ON, inspector="区民政局", outcome="rectify"
        )
    with pytest.raises(ValidationError):
        actions.record_inspection(
            officer, facility, inspected_on=dt.date(2009, 1, 1), inspector="x", outcome="passed"
        )
    with pytest.raises(PermissionDenied):
        actions.record_inspection(
            users["outsider"], facility, inspected_on=ON, inspector="x", outcome="passed"
        )
    actions.record_inspection(
        officer, facility, inspected_on=ON, inspector="区民政局", outcome="passed"
    )
    assert Inspection.objects.count() == 1
    assert AuditEvent.objects.get(action="plan.inspect").detail["outcome"] == "passed"


def test_counselling_places(users: dict[str, User], townships: tuple[str, str]) -> None:
    first = townships[0]
    registry = actions.save_point(
        users["officer"],
        venue="marriage_registry",
        division_code=first,
        name="区婚姻登记处辅导室",
        provider="",
        started_on=dt.date(2021, 3, 1),
        ended_on=None,
    )
    assert registry.division_code == DISTRICT_CODE  # the registry is the district's
    with pytest.raises(PermissionDenied):  # a township caseworker keeps the township's only
        actions.save_point(
            users["caseworker"],
            venue="marriage_registry",
            name="x",
            started_on=dt.date(2021, 3, 1),
        )
    with pytest.raises(ValidationError):
        actions.save_point(
            users["caseworker"],
            venue="township",
            division_code=first,
            name="镇辅导站",
            started_on=dt.date(2023, 6, 1),
            ended_on=dt.date(2023, 1, 1),
        )
    actions.save_point(
        users["caseworker"],
        venue="township",
        division_code=first,
        name="镇辅导站",
        started_on=dt.date(2023, 6, 1),
        ended_on=None,
    )
    assert CounsellingPoint.objects.count() == 2
    assert AuditEvent.objects.filter(action="plan.add_counselling").count() == 2


# --- the pages -------------------------------------------------------------------------------


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_pages_for_each_role(users: dict[str, User], townships: tuple[str, str]) -> None:
    first, _other = townships
    facility = _facility(users["officer"], first)
    for role in ("officer", "director", "auditor", "caseworker", "head"):
        client = _client(role)
        page = client.get("/plan/").content.decode()
        assert "养老机构床位数" in page and "未知" in page, role
        assert client.get(f"/plan/facilities/{facility.pk}/").status_code == 200
    assert "按全区考核" in _client("caseworker").get("/plan/").content.decode()
    outsider = _client("outsider")
    assert outsider.get(f"/plan/facilities/{facility.pk}/").status_code == 404
    assert "测试敬老院" not in outsider.get("/plan/facilities/").content.decode()
    auditor = _client("auditor")
    assert auditor.get("/plan/facilities/new/").status_code == 403
    response = auditor.post(
        f"/plan/facilities/{facility.pk}/inspections/",
        {"inspected_on": "2025-10-01", "inspector": "x", "outcome": "passed"},
    )
    assert response.status_code == 403 and not Inspection.objects.exists()
    anonymous = Client().get("/plan/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_forms_refuse_bad_input_with_a_message(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    officer = _client("officer")
    data = {
        "division_code": townships[0],
        "name": "新敬老院",
        "kind": "institution",
        "operator": "某公司",
        "beds": "-5",
        "medical": "agreement",
        "medical_partner": "某医院",
        "medical_start": "2025-01-01",
        "medical_end": "2024-12-31",
        "opened_on": "2020-01-01",
        "status": "operating",
    }
    response = officer.post("/plan/facilities/new/", data)
    assert response.status_code == 400 and not Facility.objects.exists()
    response = officer.post("/plan/facilities/new/", data | {"beds": "80"})
    assert response.status_code == 400 and "协议到期日期应晚于起始日期" in response.content.decode()
    response = officer.post("/plan/facilities/new/", data | {"beds": "80", "medical_end": ""})
    assert response.status_code == 400
    response = officer.post(
        "/plan/facilities/new/", data | {"beds": "80", "medical_end": "2026-12-31"}
    )
    facility = Facility.objects.get()
    assert response.status_code == 302 and facility.beds == 80
    board = {i.key: i for i in queries.dashboard(users["officer"], ON)}
    assert board["medical_coverage"].status is Status.MET


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_seeds_fictitious_registers_once(users: dict[str, User]) -> None:
    from jiuzhu.web.demo.plan import seed_plan

    count = seed_plan(users["officer"])
    facilities = Facility.objects.all()
    assert count == facilities.count() > 2 * 20  # an institution and a centre a township
    assert all(f.demo and f.name.startswith("【示例】") for f in facilities)
    assert CounsellingPoint.objects.filter(demo=True, venue="marriage_registry").exists()
    assert seed_plan(users["officer"]) == 0 and Facility.objects.count() == count
    board = {i.key: i for i in queries.dashboard(users["officer"], ON)}
    # Some agreements expired in the summer and a centre has none: not everything is covered.
    assert board["medical_coverage"].status is Status.NOT_MET
    assert board["beds"].actual and board["beds"].status in (Status.MET, Status.NOT_MET)
    assert board["counselling"].share is not None and board["counselling"].share.part > 0
    assert AuditEvent.objects.filter(action="plan.add_facility").count() == count


def test_the_english_dashboard_punctuates_in_english(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    first, _other = townships
    _facility(users["officer"], first)
    client = _client("officer")
    client.cookies["django_language"] = "en"
    page = client.get("/plan/").content.decode()
    assert "<b>Definition</b>: " in page and "<b>Source</b>: " in page
    assert "</b>：" not in page and "(beds)" in page and "（beds）" not in page
    assert "<th>Township (street office)</th>" in page  # the chart's table names its rows
    facilities = client.get("/plan/facilities/").content.decode()
    assert "(to 2026-12-31)" in facilities and "（" not in facilities.split("<main", 1)[1]
