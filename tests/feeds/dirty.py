"""Dirty tables for the reader fuzz: hypothesis strategies for the files other departments and
caseworkers really send, and writers that put them on disk as CSV (UTF-8 with or without BOM,
GB18030) or xlsx.

A drawn table is mostly plausible (valid IDs, dates in the forms people write, amounts in yuan)
with a drawn share of dirt: header variants (aliases, spaces, units in parentheses), title rows
and two-row headers, missing, duplicated and unknown columns, blank rows, and cells of any text —
full-width and other-script digits, zero-width and control characters, NaN, inf, exponents,
numbers too large for any column, 15-digit and future-born IDs, IDs kept in numeric cells.
Plausible rows matter: a fuzz whose every file is refused never tests what is accepted.

Used by ``tests/feeds/test_reader_fuzz.py`` and ``tests/web/test_reader_fuzz.py``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jiuzhu.feeds.base import FeedSpec, Field
from jiuzhu.feeds.ids import check_character

TODAY = dt.date(2025, 10, 15)
"""The fuzz's today: no ID may be born after it."""
ID_PATTERN = re.compile(r"\A[0-9]{17}[0-9X]\Z")
"""What every stored or returned resident ID must be."""

Cell = str | int | float | bool | dt.date | dt.datetime | None

AREAS = ("120224", "120115", "110101", "120199", "440305")
"""Baodi before and after 2001, Beijing, an unknown Tianjin code (a warning), Shenzhen."""
OTHER_DIGITS = ("\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\u1040", "\uff10", "\U0001d7ce")
"""Zero in Arabic-Indic, extended Arabic-Indic, Devanagari, Bengali, Thai, Myanmar, full width,
and mathematical bold (NFKC makes the last two ASCII)."""
DIRT = (
    "",
    " ",
    "\u3000",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e5",
    "1E+5",
    "1.20224E+17",
    "-1",
    "0",
    "0.001",
    "99999999999999999999999",
    "92233720368547758.07",
    "1e999",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x07",
    "\u202e",
    "\ud800",
    "１２３",
    "١٢٣",
    "३",
    "𣵦",
    "\ue000",
    "=1+1",
    '"',
    ",",
    "\n",
    "\r",
    "\r\n",
    "#N/A",
    "null",
    "—",
    "是",
    "否",
)
"""Cells that have broken readers elsewhere (surrogates and NUL included: a writer that cannot
store one drops it)."""
DIRT_TENTHS = st.sampled_from([0, 0, 0, 1, 3, 10])
"""How many cells in ten are spoilt: half the tables are clean, a few wholly dirty."""
NAMES = (
    "张三",
    "李四",
    "阿卜杜拉·买买提",
    "阿卜杜拉・买买提",
    "王\ue000",
    "李𣵦",
    "欧阳 娜娜",
    "赵\u200b某",
)


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws. False is the clean case, the one hypothesis draws
    most readily and shrinks to (a test of ``== 0`` would make the dirt the common case)."""
    return draw(st.integers(1, one_in)) == one_in


# --- Cells --------------------------------------------------------------------------------------


def id_text(first17: str) -> str:
    return first17 + check_character(first17)


@st.composite
def valid_ids(draw: st.DrawFn, latest: dt.date = TODAY) -> str:
    """A valid 18-character ID born by ``latest``."""
    area = draw(st.sampled_from(AREAS))
    birth = draw(st.dates(dt.date(1900, 1, 1), latest))
    return id_text(f"{area}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}")


@st.composite
def legacy_ids(draw: st.DrawFn) -> str:
    """A 15-digit legacy ID (GB 11643-1989): born in the 1900s, no check character."""
    area = draw(st.sampled_from(AREAS))
    birth = draw(st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)))
    return f"{area}{birth:%y%m%d}{draw(st.integers(0, 999)):03d}"


@st.composite
def future_ids(draw: st.DrawFn) -> str:
    """A well-formed ID whose birth date lies after the fuzz's today."""
    area = draw(st.sampled_from(AREAS))
    birth = draw(st.dates(TODAY + dt.timedelta(days=1), dt.date(2099, 12, 31)))
    return id_text(f"{area}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def mutated(draw: st.DrawFn, good: str) -> str:
    """``good`` as people and other systems spoil it: a digit of another script, an invisible
    or control character, full width, lower case, padding, a character lost or doubled."""
    if not good:
        return draw(st.sampled_from(DIRT))
    at = draw(st.integers(0, len(good) - 1))
    how = draw(st.sampled_from(["script", "insert", "width", "lower", "pad", "drop", "double"]))
    if how == "script" and good[at].isdigit() and good[at].isascii():
        return (
            good[:at]
            + chr(ord(draw(st.sampled_from(OTHER_DIGITS))) + int(good[at]))
            + good[at + 1 :]
        )
    if how == "insert":
        return good[:at] + draw(st.sampled_from(DIRT)) + good[at:]
    if how == "width":
        return full_width(good)
    if how == "lower":
        return good.lower()
    if how == "pad":
        return f" {good}\t"
    if how == "drop":
        return good[:at] + good[at + 1 :]
    return good[: at + 1] + good[at:]


def dirt() -> st.SearchStrategy[Cell]:
    """A cell of no particular kind: a known troublemaker, any text, or any number."""
    return st.one_of(
        st.sampled_from(DIRT),
        st.text(max_size=12),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
    )


def id_cells() -> st.SearchStrategy[Cell]:
    """An ID cell: valid as typed or spoilt, 15-digit, future-born, or in a numeric cell (an
    18-digit one has lost its last digits: Excel keeps 15)."""
    return st.one_of(
        valid_ids(),
        valid_ids().map(lambda t: t.lower()),
        valid_ids().map(full_width),
        legacy_ids(),
        future_ids(),
        legacy_ids().map(int),
        valid_ids().filter(lambda t: not t.endswith("X")).map(lambda t: float(int(t))),
        valid_ids().flatmap(mutated),
    )


def _date_text(day: dt.date, style: int) -> str:
    return (
        f"{day:%Y-%m-%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y%m%d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y.%m.%d}",
    )[style]


@st.composite
def date_cells(draw: st.DrawFn, first: dt.date = dt.date(1990, 1, 1)) -> Cell:
    """A date as departments write it, or a date cell (xlsx)."""
    day = draw(st.dates(first, TODAY))
    style = draw(st.integers(0, 6))
    if style == 5:
        return day
    if style == 6:
        return dt.datetime.combine(day, dt.time(draw(st.integers(0, 23))))
    return _date_text(day, style)


@st.composite
def period_cells(draw: st.DrawFn) -> Cell:
    day = draw(st.dates(dt.date(2020, 1, 1), TODAY))
    return draw(
        st.sampled_from(
            [f"{day:%Y-%m}", f"{day:%Y%m}", f"{day.year}年{day.month}月", f"{day.year}/{day.month}"]
        )
    )


@st.composite
def amount_cells(draw: st.DrawFn, decimals: int = 2) -> Cell:
    """An amount (yuan, 万元, square metres) as text or a number cell."""
    whole = draw(st.integers(0, 10**7))
    cents = draw(st.integers(0, 10**decimals - 1))
    style = draw(st.integers(0, 5))
    if style == 0:
        return whole
    if style == 1:
        return whole + cents / 10**decimals
    text = f"{whole}.{cents:0{decimals}d}" if cents else str(whole)
    if style == 2:
        return f"{whole:,}"
    if style == 3:
        return text + "元"
    if style == 4:
        return full_width(text)
    return text


def floor_area_cells() -> st.SearchStrategy[Cell]:
    """Square metres as the assessment input takes them: a plain decimal, as text or a number."""
    return st.one_of(
        st.integers(0, 500),
        st.integers(0, 50_000).map(lambda n: n / 100),
        st.integers(0, 50_000).map(lambda n: f"{n / 100}"),
    )


@st.composite
def code_cells(draw: st.DrawFn, spelling: Sequence[str]) -> Cell:
    """One of the accepted spellings; a digit spelling sometimes as a number cell."""
    chosen = draw(st.sampled_from(list(spelling)))
    return int(chosen) if chosen.isdigit() and draw(st.booleans()) else chosen


def text_cells() -> st.SearchStrategy[Cell]:
    return st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=10))


