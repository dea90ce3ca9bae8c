"""The audit page shows each event's number in the chain and how far the chain is verified:
from the last check of ``verify_audit`` on, the newer events verified by the page itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit import status
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent
from tests.web.audit.flows import login
from tests.web.audit.tamper import execute, triggers_off
from tests.web.audit.test_log import history

__all__ = ["history"]


def chain_box() -> str:
    page = login("auditor").get("/audit/").content.decode()
    return page[page.index('id="audit-chain"') : page.index("</section>")]


def newest() -> AuditEvent:
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    return event


@pytest.mark.django_db
def test_the_page_shows_numbers_and_the_chain_verified(history: dict[str, Any]) -> None:
    page = login("auditor").get("/audit/").content.decode()
    assert f"<td>#{newest().sequence}</td>" in page
    box = chain_box()
    # Opening the page records nothing in the trail: the number is the newest event's.
    assert f"审计链已校验至第 {newest().sequence} 号事件，完好" in box
    assert "尚未运行完整校验" in box


@pytest.mark.django_db
def test_events_after_the_last_check_are_verified_by_the_page(
    users: dict[str, User], history: dict[str, Any]
) -> None:
    call_command("verify_audit", stdout=None)
    checked = newest().sequence
    event = record(users["caseworker"], "audit.export", object_type="x")
    box = chain_box()
    # Opening the page logs the auditor in, an event after ``event``: the page verified it too.
    assert newest().sequence > event.sequence
    assert f"审计链已校验至第 {newest().sequence} 号事件，完好" in box
    assert f"至第 {checked} 号事件；此后的新事件在打开本页时校验" in box
    # A change to a newer event is found without running the command.
    with triggers_off():
        execute("UPDATE audit_auditevent SET object_id = 'y' WHERE id = %s", [event.pk])
    box = chain_box()
    assert f"审计链在第 {event.sequence} 号事件处断裂" in box and "事件内容已被改动" in box


@pytest.mark.django_db
def test_a_break_found_by_the_command_stays_on_the_page(history: dict[str, Any]) -> None:
    victim = AuditEvent.objects.order_by("sequence")[3]
    with triggers_off():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    box = chain_box()
    assert f"审计链在第 {victim.sequence} 号事件处断裂" in box and "有事件被删除" in box
    assert f"第 {victim.sequence - 1} 号及以前的事件完好" in box


@pytest.mark.django_db
def test_the_page_verifies_a_bounded_number_of_events(
    history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status, "PAGE_LIMIT", 5)
    box = chain_box()
    assert "审计链已校验至第 5 号事件，完好" in box
    assert f"另有 {newest().sequence - 5} 条新事件待下次完整校验" in box


@pytest.mark.django_db
def test_the_page_in_english(history: dict[str, Any]) -> None:
    client = login("auditor")
    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The audit chain is verified up to event no." in page
