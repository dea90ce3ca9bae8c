"""The discovery job the worker runs (``jiuzhu-web db_worker``): it updates its ``Job`` row as it
goes so that the run page shows progress; a failure is recorded on the job and the run."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from jiuzhu.web.core.redaction import mask_text
from jiuzhu.web.discovery.models import DiscoveryRun
from jiuzhu.web.jobs.models import Job


@task()
def discovery_task(run_id: int) -> None:
    """Run discovery for a queued ``DiscoveryRun`` (``actions.run_discovery``)."""
    # In the function: discovery.actions.runs imports this module to queue the task.
    from jiuzhu.web.discovery.actions import run_discovery  # noqa: PLC0415

    run = DiscoveryRun.objects.select_related("job", "created_by").get(pk=run_id)
    job = run.job
    if job is not None:
        # Again after an interruption (jobs.recovery): the progress starts over.
        job.status, job.total, job.done = Job.Status.RUNNING, 100, 0
        job.started_at = job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "total", "done", "started_at", "heartbeat_at"])

    def progress(step: str, fraction: float) -> None:
        if job is not None:
            Job.objects.filter(pk=job.pk).update(done=round(100 * fraction), message=step)

    try:
        run = run_discovery(run.created_by, run.month, run=run, progress=progress)
    except Exception as exc:
        # Masked: an error may quote a record's ID number (stored messages are shown on pages).
        message = mask_text(f"{type(exc).__name__}: {exc}")
        DiscoveryRun.objects.filter(pk=run_id).update(
            status=DiscoveryRun.Status.FAILED, message=message, finished_at=timezone.now()
        )
        if job is not None:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED, message=message, finished_at=timezone.now()
            )
        raise
    if job is not None:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            done=100,
            finished_at=timezone.now(),
            message=f"新增预警 {run.created}，已有未办结 {run.already_open}",
            result={"created": run.created, "already_open": run.already_open},
        )
