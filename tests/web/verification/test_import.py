"""Loading department deliveries: every source, supersession, and rejected files."""

from __future__ import annotations

import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from jiuzhu.feeds.base import read_feed
from jiuzhu.feeds.sources import SOURCES
from jiuzhu.synth.feeds import write_bad_examples
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.verification.actions import FeedImportError, import_feed, import_feeds, spec_for
from jiuzhu.web.verification.models import DepartmentRecord, FeedImport
from tests.web.verification.conftest import caseworker

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2025, 10, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_the_district_feeds_are_loaded(district_folder: Path) -> None:
    """One current delivery per source, every accepted row stored, values normalised."""
    current = FeedImport.objects.filter(superseded_by__isnull=True)
    assert sorted(current.values_list("source", flat=True)) == sorted(SOURCES)
    for feed_import in current:
        assert feed_import.records.count() == feed_import.accepted > 0
    tax = FeedImport.objects.get(source="tax", superseded_by__isnull=True)
    assert (tax.first_period, tax.last_period) == ("2025-04", "2025-09")
    row = DepartmentRecord.objects.filter(source="tax").first()
    assert row is not None and len(row.resident_id) == 18 and row.period == "2025-04"
    assert isinstance(row.data["income"], int) and "line" in row.data
    vehicle = DepartmentRecord.objects.filter(source="vehicles").first()
    assert vehicle is not None
    dt.date.fromisoformat(vehicle.data["first_registered"])  # dates as ISO text


def test_a_new_delivery_supersedes_the_previous_one(district_folder: Path) -> None:
    old = FeedImport.objects.get(source="tax", superseded_by__isnull=True)
    path = district_folder / "feeds" / "tax.csv"
    new = import_feed(None, path, received_at=RECEIVED)
    old.refresh_from_db()
    assert old.superseded_by == new
    assert not DepartmentRecord.objects.filter(feed_import=old).exists()
    assert DepartmentRecord.objects.filter(source="tax").count() == new.accepted
    assert set(
        DepartmentRecord.objects.filter(source="tax").values_list("received_at", flat=True)
    ) == {RECEIVED}
    assert AuditEvent.objects.filter(
        action="verification.import_feed", object_id=str(new.pk)
    ).exists()


def test_a_rejected_file_imports_nothing(tmp_path: Path) -> None:
    bad = write_bad_examples(tmp_path)
    records, imports = DepartmentRecord.objects.count(), FeedImport.objects.count()
    with pytest.raises(FeedImportError) as caught:
        import_feeds(None, tmp_path, received_at=RECEIVED)
    assert sorted(p.name for p, _ in caught.value.problems) == sorted(p.name for p in bad.values())
    assert caught.value.imports == []
    assert (DepartmentRecord.objects.count(), FeedImport.objects.count()) == (records, imports)
    problem = dict(caught.value.problems)[bad["bad_rows"]]
    assert {b.line for b in problem.report.bad} == {5, 9, 12, 13}


def test_good_files_of_a_folder_are_imported_beside_rejected_ones(
    district_folder: Path, tmp_path: Path
) -> None:
    shutil.copy(district_folder / "feeds" / "deaths.xlsx", tmp_path / "deaths.xlsx")
    bad = write_bad_examples(tmp_path / "bad")["bad_rows"]
    shutil.move(bad, tmp_path / bad.name)
    bad = tmp_path / bad.name
    with pytest.raises(FeedImportError) as caught:
        import_feeds(None, tmp_path, received_at=RECEIVED)
    assert [i.source for i in caught.value.imports] == ["deaths"]
    assert [p for p, _ in caught.value.problems] == [bad]
    assert "tax_bad_rows.csv" in str(caught.value)
    # The bad tax file did not replace the tax delivery.
    assert FeedImport.objects.filter(source="tax", superseded_by__isnull=True).count() == 1


def test_sources_are_recognised_by_name_or_headers(district_folder: Path, tmp_path: Path) -> None:
    assert spec_for(district_folder / "feeds" / "tax.csv").source == "tax"
    renamed = tmp_path / "税务局9月.csv"
    shutil.copy(district_folder / "feeds" / "tax.csv", renamed)
    assert spec_for(renamed).source == "tax"


def test_only_district_roles_import(district_folder: Path) -> None:
    user = caseworker("120115001")
    with pytest.raises(PermissionDenied):
        import_feed(user, district_folder / "feeds" / "deaths.xlsx")


def test_the_command_reports_each_file(district_folder: Path, tmp_path: Path) -> None:
    out = StringIO()
    call_command("import_feeds", str(district_folder / "feeds"), stdout=out)
    text = out.getvalue()
    for source in SOURCES:
        assert source in text
    accepted = read_feed(
        district_folder / "feeds" / "tax.csv", spec_for(district_folder / "feeds" / "tax.csv")
    ).report.accepted
    assert f"{accepted:,}" in text
    write_bad_examples(tmp_path)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_feeds", str(tmp_path), stdout=out)
    assert "第5行" in out.getvalue()
