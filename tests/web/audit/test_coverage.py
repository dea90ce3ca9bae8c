"""Every action, export, printed document and unmasked view is an audit event (issue 12,
point 4). Statically: every function that writes records (``writers``), and every view that
sends a file, prints a document or shows an unmasked value is listed here; then each listed
view is opened on records made by real actions and must have recorded its event. Denied access
is recorded by ``audit.middleware`` (``test_events``) and logins by the accounts app."""

from __future__ import annotations

import datetime as dt
import inspect
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.cases.models import Application
from jiuzhu.web.documents import actions as documents
from jiuzhu.web.entitlements import scheduled
from jiuzhu.web.entitlements.models import Entitlement, ReviewClass, TaskKind
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.payments import penalty
from jiuzhu.web.payments.models import BankAccount, BankFile
from jiuzhu.web.payments.recoveries import record_recovery
from jiuzhu.web.registry.models import Household
from tests.web.audit.flows import login, run_all
from tests.web.audit.writers import unrecorded_writers
from tests.web.conftest import ON
from tests.web.documents.conftest import offices, terminated
from tests.web.entitlements.conftest import make_entitlement

__all__ = ["offices"]

NOT_ACTIONS = {
    # Masks the queue's stored traceback of a failed task (no ID in it); changes no record.
    "jiuzhu.web.jobs.recovery:mask_traceback": "DBTaskResult.objects",
    # Not the database: a font file saved (the build script of the vendored fonts).
    "jiuzhu.web.documents.fonts.subset_fonts:main": "font.save",
    "jiuzhu.web.documents.fonts.subset_fonts:make": "font.save",
    # The verification's own record, append-only like the events.
    "jiuzhu.web.audit.verify:verify_all": "ChainCheck.objects.create",
    # A background job's bookkeeping (heartbeat, start, progress and the rows of a batch
    # assessment, which changes no record): the job is recorded when it is queued
    # (jobs.feed_import, jobs.batch_assessment, discovery.start) and when recovery retries or
    # fails it (jobs.retried, jobs.failed).
    "jiuzhu.web.jobs.recovery:beat": "Job.objects",
    "jiuzhu.web.jobs.recovery:started": "Job.objects",
    "jiuzhu.web.jobs.tasks:batch_assessment_task": "AssessedHousehold.objects",
    # Reference data loaded by ``seed_calendar`` from the chinesecalendar package (each row
    # keeps its source and seeding time); the app sits below the audit layer. An administrator's
    # own entries go through the admin.
    "jiuzhu.web.workcalendar.seed:seed_from_chinesecalendar": "CalendarDay.objects",
}
"""Public functions that write and record nothing, each with the reason it needs none."""

DOWNLOADS = {
    "audit:export": "audit.export",
    "privacy:export": "privacy.export_personal_data",
    "jobs:workbook": "jobs.export_results",
    "payments:bank_file": "payments.download_bank_file",
    "payments:run_workbook": "payments.export_run",
    "payments:summary": "payments.export_summary",
    "statistics:export": "statistics.export",
    "documents:scan": "documents.view_material",
    "documents:application_document": "documents.print",
    "documents:application_pdf": "documents.download_pdf",
    "documents:issue": "documents.print",
    "documents:termination": "documents.print",
    "documents:termination_pdf": "documents.download_pdf",
    "documents:termination_issue": "documents.print",
    "documents:penalty_notice": "documents.print",
    "documents:penalty_notice_pdf": "documents.download_pdf",
    "documents:penalty_notice_issue": "documents.print",
    "documents:fraud_decision": "documents.print",
    "documents:fraud_decision_pdf": "documents.download_pdf",
    "documents:fraud_decision_issue": "documents.print",
    "documents:public_notice": "documents.print",
    "documents:public_notice_pdf": "documents.download_pdf",
    "registry:unmask": "registry.view_unmasked",
    "payments:unmask_account": "payments.view_unmasked_account",
    # The list pages' xlsx exports (issue 14, ``core.exports``).
    "registry:export": "registry.export_households",
    "cases:export": "cases.export_applications",
    "entitlements:export": "entitlements.export",
    "discovery:register_export": "discovery.export_register",
}
"""Every view that sends a file, shows a printable document or an unmasked value → its event.
(``documents:issue`` shows the document again when the issue is refused; ``documents:scan`` is
tested by ``documents/test_materials``.)"""

