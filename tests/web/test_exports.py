"""The list pages' xlsx exports (issue 14): households, applications, entitlements and the
low-income register, each scoped to the user's jurisdiction, masked by role, with the page's
filters, audited, and readable back as a workbook in the user's language."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.programs import Program
from jiuzhu.web.discovery.actions import refresh_register
from jiuzhu.web.registry.models import Household, Person
from tests.web.conftest import ON, PASSWORD, make_user
from tests.web.entitlements.conftest import make_entitlement
from tests.web.payments.conftest import grant

pytestmark = pytest.mark.django_db

EXPORTS = {
    "households": ("/registry/", "/registry/export.xlsx", "registry.export_households"),
    "applications": ("/applications/", "/applications/export.xlsx", "cases.export_applications"),
    "entitlements": ("/entitlements/", "/entitlements/export.xlsx", "entitlements.export"),
    "register": (
        "/discovery/register/",
        "/discovery/register/export.xlsx",
        "discovery.export_register",
    ),
}
WHOLE_ID = re.compile(r"\d{17}[\dX]")
HEADER_ROW = 5


def _applicant(household: Household) -> Person:
    return household.memberships.filter(valid_to__isnull=True, relation="01").first().person


@pytest.fixture
def listed(users: dict[str, User], townships: tuple[str, str]) -> dict[str, Any]:
    """Households of both townships with entitlements, applications and register entries; the
    first household is the community worker's."""
    first, other = townships
    community = users["community"].division_code
    ours = [
        Household.objects.filter(division_code=community).order_by("pk").first(),
        *Household.objects.filter(township_code=first)
        .exclude(division_code=community)
        .order_by("pk")[:2],
    ]
    theirs = list(Household.objects.filter(township_code=other).order_by("pk")[:2])
    grant([ours[0], theirs[0]], start="2025-09", amount=104_500)
    grant([ours[1]], program="near_dibao", start="2025-08", amount=30_000, prefix="ND")
    make_entitlement(ours[2], program="tekun", person=_applicant(ours[2]), amount=150_000)
    stages = [Stage.ACCEPTED, Stage.PUBLIC_NOTICE, Stage.ACCEPTED, Stage.REJECTED]
    for index, (household, stage) in enumerate(zip([*ours[1:], *theirs], stages, strict=True)):
        Application.objects.create(
            number=f"SQ-EXPORT-{index}",
            program=Program.DIBAO,
            household=household,
            applicant=_applicant(household),
            division_code=household.division_code,
            channel=Channel.COUNTER,
            stage=stage,
            accepted_on=dt.date(2025, 9, 1),
            decided_on=dt.date(2025, 10, 1) if stage == Stage.REJECTED else None,
            created_by=users["caseworker"],
        )
    refresh_register(None, today=ON)
    return {"ours": ours, "theirs": theirs}


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _rows(response: Any) -> list[list[Any]]:
    """Every row of the workbook's one sheet, values only."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _data(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows below the header up to the blank line before the count."""
    body = rows[HEADER_ROW:]
    return body[: next(i for i, row in enumerate(body) if not any(row))]


def _cells(rows: list[list[Any]]) -> list[str]:
    return [str(value) for row in rows for value in row if value is not None]


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_a_township_user_exports_only_their_township(
    listed: dict[str, Any], kind: str, users: dict[str, User]
) -> None:
    mine = _cells(_data(_rows(_client("caseworker").get(EXPORTS[kind][1]))))
    everyone = _cells(_data(_rows(_client("officer").get(EXPORTS[kind][1]))))
    for household in listed["theirs"][:1]:
        assert household.number not in mine
        assert household.number in everyone
    assert listed["ours"][0].number in mine or kind == "applications"
    assert listed["ours"][1].number in mine


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_every_role_gets_ids_masked_as_the_page_shows_them(
    listed: dict[str, Any], kind: str, users: dict[str, User]
) -> None:
    for username in ("community", "caseworker", "officer", "auditor"):
        cells = _cells(_rows(_client(username).get(EXPORTS[kind][1])))
        assert not [cell for cell in cells if WHOLE_ID.search(cell)], username
        person = _applicant(listed["ours"][2 if username != "community" else 0])
        # The worker's household has no application here, and its dibao names no one person.
        if username != "community" or kind not in ("applications", "entitlements"):
            assert mask_id(person.resident_id) in cells, username
        event = AuditEvent.objects.filter(action=EXPORTS[kind][2], user=users[username]).get()
        assert event.detail["unmasked"] is False


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_a_role_that_may_see_whole_ids_asks_for_them_and_the_trail_says_so(
    listed: dict[str, Any], kind: str, users: dict[str, User]
) -> None:
    rows = _rows(_client("caseworker").post(EXPORTS[kind][1], {"whole_ids": "1"}))
    person = _applicant(listed["ours"][2])
    assert person.resident_id in _cells(rows)
    event = AuditEvent.objects.filter(action=EXPORTS[kind][2], user=users["caseworker"]).get()
    assert event.detail["unmasked"] is True
    assert event.detail["rows"] == len(_data(rows))
    assert event.division_code == users["caseworker"].division_code
    # A community worker may not (as on the household page): refused, nothing recorded.
    assert _client("community").post(EXPORTS[kind][1], {"whole_ids": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action=EXPORTS[kind][2], user=users["community"])


def test_the_page_filters_apply_and_are_named_in_the_file_and_the_trail(
    listed: dict[str, Any], users: dict[str, User]
) -> None:
    client = _client("officer")
    rows = _rows(client.get("/applications/export.xlsx", {"stage": Stage.PUBLIC_NOTICE}))
    assert [row[0] for row in _data(rows)] == ["SQ-EXPORT-1"]
    assert rows[1][0] == "筛选条件：环节：公示中"
    rows = _rows(client.get("/entitlements/export.xlsx", {"program": "near_dibao"}))
    assert {row[1] for row in _data(rows)} == {"低保边缘家庭"}
    rows = _rows(client.get("/discovery/register/export.xlsx", {"q": listed["ours"][1].number}))
    assert {row[2] for row in _data(rows)} == {listed["ours"][1].number}
    # The household search posts its text (it may be an ID number) and finds by it.
    person = _applicant(listed["theirs"][1])
    rows = _rows(client.post("/registry/export.xlsx", {"q": person.resident_id}))
    assert [row[0] for row in _data(rows)] == [listed["theirs"][1].number]
    # The searched number is masked in the file's filter line and in the trail.
    assert person.resident_id not in rows[1][0] and mask_id(person.resident_id) in rows[1][0]
    event = AuditEvent.objects.filter(action="registry.export_households").latest("pk")
    assert list(event.detail["filters"].values()) == [mask_id(person.resident_id)]
    assert event.detail["rows"] == 1
    filters = AuditEvent.objects.get(action="cases.export_applications").detail["filters"]
    assert filters == {"环节": "公示中"}


def test_an_id_number_in_the_address_is_refused_as_the_search_refuses_it(
    listed: dict[str, Any],
) -> None:
    person = _applicant(listed["ours"][0])
    response = _client("officer").get("/registry/export.xlsx", {"q": person.resident_id})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="registry.export_households").exists()


