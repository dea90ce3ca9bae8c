"""The audit log an auditor can use: who, when, what and which record in words, changes as
labelled values in yuan, filters by user, action, object, household and dates that never fail
on odd input, pagination that keeps the filters, an xlsx export that is itself audited, and the
jurisdiction."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.audit import protection
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases import actions as cases
from jiuzhu.web.cases.models import Application, Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.payments import actions as payments
from jiuzhu.web.registry import actions as registry
from jiuzhu.web.registry import upkeep
from jiuzhu.web.registry.models import Household
from tests.web.audit.flows import applicant_of, login
from tests.web.conftest import make_user
from tests.web.entitlements.conftest import make_entitlement
from tests.web.test_workflow import MATERIALS, eligible_household


def table(client: Client, **query: Any) -> str:
    """The log's table (not the filter form, whose lists name every action) as HTML."""
    page = client.get("/audit/", query).content.decode()
    return page[page.index('<table id="audit-log">') :]


@pytest.fixture
def history(users: dict[str, User], townships: tuple[str, str]) -> dict[str, Any]:
    """One household's application, declaration, a member's edit and a bank account; and an
    application in the other township."""
    household = eligible_household(townships[0])
    applicant = applicant_of(household)
    application = cases.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=applicant,
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )
    registry.declare(
        users["caseworker"],
        household,
        [{"person_id": applicant.pk, "wage_income": 123_456, "monetary_assets": 0}],
    )
    upkeep.update_member(
        users["caseworker"],
        household.memberships.get(person=applicant, valid_to__isnull=True),
        disability_category="physical",
        disability_grade=3,
    )
    account = payments.record_account(
        users["caseworker"],
        household,
        bank_name="天津农商银行",
        account_number="6231900000012345670",
        holder_name=applicant.name,
        holder_id=applicant.resident_id,
    )
    payments.check_account(users["head"], account)
    entitlement = make_entitlement(household)
    other = Household.objects.filter(township_code=townships[1]).first()
    assert other is not None
    elsewhere = cases.submit_application(
        users["outsider"],
        other,
        program=Program.DIBAO,
        applicant=applicant_of(other),
        channel=Channel.COUNTER,
        materials=MATERIALS,
    )
    return {
        "household": household,
        "applicant": applicant,
        "application": application,
        "entitlement": entitlement,
        "elsewhere": elsewhere,
    }


@pytest.mark.django_db
def test_events_read_as_people_read_them(history: dict[str, Any]) -> None:
    page = table(login("auditor"))
    application: Application = history["application"]
    applicant = history["applicant"]
    # Which record, linked; who with the role; what; the changes labelled, in yuan.
    assert f'href="/applications/{application.pk}/">{application.number}</a>' in page
    assert "caseworker" in page and "乡镇（街道）经办人" in page
    assert "登记申请" in page and "申报收入和财产" in page
    assert "工资性收入（月均）" in page and "1,234.56 元" in page
    assert "残疾等级" in page
    assert "银行账户" in page and "6231***********5670" in page
    # Never the record's type code, a raw dict, an unmasked ID or an account number.
    for raw in ("registry.person", "cases.application", "{'", "wage_income", "123456"):
        assert raw not in page
    assert applicant.resident_id not in page and "6231900000012345670" not in page
    assert f"{applicant.resident_id[:6]}********{applicant.resident_id[14:]}" in page


@pytest.mark.django_db
def test_the_english_log_is_english(history: dict[str, Any]) -> None:
    client = login("auditor")
    client.cookies["django_language"] = "en"
    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Audit log" in page and "Register application" in page
    assert "Wages (monthly)" in page and "1,234.56 yuan" in page
    assert "登记申请" not in page and "工资性收入" not in page


@pytest.mark.django_db
def test_the_household_filter_finds_its_members_applications_accounts_and_entitlements(
    history: dict[str, Any],
) -> None:
    household: Household = history["household"]
    page = table(login("auditor"), household=household.number)
    for label in ("登记申请", "申报收入和财产", "修改成员信息", "登记银行账户"):
        assert label in page
    assert history["elsewhere"].number not in page
    events = AuditEvent.objects.filter(household_id=household.pk)
    assert {"cases.submit", "registry.declare", "registry.update_member"} <= set(
        events.values_list("action", flat=True)
    )
    assert events.filter(object_type="payments.bankaccount").exists()
    # Given explicitly, or derived from an entitlement.
    entitlement = history["entitlement"]
    assert record(None, "entitlements.suspend", entitlement).household_id == household.pk
    assert record(None, "jobs.feed_import", household=household).household_id == household.pk