MARKS = (
    "FileResponse(",
    "Content-Disposition",
    "_pdf_response(",
    "_print_page(",
    "_application_page(",
    "_subject_notice_page(",
    "reveal_",
    "HttpResponse(person.",
    "xlsx_response(",
)
"""What in a view's source means it sends a file, a document or an unmasked value."""


def _views(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, Callable[..., Any]]]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _views(entry, space)
        elif isinstance(entry, URLPattern) and not namespace.startswith("admin:"):
            yield f"{namespace}{entry.name}", inspect.unwrap(entry.callback)


def test_every_function_that_writes_records_an_event() -> None:
    found = unrecorded_writers()
    missing = {k: v for k, v in found.items() if k not in NOT_ACTIONS}
    assert not missing, f"functions that write without an audit event: {missing}"
    stale = sorted(set(NOT_ACTIONS) - set(found))
    assert not stale, f"listed as writing without an event, but no longer do: {stale}"


def test_every_download_print_and_unmask_view_is_listed() -> None:
    marked = set()
    for name, view in _views():
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        if any(mark in source for mark in MARKS):
            marked.add(name)
    assert marked == set(DOWNLOADS), (
        f"not listed: {sorted(marked - set(DOWNLOADS))}; listed but not found: "
        f"{sorted(set(DOWNLOADS) - marked)}"
    )


def _opens(client: Any, url: str, user: User, action: str) -> None:
    before = AuditEvent.objects.filter(action=action, user=user).count()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert AuditEvent.objects.filter(action=action, user=user).count() == before + 1, url


