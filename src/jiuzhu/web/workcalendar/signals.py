"""``calendar_changed``: a year of the holiday table was entered, completed or corrected.

Sent with ``years`` (the years whose working days may have changed) and ``user`` (the
administrator, or None when seeding), inside the transaction that changed the table. The apps
that store dates counted in working days (alerts, review tasks, notice ends) connect a receiver
that counts them again, so a deadline stored before the year's calendar existed — its date
unknown, "缺 2027 年日历" — gets its date, and one stored from a wrong table gets the right one.
The calendar app itself knows none of them (it sits below every app that counts deadlines).
"""

from __future__ import annotations

from django.dispatch import Signal

calendar_changed = Signal()