def good_cell(spec_field: Field) -> st.SearchStrategy[Cell]:
    """A plausible cell for a feed field."""
    kind = spec_field.kind
    if kind == "id":
        return id_cells()
    if kind == "date":
        return date_cells()
    if kind == "period":
        return period_cells()
    if kind in ("yuan", "area"):
        return amount_cells()
    if kind == "wan_yuan":
        return amount_cells(decimals=6)
    if kind == "int":
        return st.integers(0, 20).flatmap(lambda n: st.sampled_from([n, str(n), f"{n}.0"]))
    if kind in ("code", "bool"):
        return code_cells(list(spec_field.codes))
    return text_cells()


@st.composite
def spoilt(draw: st.DrawFn, good: st.SearchStrategy[Cell], dirt_tenths: int) -> Cell:
    """A good cell, or (``dirt_tenths`` times in ten) a spoilt or arbitrary one."""
    value = draw(good)
    if draw(st.integers(0, 9)) < 10 - dirt_tenths:
        return value
    if isinstance(value, str) and draw(st.booleans()):
        return draw(mutated(value))
    return draw(st.one_of(dirt(), st.none()))


# --- Headers and layout -------------------------------------------------------------------------


@st.composite
def header_variant(draw: st.DrawFn, spellings: Sequence[str]) -> str:
    """One of the spellings, sometimes with spaces, a unit in parentheses or full-width."""
    header = draw(st.sampled_from(list(spellings)))
    how = draw(st.integers(0, 9))
    if how == 9:
        return f" {header} "
    if how == 8 and len(header) > 1:
        return header[0] + " " + header[1:]
    if how == 7:
        return header + draw(st.sampled_from(["（元）", "(元/月)", "（必填）"]))
    if how == 6:
        return full_width(header)
    return header


