"""Starting background jobs (permission, the Job row, then the task on the queue)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.users import Staff
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.jobs.recovery import enqueue
from jiuzhu.web.jobs.tasks import batch_assessment_task, import_feeds_task


def start_feed_import(user: Staff, folder: Path | None = None) -> Job:
    """Queue the import of the department feeds folder (default ``JIUZHU["FEEDS_DIR"]``).

    Raises:
        PermissionDenied: the user may not import.
    """
    if not user.has_perm("verification.import_feeds"):
        raise PermissionDenied("verification.import_feeds")
    folder = folder or Path(str(settings.JIUZHU["FEEDS_DIR"]))
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.FEED_IMPORT, division_code=user.division_code, created_by=user
        )
        record(user, "jobs.feed_import", job, folder=str(folder))
        enqueue(job, import_feeds_task, job.pk, str(folder))
    return job


def start_batch_assessment(user: Staff, on: dt.date) -> Job:
    """Queue the assessment of every household of the user's jurisdiction on ``on``.

    Raises:
        PermissionDenied: not a staff role with a jurisdiction.
    """
    if not user.has_perm("cases.view") or user.is_auditor:
        raise PermissionDenied("cases.view")
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.BATCH_ASSESSMENT, division_code=user.division_code, created_by=user
        )
        record(user, "jobs.batch_assessment", job, on=on.isoformat())
        enqueue(job, batch_assessment_task, job.pk, on.isoformat())
    return job
