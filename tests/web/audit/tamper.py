"""Tampering with the trail as someone with the database's owner or superuser rights would:
the append-only triggers switched off (PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER ALL``;
SQLite: the triggers dropped), inside the test's transaction, which rolls them back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from jiuzhu.web.audit import protection


@contextmanager
def triggers_off() -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key check
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        else:
            for statement in protection.remove_sql(connection.vendor):
                cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER ALL")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for statement in protection.install_sql(connection.vendor):
                cursor.execute(statement)


def execute(sql: str, params: list[object] | None = None) -> None:
    """Raw SQL on the trail, as a tamperer would write it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
