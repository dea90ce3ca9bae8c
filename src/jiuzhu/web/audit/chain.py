"""The hash chain of the audit trail: every event carries a consecutive sequence number, the
previous event's hash and its own hash, so that changing, removing or reordering an event breaks
the chain at that point (found by ``verify``).

The hash is SHA-256 over a canonical text of the event's fields and the previous hash. The text
must be the same before saving and after loading on both databases: PostgreSQL's ``jsonb``
reorders keys and rewrites numbers (``1e20`` comes back as ``100000000000000000000``), so keys
are sorted, separators fixed, numbers written in one form for one value, and the time given in
UTC to the microsecond. The database id is not hashed: it is only known after the insert, and
the trail refuses updates (``protection``), so the hash must be complete in the INSERT.

Appending is serialised so that the chain never forks: on PostgreSQL a transaction-level
advisory lock, held until the recording transaction ends; on SQLite every transaction begins
IMMEDIATE (``config.settings``), which already takes the one write lock. The unique sequence
number backs both: a fork would fail its insert rather than be stored. The cost: on PostgreSQL,
transactions that record take turns from their first event to their commit, so a long batch
should record late in its transaction; a transaction that, holding the lock, waits for a row
another recording transaction holds is a deadlock, which PostgreSQL ends by refusing one of
them (``tests/web/test_concurrency.py`` shows the actions do not do this).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connections, models
from django.utils import timezone

if TYPE_CHECKING:
    from jiuzhu.web.audit.models import AuditEvent

GENESIS = "0" * 64
"""The previous hash of the first event."""

LOCK_KEY = 0x6A69757A6875
"""The PostgreSQL advisory lock that serialises appends ("jiuzhu" in ASCII)."""

FIELDS = (
    "sequence",
    "prev_hash",
    "at",
    "user_id",
    "action",
    "object_type",
    "object_id",
    "division_code",
    "household_id",
    "before",
    "after",
    "detail",
)
"""What the hash covers, in the order ``verify`` reads it from the database."""


JSON_FIELDS = ("before", "after", "detail")


def _number(text: str) -> int | float:
    """A JSON number with a fraction or exponent: one value for one number, whichever text the
    database wrote it in. Integral values become ints (``1.0``, ``1e20``, ``-0.0``: PostgreSQL
    may give ``1e20`` back as ``100000000000000000000``); others stay floats, whose ``repr`` is
    the shortest text that reads back as the same float."""
    exact = Decimal(text)
    if exact == exact.to_integral_value():
        return int(exact)
    return float(text)


def _not_finite(text: str) -> object:
    raise ValueError(f"not a finite number: {text}")


# One decoder and one encoder for every event (``verify`` reads them by the hundred thousand).
_DECODER = json.JSONDecoder(parse_float=_number, parse_constant=_not_finite)
_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
)


def _json(text: str | None) -> object:
    """A JSON column's text (as stored, or as PostgreSQL gives ``jsonb`` back) as values."""
    return None if text is None else _DECODER.decode(text)


def _instant(value: dt.datetime) -> str:
    """UTC to the microsecond (both databases keep microseconds)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical(values: Mapping[str, Any], *, raw: bool = False) -> str:
    """The canonical text of an event's ``FIELDS``: JSON with sorted keys and fixed separators.

    ``raw``: the JSON fields are given as the database's text (``verify`` reads them so, which
    spares decoding them twice); otherwise as Python values about to be stored, which go
    through JSON text as the JSON field stores them (tuples become lists, keys strings).

    Raises:
        ValueError: NaN or infinity in a JSON field (neither database stores them).
    """
    fields = dict(values)
    fields["at"] = _instant(fields["at"])
    for name in JSON_FIELDS:
        fields[name] = _json(fields[name] if raw else json.dumps(fields[name]))
    return _ENCODER.encode(fields)


def digest(values: Mapping[str, Any], *, raw: bool = False) -> str:
    """The SHA-256 (hex) of an event's canonical text."""
    return hashlib.sha256(canonical(values, raw=raw).encode("utf-8")).hexdigest()


def fields_of(event: AuditEvent) -> dict[str, Any]:
    """The hashed fields of an event object."""
    return {name: getattr(event, name) for name in FIELDS}


def _lock(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def head(model: type[models.Model], using: str = "default") -> tuple[int, str]:
    """The last event's sequence number and hash (0 and ``GENESIS`` for an empty trail)."""
    last = (
        model._default_manager.using(using)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    return (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)


def seal(model: type[AuditEvent], events: Iterable[AuditEvent], using: str = "default") -> None:
    """Number and hash ``events`` after the current head, in order.

    Must run inside the transaction that inserts them (``transaction.atomic``): the lock taken
    here is held until that transaction ends, so no other event can take the same number.
    """
    if not connections[using].in_atomic_block:
        raise RuntimeError("audit events are sealed inside the transaction that inserts them")
    _lock(using)
    sequence, previous = head(model, using)
    for event in events:
        sequence += 1
        event.sequence = sequence
        event.prev_hash = previous
        if event.at is None:
            event.at = timezone.now()
        event.hash = digest(fields_of(event))
        previous = event.hash
