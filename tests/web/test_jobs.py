"""Background jobs: queued through Django's tasks framework, progress visible, results equal to
the rules run directly."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jiuzhu.rules import load_system, registry
from jiuzhu.web.accounts.models import User
from jiuzhu.web.jobs.actions import start_batch_assessment
from jiuzhu.web.jobs.models import AssessedHousehold, Job, Result
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household
from tests.fixtures.toy_program import TOY_PROGRAM
from tests.web.conftest import ON, PASSWORD

PROGRAMS = ("dibao", "tekun")
"""The programs whose results the tests read as columns (``with_programs``)."""


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


# --- the batch assessment's result list --------------------------------------------------------


@pytest.fixture
def assessment(users: dict[str, User], django_capture_on_commit_callbacks: Any) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = start_batch_assessment(users["caseworker"], ON)
    job.refresh_from_db()
    return job


def _client(username: str = "caseworker") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_a_batch_assessment_keeps_one_row_per_household_as_the_rules_decide(
    users: dict[str, User], assessment: Job
) -> None:
    ids = list(
        Household.objects.filter(
            division_code__startswith=users["caseworker"].division_code
        ).values_list("pk", flat=True)
    )
    rows = AssessedHousehold.objects.with_programs(PROGRAMS).filter(job=assessment)
    assert rows.count() == len(ids)
    system = load_system("tianjin")
    frames = engine_frames(system, ids, ON)
    result = system.simulate(frames["household"], frames["person"], frames["obligor"])
    expected = {
        row["household_id"]: row["dibao_amount"]
        for row in result.households.filter(pl.col("dibao_eligible").fill_null(False)).iter_rows(
            named=True
        )
    }
    eligible = rows.filter(dibao_result=Result.ELIGIBLE)
    assert dict(eligible.values_list("household_id", "dibao_amount")) == expected
    assert (
        rows.filter(dibao_result=Result.UNDETERMINED).count() == assessment.result["undetermined"]
    )
    tekun_persons = result.persons.filter(pl.col("tekun_eligible").fill_null(False))
    assert (
        rows.filter(tekun_result=Result.ELIGIBLE).count()
        == tekun_persons["household_id"].n_unique()
    )
    some = rows.exclude(applicant="").first()
    household = Household.objects.get(pk=some.household_id)
    assert (some.number, some.division_code) == (household.number, household.division_code)


@pytest.mark.django_db
def test_the_job_page_lists_the_households_filtered_by_a_program_result(
    assessment: Job,
) -> None:
    client = _client()
    page = client.get(f"/jobs/{assessment.pk}/").content.decode()
    eligible = AssessedHousehold.objects.with_programs(PROGRAMS).filter(
        job=assessment, dibao_result=Result.ELIGIBLE
    )
    row = eligible.exclude(applicant="").first()
    assert row is not None
    assert "最低生活保障" in page and "下载 Excel" in page
    filtered = client.get(
        f"/jobs/{assessment.pk}/", {"program": "dibao", "result": "eligible"}
    ).content.decode()
    table = filtered[filtered.index('<table id="assessed">') :]
    assert row.number in table and row.applicant in table
    assert f"{row.dibao_amount // 100:,}.{row.dibao_amount % 100:02d} 元" in table
    assert table.count("<tr>") - 1 == min(50, eligible.count())
    # Reasons and results in words, never codes or fen.
    assert "DIBAO_" not in filtered and "eligible" not in table.replace('"', " ").split()
    not_eligible = AssessedHousehold.objects.with_programs(PROGRAMS).filter(
        job=assessment, dibao_result=Result.NOT_ELIGIBLE
    )
    if not_eligible.count() > 50:
        second = client.get(
            f"/jobs/{assessment.pk}/",
            {"program": "dibao", "result": "not_eligible", "page": 2},
        ).content.decode()
        assert "program=dibao&amp;result=not_eligible&amp;page=1" in second


@pytest.mark.django_db
def test_the_result_page_costs_the_same_queries_whatever_its_rows_and_programs(
    assessment: Job,
) -> None:
    client = _client()
    client.get(f"/jobs/{assessment.pk}/")
    counts = []
    for params in ({}, {"program": "dibao", "result": "not_eligible"}, {"page": "2"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/jobs/{assessment.pk}/", params).status_code == 200
        counts.append(len(queries))
    with registry.plugged_in(TOY_PROGRAM), CaptureQueriesContext(connection) as queries:
        assert "示例高龄补贴" in client.get(f"/jobs/{assessment.pk}/").content.decode()
    assert counts == [len(queries)] * 3


@pytest.mark.django_db
def test_the_workbook_has_every_row_in_chinese_and_yuan(assessment: Job) -> None:
    response = _client().get(f"/jobs/{assessment.pk}/households.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == (
        "家庭编号",
        "申请人",
        "乡镇（街道）",
        "村（居）",
        "最低生活保障：结果",
        "最低生活保障：月救助金（元）",
    )
    assert len(rows) - 1 == AssessedHousehold.objects.filter(job=assessment).count()
    eligible = (
        AssessedHousehold.objects.with_programs(PROGRAMS)
        .filter(job=assessment, dibao_result=Result.ELIGIBLE)
        .first()
    )
    line = next(r for r in rows if r[0] == eligible.number)
    assert line[4] == "符合" and Decimal(str(line[5])) == Decimal(eligible.dibao_amount) / 100
    only = _client().get(
        f"/jobs/{assessment.pk}/households.xlsx", {"program": "dibao", "result": "eligible"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(only.streaming_content))).active
    assert (
        sheet.max_row - 1
        == AssessedHousehold.objects.with_programs(PROGRAMS)
        .filter(job=assessment, dibao_result=Result.ELIGIBLE)
        .count()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"result": "eligible"},
        {"program": "nothing", "result": "eligible"},
        {"program": "dibao", "result": "maybe"},
    ],
)
def test_bad_filters_show_a_message(assessment: Job, query: dict[str, str]) -> None:
    response = _client().get(f"/jobs/{assessment.pk}/", query)
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert _client().get(f"/jobs/{assessment.pk}/", {"page": "x"}).status_code == 200


@pytest.mark.django_db
def test_the_result_list_stays_in_its_jurisdiction_and_reads_in_english(
    assessment: Job,
) -> None:
    assert _client("outsider").get(f"/jobs/{assessment.pk}/").status_code == 404
    assert _client("outsider").get(f"/jobs/{assessment.pk}/households.xlsx").status_code == 404
    assert _client("auditor").get(f"/jobs/{assessment.pk}/").status_code == 200
    english = _client()
    english.cookies["django_language"] = "en"
    page = english.get(
        f"/jobs/{assessment.pk}/", {"program": "dibao", "result": "not_eligible"}
    ).content.decode()
    table = page[page.index('<table id="assessed">') :]
    assert "Not eligible" in table and "不符合" not in table


@pytest.mark.django_db
def test_starting_an_assessment_opens_its_page_and_a_get_never_405s(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    client = _client()
    assert client.get("/jobs/start/batch_assessment/").status_code == 302
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/jobs/start/batch_assessment/")
    job = Job.objects.get(kind=Job.Kind.BATCH_ASSESSMENT)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert _client().get(f"/jobs/{job.pk}/").status_code == 200
