"""Printable documents: each renders as an HTML print page and as a PDF (WeasyPrint) from the
same template, with the vendored fonts embedded; numbered notices keep their number and text on
reprint; office values not set print as 未设置 and are never invented; another township gets
404; odd input never a server error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases.assessment import covered_count, unit_members
from jiuzhu.web.cases.models import Application
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.documents.models import IssuedDocument, NumberSequence, Office
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON, PASSWORD
from tests.web.documents.conftest import (
    decide,
    pdf_fonts,
    pdf_text,
    terminated,
    to_public_notice,
)


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _flat(text: str) -> str:
    return "".join(text.split())


def _pdf(client: Client, url: str, tmp_path: Path) -> str:
    response = client.get(url)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF-")
    fonts = pdf_fonts(content, tmp_path)
    # The vendored fonts, embedded (subset): never a font of the server.
    assert "Jiuzhu-Serif" in fonts and " yes " in fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:] if line.strip())
    return _flat(pdf_text(content, tmp_path))


@pytest.mark.django_db
def test_the_missing_materials_notice_lists_everything_at_once(
    awaiting: Application, offices: None, tmp_path: Path
) -> None:
    caseworker = _client("caseworker")
    url = f"/documents/applications/{awaiting.pk}/missing_materials/"
    page = caseworker.get(url).content.decode()
    assert "家庭收入和财产状况申报表" in page and "一次性告知" in page
    text = _pdf(caseworker, url.rstrip("/") + ".pdf", tmp_path)
    assert awaiting.applicant.name in text and awaiting.number in text
    assert "家庭经济状况核对授权书" in text and "第十条" in text
    # Once nothing is missing the notice is gone.
    assert caseworker.get(f"/documents/applications/{awaiting.pk}/acceptance/").status_code == 404


@pytest.mark.django_db
def test_the_acceptance_notice_gives_the_date_and_the_time_limit(
    accepted: Application, offices: None, tmp_path: Path
) -> None:
    caseworker = _client("caseworker")
    url = f"/documents/applications/{accepted.pk}/acceptance/"
    assert caseworker.get(url).status_code == 200
    text = _pdf(caseworker, url.rstrip("/") + ".pdf", tmp_path)
    assert accepted.applicant.name in text and accepted.number in text
    assert "2025年10月15日" in text and "30个工作日" in text
    assert "2025年11月26日" in text  # 30 working days after Wednesday 2025-10-15
    assert "【示例】" in text  # the township's (fictitious) contact
    assert "第二十二条" in text


@pytest.mark.django_db
def test_the_home_visit_form_lists_the_members_with_masked_ids_and_signature_lines(
    accepted: Application, offices: None, tmp_path: Path
) -> None:
    caseworker = _client("caseworker")
    url = f"/documents/applications/{accepted.pk}/home_visit_form/"
    page = caseworker.get(url).content.decode()
    members = list(
        accepted.household.memberships.filter(valid_to__isnull=True).select_related("person")
    )
    for membership in members:
        assert membership.person.name in page
        assert mask_id(membership.person.resident_id) in page
        assert membership.person.resident_id not in page
    assert page.count('class="line"') >= 3  # two visitors at least, and the applicant
    assert "□ 与申报情况相符" in page and "☑" not in page  # nothing ticked in advance
    text = _pdf(caseworker, url.rstrip("/") + ".pdf", tmp_path)
    assert all(m.person.name in text for m in members)
    assert "调查人员（签名）" in text and "申请人（签名）" in text


@pytest.mark.django_db
def test_an_approval_is_issued_with_a_number_and_reprinted_unchanged(
    accepted: Application, users: dict[str, User], offices: None, settings: Any, tmp_path: Path
) -> None:
    application = decide(users, accepted, settings, "approve")
    caseworker = _client("caseworker")
    url = f"/documents/applications/{application.pk}/approval/"
    draft = caseworker.get(url).content.decode()
    assert "样稿" in draft and 'id="step-issue"' in draft
    # No PDF before the number: it would be a notice without one.
    assert caseworker.get(url.rstrip("/") + ".pdf").status_code == 302
    response = caseworker.post(url + "issue/")
    assert response.status_code == 302
    issued = IssuedDocument.objects.get(application=application, kind="approval")
    assert issued.sequence == 1 and issued.year == 2025
    assert issued.number.endswith("救助确认〔2025〕1号")
    assert issued.issued_by == users["caseworker"]
    covered = [
        m.person.name
        for m in unit_members(application, application.assessments.first())
        if m.covered
    ]
    assert covered and issued.data["covered"] == covered
    text = _pdf(caseworker, url.rstrip("/") + ".pdf", tmp_path)
    assert issued.number in text and application.applicant.name in text
    assert all(name in text for name in covered)
    amount = f"{application.monthly_amount / 100:,.2f}"
    assert amount in text and "元" in text
    month = application.first_paid_month
    assert f"{month[:4]}年{int(month[5:])}月" in text
    assert "六十日" in text or "60日" in text
    assert "《中华人民共和国行政复议法》第二十条" in text
    assert "6个月" in text and "《中华人民共和国行政诉讼法》第四十六条" in text
    assert "【示例】天津市宝坻区人民法院" in text
    # A reprint: the same number and text, even after the office changed; issuing again
    # takes no new number.
    Office.objects.filter(division_code="120115").update(court="另一法院")
    assert caseworker.post(url + "issue/").status_code == 302
    assert IssuedDocument.objects.filter(application=application).count() == 1
    again = caseworker.get(url).content.decode()
    assert issued.number in again and "【示例】天津市宝坻区人民法院" in again
    assert "另一法院" not in again and "样稿" not in again
    assert NumberSequence.objects.get(kind="approval").last == 1


@pytest.mark.django_db
def test_a_refusal_states_the_reasons_and_the_remedies(
    accepted: Application, users: dict[str, User], offices: None, settings: Any, tmp_path: Path
) -> None:
    application = decide(users, accepted, settings, "reject")
    officer = _client("officer")
    url = f"/documents/applications/{application.pk}/refusal/"
    assert officer.post(url + "issue/").status_code == 302
    issued = IssuedDocument.objects.get(application=application)
    assert issued.number.endswith("救助不予确认〔2025〕1号")
    text = _pdf(officer, url.rstrip("/") + ".pdf", tmp_path)
    assert issued.number in text and application.applicant.name in text
    assert "家庭人均收入高于低保标准" in text
    assert "行政复议" in text and "行政诉讼" in text
    # The other decision's notice does not exist for this application.
    assert officer.get(f"/documents/applications/{application.pk}/approval/").status_code == 404


@pytest.mark.django_db
def test_the_termination_notice_replaces_the_entitlements_page(
    household: Household, users: dict[str, User], offices: None, tmp_path: Path
) -> None:
    entitlement = terminated(household)
    url = f"/documents/entitlements/{entitlement.pk}/termination/"
    auditor = _client("auditor")
    page = auditor.get(url).content.decode()
    assert "样稿" in page and 'id="step-issue"' not in page and "终止通知书由" in page
    assert auditor.post(url + "issue/").status_code == 400  # refused, with the reason
    assert not IssuedDocument.objects.exists()
    head = _client("head")
    assert head.post(url + "issue/").status_code == 302
    issued = IssuedDocument.objects.get(entitlement=entitlement)
    assert issued.number.endswith("救助终止〔2025〕1号")
    text = _pdf(head, url.rstrip("/") + ".pdf", tmp_path)
    assert issued.number in text and entitlement.number in text
    assert "家庭人均收入已超过低保标准" in text and "2025年11月" in text


@pytest.mark.django_db
def test_an_unset_office_value_is_printed_unset_and_blocks_a_numbered_notice(
    accepted: Application, users: dict[str, User], settings: Any
) -> None:
    application = decide(users, accepted, settings, "approve")
    caseworker = _client("caseworker")
    url = f"/documents/applications/{application.pk}/approval/"
    page = caseworker.get(url).content.decode()
    assert "未设置" in page and "管理后台" in page
    response = caseworker.post(url + "issue/")
    assert response.status_code == 400
    assert "发文机关名称、行政复议机关、管辖法院未设置" in response.content.decode()
    assert not IssuedDocument.objects.exists() and not NumberSequence.objects.filter(last__gt=0)
    acceptance = caseworker.get(
        f"/documents/applications/{application.pk}/acceptance/"
    ).content.decode()
    assert "未设置" in acceptance


@pytest.mark.django_db
def test_the_public_notice_counts_the_people_the_amount_is_for_and_never_publishes_minors(
    accepted: Application, users: dict[str, User], offices: None, tmp_path: Path
) -> None:
    application = to_public_notice(users, accepted)
    code = application.division_code
    caseworker = _client("caseworker")
    index = caseworker.get("/documents/public-notice/").content.decode()
    assert f"/documents/public-notice/{code}/" in index
    page = caseworker.get(f"/documents/public-notice/{code}/").content.decode()
    name = application.applicant.name
    assert name not in page and name[0] + "*" in page
    latest = application.assessments.first()
    count = covered_count(application, latest)
    assert count is not None
    assert f'<td class="num">{count}</td>' in page
    text = _pdf(caseworker, f"/documents/public-notice/{code}.pdf", tmp_path)
    assert "公示期7天" in text and "【示例】" in text and name[0] in text
    # A minor applicant is never published.
    person = application.applicant
    person.birth_date = ON - dt.timedelta(days=365 * 10)
    person.save()
    minor = caseworker.get(f"/documents/public-notice/{code}/").content.decode()
    assert name[0] + "*" not in minor and "未成年人" in minor


@pytest.mark.django_db
def test_another_township_gets_404_and_odd_input_no_server_error(
    accepted: Application, users: dict[str, User], offices: None
) -> None:
    outsider = _client("outsider")
    pk = accepted.pk
    for url in (
        f"/documents/applications/{pk}/acceptance/",
        f"/documents/applications/{pk}/acceptance.pdf",
        f"/documents/applications/{pk}/home_visit_form/",
        f"/documents/applications/{pk}/materials/",
        f"/documents/public-notice/{accepted.division_code}/",
        f"/documents/public-notice/{accepted.division_code}.pdf",
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/documents/applications/{pk}/approval/issue/").status_code == 404
    caseworker = _client("caseworker")
    for url in (
        f"/documents/applications/{pk}/nonsense/",
        f"/documents/applications/{pk}/approval/",  # not decided
        f"/documents/applications/{pk}/public_notice/",
        "/documents/applications/99999999/acceptance/",
        "/documents/public-notice/abc/",
        "/documents/public-notice/120115/",
        "/documents/public-notice/999999999999/",
        f"/documents/public-notice/{accepted.division_code[:9]}/",
        "/documents/entitlements/99999999/termination/",
    ):
        assert caseworker.get(url).status_code == 404, url
    assert caseworker.post(f"/documents/applications/{pk}/approval/issue/").status_code == 404
    assert caseworker.get(f"/documents/applications/{pk}/approval/issue/").status_code == 404


@pytest.mark.django_db
def test_decisions_without_a_notice_wait_on_the_workbench(
    accepted: Application, users: dict[str, User], offices: None, settings: Any
) -> None:
    from jiuzhu.web.documents.actions import issue_notice
    from jiuzhu.web.documents.queries import work_items

    application = decide(users, accepted, settings, "reject")
    found = work_items(users["caseworker"], ON)
    assert found.total >= 1
    item = next(i for i in found.items if application.number in i.title)
    assert item.url == f"/documents/applications/{application.pk}/refusal/"
    assert "不予确认通知书" in item.action
    assert work_items(users["auditor"], ON).total == 0  # an auditor issues nothing
    assert work_items(users["outsider"], ON).items == [] or all(
        application.number not in i.title for i in work_items(users["outsider"], ON).items
    )
    issue_notice(users["caseworker"], "refusal", application)
    assert all(application.number not in i.title for i in work_items(users["caseworker"], ON).items)


@pytest.mark.django_db
def test_the_demo_offices_are_fictitious_and_never_overwrite_a_value_set(db: Any) -> None:
    from jiuzhu.web.documents.actions import fill_example_offices

    Office.objects.create(division_code="120115", name="天津市宝坻区民政局", phone="")
    assert fill_example_offices() >= 25
    district = Office.objects.get(division_code="120115")
    assert district.name == "天津市宝坻区民政局"  # kept
    assert district.phone.startswith("【示例】") and district.court.startswith("【示例】")
    assert all(
        value.startswith("【示例")
        for office in Office.objects.exclude(division_code="120115")
        for value in (office.name, office.address, office.phone, office.review_body, office.court)
    )
    assert fill_example_offices() == 0  # nothing left to fill


@pytest.mark.django_db
def test_a_document_reads_nothing_but_the_vendored_fonts(tmp_path: Path) -> None:
    from jiuzhu.web.documents import render

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    doc = {
        "kind": "refusal",
        "title": "不予确认通知书",
        "number": "测试〔2025〕1号",
        "office": {},
        "contact": {},
        "reasons": f'<img src="{secret.as_uri()}"><link rel="stylesheet" href="http://example.org/x.css">',
    }
    text = _flat(pdf_text(render.pdf("refusal", doc), tmp_path))
    assert "<img" in text and "未设置" in text  # printed as text, escaped
    with pytest.raises(ValueError, match="not a vendored font"):
        render._fetcher().fetch(secret.as_uri())