def test_the_file_says_what_it_is_with_money_in_yuan_and_dates_as_dates(
    listed: dict[str, Any], users: dict[str, User]
) -> None:
    response = _client("caseworker").get("/entitlements/export.xlsx")
    assert (
        "filename*=utf-8''%E6%95%91%E5%8A%A9%E5%BE%85%E9%81%87_2025-10-15.xlsx"
        in (response["Content-Disposition"])
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet["A1"].value == "救助待遇（导出）"
    assert sheet["A3"].value.startswith("辖区：")
    assert sheet["A4"].value.startswith("导出时间：") and "caseworker" in sheet["A4"].value
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[0] == "待遇编号" and header[10] == "月救助金（元）"
    near = next(
        row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[1].value == "低保边缘家庭"
    )
    assert near[10].value == 300 and near[10].number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width == 18
    applications = load_workbook(
        io.BytesIO(
            b"".join(_client("caseworker").get("/applications/export.xlsx").streaming_content)
        )
    ).active
    accepted = applications.cell(HEADER_ROW + 1, 10)
    assert accepted.value.date() == dt.date(2025, 9, 1) and accepted.number_format == "yyyy-mm-dd"
    last = [row for row in applications.iter_rows(values_only=True) if row[0]][-1]
    assert last[0] == "共 2 行：列表的全部记录，未截断"


def test_headers_and_file_name_follow_the_users_language(listed: dict[str, Any]) -> None:
    client = _client("caseworker")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/applications/export.xlsx", {"stage": Stage.ACCEPTED})
    assert "Applications_2025-10-15.xlsx" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][0] == "Applications (export)"
    assert rows[HEADER_ROW - 1][0] == "Application no."
    # Every header in English (place names are data: they stay as registered).
    assert not [cell for cell in rows[HEADER_ROW - 1] if re.search(r"[\u4e00-\u9fff]", cell)]
    assert rows[1][0] == "Filters: Stage: Accepted"


def test_an_empty_export_is_a_workbook_with_its_headers(listed: dict[str, Any]) -> None:
    rows = _rows(_client("caseworker").get("/applications/export.xlsx", {"stage": Stage.APPROVED}))
    assert rows[HEADER_ROW - 1][0] == "申请编号"
    assert _data(rows) == []
    assert "共 0 行" in rows[HEADER_ROW + 1][0]


def test_a_typed_formula_stays_text(listed: dict[str, Any]) -> None:
    household = listed["ours"][1]
    Household.objects.filter(pk=household.pk).update(address='=HYPERLINK("http://x")')
    response = _client("caseworker").post("/registry/export.xlsx", {"q": household.number})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(HEADER_ROW + 1, 4)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_who_may_export_is_who_may_read_the_list(
    listed: dict[str, Any], kind: str, users: dict[str, User]
) -> None:
    make_user("admin", Role.ADMINISTRATOR, DISTRICT_CODE)
    make_user("nobody", "", DISTRICT_CODE)
    page, export, _action = EXPORTS[kind]
    for username in [*users, "admin", "nobody"]:
        client = _client(username)
        assert client.get(export).status_code == client.get(page).status_code, username
    assert _client("nobody").get(export).status_code == 403
    anonymous = Client().get(export)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_each_list_offers_its_export_with_its_filters(listed: dict[str, Any], kind: str) -> None:
    page, export, _action = EXPORTS[kind]
    shown = _client("caseworker").get(page, {"stage": "accepted"} if kind == "applications" else {})
    html = shown.content.decode()
    assert "导出 Excel" in html and export in html and 'name="whole_ids"' in html
    if kind == "applications":
        assert f"{export}?stage=accepted" in html
    assert 'name="whole_ids"' not in _client("community").get(page).content.decode()


def test_the_audit_log_reads_an_export_beside_events_of_single_records(
    listed: dict[str, Any], users: dict[str, User]
) -> None:
    """An export's event names the type of the records exported (no one record): the log shows
    it among events of records of that type."""
    record(users["officer"], "registry.update_household", listed["ours"][0])
    client = _client("officer")
    client.get("/registry/export.xlsx")
    client.get("/applications/export.xlsx")
    page = _client("auditor").get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "导出家庭名单" in html and "导出申请列表" in html