@pytest.mark.django_db
def test_every_download_and_print_records_an_event(
    users: dict[str, User],
    townships: tuple[str, str],
    settings: Any,
    offices: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application: Application = run_all(
        users, townships, settings, django_capture_on_commit_callbacks
    )
    officer = login("officer")
    job = Job.objects.get(kind=Job.Kind.BATCH_ASSESSMENT)
    bank_file = BankFile.objects.select_related("run").get()
    run = bank_file.run
    documents.issue_notice(users["officer"], "approval", application)
    community = application.household.division_code
    opened = {
        "audit:export": ("/audit/export.xlsx", "auditor"),
        "jobs:workbook": (f"/jobs/{job.pk}/households.xlsx", "caseworker"),
        "payments:bank_file": (f"/payments/runs/{run.pk}/files/{bank_file.pk}/", "officer"),
        "payments:run_workbook": (f"/payments/runs/{run.pk}/payments.xlsx", "officer"),
        "payments:summary": (f"/payments/summary/?month={run.month}&format=xlsx", "officer"),
        "documents:application_document": (
            f"/documents/applications/{application.pk}/acceptance/",
            "caseworker",
        ),
        "documents:application_pdf": (
            f"/documents/applications/{application.pk}/approval.pdf",
            "caseworker",
        ),
        "documents:public_notice": (f"/documents/public-notice/{community}/", "caseworker"),
        "documents:public_notice_pdf": (f"/documents/public-notice/{community}.pdf", "caseworker"),
        "registry:export": ("/registry/export.xlsx", "caseworker"),
        "cases:export": ("/applications/export.xlsx", "caseworker"),
        "entitlements:export": ("/entitlements/export.xlsx", "caseworker"),
        "discovery:register_export": ("/discovery/register/export.xlsx", "community"),
    }
    for name, (url, username) in opened.items():
        client = officer if username == "officer" else login(username)
        _opens(client, url, users[username], DOWNLOADS[name])
    household = application.household
    account = BankAccount.objects.filter(household=household).latest("pk")
    unmasked = {
        "registry:unmask": f"/registry/households/{household.pk}/persons/"
        f"{application.applicant_id}/unmask/",
        "payments:unmask_account": f"/payments/households/{household.pk}/accounts/"
        f"{account.pk}/unmask/",
    }
    for name, url in unmasked.items():
        before = AuditEvent.objects.filter(action=DOWNLOADS[name], user=users["officer"]).count()
        assert officer.post(url).status_code == 200, url
        after = AuditEvent.objects.filter(action=DOWNLOADS[name], user=users["officer"]).count()
        assert after == before + 1, url
    # The real command, on the trail all of this wrote.
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"intact: {AuditEvent.objects.count()} events" in out.getvalue()


@pytest.mark.django_db
def test_the_termination_notice_records_each_showing_and_download(
    users: dict[str, User], townships: tuple[str, str], offices: None
) -> None:
    household = Household.objects.filter(township_code=townships[0]).first()
    assert household is not None
    entitlement: Entitlement = terminated(household)
    head = login("head")
    url = f"/documents/entitlements/{entitlement.pk}/termination/"
    _opens(head, url, users["head"], "documents.print")
    documents.issue_notice(users["head"], "termination", entitlement)
    _opens(head, url.rstrip("/") + ".pdf", users["head"], "documents.download_pdf")
    event = AuditEvent.objects.filter(action="documents.download_pdf").latest("sequence")
    assert (event.object_id, event.detail) == (str(entitlement.pk), {"kind": "termination"})


@pytest.mark.django_db
def test_the_fraud_decision_records_each_showing_and_download(
    users: dict[str, User], townships: tuple[str, str], offices: None, settings: Any
) -> None:
    household = Household.objects.filter(township_code=townships[0]).first()
    assert household is not None
    recovery = record_recovery(
        users["officer"],
        make_entitlement(household),
        amount=100_000,
        reason="隐瞒收入",
        kind="fraud",
        fine_multiple="1",
    )
    officer = login("officer")
    notice = f"/documents/recoveries/{recovery.pk}/penalty-notice/"
    _opens(officer, notice, users["officer"], "documents.print")
    documents.issue_notice(users["officer"], "penalty_notice", recovery)
    _opens(officer, notice.rstrip("/") + ".pdf", users["officer"], "documents.download_pdf")
    penalty.record_statement(
        users["officer"], recovery, received_on=ON, statement="x", adopted=False, finding="y"
    )
    url = f"/documents/recoveries/{recovery.pk}/fraud-decision/"
    _opens(officer, url, users["officer"], "documents.print")
    # Past the time to ask for a hearing (its threshold unknown, the right may apply).
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": (ON + dt.timedelta(days=30)).isoformat()}
    documents.issue_notice(users["officer"], "fraud_decision", recovery)
    _opens(officer, url.rstrip("/") + ".pdf", users["officer"], "documents.download_pdf")
    event = AuditEvent.objects.filter(action="documents.download_pdf").latest("sequence")
    assert (event.object_id, event.detail) == (str(recovery.pk), {"kind": "fraud_decision"})


@pytest.mark.django_db
def test_review_tasks_opened_by_the_daily_checks_are_recorded(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    households = Household.objects.filter(township_code=townships[0]).order_by("pk")
    unstable = make_entitlement(households[1], review_class=ReviewClass.UNSTABLE)
    assert scheduled.schedule_reviews(users["officer"], on=ON) == 1
    event = AuditEvent.objects.get(action="entitlements.task")
    assert (event.user, event.object_id, event.household_id) == (
        users["officer"],
        str(unstable.pk),
        unstable.household_id,
    )
    assert event.detail == {"kind": TaskKind.PERIODIC_REVIEW, "due": "2025-11-01"}
    # A rerun opens nothing and records nothing.
    assert scheduled.schedule_reviews(users["officer"], on=ON) == 0
    assert AuditEvent.objects.filter(action="entitlements.task").count() == 1
