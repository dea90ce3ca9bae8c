"""Payroll pages for the district: every page answers, the workbooks open, a bank file download
is refused to readers and audited for the others, a refused return file writes nothing, and the
run page's queries do not grow with the number of payments."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.payments import actions
from jiuzhu.web.payments.models import PaymentStatus, PayrollRun, RunStatus
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD
from tests.web.payments.conftest import account_number, grant, households_of


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def exported(users: dict[str, User], townships: tuple[str, str], settings: Any) -> PayrollRun:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": dt.date(2025, 10, 20).isoformat()}
    grant(households_of(townships[0], 3) + households_of(townships[1], 2), start="2025-09")
    september = actions.draft_run(users["officer"], "2025-09", "dibao")
    actions.check_run(users["officer2"], september)
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    run = actions.approve_run(users["director"], actions.check_run(users["officer2"], run))
    actions.export_run(users["officer"], run, "tjrcb-xlsx")
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_the_district_pages_answer(exported: PayrollRun, townships: tuple[str, str]) -> None:
    client = _client("officer")
    household = households_of(townships[0], 1)[0]
    for path in (
        "/payments/",
        f"/payments/runs/{exported.pk}/",
        "/payments/summary/?month=2025-10",
        "/payments/summary/?month=bad",
        f"/payments/households/{household.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert account_number(household) not in response.content.decode()  # masked
    summary = load_workbook(
        io.BytesIO(client.get("/payments/summary/?month=2025-10&format=xlsx").content)
    )
    rows = list(summary.active.iter_rows(values_only=True))
    assert rows[0][0] == "乡镇（街道）代码" and rows[-1][0] == "合计"
    assert float(rows[-1][-1]) == 5 * 1000.0
    run_book = load_workbook(
        io.BytesIO(client.get(f"/payments/runs/{exported.pk}/payments.xlsx").content)
    )
    accounts = [row[9] for row in run_book.active.iter_rows(min_row=2, values_only=True)]
    assert len(accounts) == 5 and all("****" in a for a in accounts)
    ledger = client.get(f"/payments/households/{household.pk}/").content.decode()
    assert ledger.count("当月发放") == 2  # September and October


@pytest.mark.django_db
def test_a_bank_file_is_refused_to_readers_and_its_download_audited(exported: PayrollRun) -> None:
    bank_file = exported.bank_files.get()
    url = f"/payments/runs/{exported.pk}/files/{bank_file.pk}/"
    assert _client("auditor").get(url).status_code == 403
    assert _client("caseworker").get(url).status_code == 403
    response = _client("director").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    summary = dict(book["汇总"].iter_rows(values_only=True))
    assert summary["校验值（SHA-256）"] == bank_file.checksum
    assert AuditEvent.objects.filter(
        action="payments.download_bank_file", object_id=str(bank_file.pk)
    ).exists()


@pytest.mark.django_db
def test_a_refused_return_file_is_shown_on_the_field_and_writes_nothing(
    exported: PayrollRun,
) -> None:
    client = _client("officer")
    upload = io.BytesIO("账号,金额,状态\n6222000000000000000,1000.00,成功\n".encode("gb18030"))
    upload.name = "return.csv"
    response = client.post(f"/payments/runs/{exported.pk}/reconcile/", {"file": upload})
    assert response.status_code == 400
    assert "不在待回盘的发放中" in response.content.decode()
    assert not exported.payments.filter(status=PaymentStatus.PAID).exists()
    assert not exported.returns.exists()


@pytest.mark.django_db
def test_a_bad_draft_form_and_a_refused_step_are_messages(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    client = _client("officer")
    response = client.post(
        "/payments/draft/", {"month": "2025-13", "program": "dibao"}, follow=True
    )
    assert "月份格式应为 YYYY-MM" in response.content.decode()
    grant(households_of(townships[0], 1), start="2025-08")
    response = client.post(
        "/payments/draft/", {"month": "2025-10", "program": "dibao"}, follow=True
    )
    run = PayrollRun.objects.get(month="2025-10")
    assert response.redirect_chain[-1][0] == f"/payments/runs/{run.pk}/"
    # The drafter cannot check: the step is not offered and refused if posted.
    assert "step-check" not in response.content.decode()
    refused = client.post(f"/payments/runs/{run.pk}/check/", follow=True)
    assert "制单人不能复核自己制作的名册" in refused.content.decode()
    assert PayrollRun.objects.get(pk=run.pk).status == RunStatus.DRAFT
    # A GET of a step goes to the run's page, never a 405.
    assert client.get(f"/payments/runs/{run.pk}/check/").status_code == 302
    assert client.post(f"/payments/runs/{run.pk}/nonsense/").status_code == 404


@pytest.mark.django_db
def test_the_run_page_queries_do_not_grow_with_its_payments(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    client = _client("officer2")
    grant(households_of(townships[0], 2), start="2025-08")
    actions.check_run(users["officer2"], actions.draft_run(users["officer"], "2025-08", "dibao"))
    counts = []
    for month, added in (("2025-09", 1), ("2025-10", 12)):
        others = Household.objects.exclude(township_code=townships[0]).order_by("pk")
        grant(list(others[len(counts) : len(counts) + added]), start=month)
        run = actions.draft_run(users["officer"], month, "dibao")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/payments/runs/{run.pk}/").status_code == 200
        counts.append(len(captured))
        actions.check_run(users["officer2"], run)
    assert run.payments.count() == 15
    assert counts[0] == counts[1], counts
