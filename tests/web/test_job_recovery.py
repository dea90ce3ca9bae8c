"""Jobs that survive faults (issue 10, point 9), in process: a stale job is retried or failed
with its reason and the status page says its worker stopped answering; the worker outlives a
database outage; a command says in one line that the database cannot be reached; a persistent
connection is checked before a request uses it.

The killed worker and the outage of a worker process are in ``test_worker_faults``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.jobs.tasks import batch_assessment_task
from tests.web.concurrency import ON_POSTGRESQL
from tests.web.conftest import ON, PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]


def _running_job(user: User, *, beat_ago: float, attempts: int = 1) -> Job:
    """A batch assessment claimed by a worker that last beat ``beat_ago`` seconds ago."""
    job = Job.objects.create(
        kind=Job.Kind.BATCH_ASSESSMENT,
        division_code=user.division_code,
        created_by=user,
        status=Job.Status.RUNNING,
        total=100,
        done=50,
        attempts=attempts,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=beat_ago),
    )
    queued = batch_assessment_task.enqueue(job.pk, ON.isoformat())
    DBTaskResult.objects.filter(id=queued.id).update(status=TaskResultStatus.RUNNING)
    Job.objects.filter(pk=job.pk).update(task_id=str(queued.id))
    job.refresh_from_db()
    return job


@pytest.fixture
def director(db: Any) -> User:
    return make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE)


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_queued_again(director: User) -> None:
    from jiuzhu.web.jobs.recovery import recover_stale

    job = _running_job(director, beat_ago=300)
    fresh = _running_job(director, beat_ago=1)
    assert job.stale and not fresh.stale
    assert recover_stale() == [job]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.heartbeat_at is None
    assert "后台进程中断" in job.message and "第 2 次运行" in job.message
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    assert AuditEvent.objects.filter(action="jobs.retried", object_id=str(job.pk)).exists()
    fresh.refresh_from_db()
    assert fresh.status == Job.Status.RUNNING  # its worker is alive


@pytest.mark.django_db
def test_a_job_interrupted_too_often_fails_with_its_reason(director: User) -> None:
    from jiuzhu.web.jobs.recovery import recover_stale

    job = _running_job(director, beat_ago=300, attempts=3)
    recover_stale()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished
    assert "已运行 3 次仍未完成" in job.message and "请检查后台进程后重新提交" in job.message
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.FAILED
    assert AuditEvent.objects.filter(action="jobs.failed", object_id=str(job.pk)).exists()


@pytest.mark.django_db
def test_the_status_page_says_the_worker_stopped_answering(director: User) -> None:
    job = _running_job(director, beat_ago=300)
    client = Client()
    assert client.login(username="director", password=PASSWORD)
    page = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert "后台进程无响应" in page and 'id="job-stale"' in page
    assert "运行中" not in page


@pytest.mark.django_db(transaction=True)  # the worker runs outside any test transaction
def test_the_worker_outlives_a_database_outage(
    director: User, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The database drops the worker's connection while it looks for work: it says so, waits,
    and runs the queued job when the database answers again."""
    from django.core.management import call_command

    job = Job.objects.create(
        kind=Job.Kind.BATCH_ASSESSMENT, division_code="120115999", created_by=director
    )
    queued = batch_assessment_task.enqueue(job.pk, ON.isoformat())
    Job.objects.filter(pk=job.pk).update(task_id=str(queued.id))
    original = DBTaskResultQuerySet.get_locked
    failures = iter([True])

    def flaky(self: DBTaskResultQuerySet) -> Any:
        if next(failures, False):
            raise OperationalError("server closed the connection unexpectedly")
        return original(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", flaky)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 1
    assert "数据库无法连接" in capsys.readouterr().out


def test_a_command_says_in_one_line_that_the_database_cannot_be_reached(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "postgres://jiuzhu@127.0.0.1:1/jiuzhu"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["JIUZHU_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", "from jiuzhu.web.manage import main; main()", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("数据库无法连接") and "127.0.0.1:1/jiuzhu" in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="a server that closes connections is PostgreSQL's (SQLite is a file in the process)",
)
@pytest.mark.django_db(transaction=True)
def test_a_web_worker_reconnects_after_a_database_restart() -> None:
    """A persistent connection the server closed (a restart) is replaced before a request uses
    it (CONN_HEALTH_CHECKS), instead of failing that request."""
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    persistent = {"CONN_MAX_AGE": None}
    saved = {k: connection.settings_dict[k] for k in persistent}
    connection.settings_dict.update(persistent)
    try:
        connection.close()
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        close_old_connections()  # the end of a request: the connection is kept
        import psycopg

        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user=settings["USER"],
            password=settings["PASSWORD"],
            dbname=settings["NAME"],
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        close_old_connections()  # the next request begins
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.settings_dict.update(saved)
        connection.close()
