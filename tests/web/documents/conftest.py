"""Documents test helpers: the offices filled with the demo's example values, applications
brought to each stage through the real workflow actions, a terminated entitlement, scans as
bytes, and the text of a PDF (pdftotext)."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases import actions
from jiuzhu.web.cases.models import Application, Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.entitlements.models import Entitlement, Status, TerminationGrounds
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON
from tests.web.test_workflow import MATERIALS, eligible_household

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def upload(content: bytes, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def set_today(settings: Any, day: dt.date) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "TODAY": day.isoformat()}


@functools.cache
def _eligible(township: str) -> int:
    # The session district never changes (each test's writes are rolled back): the rules run
    # once per township, not once per test.
    return eligible_household(township).pk


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test stores its scans in its own folder."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def offices(db: Any) -> None:
    fill_example_offices()


def applicant_of(household: Household) -> Any:
    return household.memberships.filter(valid_to__isnull=True, relation="01").first().person


def submit(
    users: dict[str, User], household: Household, materials: list[str] | None = None
) -> Application:
    return actions.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=applicant_of(household),
        channel=Channel.COUNTER,
        materials=MATERIALS if materials is None else materials,
    )


def to_public_notice(
    users: dict[str, User], application: Application, visited_on: dt.date = ON
) -> Application:
    """Verified, visited (on ``visited_on``) and approved by the township: published from the
    day the clock says."""
    actions.verify(users["caseworker"], application)
    actions.record_home_visit(
        users["caseworker"],
        application,
        visited_on=visited_on,
        staff=["王经办", "刘协理"],
        findings="家中确有困难",
        applicant_signed=True,
    )
    return _opinion(users, application, "approve")


def _opinion(users: dict[str, User], application: Application, opinion: str) -> Application:
    latest = application.assessments.first()
    offered = latest is not None and (latest.results.get("single_person_unit") or {}).get("status")
    actions.give_township_opinion(
        users["head"],
        application,
        opinion=opinion,
        note="符合条件" if opinion == "approve" else "入户发现有稳定收入",
        single_person_choice="household_near_dibao" if offered else "",
    )
    application.refresh_from_db()
    return application


def decide(
    users: dict[str, User], application: Application, settings: Any, outcome: str
) -> Application:
    """Through the whole procedure to the district's decision (``approve`` or ``reject``)."""
    if outcome == "approve":
        to_public_notice(users, application)
        set_today(settings, application.notice_ends_on + dt.timedelta(days=1))
        actions.close_public_notice(users["caseworker"], application)
    else:
        actions.verify(users["caseworker"], application)
        actions.record_home_visit(
            users["caseworker"],
            application,
            visited_on=ON,
            staff=["甲", "乙"],
            findings="有稳定收入",
            applicant_signed=True,
        )
        _opinion(users, application, "reject")
    amount = actions.default_amount(application)
    actions.propose_decision(
        users["officer"],
        application,
        outcome=outcome,
        monthly_amount=amount if outcome == "approve" else None,
        reasons="经审核符合条件" if outcome == "approve" else "家庭人均收入高于低保标准",
    )
    actions.confirm_decision(users["officer2"], application)
    application.refresh_from_db()
    return application


@pytest.fixture
def household(townships: tuple[str, str]) -> Household:
    return Household.objects.get(pk=_eligible(townships[0]))


@pytest.fixture
def accepted(users: dict[str, User], household: Household) -> Application:
    return submit(users, household)


@pytest.fixture
def awaiting(users: dict[str, User], household: Household) -> Application:
    """Registered with the declaration and the authorisation missing (一次性告知)."""
    return submit(users, household, ["application_form", "truthfulness_undertaking", "diagnosis"])


def terminated(household: Household) -> Entitlement:
    """A dibao entitlement terminated on ``ON`` (as the entitlements app records it)."""
    return Entitlement.objects.create(
        number=f"ETD{household.pk:08d}",
        program=Program.DIBAO,
        household=household,
        division_code=household.division_code,
        status=Status.ACTIVE,
        start_month="2025-01",
        end_month="2025-11",
        termination_grounds=TerminationGrounds.INCOME_ASSETS,
        termination_reason="家庭人均收入已超过低保标准",
        terminated_on=ON,
    )


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The text of a PDF (poppler's pdftotext). CI installs poppler-utils (.ci/run); elsewhere
    the test is skipped when it is missing."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_fonts(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
