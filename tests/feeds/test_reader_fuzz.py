"""The reader fuzz (issue 10): every department feed, as CSV in UTF-8 (with and without BOM) and
GB18030 and as xlsx, and the assessment input, as a workbook and as a folder of CSV files, fed
dirty tables (``tests.feeds.dirty``).

Each reader either refuses the file the documented way — ``FeedRejected`` / ``InputFileError``
naming the file and, for a bad cell, its line and column — or returns a table whose resident IDs
are all ASCII, 18 characters, GB 11643-valid and born by the file's date. No other exception
escapes. A feed read with quarantine accounts for every data row: accepted, duplicate or bad.

The example count follows the hypothesis profile (``tests/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from jiuzhu.batch.inputs import AssessmentInput, InputFileError, read_input
from jiuzhu.feeds.base import SPECS, FeedRejected, FeedResult, FeedSpec, read_feed, sources
from jiuzhu.feeds.ids import normalise
from jiuzhu.feeds.sources import SOURCES
from jiuzhu.rules import load_system
from tests.feeds.dirty import (
    CSV_ENCODINGS,
    DIRT,
    ID_PATTERN,
    TODAY,
    Sheet,
    Workbook,
    assess_workbooks,
    csv_text,
    feed_sheets,
    write_csv,
    write_xlsx,
)

sources()
SYSTEM = load_system("tianjin")
RECEIVED = dt.datetime(2025, 10, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Control characters: no stored text holds one (PostgreSQL refuses NUL)."""
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_valid_ids(values: list[str | None], where: str) -> None:
    """Every non-null value is an ASCII 18-character ID that the ID module accepts as it is,
    born by the fuzz's today."""
    for value in values:
        if value is None:
            continue
        assert ID_PATTERN.match(value), f"{where}: {value!r} is not an 18-character ASCII ID"
        assert normalise(value, TODAY).number == value, where


# --- Department feeds ---------------------------------------------------------------------------


@st.composite
def feed_files(draw: st.DrawFn) -> tuple[FeedSpec, Sheet, str]:
    """A source, a dirty table of it, and how it is written (an encoding, or ``xlsx``)."""
    spec = SPECS[draw(st.sampled_from(SOURCES))]
    return spec, draw(feed_sheets(spec)), draw(st.sampled_from([*CSV_ENCODINGS, "xlsx"]))


def _write_feed(folder: Path, sheet: Sheet, written: str, newline: str) -> Path:
    if written == "xlsx":
        return write_xlsx(folder / "feed.xlsx", {"Sheet1": sheet})
    return write_csv(folder / "feed.csv", sheet, written, newline)


def check_feed(spec: FeedSpec, path: Path, quarantine: bool) -> FeedResult | None:
    """Read the file; check the refusal or the result (see the module docstring)."""
    try:
        result = read_feed(path, spec, received_at=RECEIVED, quarantine=quarantine)
    except FeedRejected as exc:
        report = exc.report
        assert report.bad, "a refusal says why"
        assert path.name in str(exc)
        for bad in report.bad:
            assert bad.reason.strip()
            if bad.line is not None:
                assert bad.column, f"a bad cell names its column: {bad}"
                assert bad.line >= 1
        event("feed refused", payload=str(report.bad[0].reason)[:30])
        return None
    event("feed read", payload=f"{result.report.accepted} accepted")
    frame = result.frame()
    for spec_field in spec.fields:
        if spec_field.kind == "id":
            assert_valid_ids(frame[spec_field.name].to_list(), f"{spec.source}.{spec_field.name}")
        if spec_field.required:
            assert frame[spec_field.name].null_count() == 0, f"required {spec_field.name} null"
        if spec_field.kind == "text":
            texts = frame[spec_field.name].drop_nulls().to_list()
            assert not any(CONTROL.search(t) for t in texts), f"{spec_field.name}: {texts!r}"
        if spec_field.kind in ("yuan", "wan_yuan", "area", "int"):
            assert (frame[spec_field.name].drop_nulls() >= 0).all(), spec_field.name
    report = result.report
    assert report.rows == report.accepted + report.duplicates + report.bad_lines, report.text()
    assert frame.height == report.accepted
    assert set(result.quarantine["line"].drop_nulls().to_list()) <= set(range(1, report.rows + 20))
    return result


@FUZZ
@given(feed_files(), st.booleans(), st.sampled_from(["\r\n", "\n"]))
def test_every_feed_reader_refuses_or_returns_only_valid_ids(
    file: tuple[FeedSpec, Sheet, str], quarantine: bool, newline: str
) -> None:
    spec, sheet, written = file
    with tempfile.TemporaryDirectory() as folder:
        path = _write_feed(Path(folder), sheet, written, newline)
        check_feed(spec, path, quarantine)


