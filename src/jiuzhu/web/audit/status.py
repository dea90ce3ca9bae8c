"""What the audit page says about the chain: verified up to which number, when the last full
verification ran, and where the chain broke if it did.

A full verification reads every event (``verify_audit``: about 4.7 s of CPU per 100,000
events on the development machine), too slow for a page view once the trail is large. The page
therefore trusts the last check the command stored and verifies only the events recorded since,
from that check's number and hash, at most ``PAGE_LIMIT`` of them (about 0.25 s of CPU); it
writes nothing. Tampering with events older than the last check is found by the next run of
the command (in CI, and to be scheduled nightly in production), whose time the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max

from jiuzhu.web.audit import chain
from jiuzhu.web.audit.models import AuditEvent, ChainCheck
from jiuzhu.web.audit.verify import Break, last_intact, verify

PAGE_LIMIT = 5_000
"""Events newer than the last full check verified by a page view at most."""


@dataclass(frozen=True)
class ChainStatus:
    """The chain as the audit page reports it."""

    verified_to: int
    """Every event up to this number is verified (0: none)."""
    last_full: ChainCheck | None
    """The latest run of ``verify_audit`` (None: never run)."""
    broken: Break | None
    """The first broken link, found by that run or by this page view."""
    unverified: int
    """Events after ``verified_to`` left for the command (beyond ``PAGE_LIMIT``)."""


def chain_status() -> ChainStatus:
    """The chain verified from the last intact check on, ``PAGE_LIMIT`` events at most."""
    latest = ChainCheck.objects.order_by("-at", "-pk").first()
    if latest is not None and not latest.intact and latest.problem is not None:
        return ChainStatus(latest.last_sequence, latest, Break(**latest.problem), 0)
    start = last_intact()
    begin = (start.last_sequence, start.last_hash) if start is not None else (0, chain.GENESIS)
    result = verify(start=begin, limit=PAGE_LIMIT)
    newest = AuditEvent.objects.aggregate(n=Max("sequence"))["n"] or 0
    unverified = 0 if result.broken else max(0, newest - result.last_sequence)
    return ChainStatus(result.last_sequence, latest, result.broken, unverified)
