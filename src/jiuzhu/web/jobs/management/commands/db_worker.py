"""``jiuzhu-web db_worker``: the background worker, with the options of django-tasks' own
(``--queue-name``, ``--interval``, ``--batch``, ``--max-tasks`` …) and its fault handling
(``jiuzhu.web.jobs.worker``: heartbeats, recovery of a dead worker's jobs, database outages)."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from jiuzhu.web.jobs.worker import Worker


class Command(LibraryCommand):
    help = "Run the background worker (jobs), surviving database outages and dead workers."

    def configure_logging(self, verbosity: int) -> None:
        """The library's loggers, and the worker's own lines (outages, recovered jobs) on the
        command's output."""
        super().configure_logging(verbosity)
        logger = logging.getLogger("jiuzhu.web.jobs")
        logger.setLevel(logging.CRITICAL if verbosity == 0 else logging.INFO)
        logger.handlers = [logging.StreamHandler(self.stdout)]
        logger.propagate = False

    def handle(self, *args: object, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        reload = options["reload"] and not options["batch"]
        if not reload:
            worker.configure_signals()
            worker.run()
            return
        # Development (DEBUG): restarted on code changes; a job it was running becomes stale
        # and is retried by the restarted worker.
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()
        run_with_reloader(worker.run)
