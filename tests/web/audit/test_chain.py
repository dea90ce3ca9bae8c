"""The hash chain and the append-only trail (issue 12, point 4): every event numbered and
linked, the same hash before saving and after loading on both databases, no fork when two
transactions record at once, and the database itself refusing changes."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit import chain, protection
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent, ChainCheck
from jiuzhu.web.audit.verify import verify
from tests.web.audit.tamper import execute
from tests.web.audit.test_log import history
from tests.web.concurrency import at_once, postgresql_only

__all__ = ["history"]

migration = importlib.import_module("jiuzhu.web.audit.migrations.0004_chain_existing")

AWKWARD: dict[str, Any] = {
    # jsonb sorts keys by length, rewrites numbers (1e20 → 100000000000000000000, 1.5e-07 →
    # 0.00000015) and keeps 1.0 as 1.0; Python gives tuples back as lists, keys as strings.
    "zebra": 1,
    "a": [1.0, 0.1, 1e20, 1.5e-07, -0.0, 2**70, True, None, "全角１２３", (1, 2)],
    "中文键": {"b": {}, "aa": [], "c": '"quoted" \\ back\nline'},
    "3": 12345678901234567890,
}


def _chain() -> list[tuple[int, str, str]]:
    return list(
        AuditEvent.objects.order_by("sequence").values_list("sequence", "prev_hash", "hash")
    )


@pytest.mark.django_db
def test_real_actions_make_one_consecutive_chain(history: dict[str, Any]) -> None:
    found = _chain()
    assert [s for s, _p, _h in found] == list(range(1, len(found) + 1))
    assert found[0][1] == chain.GENESIS
    assert all(found[i][1] == found[i - 1][2] for i in range(1, len(found)))
    result = verify()
    assert result.intact and result.events == len(found)
    assert (result.last_sequence, result.last_hash) == (found[-1][0], found[-1][2])


@pytest.mark.django_db
def test_the_hash_is_the_same_after_the_round_trip(users: dict[str, User]) -> None:
    """Saved and loaded back (jsonb on PostgreSQL, text on SQLite), the event gives the hash
    it was sealed with."""
    event = record(users["caseworker"], "audit.export", object_type="x", before=AWKWARD, **AWKWARD)
    loaded = AuditEvent.objects.get(pk=event.pk)
    assert loaded.hash == event.hash == chain.digest(chain.fields_of(loaded))
    assert loaded.at == event.at and loaded.at.microsecond == event.at.microsecond
    assert verify().intact


def test_the_canonical_text_is_one_for_one_value() -> None:
    base = dict.fromkeys(chain.FIELDS) | {"detail": {}, "at": _now()}
    same = [{"x": 1e20}, {"x": 100000000000000000000}, {"x": 1e20 + 0.0}]
    assert len({chain.canonical(base | {"detail": d}) for d in same}) == 1
    assert chain.canonical(base | {"detail": {"b": 1, "a": 2}}) == chain.canonical(
        base | {"detail": {"a": 2, "b": 1}}
    )
    assert chain.canonical(base | {"detail": {"x": 0.1}}) != chain.canonical(
        base | {"detail": {"x": 0.10000000000000002}}
    )
    with pytest.raises(ValueError):
        chain.canonical(base | {"detail": {"x": float("nan")}})


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


@pytest.mark.django_db
def test_bulk_created_events_are_chained_in_order(users: dict[str, User]) -> None:
    first = record(users["caseworker"], "audit.export", object_type="x").sequence
    made = AuditEvent.objects.bulk_create(
        [AuditEvent(action="audit.export", object_type="x", object_id=str(i)) for i in range(5)]
    )
    assert [e.sequence for e in made] == [first + i for i in range(1, 6)]
    assert verify().intact


@pytest.mark.django_db
def test_the_migration_chains_as_record_does(history: dict[str, Any]) -> None:
    before = _chain()
    with protection.lifted(connection):
        execute("UPDATE audit_auditevent SET sequence = -id, prev_hash = '', hash = ''")
        migration.chain_existing(apps, None)
    assert _chain() == before


@pytest.mark.django_db
def test_the_application_cannot_change_or_delete_an_event(history: dict[str, Any]) -> None:
    event = AuditEvent.objects.order_by("sequence").first()
    assert event is not None
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_chaincheck SET intact = TRUE",
        "DELETE FROM audit_chaincheck",
    ],
)
def test_the_database_refuses_changes(history: dict[str, Any], sql: str) -> None:
    ChainCheck.objects.create(
        events=0, last_sequence=0, last_hash=chain.GENESIS, intact=True, seconds=0
    )
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(sql)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(action="registry.declare").update(detail={})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == count
    assert verify().intact


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_chaincheck"])
def test_postgresql_refuses_truncate(history: dict[str, Any], table: str) -> None:
    execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's inserts checked: TRUNCATE can run
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_transactions_recording_at_once_never_fork_the_chain() -> None:
    """Each thread records ten events, each in its own transaction with some work after it
    (the lock is held to the commit): the numbers are consecutive and every link holds."""

    def records(name: str) -> list[int]:
        numbers = []
        for i in range(10):
            with transaction.atomic():
                event = record(None, "audit.export", object_type=name, object_id=str(i))
                AuditEvent.objects.count()
            numbers.append(event.sequence)
        return numbers

    outcomes = at_once(lambda: records("a"), lambda: records("b"), lambda: records("c"))
    assert [o.error for o in outcomes] == [None, None, None]
    numbers = sorted(n for o in outcomes for n in o.value)
    assert numbers == list(range(numbers[0], numbers[0] + 30))
    result = verify()
    assert result.intact and result.events == AuditEvent.objects.count()