@dataclass
class Sheet:
    """One table as written: every row (title and header rows included) and the cell ranges
    merged in a workbook (a two-row header's group)."""

    rows: list[list[Cell]]
    merges: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    """A column to write: its header, and the strategy of its data cells."""

    header: str
    cells: st.SearchStrategy[Cell]
    concept: str = ""
    """What the column is (a feed field's or an input key's name), for values that depend on
    each other within a row."""


@st.composite
def columns_of(
    draw: st.DrawFn, wanted: Sequence[Column], optional: Sequence[Column]
) -> list[Column]:
    """The columns a file has: the wanted ones (one may be missing), some of the optional ones,
    maybe an unknown one and a repeated one, in any order."""
    chosen = list(wanted) + [c for c in optional if draw(st.booleans())]
    if chosen and rarely(draw, 10):
        chosen.pop(draw(st.integers(0, len(chosen) - 1)))
    if rarely(draw, 10):
        chosen.append(Column(draw(st.sampled_from(["备注", "序号", "", "Unnamed: 3"])), dirt()))
    if chosen and rarely(draw, 10):
        chosen.append(draw(st.sampled_from(chosen)))
    return list(draw(st.permutations(chosen)))


@st.composite
def layout(draw: st.DrawFn, headers: list[str], body: list[list[Cell]]) -> Sheet:
    """The header and body as a file lays them out: a title row or two above, or a two-row
    header whose upper cell is merged over a group of columns; blank rows among the data."""
    rows: list[list[Cell]] = []
    merges: list[str] = []
    for _ in range(draw(st.integers(0, 2)) if rarely(draw, 4) else 0):
        rows.append([draw(st.sampled_from(["2025年9月明细", "填报单位：宝坻区", ""]))])
    width = len(headers)
    if width >= 2 and rarely(draw, 5):
        start = draw(st.integers(0, width - 2))
        end = draw(st.integers(start + 2, width))
        upper: list[Cell] = [h if not start <= i < end else None for i, h in enumerate(headers)]
        upper[start] = draw(st.sampled_from(["金额", "基本信息", "身份信息"]))
        lower: list[Cell] = [h if start <= i < end else None for i, h in enumerate(headers)]
        line = len(rows) + 1
        merges.append(f"{_letter(start)}{line}:{_letter(end - 1)}{line}")
        rows += [upper, lower]
    else:
        rows.append(list(headers))
    blank_every = draw(st.integers(1, 3)) if rarely(draw, 5) else 0
    for index, row in enumerate(body):
        if blank_every and index % blank_every == blank_every - 1:
            rows.append([None] * width)
        rows.append(row)
    if rarely(draw, 5):
        rows.append([None] * width)
    return Sheet(rows, merges)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- Department feeds ---------------------------------------------------------------------------


