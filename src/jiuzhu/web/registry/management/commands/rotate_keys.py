"""``jiuzhu-web rotate_keys``: re-seal every sealed value under the current data key (the
first of ``JIUZHU_DATA_KEYS``) and recompute every keyed hash under ``JIUZHU_SEARCH_KEY`` (the
search key changes when ``JIUZHU_SEARCH_KEY_PREVIOUS`` names the old one), table by table in
batches; one audit event with the counts. Idempotent and resumable: a run killed half-way is
run again and only writes the rows still behind. ``--new-key`` prints a fresh key and stops.
The procedure (generate, add, rotate, retire) is in docs/keys.md. (A registry command: the
registry holds most sealed values, and the audit layer sits below it.)"""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import crypto, sealing


class Options(TypedDict):
    """The parsed arguments (Django adds its common ones, not read here)."""

    new_key: bool


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key and recompute the search hashes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key", action="store_true", help="Print a new random key (base64) and stop."
        )

    def handle(self, *args: object, **options: Unpack[Options]) -> None:
        if options["new_key"]:
            self.stdout.write(crypto.new_key())
            return
        ring = crypto.keyring()
        rows = rewritten = 0
        for table in sealing.sealed_tables():
            read, written = sealing.process(table, ring=ring)
            rows, rewritten = rows + read, rewritten + written
            self.stdout.write(f"{table.name}: {read} rows, {written} rewritten")
        record(
            None,
            "core.rotate_keys",
            object_type="core.keys",
            object_id=ring.current,
            after={
                "data_key": ring.current,  # the key's id, never the key
                "search_key_changed": ring.previous_search_key is not None,
                "rows": rows,
                "rewritten": rewritten,
            },
        )
