"""Scanned materials: type by content, size and emptiness checked with a clear message; stored
under the data directory and served only to who may read the application, every view audited;
a scan of a missing material hands it in; a wrong scan is replaced or withdrawn, never lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.documents import actions
from jiuzhu.web.documents.models import MaterialFile, MaterialStatus
from jiuzhu.web.documents.queries import checklist
from tests.web.conftest import PASSWORD
from tests.web.documents.conftest import JPEG, PDF, PNG, upload


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _files(root: Path) -> list[Path]:
    return [p for p in (root / "materials").rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_the_scan_of_a_missing_material_hands_it_in_and_the_last_one_accepts(
    awaiting: Application, users: dict[str, User], _data_dir: Path, settings: Any
) -> None:
    caseworker = users["caseworker"]
    assert awaiting.stage == Stage.AWAITING_MATERIALS
    first, second = awaiting.missing_materials
    scan = actions.upload_material(caseworker, awaiting, material=first, upload=upload(PDF))
    awaiting.refresh_from_db()
    assert scan.handed_in and scan.file_type == "application/pdf"
    assert awaiting.stage == Stage.AWAITING_MATERIALS and awaiting.missing_materials == [second]
    # Stored under the data directory, never under the static files.
    stored = _files(_data_dir)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    assert not stored[0].resolve().is_relative_to(Path(settings.STATIC_ROOT).resolve())
    actions.upload_material(caseworker, awaiting, material=second, upload=upload(PNG, "a.png"))
    awaiting.refresh_from_db()
    assert awaiting.stage == Stage.ACCEPTED and awaiting.missing_materials == []
    rows = {row.code: row for row in checklist(awaiting)}
    assert rows[first].status == "scanned" and not rows[first].on_paper
    assert rows["application_form"].status == "paper"
    assert AuditEvent.objects.filter(action="documents.upload").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"this is plain text, not a PDF\n" * 20, "scan.pdf", "文件内容不是 PDF、JPEG 或 PNG"),
        (b"", "empty.pdf", "文件为空"),
        (b"%PDF-" + b"0" * (1024 * 1024), "large.pdf", "超过上限 1 MB"),
        (b"<html><script>alert(1)</script></html>", "page.png", "文件内容不是"),
    ],
    ids=["text-named-pdf", "empty", "oversize", "html-named-png"],
)
def test_a_fake_an_empty_or_an_oversize_file_is_refused_on_the_field(
    awaiting: Application,
    users: dict[str, User],
    settings: Any,
    _data_dir: Path,
    content: bytes,
    name: str,
    message: str,
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "MATERIAL_MAX_MB": 1}
    response = _client("caseworker").post(
        f"/documents/applications/{awaiting.pk}/materials/upload/",
        {"material": awaiting.missing_materials[0], "file": upload(content, name)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MaterialFile.objects.exists() and not _files(_data_dir)
    awaiting.refresh_from_db()
    assert awaiting.stage == Stage.AWAITING_MATERIALS


@pytest.mark.django_db
def test_the_content_decides_the_type_not_the_name(
    accepted: Application, users: dict[str, User]
) -> None:
    scan = actions.upload_material(
        users["caseworker"], accepted, material="diagnosis", upload=upload(JPEG, "scan.pdf")
    )
    assert scan.file_type == "image/jpeg" and scan.path.endswith(".jpg")
    assert not scan.handed_in  # not missing: an extra scan of a material handed in on paper
    response = _client("caseworker").get(f"/documents/materials/{scan.pk}/")
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
def test_a_scan_is_served_only_to_readers_of_the_application_and_every_view_is_audited(
    accepted: Application, users: dict[str, User]
) -> None:
    scan = actions.upload_material(
        users["caseworker"], accepted, material="diagnosis", upload=upload(PDF, 'x"; a.pdf')
    )
    url = f"/documents/materials/{scan.pk}/"
    response = _client("auditor").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;") and accepted.number in disposition
    assert '"; a.pdf' not in disposition  # never the uploader's file name
    assert AuditEvent.objects.filter(
        action="documents.view_material", object_id=str(scan.pk), user=users["auditor"]
    ).exists()
    assert _client("outsider").get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the log-in page
    assert _client("caseworker").get("/documents/materials/999999/").status_code == 404
    assert AuditEvent.objects.filter(action="documents.view_material").count() == 1


@pytest.mark.django_db
def test_a_wrong_scan_is_replaced_or_withdrawn_and_kept(
    awaiting: Application, users: dict[str, User], _data_dir: Path
) -> None:
    caseworker = _client("caseworker")
    material = awaiting.missing_materials[0]
    first = actions.upload_material(
        users["caseworker"], awaiting, material=material, upload=upload(PDF)
    )
    response = caseworker.post(
        f"/documents/materials/{first.pk}/replace/", {"file": upload(PNG, "better.png")}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == MaterialStatus.REPLACED and first.replaced_by is not None
    second = first.replaced_by
    assert second.status == MaterialStatus.ACTIVE and second.handed_in
    assert len(_files(_data_dir)) == 2  # the replaced file is kept
    # A withdrawal needs a reason; without one nothing changes.
    refused = caseworker.post(f"/documents/materials/{second.pk}/withdraw/", {"reason": " "})
    assert refused.status_code == 400
    second.refresh_from_db()
    assert second.status == MaterialStatus.ACTIVE
    caseworker.post(f"/documents/materials/{second.pk}/withdraw/", {"reason": "扫错了人"})
    second.refresh_from_db()
    assert second.status == MaterialStatus.WITHDRAWN and second.withdrawal_reason == "扫错了人"
    # Handed in by a scan that is now withdrawn: the checklist asks for it again.
    awaiting.refresh_from_db()
    row = next(r for r in checklist(awaiting) if r.code == material)
    assert row.status == "withdrawn"
    page = caseworker.get(f"/documents/applications/{awaiting.pk}/materials/").content.decode()
    assert "扫错了人" in page and "已替换" in page
    actions_done = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"documents.upload", "documents.replace", "documents.withdraw"} <= actions_done
    # A withdrawn scan cannot be withdrawn again; a GET goes to the page.
    with pytest.raises(ValidationError, match="已撤回"):
        actions.withdraw_material(users["caseworker"], second, reason="再次")
    assert caseworker.get(f"/documents/materials/{second.pk}/withdraw/").status_code == 302


@pytest.mark.django_db
def test_who_may_not_upload_writes_nothing(
    accepted: Application, users: dict[str, User], settings: Any, _data_dir: Path
) -> None:
    with pytest.raises(PermissionDenied, match="上传材料由"):
        actions.upload_material(
            users["auditor"], accepted, material="diagnosis", upload=upload(PDF)
        )
    response = _client("auditor").post(
        f"/documents/applications/{accepted.pk}/materials/upload/",
        {"material": "diagnosis", "file": upload(PDF)},
    )
    assert response.status_code == 302
    assert (
        _client("outsider")
        .post(
            f"/documents/applications/{accepted.pk}/materials/upload/",
            {"material": "diagnosis", "file": upload(PDF)},
        )
        .status_code
        == 404
    )
    Application.objects.filter(pk=accepted.pk).update(stage=Stage.TERMINATED)
    accepted.refresh_from_db()
    with pytest.raises(ValidationError, match="不能再上传材料"):
        actions.upload_material(
            users["caseworker"], accepted, material="diagnosis", upload=upload(PDF)
        )
    assert not MaterialFile.objects.exists() and not _files(_data_dir)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"material": "nonsense"},
        {"material": ""},
        {},
        {"material": "diagnosis"},
        {"material": "１２３", "file": "not a file"},
    ],
    ids=["unknown", "blank", "nothing", "no-file", "full-width"],
)
def test_odd_upload_input_gives_a_message_never_a_server_error(
    accepted: Application, users: dict[str, User], data: dict[str, Any]
) -> None:
    response = _client("caseworker").post(
        f"/documents/applications/{accepted.pk}/materials/upload/", data
    )
    assert response.status_code == 400
    assert not MaterialFile.objects.exists()


@pytest.mark.django_db
def test_the_application_section_lists_materials_and_documents(
    awaiting: Application, users: dict[str, User]
) -> None:
    actions.upload_material(
        users["caseworker"], awaiting, material=awaiting.missing_materials[0], upload=upload(PDF)
    )
    request = RequestFactory().get("/")
    request.user = users["caseworker"]
    html = render_to_string(
        "documents/_application_documents.html", {"application": awaiting}, request=request
    )
    assert "已上传扫描件" in html and "纸质材料已交" in html and "缺少" in html
    assert 'id="step-upload"' in html and "一次性告知书" in html
    request.user = users["auditor"]
    html = render_to_string(
        "documents/_application_documents.html", {"application": awaiting}, request=request
    )
    assert 'id="step-upload"' not in html
