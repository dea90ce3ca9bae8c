"""Exactly-once against a real crash: ``jiuzhu-web draft_payroll`` runs in a separate process on
the test database and is killed (``os._exit``) after two committed batches; run again, it
completes the draft, and every payable entitlement has exactly one regular payment for the
month.

SQLite: the test database lives in memory, which no other process can open, so its committed
state is copied to a file (SQLite's backup API) and both processes use that file. PostgreSQL
(``DATABASE_URL`` set): the processes use the test database itself."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.payments.management.commands.draft_payroll import CRASH_VARIABLE
from jiuzhu.web.payments.models import Payment
from jiuzhu.web.registry.models import Household
from tests.web.conftest import make_user
from tests.web.payments.conftest import grant

ROOT = Path(__file__).resolve().parents[3]
AMOUNT = 104_500
BATCH = 7


def _environment(tmp_path: Path) -> tuple[dict[str, str], Path | None]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.web.config.settings"}
    env["JIUZHU_TODAY"] = "2025-10-15"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    if connection.vendor == "sqlite":
        database = tmp_path / "jiuzhu.sqlite3"
        target = sqlite3.connect(database)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        env.pop("DATABASE_URL", None)
        env["JIUZHU_DATA_DIR"] = str(tmp_path)
        return env, database
    url = urlparse(os.environ["DATABASE_URL"])
    env["DATABASE_URL"] = urlunparse(url._replace(path="/" + connection.settings_dict["NAME"]))
    return env, None


def _payments(database: Path | None) -> list[tuple[int, str, int]]:
    """(entitlement, kind, amount) of October's payments, read where the subprocess wrote."""
    if database is None:
        return list(
            Payment.objects.filter(run__month="2025-10").values_list(
                "entitlement_id", "kind", "amount"
            )
        )
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT p.entitlement_id, p.kind, p.amount FROM payments_payment p "
            "JOIN payments_payrollrun r ON r.id = p.run_id WHERE r.month = '2025-10'"
        ).fetchall()


def _draft(env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-c",
        "from jiuzhu.web.manage import main; main()",
        "draft_payroll",
        "--month",
        "2025-10",
        "--program",
        "dibao",
        "--user",
        "officer",
        "--batch-size",
        str(BATCH),
    ]
    return subprocess.run(
        command, env={**env, **extra}, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_draft_and_its_rerun_pay_every_entitlement_exactly_once(
    committed_district: None, tmp_path: Path, settings: Any
) -> None:
    make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    households = list(Household.objects.order_by("pk")[:40])
    entitlements = grant(households, start="2025-09", amount=AMOUNT)
    env, database = _environment(tmp_path)

    killed = _draft(env, **{CRASH_VARIABLE: "2"})
    assert killed.returncode == 1, killed.stderr
    after_crash = _payments(database)
    assert len(after_crash) == 2 * BATCH  # two batches committed, then the process died

    rerun = _draft(env)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(entitlements)} payments" in rerun.stdout
    paid = _payments(database)
    regular = [e for e, kind, _a in paid if kind == "regular"]
    assert sorted(regular) == sorted(e.pk for e in entitlements)  # everyone, once
    assert sum(a for _e, _k, a in paid) == AMOUNT * len(entitlements)
    # A third run finds nothing to add.
    assert _draft(env).returncode == 0
    assert len(_payments(database)) == len(entitlements)
