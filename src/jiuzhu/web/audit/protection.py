"""The trail is append-only in the database too: triggers refuse UPDATE, DELETE (and on
PostgreSQL TRUNCATE) of audit events and chain checks, whatever writes the SQL.

The triggers stop the application, a mistaken query and anyone connected as the application's
role without being the tables' owner; the owner or a superuser can still disable them (``ALTER
TABLE … DISABLE TRIGGER``), and that is what ``verify_audit`` is for. Installed by the migration
``0005_append_only``; lifted only by ``flush`` (management command of this app), which empties
every table of a test or scratch database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("audit_auditevent", "audit_chaincheck")
MESSAGE = "the audit trail is append-only"

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$
"""


def install_sql(vendor: str) -> list[str]:
    """The statements that protect every table of ``TABLES`` on ``vendor``."""
    if vendor == "postgresql":
        statements = [POSTGRESQL_FUNCTION]
        for table in TABLES:
            statements += [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
            ]
        return statements
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for table in TABLES
            for verb in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"no append-only triggers for {vendor}")


def remove_sql(vendor: str) -> list[str]:
    """The statements that undo ``install_sql`` (the migration's reverse)."""
    if vendor == "postgresql":
        return [
            *(
                f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
                for table in TABLES
                for name in ("append_only", "no_truncate")
            ),
            "DROP FUNCTION IF EXISTS audit_refuse_change()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{verb}"
        for table in TABLES
        for verb in ("update", "delete")
    ]


@contextmanager
def lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """The triggers off for the enclosed statements; call inside a transaction, so that no
    other connection ever sees them off (PostgreSQL and SQLite both roll DDL back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred check (the user's foreign key) of this
            # transaction: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for statement in remove_sql(connection.vendor):
                cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for statement in install_sql(connection.vendor):
                cursor.execute(statement)
