"""The background worker as a process, against faults (issue 10, point 9; PostgreSQL):

* killed with SIGKILL in the middle of a job, the job does not stay "运行中" for ever: its
  heartbeats stop, it is seen as stale, and the next worker runs it again — once (a feed import:
  the source's records are there once, not twice);
* the database becoming unreachable (its port closed for a while, as in a restart) does not end
  the worker: it waits and runs the next job when the database is back.

The worker runs ``jiuzhu-web db_worker`` in a subprocess on the test database, with a heartbeat
of a fraction of a second and a job stale after two seconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.db import connection

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.jobs.actions import start_batch_assessment, start_feed_import
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.verification.models import DepartmentRecord, FeedImport
from tests.web.concurrency import ON_POSTGRESQL
from tests.web.conftest import ON, make_user

ROOT = Path(__file__).resolve().parents[2]
STALE = 2.0

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="a worker process needs a database other processes can open while the test "
        "runs (the SQLite test database is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _conninfo(port: int | None = None) -> dict[str, Any]:
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": port or int(settings["PORT"] or 5432),
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "dbname": settings["NAME"],
    }


def _worker(port: int | None = None) -> subprocess.Popen[str]:
    """``jiuzhu-web db_worker`` on the test database (through ``port`` if given)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.web.config.settings"}
    url = urlparse(os.environ["DATABASE_URL"])
    netloc = url.netloc if port is None else f"{url.netloc.rsplit(':', 1)[0]}:{port}"
    path = "/" + str(connection.settings_dict["NAME"])
    env["DATABASE_URL"] = urlunparse(url._replace(netloc=netloc, path=path))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env |= {
        "JIUZHU_TODAY": ON.isoformat(),
        "JIUZHU_JOB_HEARTBEAT_SECONDS": "0.3",
        "JIUZHU_JOB_STALE_SECONDS": str(STALE),
    }
    command = "from jiuzhu.web.manage import main; main()"
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            command,
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.stdout.read() if process.stdout else ""


def test_a_job_whose_worker_is_killed_runs_again_once(
    committed_district: None, district_folder: Path, tmp_path: Path, settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "JOB_STALE_SECONDS": STALE}  # as the workers have it
    director = make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE)
    folder = tmp_path / "feeds"
    folder.mkdir()
    shutil.copy(district_folder / "feeds" / "social_insurance.csv", folder)
    from jiuzhu.web.core.locks import lock_key

    # Another import of the same source holds its lock: the worker's import waits behind it,
    # mid-job, as long as the test wants.
    holder = psycopg.connect(**_conninfo(), autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s)", [lock_key("feed:social_insurance")])
    job = start_feed_import(director, folder)
    first = _worker()
    try:
        _until(lambda: Job.objects.get(pk=job.pk).status == Job.Status.RUNNING, 60, "the job")
        beat = Job.objects.get(pk=job.pk).heartbeat_at
        _until(lambda: Job.objects.get(pk=job.pk).heartbeat_at != beat, 10, "a heartbeat")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    finally:
        _stop(first)
    killed = Job.objects.get(pk=job.pk)
    assert killed.status == Job.Status.RUNNING and killed.attempts == 1
    _until(lambda: Job.objects.get(pk=job.pk).stale, 3 * STALE, "the job to be stale")
    # The killed worker's connection still waits for the lock: end it, and release ours.
    holder.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND wait_event_type = 'Lock'"
    )
    holder.close()
    second = _worker()
    try:
        _until(lambda: Job.objects.get(pk=job.pk).finished, 120, "the job to finish")
    finally:
        output = _stop(second)
    done = Job.objects.get(pk=job.pk)
    assert done.status == Job.Status.DONE, (done.message, output)
    assert done.attempts == 2
    assert AuditEvent.objects.filter(action="jobs.retried", object_id=str(job.pk)).exists()
    current = FeedImport.objects.filter(source="social_insurance", superseded_by__isnull=True)
    assert current.count() == 1
    assert DepartmentRecord.objects.filter(source="social_insurance").count() == current[0].accepted


class Proxy:
    """A TCP relay to PostgreSQL that the test can cut (``down``) and restore (``up``): to the
    worker behind it, the database has gone away, as in a restart."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.open: list[socket.socket] = []
        self.accepting = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.accepting:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def down(self) -> None:
        self.accepting = False
        for end in self.open:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        self.open = []

    def up(self) -> None:
        self.accepting = True

    def close(self) -> None:
        self.down()
        self.server.close()


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    settings = connection.settings_dict
    relay = Proxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    yield relay
    relay.close()


def test_the_worker_outlives_the_database_going_away(proxy: Proxy) -> None:
    officer = make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    worker = _worker(proxy.port)
    try:
        before = start_batch_assessment(officer, ON)
        _until(lambda: Job.objects.get(pk=before.pk).finished, 60, "the first job")
        proxy.down()
        time.sleep(3)  # the worker polls every 0.2 s: it meets the outage several times
        assert worker.poll() is None, "the worker exited on the outage"
        proxy.up()
        after = start_batch_assessment(officer, ON)
        _until(lambda: Job.objects.get(pk=after.pk).finished, 90, "the job after the outage")
        assert Job.objects.get(pk=after.pk).status == Job.Status.DONE
        assert worker.poll() is None
    finally:
        output = _stop(worker)
    assert "数据库无法连接" in output
