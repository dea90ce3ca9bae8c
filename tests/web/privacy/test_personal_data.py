"""A resident's request for their data (《中华人民共和国个人信息保护法》第四十五条): the caseworker or
district officer exports the member's copy from the household page; the copy holds every
record about the person and who handled them; the export is audited; another township's
household answers 404 and other roles are refused with the reason."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.verification.models import DepartmentRecord
from tests.web.conftest import PASSWORD
from tests.web.payments.conftest import grant


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _household_with_records(township: str) -> tuple[Household, Person]:
    """A household of ``township`` whose applicant has department records."""
    ids = set(DepartmentRecord.objects.values_list("resident_id", flat=True)[:5000])
    for household in Household.objects.filter(township_code=township).order_by("pk")[:200]:
        membership = (
            household.memberships.filter(valid_to__isnull=True).order_by("relation").first()
        )
        if (
            membership
            and membership.person.resident_id in ids
            and household.memberships.count() > 1
        ):
            return household, membership.person
    raise AssertionError("no household with department records")


def _sheets(content: bytes) -> dict[str, list[list[str]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in book.worksheets
    }


@pytest.mark.django_db
def test_the_copy_holds_the_persons_records_and_who_handled_them(
    users: dict[str, User], townships: tuple[str, str], settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": dt.date(2025, 10, 20).isoformat()}
    household, person = _household_with_records(townships[0])
    grant([household], start="2025-08", amount=104_500)
    other = household.memberships.exclude(person=person).select_related("person").first()
    assert other is not None
    record(users["head"], "registry.view_unmasked", person, field="resident_id")
    client = _client("caseworker")
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert f"/privacy/households/{household.pk}/" in page
    listing = client.get(f"/privacy/households/{household.pk}/").content.decode()
    assert person.name in listing and person.resident_id not in listing
    assert f'id="step-export-{person.pk}"' in listing
    before = AuditEvent.objects.count()
    response = client.post(f"/privacy/households/{household.pk}/persons/{person.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _sheets(b"".join(response.streaming_content))
    text = "\n".join("\t".join(row) for rows in sheets.values() for row in rows)
    for title in (
        "说明",
        "个人基本信息",
        "家庭成员关系",
        "救助待遇",
        "银行账户",
        "部门共享数据",
        "访问与处理记录",
    ):
        assert title in sheets, title
    # The resident's own data in full; another member's ID masked.
    assert person.resident_id in text
    assert other.person.resident_id not in text
    # Not the machinery of search: keyed hashes, the tail.
    stored = Person.objects.get(pk=person.pk)
    assert stored.resident_id_hash not in text and stored.resident_id_ending not in text
    assert "身份证号末" not in "\t".join(h for rows in sheets.values() for h in rows[0])
    assert household.number in "\n".join("\t".join(r) for r in sheets["家庭成员关系"])
    assert len(sheets["部门共享数据"]) > 1
    # Money in yuan; every heading in words (no field names).
    assert any("1,045.00" in "\t".join(r) for r in sheets["待遇金额变化"][1:])
    headings = [h for rows in sheets.values() for h in rows[0]]
    assert not [h for h in headings if re.search(r"[A-Za-z]{3,}", h)], headings
    log = sheets["访问与处理记录"]
    assert any("head" in row and "查看完整身份证号" in row for row in log), log[:5]
    # The export is itself an audit event, naming the person and the household.
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1 and event is not None
    assert event.action == "privacy.export_personal_data" and event.user == users["caseworker"]
    assert event.object_id == str(person.pk) and event.household_id == household.pk
    assert event.detail["rows"] > 10
    # The officer of the district may export it too.
    officer = _client("officer")
    assert (
        officer.post(f"/privacy/households/{household.pk}/persons/{person.pk}/export/").status_code
        == 200
    )


@pytest.mark.django_db
def test_other_townships_and_roles_and_strangers_get_nothing(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    member = household.memberships.first()
    assert member is not None
    url = f"/privacy/households/{household.pk}/persons/{member.person_id}/export/"
    before = AuditEvent.objects.filter(action="privacy.export_personal_data").count()
    assert _client("outsider").post(url).status_code == 404
    assert _client("outsider").get(f"/privacy/households/{household.pk}/").status_code == 404
    for role in ("community", "head", "auditor", "director"):
        refused = _client(role).post(url)
        assert (
            refused.status_code == 403
            and "乡镇（街道）经办人或区民政局经办人" in refused.content.decode()
        )
    # A person of another household, an unknown person: 404.
    stranger = Person.objects.exclude(memberships__household=household).order_by("pk").first()
    assert stranger is not None
    caseworker = _client("caseworker")
    assert (
        caseworker.post(
            f"/privacy/households/{household.pk}/persons/{stranger.pk}/export/"
        ).status_code
        == 404
    )
    assert (
        caseworker.post(f"/privacy/households/{household.pk}/persons/99999999/export/").status_code
        == 404
    )
    # A GET of the export goes to the page.
    assert caseworker.get(url).status_code == 302
    assert AuditEvent.objects.filter(action="privacy.export_personal_data").count() == before
    assert (
        mask_id(member.person.resident_id)
        in caseworker.get(f"/privacy/households/{household.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_a_refusal_reads_in_english_and_is_recorded_in_chinese(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    client = _client("head")
    client.cookies.load({"django_language": "en"})
    refused = client.get(f"/privacy/households/{household.pk}/")
    assert refused.status_code == 403
    assert "township caseworker or a district officer" in refused.content.decode()
    event = AuditEvent.objects.filter(action="audit.access_denied").order_by("-pk").first()
    assert event is not None and "乡镇（街道）经办人或区民政局经办人" in event.detail["reason"]