@pytest.mark.django_db
def test_filters_by_user_action_object_and_dates(
    users: dict[str, User], history: dict[str, Any]
) -> None:
    client = login("auditor")
    application: Application = history["application"]
    by_head = table(client, user=users["head"].pk)
    assert "复核银行账户" in by_head and "登记申请" not in by_head
    by_action = table(client, action="registry.declare")
    assert "申报收入和财产" in by_action and "登记银行账户" not in by_action
    for typed in (application.number, application.number.lower(), str(application.pk)):
        by_object = table(client, object_type="cases.application", object=typed)
        assert "登记申请" in by_object and "申报收入和财产" not in by_object
    person = history["applicant"]
    by_person = table(client, object_type="registry.person", object=person.resident_id)
    assert "修改成员信息" in by_person and "登记申请" not in by_person
    # Dates are Asia/Shanghai days: an event at 23:30 on the 14th belongs to the 14th.
    late = dt.datetime(2025, 10, 14, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with protection.lifted(connection):  # the trail is append-only: moved for the test
        AuditEvent.objects.filter(action="registry.declare").update(at=late)
    on_14 = table(client, date_from="2025-10-14", date_to="2025-10-14")
    assert "申报收入和财产" in on_14 and "登记申请" not in on_14
    after = table(client, date_from="2025-10-15")
    assert "申报收入和财产" not in after


@pytest.mark.django_db
def test_the_action_list_is_grouped_and_labelled(history: dict[str, Any]) -> None:
    page = login("auditor").get("/audit/").content.decode()
    assert '<optgroup label="申请审核确认">' in page
    assert '<option value="cases.confirm_approve">审核确认：同意</option>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"user": "abc"},
        {"user": "999999"},
        {"user": "9" * 40},
        {"action": "cases.nothing"},
        {"date_from": "2025-13-45"},
        {"date_to": "2025-02-30"},
        {"date_from": "2025-10-16", "date_to": "2025-10-01"},
        {"household": "H-NOPE"},
        {"object": "12"},
        {"object_type": "cases.application", "object": "abc"},
        {"object_type": "cases.application", "object": "9" * 30},
        {"object_type": "registry.person", "object": "120224190001011234"},
        {"object_type": "nothing.here", "object": "1"},
    ],
)
def test_bad_filters_show_a_message_never_a_server_error(
    users: dict[str, User], query: dict[str, str]
) -> None:
    client = login("auditor")
    response = client.get("/audit/", query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert client.get("/audit/export.xlsx", query).status_code == 400
    assert not AuditEvent.objects.filter(action="audit.export").exists()


@pytest.mark.django_db
def test_odd_but_valid_input_is_understood(history: dict[str, Any]) -> None:
    client = login("auditor")
    household: Household = history["household"]
    # Full-width digits and spaces, a page number that is no number.
    wide = household.number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert client.get("/audit/", {"household": f" {wide} "}).status_code == 200
    assert client.get("/audit/", {"page": "xyz"}).status_code == 200
    assert client.get("/audit/", {"page": "99999999999999999999"}).status_code == 200


@pytest.mark.django_db
def test_pagination_keeps_the_filters(users: dict[str, User], townships: tuple[str, str]) -> None:
    household = Household.objects.filter(township_code=townships[0]).first()
    for _ in range(55):
        record(users["caseworker"], "registry.view_unmasked", household, field="resident_id")
    page = login("auditor").get("/audit/", {"action": "registry.view_unmasked"}).content.decode()
    assert "action=registry.view_unmasked&amp;page=2" in page
    second = login("auditor").get("/audit/", {"action": "registry.view_unmasked", "page": 2})
    assert second.context["page"].paginator.count == 55


@pytest.mark.django_db
def test_the_export_is_the_filtered_log_in_yuan_masked_and_audited(
    users: dict[str, User], history: dict[str, Any]
) -> None:
    household: Household = history["household"]
    response = login("auditor").get("/audit/export.xlsx", {"household": household.number})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["时间", "人员", "角色", "操作"]
    text = "\n".join("\t".join(str(c) for c in row) for row in rows)
    assert "申报收入和财产" in text and "1,234.56 元" in text
    assert history["applicant"].resident_id not in text and "6231900000012345670" not in text
    assert history["elsewhere"].number not in text
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.user == users["auditor"]
    assert exported.detail == {"rows": len(rows) - 1, "filter_household": household.pk}
    # The export shows up in the log, with its filters in words.
    page = table(login("auditor"), action="audit.export")
    assert "导出审计日志" in page and f"筛选：家庭：{household.number}" in page


@pytest.mark.django_db
def test_the_export_headers_follow_the_language(history: dict[str, Any]) -> None:
    client = login("auditor")
    client.cookies["django_language"] = "en"
    response = client.get("/audit/export.xlsx", {"action": "registry.declare"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Time", "Person", "Role", "Action")
    assert "1,234.56 yuan" in str(rows[1])


@pytest.mark.django_db
def test_who_may_read_the_log_and_what_of_it(
    users: dict[str, User], townships: tuple[str, str], history: dict[str, Any]
) -> None:
    for name in ("caseworker", "head", "officer", "community"):
        assert login(name).get("/audit/").status_code == 403
        assert login(name).get("/audit/export.xlsx").status_code == 403
    assert login("director").get("/audit/").status_code == 200
    make_user("township_auditor", Role.AUDITOR, townships[1])
    page = login("township_auditor").get("/audit/").content.decode()
    assert history["elsewhere"].number in page
    assert history["application"].number not in page
    # Its user list is its township's and the district's, not the first township's.
    assert (
        login("township_auditor").get("/audit/", {"user": users["caseworker"].pk}).status_code
        == 400
    )
    assert (
        login("township_auditor").get("/audit/", {"user": users["officer"].pk}).status_code == 200
    )
    # Another township's household number is no household of its own.
    household: Household = history["household"]
    response = login("township_auditor").get("/audit/", {"household": household.number})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_page_reads_its_records_in_bulk_not_row_by_row(
    users: dict[str, User], history: dict[str, Any]
) -> None:
    """The queries a page makes do not grow with its rows (one per kind of record)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("auditor")
    household: Household = history["household"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/audit/").status_code == 200
        return len(captured)

    def add(times: int) -> None:
        for _ in range(times):
            record(users["caseworker"], "registry.view_unmasked", history["applicant"])
            record(users["officer"], "entitlements.suspend", history["entitlement"], note="x")
            record(users["caseworker"], "registry.update_household", household, after={"homes": 2})

    add(1)
    few = queries()
    add(15)
    assert queries() <= few
