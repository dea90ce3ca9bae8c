"""The events the main actions actually record read as people read them: every action and
every key labelled, in Chinese and in English, values without raw codes, dicts or fen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.labels import ACTIONS, Kind, resolve
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.presenting import Presenter
from tests.web.audit.flows import login, run_all

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")


@pytest.mark.django_db
def test_the_main_actions_record_only_labelled_events(
    users: dict[str, User],
    townships: tuple[str, str],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run_all(users, townships, settings, django_capture_on_commit_callbacks)
    login("auditor").get("/audit/export.xlsx")
    events = list(AuditEvent.objects.select_related("user"))
    actions = {e.action for e in events}
    assert {
        "cases.confirm_approve",
        "verification.run",
        "payments.check",
        "audit.export",
    } <= actions
    assert actions <= set(ACTIONS), actions - set(ACTIONS)
    unlabelled = set()
    for event in events:
        for values in (event.before, event.after, event.detail):
            for name in values or {}:
                resolved = resolve(event.action, event.object_type, name)
                if resolved.label is None and resolved.key.kind is not Kind.HIDDEN:
                    unlabelled.add(f"{event.action}: {name}")
    assert not unlabelled, sorted(unlabelled)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            rows = Presenter(users["auditor"]).present(events)
        shown = [
            text
            for row in rows
            for change in row.changes + row.details
            for text in (change.label, change.after, change.before or "")
        ]
        assert not [t for t in shown if "其他信息" in t or "Other" in t]
        assert not [t for t in shown if "{" in t or "registry." in t]
        # No value is a code (``township_review``, ``dibao``) where a label belongs.
        codes = set(ACTIONS) | {"dibao", "near_dibao", "approve", "township_review", "active"}
        assert not [t for t in shown if CODE.match(t) or t in codes]
        labels = {c.label for row in rows for c in row.changes + row.details}
        assert not [label for label in labels if "_" in label]
        if language == "en":
            labels = {c.label for row in rows for c in row.changes + row.details}
            # (A member's masked name, 张**, is a name, not a label.)
            assert not [label for label in labels if CJK.search(label) and "*" not in label]
