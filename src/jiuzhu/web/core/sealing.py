"""Sealing, re-sealing and opening whole tables in place, in batches: the data migrations that
encrypt existing rows (and their reverse), and ``rotate_keys``.

It works in SQL on the stored text (not through the models, whose fields would refuse a value
still in clear) and is idempotent and resumable: rows are walked by primary key, each batch in
its own transaction, and a row is written only if a value is not sealed under the current key
or a companion (hash, tail) differs from what the value gives. A run killed half-way is simply
run again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.apps import apps as global_apps
from django.db import connections, transaction

from jiuzhu.web.core import crypto
from jiuzhu.web.core.fields import Companion, Sealed, SealedBooleanField, derive

BATCH = 2000
Mode = Literal["seal", "open"]


@dataclass(frozen=True)
class Table:
    """A table's sealed columns (``booleans`` among them hold yes/no) and its companions
    (column → (source column, kind: ``core.fields.derive``))."""

    name: str
    sealed: tuple[str, ...]
    booleans: tuple[str, ...] = ()
    companions: tuple[tuple[str, str, str], ...] = ()


def sealed_tables(apps: Any = global_apps) -> list[Table]:
    """Every table of the project holding sealed fields, from the models (``core.fields``)."""
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        sealed = [f for f in fields if isinstance(f, Sealed)]
        columns = {f.name: str(f.column) for f in fields}
        if not sealed:
            continue
        found.append(
            Table(
                model._meta.db_table,
                tuple(columns[f.name] for f in sealed),
                tuple(columns[f.name] for f in sealed if isinstance(f, SealedBooleanField)),
                tuple(
                    (
                        columns[f.name],
                        columns[f.source],
                        f.kind,
                    )
                    for f in fields
                    if isinstance(f, Companion)
                ),
            )
        )
    return found


def _plain(stored: Any, boolean: bool, ring: crypto.Keyring) -> str:
    """The plaintext of a stored value, sealed or still in clear (before the migration)."""
    if stored is None or stored == "":
        return "" if stored == "" else stored
    text = str(stored)
    if crypto.is_sealed(text):
        return crypto.open_sealed(text, ring)
    if boolean:
        return "1" if text.lower() in ("1", "true", "t") else "0"
    return text


def _wanted(
    table: Table, row: dict[str, Any], mode: Mode, ring: crypto.Keyring, hash_key: bytes
) -> dict[str, Any]:
    """The columns of ``row`` that must change (column → new stored value)."""
    changes: dict[str, Any] = {}
    plain: dict[str, Any] = {}
    for column in table.sealed:
        stored = row[column]
        plain[column] = value = _plain(stored, column in table.booleans, ring)
        if value is None or value == "":
            continue
        if mode == "open":
            if crypto.is_sealed(str(stored)):
                changes[column] = value
        elif crypto.key_id_of(str(stored)) != ring.current:
            changes[column] = crypto.seal(value, ring)
    for column, source, kind in table.companions:
        value = plain[source] or ""
        derived = derive(kind, value, hash_key)
        if mode == "seal" and row[column] != derived:
            changes[column] = derived
    return changes


def _batches(
    cursor: Any, table: Table, columns: list[str], quote: Any
) -> Iterator[list[dict[str, Any]]]:
    last = None
    names = ", ".join(quote(c) for c in ["id", *columns])
    while True:
        where = "" if last is None else f" WHERE {quote('id')} > %s"
        cursor.execute(
            f"SELECT {names} FROM {quote(table.name)}{where} ORDER BY {quote('id')} LIMIT {BATCH}",
            [] if last is None else [last],
        )
        rows = [dict(zip(["id", *columns], r, strict=True)) for r in cursor.fetchall()]
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def process(
    table: Table,
    *,
    mode: Mode = "seal",
    ring: crypto.Keyring | None = None,
    hash_key: bytes | None = None,
    using: str = "default",
) -> tuple[int, int]:
    """Seal (under the current data key, companions recomputed with ``hash_key``, default the
    search key) or open every row of ``table``. Returns (rows read, rows written)."""
    ring = ring or crypto.keyring()
    hash_key = hash_key if hash_key is not None else ring.search_key
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = [*table.sealed, *(c for c, _, _ in table.companions)]
    read = written = 0
    with connection.cursor() as reader:
        for rows in _batches(reader, table, columns, quote):
            updates = [(row["id"], _wanted(table, row, mode, ring, hash_key)) for row in rows]
            with transaction.atomic(using=using), connection.cursor() as cursor:
                for pk, changes in updates:
                    if changes:
                        sets = ", ".join(f"{quote(c)} = %s" for c in changes)
                        cursor.execute(
                            f"UPDATE {quote(table.name)} SET {sets} WHERE {quote('id')} = %s",
                            [*changes.values(), pk],
                        )
            read += len(rows)
            written += sum(1 for _, changes in updates if changes)
    return read, written


def migration(tables: Iterable[Table]) -> tuple[Any, Any]:
    """The (forward, reverse) functions of a ``RunPython`` sealing ``tables``: seal with the
    configured keys, or open back to clear text."""
    tables = list(tables)

    def forward(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            process(table, using=schema_editor.connection.alias)

    def reverse(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            process(table, mode="open", using=schema_editor.connection.alias)

    return forward, reverse
