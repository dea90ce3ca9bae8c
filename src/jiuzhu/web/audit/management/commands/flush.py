"""Django's ``flush``, with the audit trail's append-only triggers lifted for the flush itself
(inside its transaction) and restored: emptying a test or scratch database must empty the trail
too. It needs the tables' owner, as ``ALTER TABLE`` does on PostgreSQL: a production application
role that does not own them cannot flush the trail."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as Flush
from django.db import connections, transaction

from jiuzhu.web.audit import protection


class Command(Flush):
    help = Flush.help

    def handle(self, **options: Any) -> None:
        database = options["database"]
        with transaction.atomic(using=database), protection.lifted(connections[database]):
            super().handle(**options)
