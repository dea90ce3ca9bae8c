"""PostgreSQL stopped in the middle of a job (issue 12, point 5): a real stop of a server of the
test's own (``pg_ctl stop -m immediate``: no checkpoint, every connection cut, as in a crash),
then a start. The worker running the job sees the database go away, outlives it, and when the
server is back the job runs again and completes — its records there once. (The same outage
through a relay the test cuts, without root, is ``tests/web/test_worker_faults.py``.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.jobs.actions import start_feed_import
from tests.web.concurrency import ON_POSTGRESQL
from tests.web.conftest import make_user
from tests.web.faults.cluster import Cluster, private_cluster
from tests.web.faults.support import (
    count,
    environment,
    jiuzhu_web,
    pause_at,
    paused,
    stop,
    until,
)

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="a PostgreSQL server the test stops"),
    pytest.mark.django_db(transaction=True),
]

STALE = 2.0


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    yield from private_cluster()


def _job(info: dict[str, Any], pk: int) -> tuple[str, int, str]:
    with psycopg.connect(**info, autocommit=True) as db:
        row = db.execute("SELECT status, attempts, message FROM jobs_job WHERE id = %s", [pk])
        found = row.fetchone()
    assert found is not None
    return str(found[0]), int(found[1]), str(found[2])


def _alive(worker: Any) -> bool:
    assert worker.poll() is None, f"the worker ended: {stop(worker)}"
    return True


def test_a_job_outlives_the_database_stopped_mid_job(
    committed_district: None, cluster: Cluster, district_folder: Path, tmp_path: Path
) -> None:
    director = make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE)
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "social_insurance.csv").write_bytes(
        (district_folder / "feeds" / "social_insurance.csv").read_bytes()
    )
    job = start_feed_import(director, folder)  # queued, not run: no worker on the test database
    cluster.restore_test_database("jiuzhu")
    info = cluster.info("jiuzhu")
    source = "source = 'social_insurance'"
    records = count("verification_departmentrecord", source, **info)
    imports = count("verification_feedimport", **info)
    worker = jiuzhu_web(
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.2",
        env=environment(
            cluster.url("jiuzhu"),
            JIUZHU_JOB_HEARTBEAT_SECONDS="0.3",
            JIUZHU_JOB_STALE_SECONDS=str(STALE),
        ),
    )
    try:
        # Held once the new delivery's row is written, its records not yet: then the server
        # stops. After the restart the pause holds nothing (it is tied to the server's start).
        with pause_at("verification_feedimport", imports + 1, info=info, only_until_restart=True):
            until(lambda: _alive(worker) and bool(paused(info)), 120, "the import, mid-job")
            cluster.stop("immediate")
            time.sleep(2)  # the worker meets the outage (it polls every 0.2 s)
            assert worker.poll() is None, "the worker exited on the outage"
            cluster.start()
        until(lambda: _job(info, job.pk)[0] in ("done", "failed"), 120, "the job to finish")
    finally:
        output = stop(worker)
    status, attempts, message = _job(info, job.pk)
    assert status == "done" and attempts == 2, (message, output)
    assert "数据库无法连接" in output
    current = count("verification_feedimport", f"{source} AND superseded_by_id IS NULL", **info)
    assert current == 1
    # The same file again: the source's records replaced once, none lost, none doubled.
    assert count("verification_departmentrecord", source, **info) == records
