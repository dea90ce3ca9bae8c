"""How long a job may go without a sign of life (``jobs.recovery``): the settings of
``settings.JIUZHU`` (environment ``JIUZHU_JOB_HEARTBEAT_SECONDS`` …) and the moment before which
a running job's last heartbeat means its worker died. Apart from the recovery so that the job
model can say whether it is stale without importing the recovery, which imports the model."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

DEFAULTS = {"JOB_HEARTBEAT_SECONDS": 10.0, "JOB_STALE_SECONDS": 60.0, "JOB_MAX_ATTEMPTS": 3}


def setting(name: str) -> float:
    """A recovery setting of ``settings.JIUZHU`` (``DEFAULTS`` when not set)."""
    value = settings.JIUZHU.get(name) or DEFAULTS[name]
    return float(str(value))


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    """A running job whose last heartbeat is older than this has lost its worker."""
    return (now or timezone.now()) - dt.timedelta(seconds=setting("JOB_STALE_SECONDS"))
