"""Doing things at the same instant in tests: each call in its own thread with its own database
connection, all released together by a barrier once their connections are open.

Only PostgreSQL can show what happens when two transactions overlap: SQLite takes its one write
lock at the start of every transaction (``IMMEDIATE``), so two writers never overlap there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

ON_POSTGRESQL = "postgresql" in str(settings.DATABASES["default"]["ENGINE"])

postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="SQLite serialises writers (every transaction begins IMMEDIATE): two transactions "
    "never overlap there, so only PostgreSQL can prove the locks",
)


@dataclass
class Outcome:
    """What one of the calls returned or raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def message(self) -> str:
        """The error's text (a ValidationError's messages joined)."""
        if self.error is None:
            return ""
        messages = getattr(self.error, "messages", None)
        return " ".join(messages) if messages else str(self.error)


def at_once(*calls: Callable[[], Any], timeout: float = 120) -> list[Outcome]:
    """Run every call in its own thread, released together; the outcomes in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()  # connected before the start: no head start
            barrier.wait(timeout)
            outcomes[index].value = call()
        except BaseException as exc:  # noqa: BLE001 — reported to the test
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a call did not finish"
    return outcomes
