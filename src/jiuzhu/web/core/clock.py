"""Today's date for the workflow (Asia/Shanghai), and the current instant.

Demonstrations and tests may fix it with ``settings.JIUZHU["TODAY"]`` (an ISO date) so that a
seven-day public notice can pass in a demo; production never sets it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    fixed = settings.JIUZHU.get("TODAY")
    if fixed:
        return dt.date.fromisoformat(str(fixed))
    return timezone.localdate()


def now() -> dt.datetime:
    """The current instant (timezone-aware). Everything that measures elapsed time against a
    wall clock (a log-in's idle time and working day, ``accounts.expiry``) asks here, so that a
    test moves time by replacing this function."""
    return timezone.now()
