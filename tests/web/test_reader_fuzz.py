"""The reader fuzz (issue 10) at the platform's imports: the registry workbook import (the action
the web and ``jiuzhu-web import_workbook`` call) and the department feed import, fed dirty files
(``tests.feeds.dirty``).

Each import either refuses the file the documented way — ``InputFileError`` (``CommandError``
from the command) or ``FeedRejected``, naming the file — and writes nothing: every table it
writes to keeps its count; or it imports the file, and every ID it stored is an ASCII
18-character GB 11643 ID born by today. No other exception escapes.

Each example runs in its own transaction, rolled back after it, so that one example's import
does not refuse the next one's IDs as already registered. The example count follows the
hypothesis profile (``tests/conftest.py``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models, transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jiuzhu.batch.inputs import InputFileError
from jiuzhu.feeds.base import FeedRejected, FeedSpec
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.registry.actions import import_workbook
from jiuzhu.web.registry.models import (
    Asset,
    Household,
    ImportRun,
    Income,
    Membership,
    Obligor,
    Person,
)
from jiuzhu.web.verification.actions import import_feed
from jiuzhu.web.verification.models import DepartmentRecord, FeedImport
from tests.feeds.dirty import Sheet, Workbook, assess_workbooks, write_xlsx
from tests.feeds.test_reader_fuzz import RECEIVED, _write_feed, assert_valid_ids, feed_files
from tests.web.conftest import ON

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
REGISTRY: tuple[type[models.Model], ...] = (
    Household,
    Person,
    Membership,
    Income,
    Asset,
    Obligor,
    ImportRun,
    AuditEvent,
)
FEEDS: tuple[type[models.Model], ...] = (FeedImport, DepartmentRecord, AuditEvent)


def counts(tables: tuple[type[models.Model], ...]) -> dict[str, int]:
    return {table.__name__: table.objects.count() for table in tables}


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, undone after it (a savepoint inside the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def district(db: Any) -> None:
    """The session's synthetic district (the registry the imports check IDs against)."""


# --- The registry workbook ----------------------------------------------------------------------


@pytest.mark.django_db
@FUZZ
@given(assess_workbooks(), st.booleans())
def test_the_registry_import_writes_all_or_nothing(
    district: Any, workbook: Workbook, by_command: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder, rolled_back():
        path = write_xlsx(Path(folder) / "户籍.xlsx", workbook.sheets)
        before = counts(REGISTRY)
        known = set(Person.objects.values_list("pk", flat=True))
        try:
            if by_command:
                call_command("import_workbook", str(path), "--on", ON.isoformat(), verbosity=0)
            else:
                run = import_workbook(None, path, ON)
                assert run.persons == Person.objects.count() - before["Person"]
        except InputFileError as exc:
            assert exc.problems and all(path.name in p.file for p in exc.problems)
            assert counts(REGISTRY) == before, "a refused workbook wrote something"
            event("workbook refused", payload=exc.problems[0].rule[:40])
            return
        except CommandError as exc:
            assert str(exc).strip()
            assert counts(REGISTRY) == before, "a refused workbook wrote something"
            event("workbook refused")
            return
        event("workbook imported")
        added = Person.objects.exclude(pk__in=known)
        assert added.exists()
        assert_valid_ids(list(added.values_list("resident_id", flat=True)), "Person")
        assert_valid_ids(
            [i or None for i in Obligor.objects.values_list("resident_id", flat=True)], "Obligor"
        )


# --- Department feeds ---------------------------------------------------------------------------


@pytest.mark.django_db
@FUZZ
@given(feed_files())
def test_a_feed_import_writes_all_or_nothing(
    district: Any, file: tuple[FeedSpec, Sheet, str]
) -> None:
    spec, sheet, written = file
    with tempfile.TemporaryDirectory() as folder, rolled_back():
        path = _write_feed(Path(folder), sheet, written, "\r\n")
        before = counts(FEEDS)
        try:
            feed_import = import_feed(None, path, spec=spec, received_at=RECEIVED)
        except FeedRejected as exc:
            assert exc.report.bad and path.name in str(exc)
            assert counts(FEEDS) == before, "a refused feed wrote something"
            event("feed refused")
            return
        event("feed imported")
        stored = DepartmentRecord.objects.filter(feed_import=feed_import)
        assert stored.count() == feed_import.accepted
        assert_valid_ids(list(stored.values_list("resident_id", flat=True)), spec.source)


@pytest.mark.django_db
def test_a_control_character_in_a_text_cell_is_not_stored(tmp_path: Path) -> None:
    """Found by the fuzz on PostgreSQL: a NUL in a feed's name or employer cell reached the
    JSON column, which PostgreSQL refuses (the import failed with a database error)."""
    from jiuzhu.feeds.base import SPECS
    from jiuzhu.feeds.ids import check_character

    person = "12011519800101001" + check_character("12011519800101001")
    path = tmp_path / "housing_fund.csv"
    path.write_text(
        "身份证号,姓名,缴存月份,个人缴存额,单位缴存额,账户余额,单位名称\n"
        f"{person},张\x00三,2025-09,1,1,1,宝坻\x07区\x00某厂\n",
        encoding="utf-8",
    )
    feed_import = import_feed(None, path, spec=SPECS["housing_fund"], received_at=RECEIVED)
    stored = DepartmentRecord.objects.get(feed_import=feed_import)
    assert stored.data["name"] == "张三" and stored.data["employer"] == "宝坻区某厂"
