"""What the fault tests share: the platform's commands run as separate processes on the test
database (so that they can be killed with SIGKILL), a pause at a chosen write (so that they are
killed mid-job, at the same point every time), and the requirement that what CI can do is done
there rather than skipped.

**The pause.** ``pause_at(table, rows)`` installs a trigger that, once ``table`` holds ``rows``
rows or more, holds the statement that got it there (``pg_sleep``) inside its transaction. The
process is then mid-job: earlier transactions committed, the current one open. The test kills
the process (SIGKILL: no handler, no cleanup) and ends its paused server session, as the server
does when it next finds the client gone; then it drops the trigger and runs the job again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.db import connection

from tests.web.conftest import a_day_end_far_away

ROOT = Path(__file__).resolve().parents[3]
TODAY = "2025-10-15"


def needs(condition: bool, reason: str) -> None:
    """Skip the test on a developer's machine that cannot run it; fail it in CI (``CI`` set),
    which runs as root on Debian/Ubuntu with PostgreSQL: there nothing may be skipped."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this fault test: {reason}")
    pytest.skip(reason)


def as_root() -> bool:
    return os.geteuid() == 0


def conninfo() -> dict[str, Any]:
    """psycopg's connection arguments for the test database."""
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": int(settings["PORT"] or 5432),
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": settings["NAME"],
    }


def database_url(dbname: str | None = None, port: int | None = None) -> str:
    """``DATABASE_URL`` of the test database (or ``dbname`` on the server at ``port``)."""
    url = urlparse(os.environ["DATABASE_URL"])
    netloc = url.netloc if port is None else f"{url.netloc.rsplit(':', 1)[0]}:{port}"
    name = dbname or str(connection.settings_dict["NAME"])
    return urlunparse(url._replace(netloc=netloc, path="/" + name))


def environment(url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a ``jiuzhu-web`` process on the test database (or ``url``; none
    on SQLite, whose test database no other process can open)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.web.config.settings"}
    if url or "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = url or database_url()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["JIUZHU_TODAY"] = TODAY
    # Password only, as tests/web/conftest.py has it for the tests that are not about the
    # second factor (issue 12's TOTP): the processes sign staff in with force_login.
    env["JIUZHU_SECOND_FACTOR"] = "0"
    # Nor does their log-in end at the real clock's day end (tests/web/conftest.py).
    env["JIUZHU_DAY_END"] = a_day_end_far_away()
    return env | extra


def jiuzhu_web(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``jiuzhu-web ARGS`` in a new process (its output kept for the assertion messages)."""
    command = [sys.executable, "-c", "from jiuzhu.web.manage import main; main()", *args]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str]:
    """Wait for ``process``; its return code and output."""
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


def stop(process: subprocess.Popen[str]) -> str:
    """End ``process`` if it still runs (TERM, then KILL); its output."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.stdout.read() if process.stdout else ""


def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def count(table: str, where: str = "TRUE", **info: Any) -> int:
    """Rows of ``table`` as committed (a connection of its own, never a test transaction)."""
    with psycopg.connect(**(info or conninfo()), autocommit=True) as db:
        row = db.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


PAUSE = "jiuzhu_fault_pause"


@contextmanager
def pause_at(
    table: str, rows: int, *, info: dict[str, Any] | None = None, only_until_restart: bool = False
) -> Iterator[None]:
    """While in the block, a write that brings ``table`` to ``rows`` rows or more is held
    (see the module docstring). ``only_until_restart``: the trigger holds nothing once the
    server has restarted (it compares the server's start time), for the database-stop test."""
    with psycopg.connect(**(info or conninfo()), autocommit=True) as db:
        started = "pg_postmaster_start_time()"
        if only_until_restart:
            row = db.execute("SELECT pg_postmaster_start_time()::text").fetchone()
            assert row is not None
            started = f"'{row[0]}'::timestamptz"
        db.execute(
            f"CREATE OR REPLACE FUNCTION {PAUSE}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF pg_postmaster_start_time() = {started}"
            f" AND (SELECT count(*) FROM {table}) >= {rows}"
            f" THEN PERFORM pg_sleep(300); END IF; RETURN NULL; END $$"
        )
        db.execute(
            f"CREATE TRIGGER {PAUSE} AFTER INSERT ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {PAUSE}()"
        )
    try:
        yield
    finally:
        try:
            with psycopg.connect(**(info or conninfo()), autocommit=True) as db:
                db.execute(f"DROP TRIGGER IF EXISTS {PAUSE} ON {table}")
                db.execute(f"DROP FUNCTION IF EXISTS {PAUSE}()")
        except psycopg.OperationalError:
            pass  # the server is down: the test that stopped it removes its cluster


def paused(info: dict[str, Any] | None = None) -> list[int]:
    """The server sessions held by the pause."""
    with psycopg.connect(**(info or conninfo()), autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event = 'PgSleep'"
        ).fetchall()
    return [int(row[0]) for row in rows]


def kill_when_paused(
    process: subprocess.Popen[str], timeout: float = 120, info: dict[str, Any] | None = None
) -> str:
    """Wait until ``process`` is held by the pause, SIGKILL it, and end its server session (as
    the server does when it finds the client gone); its output."""

    def holding() -> bool:
        assert process.poll() is None, f"the process ended first: {stop(process)}"
        return bool(paused(info))

    until(holding, timeout, "the job to reach the pause")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=20)
    with psycopg.connect(**(info or conninfo()), autocommit=True) as db:
        for pid in paused(info):
            db.execute("SELECT pg_terminate_backend(%s)", [pid])
    until(lambda: not paused(info), 20, "the killed process's session to end")
    assert process.returncode == -signal.SIGKILL
    return stop(process)


def postgres_tools() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` with initdb and pg_ctl, if installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    ctl = shutil.which("pg_ctl")
    return Path(ctl).parent if ctl else None
