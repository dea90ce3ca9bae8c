"""A full disk on export (issue 12, point 5): the export fails with a clear message, leaves no
partial file, and succeeds once there is space again. Real full filesystems: a tmpfs of a few
hundred KiB mounted for the test and filled to the last byte (root; CI runs as root).

* The bank file is written into the database (``BankFile.content``, in the transaction that
  moves the payments), so its disk is the database server's: the test gives the bank-file table
  a tablespace on the tiny filesystem of a private cluster (``cluster``).
* The results workbook of ``jiuzhu assess -o`` is written into a directory.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.payments import actions as payments
from jiuzhu.web.registry.models import Household
from tests.web.concurrency import ON_POSTGRESQL
from tests.web.conftest import make_user
from tests.web.faults.cluster import Cluster, fill, private_cluster, tiny_filesystem
from tests.web.faults.support import ROOT, count, environment, finish, jiuzhu_web
from tests.web.faults.test_kill_mid_job import AMOUNT, EXPORT
from tests.web.payments.conftest import grant

WORKBOOK = ROOT / "examples" / "baodi_example.xlsx"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    yield from private_cluster()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="a PostgreSQL tablespace on a full disk")
@pytest.mark.django_db(transaction=True)
def test_a_bank_file_export_on_a_full_disk_writes_nothing_and_succeeds_later(
    committed_district: None, cluster: Cluster, settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": "2025-10-20"}
    officer = make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    checker = make_user("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    director = make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE)
    households = list(Household.objects.order_by("pk")[:12])
    grant(households, start="2025-10", amount=AMOUNT)
    run = payments.draft_run(officer, "2025-10", "dibao")
    run = payments.approve_run(director, payments.check_run(checker, run))
    cluster.restore_test_database("jiuzhu")
    info = cluster.info("jiuzhu")
    env = environment(cluster.url("jiuzhu"), JIUZHU_TODAY="2025-10-20")
    with tiny_filesystem(512, owner="postgres") as disk:
        with psycopg.connect(**info, autocommit=True) as db:
            db.execute(f"CREATE TABLESPACE tiny LOCATION '{disk}'")
            db.execute("ALTER TABLE payments_bankfile SET TABLESPACE tiny")
        filler = fill(disk)

        code, output = finish(jiuzhu_web("shell", "-c", EXPORT.format(pk=run.pk), env=env))
        assert code != 0
        assert "No space left on device" in output and "DiskFull" in output, output
        assert count("payments_bankfile", **info) == 0
        assert count("payments_payment", "status <> 'pending'", **info) == 0
        assert count("payments_payrollrun", f"id = {run.pk} AND status = 'approved'", **info) == 1

        filler.unlink()
        code, output = finish(jiuzhu_web("shell", "-c", EXPORT.format(pk=run.pk), env=env))
        assert code == 0, output
        assert f"exported {len(households)} {AMOUNT * len(households)}" in output
        assert count("payments_bankfile", f"rows = {len(households)}", **info) == 1
        assert count("payments_payment", "status = 'exported'", **info) == len(households)


def _assess(output: Path) -> subprocess.CompletedProcess[str]:
    command = ["assess", str(WORKBOOK), "--on", "2025-10-15", "-o", str(output)]
    return subprocess.run(
        [sys.executable, "-m", "jiuzhu", *command],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_workbook_export_on_a_full_disk_leaves_no_file_and_succeeds_later() -> None:
    with tiny_filesystem(256) as disk:
        folder = disk / "results"
        folder.mkdir()
        filler = fill(disk)
        failed = _assess(folder / "results.xlsx")
        assert failed.returncode == 2, failed.stderr
        message = " ".join(failed.stderr.split())
        assert "结果文件无法写入，未留下任何文件" in message and "No space left" in message
        assert "Traceback" not in failed.stderr and "Exception ignored" not in failed.stderr
        assert list(folder.iterdir()) == []  # no partial file, no temporary file

        filler.unlink()
        done = _assess(folder / "results.xlsx")
        assert done.returncode == 0, done.stderr
        assert [p.name for p in folder.iterdir()] == ["results.xlsx"]
        book = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
        assert book.sheetnames[-1] == "说明"
        book.close()
