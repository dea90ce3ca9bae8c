"""Background jobs: queued through Django's tasks framework, progress visible, results equal to
the rules run directly."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from django.test import Client

from jiuzhu.rules import load_system
from jiuzhu.web.accounts.models import User
from jiuzhu.web.jobs.actions import start_batch_assessment
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON, PASSWORD


@pytest.fixture(autouse=True)
def _run_tasks_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
def test_a_batch_assessment_job_runs_and_reports_progress(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    caseworker = users["caseworker"]
    # The task is queued when the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        job = start_batch_assessment(caseworker, ON)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100
    ids = list(
        Household.objects.filter(division_code__startswith=caseworker.division_code).values_list(
            "pk", flat=True
        )
    )
    assert job.total == len(ids)
    system = load_system("tianjin")
    frames = engine_frames(system, ids, ON)
    result = system.simulate(frames["household"], frames["person"], frames["obligor"])
    assert job.result["dibao"] == int(result.households["dibao_eligible"].fill_null(False).sum())
    assert job.result["tekun"] == int(
        result.persons.select(pl.col("tekun_eligible").fill_null(False).sum()).item()
    )
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    status = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert "已完成" in status and "100%" in status
    outsider = Client()
    assert outsider.login(username="outsider", password=PASSWORD)
    assert outsider.get(f"/jobs/{job.pk}/status/").status_code == 404


@pytest.mark.django_db
def test_only_importers_may_start_a_feed_import(users: dict[str, User]) -> None:
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    response = client.post("/jobs/start/feed_import/")
    assert response.status_code == 403
    assert not Job.objects.filter(kind=Job.Kind.FEED_IMPORT).exists()