@st.composite
def feed_sheets(draw: st.DrawFn, spec: FeedSpec) -> Sheet:
    """A department's file for ``spec``: 0–6 rows, a drawn share of dirt."""
    dirt_tenths = draw(DIRT_TENTHS)
    wanted = [
        Column(draw(header_variant(f.headers)), spoilt(good_cell(f), dirt_tenths), f.name)
        for f in spec.fields
        if f.required
    ]
    optional = [
        Column(draw(header_variant(f.headers)), spoilt(good_cell(f), dirt_tenths), f.name)
        for f in spec.fields
        if not f.required
    ]
    chosen = draw(columns_of(wanted, optional))
    body = []
    for _ in range(draw(st.integers(0, 6))):
        row = {c.concept: draw(c.cells) for c in chosen}
        _consistent(spec, row)
        body.append([row[c.concept] for c in chosen])
    return draw(layout([c.header for c in chosen], body))


def _consistent(spec: FeedSpec, row: dict[str, Cell]) -> None:
    """Values that a source's cross-field rule ties together, made to agree where they are
    plain (a disability certificate carries the ID, category and grade; a settlement's parts
    add up to its total)."""
    if spec.source == "disability":
        from jiuzhu.feeds.disability import CATEGORIES, CATEGORY_DIGIT, GRADES

        person, category, grade = row.get("resident_id"), row.get("category"), row.get("grade")
        if (
            isinstance(person, str)
            and str(category) in CATEGORIES
            and str(grade) in GRADES
            and row.get("certificate") in NAMES
        ):
            digit = CATEGORY_DIGIT[CATEGORIES[str(category)]]
            row["certificate"] = f"{person.strip().upper()}{digit}{GRADES[str(grade)]}"
    if spec.source == "medical_insurance":
        parts = ("fund_paid", "critical_illness_paid", "assistance_paid", "out_of_pocket")
        if all(isinstance(row.get(p), int) and not isinstance(row.get(p), bool) for p in parts):
            row["total_cost"] = sum(int(row[p] or 0) for p in parts)


# --- Assessment input and the registry workbook -------------------------------------------------

DIVISIONS = ("120115001001", "120115002001", "120115001201", "120115001", "120224001001")
"""Two Baodi urban communities, a village and a township (valid), and a code of the retired
county (not a division now)."""


@dataclass
class Workbook:
    """Sheets by name (the assessment input and the registry import read the same format)."""

    sheets: dict[str, Sheet]


@st.composite
def assess_workbooks(draw: st.DrawFn, obligors: bool = True) -> Workbook:
    """A caseworker's workbook: 家庭, 成员 and maybe 义务人, linked by 家庭编号 and ID."""
    dirt_tenths = draw(DIRT_TENTHS)
    households = [f"A{i}" for i in range(1, draw(st.integers(1, 3)) + 1)]
    household_sheet = draw(_household_sheet(households, dirt_tenths))
    members: list[tuple[str, str]] = []
    for household in households:
        for _ in range(draw(st.integers(1, 3))):
            members.append((household, draw(valid_ids())))
    person_sheet = draw(_person_sheet(members, dirt_tenths))
    sheets = {
        draw(st.sampled_from(["家庭", "households"])): household_sheet,
        draw(st.sampled_from(["成员", "persons", "家庭成员"])): person_sheet,
    }
    if obligors and members and draw(st.booleans()):
        sheets["义务人"] = draw(_obligor_sheet([m for _, m in members], dirt_tenths))
    if rarely(draw, 20):
        del sheets[draw(st.sampled_from(sorted(sheets)))]
    return Workbook(sheets)


