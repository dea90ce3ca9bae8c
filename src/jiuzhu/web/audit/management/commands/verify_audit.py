"""``jiuzhu-web verify_audit``: recompute the audit trail's hash chain from the first event.

Intact: prints the number of events and the last hash (keep it outside the database, e.g. in
the CI log or the backup log: a chain rewritten from an earlier point would end in another
hash), exit status 0. Broken: prints the first broken link (sequence number, event id, what
differs), exit status 1. Each run is stored (``ChainCheck``) for the audit page and the next
run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.web.audit.verify import verify_all


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit status 1 at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        result, _check = verify_all()
        rate = result.events / result.seconds if result.seconds else 0.0
        if result.broken is None:
            self.stdout.write(
                f"audit chain intact: {result.events} events, last #{result.last_sequence}"
                f" {result.last_hash} ({result.seconds:.2f} s, {rate:,.0f} events/s)"
            )
            return
        broken = result.broken
        event = f"event id {broken.event_id}" if broken.event_id is not None else "no event"
        raise CommandError(
            f"audit chain broken at #{broken.sequence} ({event}): {broken.kind}: {broken.detail};"
            f" intact up to #{result.last_sequence} {result.last_hash}",
            returncode=1,
        )
