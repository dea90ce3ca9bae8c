"""Verifying the chain: the events read in sequence order, in chunks (bounded memory), each
hash recomputed and each link checked, up to the first broken link.

What a broken link means, as far as the trail itself can tell:

- ``changed``: an event's fields no longer give its hash (edited in the database);
- ``missing``: a number is skipped (events removed), or the trail ends before the last
  verified event (``ChainCheck``: events removed from the end);
- ``reordered``: an event's hash is right for another place in the chain (its number was
  changed to move it);
- ``relinked``: an event is intact but does not follow the one before it, whose hash was
  recomputed after an edit (only someone who rewrote hashes does this).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from jiuzhu.web.audit import chain
from jiuzhu.web.audit.models import AuditEvent, ChainCheck

CHUNK = 5000
WINDOW = 1000
"""How far from its place a moved event is looked for (at the broken link only)."""


@dataclass(frozen=True)
class Break:
    """The first broken link: where, which event and what differs."""

    kind: str
    """``changed``, ``missing``, ``reordered`` or ``relinked``."""
    sequence: int
    """The number at which the chain breaks (the first missing one, for ``missing``)."""
    event_id: int | None
    """The database id of the event found there (None: none found)."""
    detail: str
    """What differs, in words (English: the command's output and the stored check)."""


@dataclass
class Result:
    """How far the chain was found intact."""

    events: int = 0
    last_sequence: int = 0
    last_hash: str = chain.GENESIS
    broken: Break | None = None
    seconds: float = 0.0

    @property
    def intact(self) -> bool:
        return self.broken is None


def _rows(after: int, limit: int | None) -> Iterator[tuple[Any, ...]]:
    # The JSON fields as the database's text: decoded once, by ``chain.canonical``.
    texts = {f"{name}_text": Cast(name, TextField()) for name in chain.JSON_FIELDS}
    columns = [f"{name}_text" if name in chain.JSON_FIELDS else name for name in chain.FIELDS]
    rows = (
        AuditEvent.objects.filter(sequence__gt=after)
        .annotate(**texts)
        .order_by("sequence")
        .values_list("pk", "hash", *columns)
    )
    if limit is not None:
        rows = rows[:limit]
    return rows.iterator(chunk_size=CHUNK)


def _diagnose(pk: int, values: dict[str, Any], expected: int, previous: str) -> Break | None:
    """The break at event ``pk`` (``values``: its hashed fields), or None if it links."""
    sequence = values["sequence"]
    if sequence != expected:
        moved = AuditEvent.objects.filter(prev_hash=previous).values_list("pk", "sequence").first()
        if moved is not None:
            return Break(
                "reordered",
                expected,
                moved[0],
                f"the event that follows #{expected - 1} now stands at #{moved[1]}",
            )
        return Break(
            "missing", expected, None, f"events #{expected} to #{sequence - 1} are missing"
        )
    stored = AuditEvent.objects.filter(pk=pk).values_list("hash", flat=True).get()
    if chain.digest(values, raw=True) != stored:
        # Its hash may be right for another number nearby: it was moved here.
        for other in range(max(1, sequence - WINDOW), sequence + WINDOW):
            if other != sequence and chain.digest(values | {"sequence": other}, raw=True) == stored:
                return Break("reordered", sequence, pk, f"event #{other} was moved to #{sequence}")
        return Break("changed", sequence, pk, "its fields no longer give its hash")
    if values["prev_hash"] != previous:
        return Break(
            "relinked",
            sequence,
            pk,
            f"it does not follow #{sequence - 1}, whose hash was recomputed after a change",
        )
    return None


def verify(*, start: tuple[int, str] = (0, chain.GENESIS), limit: int | None = None) -> Result:
    """Check the events after ``start`` (a verified sequence number and its hash), at most
    ``limit`` of them, up to the first broken link."""
    began = time.perf_counter()
    result = Result(last_sequence=start[0], last_hash=start[1])
    expected, previous = start[0] + 1, start[1]
    # PostgreSQL: in a transaction, the server-side cursor streams the chunks from one snapshot
    # (outside one it would be declared WITH HOLD and materialised whole). SQLite reads one
    # statement from one snapshot anyway, and a transaction there would take the write lock.
    streaming = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with streaming:
        for row in _rows(start[0], limit):
            pk, stored_hash = row[0], row[1]
            values = dict(zip(chain.FIELDS, row[2:], strict=True))
            if (
                values["sequence"] != expected
                or values["prev_hash"] != previous
                or chain.digest(values, raw=True) != stored_hash
            ):
                result.broken = _diagnose(pk, values, expected, previous)
                break
            result.events += 1
            result.last_sequence, result.last_hash = expected, stored_hash
            expected, previous = expected + 1, stored_hash
    result.seconds = time.perf_counter() - began
    return result


def _against(result: Result, check: ChainCheck | None) -> None:
    """Compare an intact full pass with the last intact check: the trail may not have lost
    events from its end, nor changed the hash of what that check verified."""
    if check is None or result.broken is not None:
        return
    verified = f"verified on {check.at:%Y-%m-%d %H:%M} UTC"
    if result.last_sequence < check.last_sequence:
        result.broken = Break(
            "missing",
            result.last_sequence + 1,
            None,
            f"events #{result.last_sequence + 1} to #{check.last_sequence}, {verified},"
            " are missing from the end",
        )
        return
    found = AuditEvent.objects.filter(sequence=check.last_sequence).values_list("pk", "hash")
    pk, hash_ = found.get() if check.last_sequence else (None, chain.GENESIS)
    if hash_ != check.last_hash:
        result.broken = Break(
            "changed",
            check.last_sequence,
            pk,
            f"the chain was rewritten: the hash of #{check.last_sequence} differs from the one"
            f" {verified}",
        )


def last_intact() -> ChainCheck | None:
    """The latest check that found the chain intact."""
    return ChainCheck.objects.filter(intact=True).order_by("-last_sequence", "-pk").first()


def verify_all() -> tuple[Result, ChainCheck]:
    """Verify the whole chain, compare it with the last intact check and store the outcome."""
    previous = last_intact()
    result = verify()
    _against(result, previous)
    check = ChainCheck.objects.create(
        events=result.events,
        last_sequence=result.last_sequence,
        last_hash=result.last_hash,
        intact=result.intact,
        problem=asdict(result.broken) if result.broken is not None else None,
        seconds=round(result.seconds, 3),
    )
    return result, check
