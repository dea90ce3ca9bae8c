"""The background worker (``jiuzhu-web db_worker``): django-tasks' database worker, made to
survive faults.

* **Heartbeat**: while a task runs, a monitor thread of the worker (its own database
  connection) beats on the task's job every ``JOB_HEARTBEAT_SECONDS``; when the worker dies,
  the beats stop and the job becomes stale (``jobs.recovery``).
* **Stale jobs**: the same thread sweeps every half of ``JOB_STALE_SECONDS`` (and once at
  start), retrying or failing the jobs of workers that died.
* **Database outages**: the library's worker exits on any database error but a locked SQLite
  file. This one says in one line that the database cannot be reached, waits (1 s, doubling
  up to 30 s), and goes on when it is back; a task the outage interrupted is retried like the
  task of a dead worker. Every other error still stops the worker (a bug must be seen).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
from django_tasks_db.models import DBTaskResult

from jiuzhu.web.core.middleware import is_outage
from jiuzhu.web.jobs import recovery
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.jobs.timing import setting

logger = logging.getLogger("jiuzhu.web.jobs")

LONGEST_WAIT = 30.0
"""Seconds between two attempts to reach the database, at most."""


def outage_line(exc: BaseException) -> str:
    """One line for a database that cannot be reached (the driver's first line)."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"数据库无法连接 (database unreachable): {first}"


class Monitor(threading.Thread):
    """Beats for the worker's current task and sweeps stale jobs until ``stop``."""

    def __init__(self, worker: Worker) -> None:
        super().__init__(name="jobs-monitor", daemon=True)
        self.worker = worker
        self.stopping = threading.Event()
        self.swept_at = 0.0
        self.troubled = False

    def run(self) -> None:
        beat = setting("JOB_HEARTBEAT_SECONDS")
        while not self.stopping.wait(0 if not self.swept_at else beat):
            try:
                self.tick()
                self.troubled = False
            except DatabaseError as exc:
                if not self.troubled:  # one line per outage, not one per beat
                    logger.error("%s", outage_line(exc))
                self.troubled = True
            finally:
                connections.close_all()

    def tick(self) -> None:
        current = self.worker.current
        if current is not None:
            recovery.beat(current)
        sweep_every = setting("JOB_STALE_SECONDS") / 2
        if time.monotonic() - self.swept_at >= sweep_every:
            for job in recovery.recover_stale():
                logger.warning("job %s: %s", job.pk, job.message)
            self.swept_at = time.monotonic()

    def stop(self) -> None:
        self.stopping.set()


class Worker(LibraryWorker):
    """django-tasks' worker with heartbeats, stale-job recovery and outage survival."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.current: str | None = None
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def run(self) -> None:
        monitor = Monitor(self)
        monitor.start()
        wait = 1.0
        try:
            while True:
                try:
                    super().run()
                    return
                except (InterfaceError, OperationalError) as exc:
                    if not is_outage(exc):
                        raise
                    logger.error(
                        "%s; %.0f 秒后重试 (retrying in %.0f s)", outage_line(exc), wait, wait
                    )
                    connections.close_all()
                    time.sleep(wait)
                    wait = min(wait * 2, LONGEST_WAIT)
                    if not self.running:
                        return
        finally:
            monitor.stop()

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        task_id = str(db_task_result.id)
        recovery.started(task_id, self.name)
        self.current = task_id
        try:
            super().run_task(db_task_result)
        finally:
            self.current = None
        if db_task_result.status != TaskResultStatus.FAILED:
            return
        if _outage_class(db_task_result.exception_class_path):
            self.retry_interrupted(task_id)
        else:  # the stored traceback may quote a record (an outage's never does)
            recovery.mask_traceback(task_id)

    def retry_interrupted(self, task_id: str) -> None:
        """The task failed because the database went away under it: retry its job (or fail
        it with that reason) as if its worker had died."""
        close_old_connections()
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(task_id=task_id).first()
            if job is not None:
                recovery.retry_or_fail(job, "数据库连接中断")


def _outage_class(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in ("OperationalError", "InterfaceError")
