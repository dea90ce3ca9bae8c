"""Helpers shared by the payroll's actions: permission and lock, frames, references."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import polars as pl
from django.utils import timezone

from jiuzhu.batch.pipelines.payroll import bankrows
from jiuzhu.rules.registry import programs
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments.models import (
    PayrollRun,
    RunEvent,
)
from jiuzhu.web.payments.workflow import RUN

BATCH_SIZE = 2000
"""Payments written per transaction by the draft."""

IN_CHUNK = 5000
"""Ids per ``IN (…)`` list (SQLite allows 32,766 variables)."""


def to_frame(rows: Iterable[tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def chunks(values: list[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def reference_prefix(run: PayrollRun) -> str:
    """The run's bank references begin with its month and its program's letters, the program's
    application-number prefix in the programs' registry (``payroll.bankrows``)."""
    codes = {p.name: p.number_prefix for p in programs() if p.number_prefix}
    return bankrows.reference_prefix(run.month, run.program, codes)


def check_move(user: Staff, run: PayrollRun, move: str) -> None:
    """The run's transition table's verdict on ``move`` for the (locked) run.

    Raises:
        Refused: the run's status or a condition (the reason says which);
        NotPermitted: the role, or maker–checker (the reason says which).
    """
    RUN.check(user, run, move, clock.today())


def sign_off(
    user: Staff,
    run: PayrollRun,
    move: str,
    *,
    to: str | None = None,
    stamp: str = "",
    note: str = "",
    **detail: Any,
) -> None:
    """Record ``move`` (already checked) on the locked run: its status becomes ``to`` (default:
    the move's target, else unchanged), ``<stamp>_by``/``<stamp>_at`` say who and when, and the
    run's history and the audit trail get the move (inside the caller's transaction)."""
    before = run.status
    run.status = to or RUN[move].target or run.status
    if stamp:
        if hasattr(run, f"{stamp}_by_id"):
            setattr(run, f"{stamp}_by", user)
        setattr(run, f"{stamp}_at", timezone.now())
    run.save()
    RunEvent.objects.create(
        run=run, user=user, move=move, from_status=before, to_status=run.status, note=note
    )
    extra: dict[str, Any] = {**detail, **({"reason": note} if note else {})}
    record(
        user,
        "payments.return" if move.startswith("return") else f"payments.{move}",
        run,
        before={"status": before},
        after={"status": run.status},
        **extra,
    )
