"""``jiuzhu-web draft_payroll --month 2025-11 --program dibao --user officer``: draft (or
complete) a month's payroll from the command line, as the named district officer.

``JIUZHU_PAYROLL_CRASH_AFTER_BATCHES=n`` ends the process abruptly (``os._exit``, no cleanup)
after the n-th committed batch. It exists for the kill-and-rerun test of exactly-once payment
and must never be set in production.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.web.payments.actions import BATCH_SIZE, draft_run

CRASH_VARIABLE = "JIUZHU_PAYROLL_CRASH_AFTER_BATCHES"


class Command(BaseCommand):
    help = "Draft (or complete) the payroll of a month for a program."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--program", required=True, help="dibao, near_dibao, tekun …")
        parser.add_argument("--user", required=True, help="username of a district officer")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        crash_after = int(os.environ.get(CRASH_VARIABLE, "0") or 0)

        def after_batch(number: int) -> None:
            if crash_after and number >= crash_after:
                # Simulates a killed process: no exception handler, no atexit, no flush.
                os._exit(1)

        try:
            run = draft_run(
                user,
                options["month"],
                options["program"],
                batch_size=options["batch_size"],
                after_batch=after_batch,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{run.month} {run.program}: {run.totals['count']} payments, {run.totals['amount']} fen"
        )