@st.composite
def _household_sheet(draw: st.DrawFn, households: list[str], dirt_tenths: int) -> Sheet:
    def column(spellings: Sequence[str], cells: st.SearchStrategy[Cell], concept: str) -> Column:
        return Column(draw(header_variant(spellings)), spoilt(cells, dirt_tenths), concept)

    wanted = [
        column(("家庭编号", "户编号"), st.nothing(), "household_id"),
        column(("区划代码", "行政区划代码"), st.sampled_from(DIVISIONS), "division_code"),
        column(("城乡类别",), st.sampled_from(["城镇", "农村", "urban", "rural"]), "area_type"),
    ]
    optional = [
        column(("评估日期",), date_cells(dt.date(2025, 1, 1)), "assessment_date"),
        column(("机动车数量",), st.integers(0, 3), "vehicles"),
        column(("人均住房建筑面积",), floor_area_cells(), "per_capita_floor_area"),
        column(("近12个月家庭收入",), amount_cells(), "declared_annual_income"),
        column(("单亲家庭",), st.sampled_from(["是", "否", True]), "single_parent_family"),
    ]
    chosen = draw(columns_of(wanted, optional))
    body = []
    for household in households:
        row = {c.concept: draw(c.cells) for c in chosen if c.concept != "household_id"}
        row["household_id"] = draw(spoilt(st.just(household), dirt_tenths))
        body.append([row.get(c.concept) for c in chosen])
    return draw(layout([c.header for c in chosen], body))


@st.composite
def _person_sheet(draw: st.DrawFn, members: list[tuple[str, str]], dirt_tenths: int) -> Sheet:
    def column(spellings: Sequence[str], cells: st.SearchStrategy[Cell], concept: str) -> Column:
        return Column(draw(header_variant(spellings)), spoilt(cells, dirt_tenths), concept)

    from jiuzhu.feeds.headers import ALIASES

    wanted = [
        column(("家庭编号",), st.nothing(), "household_id"),
        column(ALIASES["resident_id"], st.nothing(), "resident_id"),
        column(("姓名",), text_cells(), "name"),
        column(("与申请人关系",), st.sampled_from(["10", "20", "子", "配偶"]), "relation"),
    ]
    optional = [
        column(("工资性收入", "工资性收入（月均）"), amount_cells(), "wage_income"),
        column(("残疾等级",), st.sampled_from([1, 2, "3", "4.0"]), "disability_grade"),
        column(("残疾类别",), st.sampled_from(["肢体", "视力残疾", "none"]), "disability_category"),
        column(("货币财产",), amount_cells(), "monetary_assets"),
        column(("出生日期",), date_cells(dt.date(1930, 1, 1)), "birth_date"),
    ]
    if rarely(draw, 10):
        optional.append(column(("成员编号",), st.text(max_size=4), "person_id"))
    chosen = draw(columns_of(wanted, optional))
    body = []
    keys = ("household_id", "resident_id")
    seen: set[str] = set()
    for household, person in members:
        row = {c.concept: draw(c.cells) for c in chosen if c.concept not in keys}
        if household not in seen:  # each household's first member is the applicant
            row["relation"] = draw(spoilt(st.sampled_from(["01", "本人", 1]), dirt_tenths))
            seen.add(household)
        if "disability_grade" not in row or "disability_category" not in row:
            row.pop("disability_grade", None)  # one needs the other (GB/T 26341)
            row.pop("disability_category", None)
        if "birth_date" in row:  # as the ID has it
            born = dt.date(int(person[6:10]), int(person[10:12]), int(person[12:14]))
            row["birth_date"] = draw(
                spoilt(st.sampled_from([born, f"{born:%Y-%m-%d}"]), dirt_tenths)
            )
        row["household_id"] = draw(spoilt(st.just(household), dirt_tenths))
        row["resident_id"] = draw(spoilt(_id_as_written(person), dirt_tenths))
        body.append([row.get(c.concept) for c in chosen])
    return draw(layout([c.header for c in chosen], body))


