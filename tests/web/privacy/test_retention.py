"""Retention per data class (``jiuzhu-web retention``): a dry run lists and changes nothing;
``--apply`` erases what is past its period in one transaction, audited; a class whose period
no document sets is never touched, and the command says why."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.documents.actions import upload_material
from jiuzhu.web.documents.models import MaterialFile
from jiuzhu.web.documents.storage import absolute
from jiuzhu.web.privacy.retention import CLASSES, ERASED
from jiuzhu.web.registry.models import Household
from tests.web.documents.conftest import PDF, submit, upload


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def _closed(users: dict[str, User], household: Household, decided_on: dt.date) -> Application:
    """An application with a scan and texts, rejected on ``decided_on``."""
    application = submit(users, household)
    upload_material(users["caseworker"], application, material="diagnosis", upload=upload(PDF))
    Application.objects.filter(pk=application.pk).update(
        stage=Stage.REJECTED,
        decided_on=decided_on,
        opinion_note="申请人患尿毒症，长期透析",
        decision_reasons="家庭收入高于低保标准",
    )
    application.refresh_from_db()
    return application


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_dry_run_lists_and_apply_erases_what_is_past_its_period(
    users: dict[str, User], townships: tuple[str, str], django_capture_on_commit_callbacks: Any
) -> None:
    households = list(
        Household.objects.filter(township_code=townships[0])
        .exclude(applications__isnull=False)
        .exclude(entitlements__isnull=False)
        .order_by("pk")[:2]
    )
    old = _closed(users, households[0], dt.date(2021, 6, 30))  # more than 3 years before today
    recent = _closed(users, households[1], dt.date(2023, 6, 30))
    scan = MaterialFile.objects.get(application=old)
    path = absolute(scan.path)
    assert path.exists()
    events = AuditEvent.objects.count()

    listing = _run()
    assert old.number in listing and recent.number not in listing
    assert "试运行" in listing
    for data_class in CLASSES:
        assert str(data_class.label) in listing
    assert listing.count("保存期限未知，不处理") == 6
    assert "《中华人民共和国网络安全法》第二十一条" in listing
    assert MaterialFile.objects.filter(application=old).exists()
    assert AuditEvent.objects.count() == events

    # The files go once the transaction has committed.
    with django_capture_on_commit_callbacks(execute=True):
        applied = _run("--apply")
    assert "已删除：1 件申请" in applied
    old.refresh_from_db()
    assert old.opinion_note == ERASED and old.decision_reasons == ERASED
    assert old.stage == Stage.REJECTED and old.decided_on == dt.date(2021, 6, 30)
    assert not MaterialFile.objects.filter(application=old).exists() and not path.exists()
    event = AuditEvent.objects.get(action="privacy.retention")
    assert event.object_id == str(old.pk) and event.detail["count"] == 1
    recent.refresh_from_db()
    assert recent.opinion_note != ERASED
    assert MaterialFile.objects.filter(application=recent).exists()
    # Nothing left to erase: a second run finds nothing and writes nothing.
    assert "已超过保存期限：0 件申请" in _run("--apply")
    assert AuditEvent.objects.filter(action="privacy.retention").count() == 1


def test_every_class_has_a_period_and_source_or_says_it_is_unknown() -> None:
    codes = {c.code for c in CLASSES}
    assert codes == {"identity", "health", "finance", "minors", "relief", "applications", "audit"}
    for data_class in CLASSES:
        assert str(data_class.source)
        if data_class.months is not None:
            assert "《" in str(data_class.source) and "》" in str(data_class.source)
