"""Work items: what waits for a user, from every app, for the workbench.

Each app that holds stateful work (applications, alerts, entitlement tasks, payroll runs, bank
accounts, …) offers ``work_items(user, today) -> WorkList`` in its ``queries.py``; the workbench
shows every list that has something for the user. Items carry labels, never codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkItem:
    """One pending item: what it is (``title``, linked by ``url``), the stage it is at, what the
    user is to do there (``action``), and by when (``due``; ``due_note`` says why a deadline has
    no date, e.g. "缺 2027 年日历")."""

    title: str
    url: str
    state: str
    action: str
    due: dt.date | None = None
    overdue: bool = False
    due_soon: bool = False
    note: str = ""
    due_note: str = ""


@dataclass
class WorkList:
    """The pending items of one kind for one user (``total`` may exceed the items listed; the
    rest are on ``more_url``). ``warning``: why the list may be incomplete (e.g. a calendar
    year missing for the deadlines)."""

    kind: str
    items: list[WorkItem] = field(default_factory=list)
    total: int = 0
    more_url: str = ""
    warning: str = ""

    @property
    def overdue(self) -> int:
        return sum(item.overdue for item in self.items)

    @property
    def due_soon(self) -> int:
        return sum(item.due_soon for item in self.items)
