"""No page, export, printed document or admin page shows a full ID number or bank account of the
district's people (issue 12, point 3: "masked by role everywhere"), for any role.

The demo's seeding gives every kind of record (applications at every step, decisions, a
payroll with its bank file, accounts, alerts, department records, audit events with their
values before and after). Every GET page each role can reach (``test_page_scan.pages_for``)
is opened — the xlsx exports and the PDFs included — and then every list and change page of
the admin site. The one deliberate exception is the bank file itself (the bank needs the
number), which ``pages_for`` cannot reach without its file's id; the audited reveals
(``registry:unmask``, ``payments:unmask_account``, and a list's export asked for with whole ID
numbers, ``core.exports.whole_ids``) are POST-only and not pages.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.http import HttpResponse
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.web.accounts.models import User
from tests.web.documents.conftest import pdf_text
from tests.web.test_page_scan import PASSWORD, ROLES, demo, pages_for

__all__ = ["demo"]  # the fixture, imported to be used here

NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[Xx]|\d{13,25})")
ADMIN_OBJECTS = 2
"""Change pages opened per admin model (the first records)."""


def _full_values() -> set[str]:
    """Every ID number and account number the district holds."""
    person, obligor = apps.get_model("registry", "Person"), apps.get_model("registry", "Obligor")
    account = apps.get_model("payments", "BankAccount")
    # Sealed fields take no lookups: the values are read (opened) and the blanks dropped here.
    values = set(person.objects.values_list("resident_id", flat=True))
    values |= set(obligor.objects.values_list("resident_id", flat=True))
    values |= set(account.objects.values_list("account_number", flat=True))
    values |= set(account.objects.values_list("holder_id", flat=True))
    return {value for value in values if value}


def _text(response: HttpResponse, tmp_path: Path) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if "pdf" in content_type:
        return pdf_text(body, tmp_path)
    return body.decode(response.charset or "utf-8")


def _leaks(text: str, full: set[str]) -> list[str]:
    return sorted({m.group(0) for m in NUMBER.finditer(text) if m.group(0) in full})


@pytest.mark.django_db
def test_no_page_export_or_admin_page_shows_a_full_id_or_account(
    demo: None, tmp_path: Path
) -> None:
    full = _full_values()
    assert len(full) > 100
    problems: list[str] = []
    opened = exports = 0
    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        for name, path in pages_for(user):
            response = client.get(path, follow=True)
            if response.status_code != 200:
                continue
            opened += 1
            exports += "html" not in response.get("Content-Type", "")
            problems += [
                f"{username} {name} {path}: {v}" for v in _leaks(_text(response, tmp_path), full)
            ]
    admin_user = User.objects.get(username="admin")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths = [
            base,
            *(
                f"{base}{pk}/change/"
                for pk in model_admin.get_queryset(None)
                .order_by("pk")
                .values_list("pk", flat=True)[:ADMIN_OBJECTS]
            ),
        ]  # type: ignore[arg-type]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            opened += 1
            problems += [f"admin {path}: {v}" for v in _leaks(_text(response, tmp_path), full)]
    assert opened > 200 and exports >= 3
    assert not problems, f"{len(problems)} full values shown:\n" + "\n".join(sorted(set(problems)))
