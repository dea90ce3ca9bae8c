"""Jobs that survive faults: a heartbeat while a job runs; a job whose worker died is retried or
failed with its reason, never left "运行中" for ever.

The life of a job: it is queued with its task in one transaction (``enqueue``: the worker never
sees a task whose job does not name it); a worker claims the task, counts the attempt and beats
every ``JOB_HEARTBEAT_SECONDS`` while the task runs (``jobs.worker``); the task records its end.
A worker that is killed (or whose machine stops) beats no more: after ``JOB_STALE_SECONDS``
without a beat the job is *stale*, and the next sweep — every worker sweeps every half of that
time — puts its task back in the queue when the kind of job is safe to run again (``RETRYABLE``)
and it has run fewer than ``JOB_MAX_ATTEMPTS`` times, or marks it failed with the reason. Each
outcome is an audit event. The settings are in ``JIUZHU`` (environment
``JIUZHU_JOB_HEARTBEAT_SECONDS`` …), defaults 10 s, 60 s and 3.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.redaction import mask_text
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.jobs.timing import setting, stale_before

RETRYABLE = frozenset(
    {
        # Each file is its own transaction that supersedes the previous delivery of its source
        # (under the source's lock): importing the folder again leaves every source once.
        Job.Kind.FEED_IMPORT,
        # The task deletes the job's result rows before it writes them.
        Job.Kind.BATCH_ASSESSMENT,
        # Alert keys are unique: running the month again writes no alert twice.
        Job.Kind.DISCOVERY,
    }
)
"""Kinds of job that may run again after an interruption without doing anything twice."""


def enqueue(job: Job, task: Any, *args: object) -> None:
    """Queue ``task(*args)`` for ``job`` when the current transaction commits, and name the
    queued task on the job in the same transaction as the queue's row."""

    def queue() -> None:
        with transaction.atomic():
            result = task.enqueue(*args)
            Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(queue)


def started(task_id: str, worker: str) -> None:
    """A worker starts the job's task: one more attempt, a first heartbeat."""
    Job.objects.filter(task_id=task_id).update(
        attempts=F("attempts") + 1, heartbeat_at=timezone.now(), worker=worker[:100]
    )


def mask_traceback(task_id: str) -> None:
    """Mask the ID and account numbers in a failed task's stored exception (django-tasks
    keeps the traceback, whose message may quote a record: issue 12)."""
    for result in DBTaskResult.objects.filter(id=task_id).exclude(traceback=""):
        masked = mask_text(result.traceback)
        if masked != result.traceback:
            DBTaskResult.objects.filter(id=task_id).update(traceback=masked)


def beat(task_id: str) -> None:
    """The worker running the job's task is alive."""
    Job.objects.filter(task_id=task_id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).update(
        heartbeat_at=timezone.now()
    )


def recover_stale(now: dt.datetime | None = None) -> list[Job]:
    """Retry or fail every stale job (see the module docstring); returns them, changed.

    Two workers sweeping at once never handle a job twice: each takes the stale jobs it can
    lock and skips those another one holds.
    """
    cutoff = stale_before(now)
    handled = []
    with transaction.atomic():
        stale = Job.objects.select_for_update(skip_locked=True).filter(
            status__in=(Job.Status.QUEUED, Job.Status.RUNNING), heartbeat_at__lt=cutoff
        )
        for job in stale:
            seen = timezone.localtime(job.heartbeat_at)
            retry_or_fail(job, f"后台进程中断（最后心跳 {seen:%Y-%m-%d %H:%M:%S}）")
            handled.append(job)
    return handled


def retry_or_fail(job: Job, reason: str) -> Job:
    """Put the job's task back in the queue, or fail the job with ``reason`` (Chinese: the
    job's message is part of the record) when it may not run again. Call on a locked job."""
    attempts = job.attempts
    queued = DBTaskResult.objects.filter(id=job.task_id) if job.task_id else None
    if job.kind in RETRYABLE and attempts < setting("JOB_MAX_ATTEMPTS") and queued is not None:
        queued.update(
            status=TaskResultStatus.READY, finished_at=None, exception_class_path="", traceback=""
        )
        job.status, job.heartbeat_at = Job.Status.QUEUED, None
        job.message = mask_text(f"{reason}，已重新排队（第 {attempts + 1} 次运行）")
        job.save(update_fields=["status", "heartbeat_at", "message"])
        record(None, "jobs.retried", job, reason=job.message, attempts=attempts)
        return job
    if queued is not None:
        queued.update(status=TaskResultStatus.FAILED, finished_at=timezone.now())
    why = (
        f"已运行 {attempts} 次仍未完成"
        if job.kind in RETRYABLE and queued is not None
        else "该任务不能自动重新运行"
    )
    job.status, job.finished_at = Job.Status.FAILED, timezone.now()
    job.message = mask_text(f"{reason}，{why}：任务失败，请检查后台进程后重新提交")
    job.save(update_fields=["status", "message", "finished_at"])
    record(None, "jobs.failed", job, reason=job.message, attempts=attempts)
    return job
