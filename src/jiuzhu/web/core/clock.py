"""Today's date for the workflow (Asia/Shanghai).

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