def _id_as_written(person: str) -> st.SearchStrategy[Cell]:
    """A member's valid ID as a caseworker writes it (case, width, a numeric cell)."""
    written: list[Cell] = [person, person.lower(), full_width(person), f" {person} "] * 3
    if person.isdigit():  # one time in thirteen, a numeric cell (refused: digits lost)
        written.append(float(int(person)))
    return st.sampled_from(written)


@st.composite
def _obligor_sheet(draw: st.DrawFn, supported: list[str], dirt_tenths: int) -> Sheet:
    def column(spellings: Sequence[str], cells: st.SearchStrategy[Cell], concept: str) -> Column:
        return Column(draw(header_variant(spellings)), spoilt(cells, dirt_tenths), concept)

    wanted = [
        column(("被供养人身份证号", "被赡养人身份证号"), st.sampled_from(supported), "person_id"),
        column(("义务人身份证号",), id_cells(), "obligor_resident_id"),
        column(("义务人出生日期",), date_cells(dt.date(1930, 1, 1)), "obligor_birth_date"),
    ]
    optional = [
        column(("义务人年收入",), amount_cells(), "obligor_annual_income"),
        column(("义务人姓名",), text_cells(), "obligor_name"),
        column(("义务人财产符合低收入家庭财产条件",), st.sampled_from(["是", "否"]), "assets"),
    ]
    chosen = draw(columns_of(wanted, optional))
    body = [[draw(c.cells) for c in chosen] for _ in range(draw(st.integers(1, 3)))]
    return draw(layout([c.header for c in chosen], body))


# --- Writers ------------------------------------------------------------------------------------

CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")


def csv_text(cell: Cell) -> str:
    """A cell as a spreadsheet program saves it to CSV (a long number in scientific notation,
    as Excel shows it)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) >= 1e15:
        return f"{cell:.5E}".replace("E+0", "E+")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return f"{cell:%Y/%m/%d %H:%M}"
    if isinstance(cell, dt.date):
        return f"{cell:%Y/%m/%d}"
    return str(cell)


def csv_bytes(sheet: Sheet, encoding: str, newline: str = "\r\n") -> bytes:
    """The sheet as a CSV file in ``encoding``; a character the encoding cannot hold (a lone
    surrogate) is written as the invalid bytes another program would leave."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    for row in sheet.rows:
        writer.writerow([csv_text(c) for c in row])
    text = out.getvalue()
    if encoding.startswith("utf"):
        data = text.encode("utf-8", errors="surrogatepass")
        return codecs.BOM_UTF8 + data if encoding == "utf-8-sig" else data
    return text.encode(encoding, errors="replace")


def write_csv(path: Path, sheet: Sheet, encoding: str, newline: str = "\r\n") -> Path:
    path.write_bytes(csv_bytes(sheet, encoding, newline))
    return path


_SURROGATES = re.compile("[\ud800-\udfff]")


def _xlsx_cell(cell: Cell) -> Cell:
    """What openpyxl can store: text without the XML-illegal control characters and lone
    surrogates (a spreadsheet program cannot hold them either)."""
    if isinstance(cell, str):
        return _SURROGATES.sub("", ILLEGAL_CHARACTERS_RE.sub("", cell))
    return cell


def write_xlsx(path: Path, sheets: dict[str, Sheet]) -> Path:
    """A workbook of these sheets: text cells as text (never formulas), numbers and dates as
    typed cells, the two-row headers' merges."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, sheet in sheets.items():
        target = book.create_sheet(name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = target.cell(r, c, _xlsx_cell(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # "=1+1" typed as text stays text
        for merged in sheet.merges:
            target.merge_cells(merged)
    book.save(path)
    return path
