"""``jiuzhu-web verify_audit`` on a trail written by real actions: intact, it prints the count
and the last hash; tampered with by someone who switched the triggers off, it names the first
broken link (number, event id, what differs) and exits with status 1."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jiuzhu.web.audit import chain
from jiuzhu.web.audit.models import AuditEvent, ChainCheck
from tests.web.audit.tamper import execute, triggers_off
from tests.web.audit.test_log import history

__all__ = ["history"]


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as caught:
        verify_audit()
    assert caught.value.returncode == 1
    return str(caught.value)


def middle() -> AuditEvent:
    """An event of the history in the middle of the chain."""
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
    return AuditEvent.objects.get(sequence=last // 2)


@pytest.mark.django_db
def test_an_intact_chain_passes_with_its_count_and_last_hash(history: dict[str, Any]) -> None:
    last = AuditEvent.objects.order_by("-sequence").first()
    assert last is not None
    out = verify_audit()
    assert f"intact: {AuditEvent.objects.count()} events, last #{last.sequence} {last.hash}" in out
    check = ChainCheck.objects.get()
    assert check.intact and (check.last_sequence, check.last_hash) == (last.sequence, last.hash)


@pytest.mark.django_db
def test_a_changed_event_is_named(history: dict[str, Any]) -> None:
    event = middle()
    with triggers_off():
        execute(
            "UPDATE audit_auditevent SET division_code = %s WHERE id = %s", ["120115999", event.pk]
        )
    message = broken()
    assert f"broken at #{event.sequence} (event id {event.pk}): changed" in message
    assert f"intact up to #{event.sequence - 1} {event.prev_hash}" in message
    assert not ChainCheck.objects.get().intact


@pytest.mark.django_db
def test_a_missing_event_is_named(history: dict[str, Any]) -> None:
    event = middle()
    with triggers_off():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert f"broken at #{event.sequence} (no event): missing: events #{event.sequence} to" in (
        broken()
    )


@pytest.mark.django_db
def test_a_reordered_event_is_named(history: dict[str, Any]) -> None:
    event = middle()
    following = AuditEvent.objects.get(sequence=event.sequence + 1)
    with triggers_off():
        execute("UPDATE audit_auditevent SET sequence = -1 WHERE id = %s", [event.pk])
        execute(
            "UPDATE audit_auditevent SET sequence = %s WHERE id = %s",
            [event.sequence, following.pk],
        )
        execute(
            "UPDATE audit_auditevent SET sequence = %s WHERE id = %s",
            [following.sequence, event.pk],
        )
    message = broken()
    assert f"broken at #{event.sequence} (event id {following.pk}): reordered" in message
    assert f"event #{following.sequence} was moved to #{event.sequence}" in message


@pytest.mark.django_db
def test_an_event_resealed_after_a_change_breaks_the_next_link(history: dict[str, Any]) -> None:
    """Someone who edits an event and recomputes its hash leaves the next event pointing at the
    old one."""
    event = middle()
    event.detail = {"note": "改过"}
    resealed = chain.digest(chain.fields_of(event))
    with triggers_off():
        execute(
            "UPDATE audit_auditevent SET detail = %s, hash = %s WHERE id = %s",
            ['{"note": "改过"}', resealed, event.pk],
        )
    following = AuditEvent.objects.get(sequence=event.sequence + 1)
    assert f"broken at #{following.sequence} (event id {following.pk}): relinked" in broken()


@pytest.mark.django_db
def test_events_removed_from_the_end_are_found_by_the_last_check(
    history: dict[str, Any],
) -> None:
    verify_audit()
    last = AuditEvent.objects.order_by("-sequence").first()
    assert last is not None
    with triggers_off():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    message = broken()
    assert f"missing: events #{last.sequence} to #{last.sequence}" in message
    assert "missing from the end" in message


@pytest.mark.django_db
def test_a_chain_rewritten_from_the_changed_event_on_is_found_by_the_last_check(
    history: dict[str, Any],
) -> None:
    """Rewriting every hash after a change gives a chain that links, but not the one verified
    before (whose last hash is kept with the check, and printed for keeping elsewhere)."""
    verify_audit()
    event = middle()
    with triggers_off():
        execute("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", [event.pk])
        previous = event.prev_hash
        for found in AuditEvent.objects.filter(sequence__gte=event.sequence).order_by("sequence"):
            found.prev_hash = previous
            found.hash = previous = chain.digest(chain.fields_of(found))
            execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [found.prev_hash, found.hash, found.pk],
            )
    assert "the chain was rewritten" in broken()
