"""kill -9 in the middle of a job, then the job again: nothing lost, nothing doubled (issue 12,
point 5; PostgreSQL).

Each job runs as it runs in production — a management command, or the background worker
(``jiuzhu-web db_worker``) for the jobs started from a page — in a process of its own on the
test database. It is held at a write in the middle of its work (``support.pause_at``), killed
with SIGKILL, and run again; the counts and sums afterwards are those of a job that never
failed. (The feed import killed in the worker is ``tests/web/test_worker_faults.py``.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.transitions import Refused
from jiuzhu.web.discovery.actions import start_discovery
from jiuzhu.web.discovery.models import Alert, DiscoveryRun
from jiuzhu.web.entitlements.models import ReviewTask, TaskKind
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.payments import actions as payments
from jiuzhu.web.payments.exporters import yuan_text
from jiuzhu.web.payments.models import BankFile, Payment, PaymentStatus, PayrollRun, RunStatus
from jiuzhu.web.registry.models import Household, Membership, Person
from tests.web.concurrency import ON_POSTGRESQL
from tests.web.conftest import make_user
from tests.web.faults.support import (
    ROOT,
    environment,
    finish,
    jiuzhu_web,
    kill_when_paused,
    pause_at,
    stop,
    until,
)
from tests.web.payments.conftest import grant

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="the killed process needs a database other processes can open (the SQLite test "
        "database is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]

AMOUNT = 104_500
BATCH = 7
STALE = 2.0


def _draft(**extra: str) -> Any:
    return jiuzhu_web(
        "draft_payroll",
        "--month",
        "2025-10",
        "--program",
        "dibao",
        "--user",
        "officer",
        "--batch-size",
        str(BATCH),
        env=environment(**extra),
    )


def test_a_payroll_draft_killed_mid_batch_completes_once(committed_district: None) -> None:
    make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    entitlements = grant(
        list(Household.objects.order_by("pk")[:40]), start="2025-09", amount=AMOUNT
    )
    # Held in its third batch: two batches committed, the third open when it dies.
    with pause_at("payments_payment", 3 * BATCH):
        kill_when_paused(_draft())
    assert Payment.objects.count() == 2 * BATCH
    run = PayrollRun.objects.get(month="2025-10", program="dibao")
    assert run.draft_completed_at is None  # the page shows the draft as unfinished

    code, output = finish(_draft())
    assert code == 0, output
    assert f"{len(entitlements)} payments, {AMOUNT * len(entitlements)} fen" in output
    paid = list(Payment.objects.values_list("entitlement_id", "kind", "amount"))
    assert sorted(e for e, kind, _a in paid if kind == "regular") == sorted(
        e.pk for e in entitlements
    )
    assert sum(a for _e, _k, a in paid) == AMOUNT * len(entitlements)
    run.refresh_from_db()
    assert run.draft_completed_at is not None
    assert (run.totals["count"], run.totals["amount"]) == (len(paid), AMOUNT * len(paid))
    # Run again, it adds nothing.
    assert finish(_draft())[0] == 0
    assert Payment.objects.count() == len(entitlements)


EXPORT = (
    "from jiuzhu.web.accounts.models import User;"
    "from jiuzhu.web.payments.actions import export_run;"
    "from jiuzhu.web.payments.models import PayrollRun;"
    "f = export_run(User.objects.get(username='officer'), PayrollRun.objects.get(pk={pk}));"
    "print('exported', f.rows, f.total)"
)


def test_a_bank_file_export_killed_mid_write_leaves_nothing_and_runs_again(
    committed_district: None, settings: Any
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": "2025-10-20"}
    officer = make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    checker = make_user("officer2", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    director = make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE)
    households = list(Household.objects.order_by("pk")[:12])
    grant(households, start="2025-10", amount=AMOUNT)
    run = payments.draft_run(officer, "2025-10", "dibao")
    run = payments.approve_run(director, payments.check_run(checker, run))
    # The export writes the file and moves every payment in one transaction: killed after the
    # file's row is written, nothing of it may remain.
    command = EXPORT.format(pk=run.pk)
    with pause_at("payments_bankfile", 1):
        kill_when_paused(
            jiuzhu_web("shell", "-c", command, env=environment(JIUZHU_TODAY="2025-10-20"))
        )
    assert not BankFile.objects.exists()
    assert PayrollRun.objects.get(pk=run.pk).status == RunStatus.APPROVED
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.PENDING}

    code, output = finish(
        jiuzhu_web("shell", "-c", command, env=environment(JIUZHU_TODAY="2025-10-20"))
    )
    assert code == 0, output
    assert f"exported {len(households)} {AMOUNT * len(households)}" in output
    (bank_file,) = BankFile.objects.all()
    assert (bank_file.rows, bank_file.total) == (len(households), AMOUNT * len(households))
    lines = list(
        csv.reader(
            io.StringIO(bytes(bank_file.content).decode(bank_file.encoding).lstrip("\ufeff"))
        )
    )
    references = {p.reference for p in Payment.objects.all()}
    rows = [line for line in lines if references & set(line)]
    # A heading and every transfer once, each of the month's amount.
    assert len(rows) == len(lines) - 1 == len(households)
    assert all(yuan_text(AMOUNT) in line for line in rows)
    assert set(Payment.objects.values_list("status", "bank_file_id")) == {
        (PaymentStatus.EXPORTED, bank_file.pk)
    }
    assert AuditEvent.objects.filter(action="payments.export").count() == 1
    # The run is exported: a second export is refused, no second file.
    with pytest.raises(Refused):
        payments.export_run(officer, run)
    assert BankFile.objects.count() == 1


def _worker(feeds: Path) -> Any:
    return jiuzhu_web(
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.2",
        env=environment(
            JIUZHU_JOB_HEARTBEAT_SECONDS="0.3",
            JIUZHU_JOB_STALE_SECONDS=str(STALE),
            JIUZHU_FEEDS_DIR=str(feeds),
        ),
    )


def test_a_discovery_run_whose_worker_is_killed_writes_its_alerts_once(
    committed_district: None, district_folder: Path, settings: Any
) -> None:
    feeds = district_folder / "feeds"
    settings.JIUZHU = {**settings.JIUZHU, "JOB_STALE_SECONDS": STALE}
    officer = make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    run = start_discovery(officer, "2025-10")
    with pause_at("discovery_alert", 1):
        first = _worker(feeds)
        try:
            kill_when_paused(first)
        finally:
            stop(first)
    assert not Alert.objects.exists()
    until(lambda: Job.objects.get(pk=run.job_id).stale, 4 * STALE, "the job to be stale")

    second = _worker(feeds)
    try:
        until(lambda: Job.objects.get(pk=run.job_id).finished, 120, "the job to finish")
    finally:
        output = stop(second)
    job = Job.objects.get(pk=run.job_id)
    assert job.status == Job.Status.DONE and job.attempts == 2, (job.message, output)
    run.refresh_from_db()
    assert run.status == DiscoveryRun.Status.DONE and run.created > 0
    assert Alert.objects.count() == run.created
    checks = list(
        ReviewTask.objects.filter(kind=TaskKind.DISCOVERY_CHECK).values_list("key", "entitlement")
    )
    assert len(checks) == len(set(checks)) == run.tasks_opened
    # The same month again, in the web process: every alert is already there.
    from jiuzhu.web.discovery.actions import run_discovery

    again = run_discovery(officer, "2025-10", folder=feeds)
    assert again.created == 0 and again.already_open == run.created


WORKBOOK = ROOT / "examples" / "baodi_example.xlsx"


def _import() -> Any:
    return jiuzhu_web("import_workbook", str(WORKBOOK), "--on", "2025-10-15", env=environment())


def test_a_registry_import_killed_mid_write_imports_once(committed_district: None) -> None:
    households, persons = Household.objects.count(), Person.objects.count()
    memberships = Membership.objects.count()
    with pause_at("registry_person", persons + 1):
        kill_when_paused(_import())
    assert (Household.objects.count(), Person.objects.count()) == (households, persons)

    code, output = finish(_import())
    assert code == 0, output
    added_households = Household.objects.count() - households
    added_persons = Person.objects.count() - persons
    assert f"导入 {added_households} 户、{added_persons} 人" in output
    assert added_households > 0 and added_persons >= added_households
    assert Membership.objects.count() - memberships == added_persons
    assert AuditEvent.objects.filter(action="registry.import_workbook").count() == 1
    # The same workbook again is refused whole (its IDs are in the registry): nothing doubled.
    code, output = finish(_import())
    assert code != 0
    assert (Household.objects.count() - households, Person.objects.count() - persons) == (
        added_households,
        added_persons,
    )
