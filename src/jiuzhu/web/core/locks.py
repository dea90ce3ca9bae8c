"""Locks that make people doing the same thing at the same instant take turns.

Two clerks (or two browser tabs, or a clerk and a worker) who submit, add, import or draft the
same thing at once must not both read "nothing there yet" and both write: one goes first, the
other then sees what the first wrote and gets a clear answer instead of a duplicate or a server
error. A lock is named after what it protects (``feed:tax``, ``person:120224…``,
``payroll:dibao:2025-10``).

* **PostgreSQL**: advisory locks keyed by a 64-bit hash of the name. ``lock`` holds it until
  the transaction ends (commit or rollback); ``held`` holds it across several transactions (a
  payroll draft writes in batches) and frees it at the end of the block, or when the
  connection ends — a killed process never leaves it taken.
* **SQLite**: every transaction starts ``IMMEDIATE`` (``config.settings``): the database's one
  write lock is taken at ``BEGIN``, so writers already take turns and a transaction never reads
  a state that another writer changes before it writes. ``lock`` has nothing to add, and
  ``held`` is always granted (SQLite is the embedded single-office database).

A row lock (``select_for_update``) is used instead where the row exists (an application, a
counter); these locks serve where it does not yet (the first delivery of a source, a person not
yet registered, the first run of a month).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections, models

M = TypeVar("M", bound=models.Model)


def locked(obj: M, *related: str) -> M:
    """``obj`` re-read under a row lock until the transaction ends, with its ``related``
    foreign keys joined (two clerks acting at once on one row act once, the second on what the
    first wrote). Call it inside ``transaction.atomic()`` and check state on what it returns.

    Raises:
        DoesNotExist: the row was deleted since ``obj`` was read.
    """
    manager = type(obj)._default_manager
    if not related:
        return manager.select_for_update().get(pk=obj.pk)
    # Only the row itself is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join a nullable foreign key makes, and the joined rows are only read.
    return manager.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)


def lock_key(name: str) -> int:
    """The advisory-lock key of ``name``: a signed 64-bit integer (PostgreSQL's ``bigint``)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock(name: str, using: str = "default") -> None:
    """Wait until the lock ``name`` is free and hold it until the current transaction ends.

    Raises:
        RuntimeError: called outside a transaction (``transaction.atomic``), where the lock
            would be released at once.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError(f"lock({name!r}) must be taken inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])


@contextmanager
def held(name: str, using: str = "default") -> Iterator[bool]:
    """Hold the lock ``name`` for the block if it is free, without waiting; yields whether it
    was taken (False: someone else holds it now). Spans the block's transactions."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        taken = bool(cursor.fetchone()[0])
    try:
        yield taken
    finally:
        if taken:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except (InterfaceError, OperationalError):
                pass  # the connection is gone, and the lock with it