# --- The assessment input -----------------------------------------------------------------------


def check_input(path: Path, workbook: Workbook) -> AssessmentInput | None:
    """Read the input; check the refusal or the frames (see the module docstring)."""
    try:
        data = read_input(path, SYSTEM, TODAY, today=TODAY)
    except InputFileError as exc:
        assert exc.problems, "a refusal says why"
        files = [path.name, *(f.name for f in path.iterdir())] if path.is_dir() else [path.name]
        for problem in exc.problems:
            assert any(f in problem.file for f in files) and problem.rule.strip(), problem
            if problem.row is not None:
                assert problem.column, f"a bad cell names its column: {problem}"
        event("input refused", payload=str(exc.problems[0])[-90:])
        return None
    event("input read", payload=f"{data.frames['person'].height} persons")
    person = data.frames["person"]
    # A 成员编号 column is the person key instead of the ID (docs/input-format.md).
    has_member_number = any(
        "成员编号" in csv_text(cell)
        for sheet in workbook.sheets.values()
        for row in sheet.rows[:5]
        for cell in row
    )
    if not has_member_number:
        assert_valid_ids(person["person_id"].to_list(), "person.person_id")
    obligor = data.frames.get("obligor")
    if obligor is not None and not has_member_number:
        assert_valid_ids(obligor["person_id"].to_list(), "obligor.person_id")
    for frame in data.frames.values():
        for name, dtype in frame.schema.items():
            if dtype.is_float():
                assert frame[name].drop_nulls().is_finite().all(), f"{name} not finite"
            elif dtype.is_integer():
                assert (frame[name].drop_nulls() >= 0).all(), f"{name} negative"
    return data


@FUZZ
@given(assess_workbooks())
def test_the_assess_workbook_is_refused_or_gives_only_valid_ids(workbook: Workbook) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(Path(folder) / "input.xlsx", workbook.sheets)
        check_input(path, workbook)


FOLDER_NAMES = {
    "家庭": "households",
    "households": "households",
    "成员": "persons",
    "persons": "persons",
    "家庭成员": "persons",
    "义务人": "obligors",
}


@FUZZ
@given(assess_workbooks(), st.lists(st.sampled_from(CSV_ENCODINGS), min_size=3, max_size=3))
def test_the_assess_folder_is_refused_or_gives_only_valid_ids(
    workbook: Workbook, encodings: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for (name, sheet), encoding in zip(workbook.sheets.items(), encodings, strict=False):
            write_csv(Path(folder) / f"{FOLDER_NAMES[name]}.csv", sheet, encoding)
        check_input(Path(folder), workbook)


# --- Every parser: a cell is a value or a refusal, never silently nothing ---------------------


PARSER_REGRESSIONS = [
    "99999999999999999999999",  # beyond Int64: was read as blank (no income)
    "92233720368547758.07",  # fen overflowed into another amount (万元: a negative one)
    "\u0660",  # an Arabic-Indic zero passed the digit pattern, then was read as blank
    "\u0662\u0660\u0662\u0665-09",  # a month in Arabic-Indic digits was kept as written
    "NaN",  # parse_float took NaN, inf and exponents
    "inf",
    "1e5",
]


@pytest.mark.parametrize("kind", ["yuan", "wan_yuan", "area", "int", "date", "period", "float"])
@FUZZ
@example(cells=PARSER_REGRESSIONS)
@given(
    cells=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from([d for d in DIRT if d != "\ud800"]),  # no decoded text holds one
            st.integers(0, 10**25).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(str),
            st.from_regex(r"\A[0-9.,eE+-]{1,30}\Z"),
        ),
        max_size=8,
    )
)
def test_a_parsed_cell_is_a_value_or_a_refusal(kind: str, cells: list[str]) -> None:
    from jiuzhu.feeds import parsing

    parser = {
        "yuan": parsing.parse_yuan,
        "wan_yuan": parsing.parse_wan_yuan,
        "area": parsing.parse_area,
        "int": parsing.parse_int,
        "date": parsing.parse_date,
        "period": parsing.parse_period,
        "float": parsing.parse_float,
    }[kind]("cell")
    frame = pl.DataFrame({"cell": cells}, schema={"cell": pl.String}).select(
        "cell", parser.value.alias("value"), parser.bad.alias("bad")
    )
    for cell, value, bad in frame.iter_rows():
        assert (value is None) == bool(bad), f"{kind}: {cell!r} gave {value!r}, bad={bad}"
        if isinstance(value, float):
            assert math.isfinite(value), f"{kind}: {cell!r}"
        if isinstance(value, int):
            assert value >= 0, f"{kind}: {cell!r} gave {value}"
        if isinstance(value, str):
            assert value.isascii(), f"{kind}: {cell!r} gave {value!r}"
