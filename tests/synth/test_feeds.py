"""The synthetic department feeds: as departments send them, consistent with the population,
dirty in the usual small ways, every one readable, and byte-identical for a seed."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import polars as pl
import pytest

from jiuzhu.feeds.base import SPECS, FeedResult, detect, read_feed
from jiuzhu.feeds.sources import SOURCES
from jiuzhu.synth.feeds import build_feeds, write_feeds
from jiuzhu.synth.feeds.layout import LAYOUTS, SyntheticFeed
from jiuzhu.synth.population import District, generate

SCALE = 0.02
SEED = 5
ON = dt.date(2025, 10, 15)
RECEIVED = dt.datetime(2025, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MONTH = dt.date(2025, 10, 1)
"""The discovery month's events (dated from MONTH) are news to the registry: the agreement with
the population holds for the records dated before it."""


@pytest.fixture(scope="module")
def district() -> District:
    return generate(SCALE, 20251015, ON)


@pytest.fixture(scope="module")
def feeds(district: District) -> dict[str, SyntheticFeed]:
    return build_feeds(district, SEED)


@pytest.fixture(scope="module")
def paths(district: District, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_feeds(district, tmp_path_factory.mktemp("feeds"), SEED)


@pytest.fixture(scope="module")
def results(district: District, paths: dict[str, Path]) -> dict[str, FeedResult]:
    known = district.persons["resident_id"]
    return {
        source: read_feed(path, SPECS[source], received_at=RECEIVED, known_ids=known)
        for source, path in paths.items()
    }


def _digests(paths: dict[str, Path]) -> dict[str, str]:
    return {s: hashlib.sha256(p.read_bytes()).hexdigest() for s, p in paths.items()}


# --- files --------------------------------------------------------------------------------------


def test_thirteen_files_in_a_mix_of_csv_encodings_and_workbooks(paths: dict[str, Path]) -> None:
    assert sorted(paths) == sorted(SOURCES)
    suffixes = {source: path.suffix for source, path in paths.items()}
    assert sum(s == ".csv" for s in suffixes.values()) == 6
    assert sum(s == ".xlsx" for s in suffixes.values()) == 7
    gb18030 = []
    for source, path in paths.items():
        if path.suffix != ".csv":
            assert path.read_bytes()[:2] == b"PK"
            continue
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raw.decode("gb18030")
            gb18030.append(source)
    assert sorted(gb18030) == ["financial_assets", "housing_fund", "social_insurance"]
    assert paths["tax"].read_bytes().startswith(b"\xef\xbb\xbf")  # Excel's "CSV UTF-8"
    assert b"\r\n" in paths["social_insurance"].read_bytes()[:400]


def test_headers_are_the_specs_own_and_differ_in_alias_between_sources(
    paths: dict[str, Path],
) -> None:
    first_line = paths["social_insurance"].read_bytes().split(b"\r\n")[0].decode("gb18030")
    assert first_line.split(",") == [
        "公民身份号码",
        "姓名",
        "险种",
        "费款所属期",
        "个人缴费金额",
        "待遇类型",
        "月待遇",
        "参保状态",
    ]
    tax_header = paths["tax"].read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert tax_header[0] == "纳税人识别号"
    sheet = openpyxl.load_workbook(paths["students"], read_only=True).active
    assert sheet is not None
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert header == (
        "学生身份证号",
        "学生姓名",
        "性别",
        "学校名称",
        "学段",
        "入学日期",
        "学籍状态",
    )
    id_headers = set()
    for source, layout in LAYOUTS.items():
        spec = SPECS[source]
        for field in spec.fields:
            assert layout.headers.get(field.name, field.header) in field.headers
        id_headers.add(layout.headers.get("resident_id", spec.field("resident_id").header))
    assert len(id_headers) >= 8


def test_workbooks_open_in_openpyxl_with_real_date_cells(paths: dict[str, Path]) -> None:
    workbook = openpyxl.load_workbook(paths["vehicles"], read_only=True)
    assert workbook.properties.modified == dt.datetime(2025, 10, 15, 1, 0)  # noqa: DTZ001 — UTC
    sheet = workbook.active
    assert sheet is not None
    assert sheet.title == "机动车登记信息"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    first_registered = [row[5] for row in rows]
    cells = [v for v in first_registered if isinstance(v, dt.datetime)]
    texts = [v for v in first_registered if isinstance(v, str)]
    assert len(cells) > 0.95 * len(rows)
    assert 1 <= len(texts) <= 0.02 * len(rows) + 1
    with zipfile.ZipFile(paths["vehicles"]) as archive:
        # Every entry carries XlsxWriter's one fixed time: the bytes depend on the cells only.
        assert len({info.date_time for info in archive.infolist()}) == 1


# --- reading back -------------------------------------------------------------------------------


def test_every_feed_reads_cleanly_with_the_expected_counts(
    feeds: dict[str, SyntheticFeed], results: dict[str, FeedResult]
) -> None:
    for source, feed in feeds.items():
        report = results[source].report
        assert report.bad == [], source
        assert report.rows == feed.rows + feed.duplicates, source
        assert report.accepted == feed.rows, source
        assert report.duplicates == feed.duplicates, source
        assert report.unknown_ids == feed.unknown_ids, source
        assert feed.rows > 0, source


def test_detect_recognises_every_generated_file(paths: dict[str, Path]) -> None:
    assert {source: detect(path).source for source, path in paths.items()} == {
        source: source for source in paths
    }


def test_row_counts_follow_the_population(
    district: District, feeds: dict[str, SyntheticFeed], results: dict[str, FeedResult]
) -> None:
    persons, households = district.persons, district.households
    earners = persons.filter(pl.col("wage_income") > 0).height
    assert feeds["tax"].rows == 6 * (earners + feeds["tax"].unknown_ids // 6)
    assert feeds["tax"].unknown_ids % 6 == 0 and feeds["tax"].unknown_ids > 0

    contributors = persons.filter(pl.col("transfer_expenditure") > 0).height
    pensioners = persons.filter(
        (pl.col("employee_pension") > 0) | (pl.col("residents_basic_pension") > 0)
    ).height
    # The latest month lacks the contributions stopped in it (a discovery signal).
    insurance = results["social_insurance"].frame().filter(pl.col("period") < "2025-09")
    suspended = insurance.filter(pl.col("status") == "suspended").height
    assert insurance.height == 2 * (3 * contributors + pensioners) + suspended
    assert suspended % 2 == 0
    latest = results["social_insurance"].frame().filter(pl.col("period") == "2025-09")
    assert 0 < latest.height < insurance.height // 2

    disabled = persons.filter(pl.col("disability_category") != "none").height
    certificates = results["disability"].frame()
    assert certificates.filter(pl.col("issued_on") < MONTH).height == disabled
    assert certificates.filter(pl.col("issued_on") >= MONTH).height > 0

    estate = results["real_estate"].frame().filter(pl.col("registered_on") < MONTH)
    assert estate.filter(pl.col("use") == "residential").height == households["homes"].sum()
    shops = households["non_residential_property"].sum()
    assert estate.filter(pl.col("use") != "residential").height == shops

    vehicles = results["vehicles"].frame().filter(pl.col("first_registered") < MONTH)
    current = vehicles.filter(pl.col("deregistered").is_null()).height
    assert current == households["vehicles"].sum() + feeds["vehicles"].unknown_ids

    students = results["students"].frame()
    enrolled = students.filter(pl.col("status") == "enrolled").height
    assert enrolled == persons.filter(pl.col("student_level") != "none").height

    entities = results["market_entities"].frame().filter(pl.col("established_on") < MONTH)
    active = entities.filter(pl.col("status") == "active").height
    assert active == households.filter(pl.col("business_capital") > 0).height


def test_amounts_agree_with_the_population(
    district: District, results: dict[str, FeedResult]
) -> None:
    persons = district.persons
    registry = persons.select("resident_id", "wage_income", "transfer_expenditure")

    tax = results["tax"].frame().join(registry, on="resident_id")
    assert tax.height > 0
    assert (tax["income"] == tax["wage_income"]).all()
    assert (tax["tax_withheld"] <= tax["income"]).all()
    assert tax["period"].unique().sort().to_list() == [
        "2025-04",
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
        "2025-09",
    ]

    insurance = results["social_insurance"].frame().filter(pl.col("period") < "2025-09")
    paid = (
        insurance.filter(pl.col("status") == "active")
        .group_by("resident_id", "period")
        .agg(pl.col("contribution").sum())
        .join(registry, on="resident_id")
        .filter(pl.col("transfer_expenditure") > 0)
    )
    assert paid.height == 2 * persons.filter(pl.col("transfer_expenditure") > 0).height
    assert (paid["contribution"] == paid["transfer_expenditure"]).all()

    heads = persons.join(district.households, on="household_id").filter(pl.col("relation") == "01")
    deposits = (
        results["financial_assets"].frame().group_by("resident_id").agg(pl.col("balance").sum())
    )
    capital = (
        results["market_entities"]
        .frame()
        .filter((pl.col("status") == "active") & (pl.col("established_on") < MONTH))
    )
    assets = (
        heads.select("resident_id", "monetary_assets")
        .join(deposits, on="resident_id", how="left")
        .join(capital.select("resident_id", "subscribed_capital"), on="resident_id", how="left")
        .with_columns(pl.col("balance", "subscribed_capital").fill_null(0))
    )
    assert (assets["balance"] + assets["subscribed_capital"] == assets["monetary_assets"]).all()

    area = (
        results["real_estate"]
        .frame()
        .filter((pl.col("use") == "residential") & (pl.col("registered_on") < MONTH))
        .group_by("resident_id")
        .agg(pl.col("floor_area").sum())
        .join(
            heads.select("resident_id", "household_id", "per_capita_floor_area"), on="resident_id"
        )
        .join(persons.group_by("household_id").len(), on="household_id")
    )
    expected = (area["per_capita_floor_area"] * area["len"] * 100).round().cast(pl.Int64)
    assert (area["floor_area"] == expected).all()


def test_medical_own_shares_add_up_to_the_rigid_medical_expenditure(
    district: District, results: dict[str, FeedResult]
) -> None:
    everything = results["medical_insurance"].frame()
    medical = everything.filter(pl.col("settled_on") < MONTH)
    assert {"special_outpatient", "inpatient", "outpatient"} <= set(medical["visit_type"])
    rigid = district.households.filter(pl.col("rigid_medical_expenditure") > 0)
    assert rigid.height > 0
    stays = (
        medical.filter(pl.col("visit_type") == "inpatient")
        .join(district.persons.select("resident_id", "household_id", "person_id"), on="resident_id")
        .join(rigid.select("household_id", "rigid_medical_expenditure"), on="household_id")
    )
    # The first seriously ill member of each such household carries the whole amount.
    first = stays.group_by("household_id").agg(pl.col("person_id").min())
    carried = (
        stays.join(first, on=["household_id", "person_id"])
        .group_by("household_id")
        .agg(pl.col("out_of_pocket").sum(), pl.col("rigid_medical_expenditure").first())
    )
    assert carried.height == rigid.height
    assert (carried["out_of_pocket"] == carried["rigid_medical_expenditure"]).all()
    window = medical["settled_on"]
    assert window.min() >= dt.date(2024, 10, 1)
    assert window.max() < dt.date(2025, 10, 1)
    # The discovery month's stays, some with a listed diagnosis the registry does not know.
    month = everything.filter(pl.col("settled_on") >= MONTH)
    assert month["settled_on"].max() < ON and month["visit_type"].unique().to_list() == [
        "inpatient"
    ]
    assert month["diagnosis"].null_count() < month.height
    stays = medical.filter(pl.col("visit_type") == "inpatient").join(
        district.persons.select("resident_id", pl.col("serious_illness").cast(pl.String)),
        on="resident_id",
    )
    assert (stays["diagnosis"].fill_null("none") == stays["serious_illness"]).all()


def test_people_records_match_the_registry(
    district: District, results: dict[str, FeedResult]
) -> None:
    persons = district.persons
    certificates = results["disability"].frame().filter(pl.col("issued_on") < MONTH)
    disability = certificates.join(persons, on="resident_id")
    assert disability.height == certificates.height
    assert (disability["category"] == disability["disability_category"].cast(pl.String)).all()
    assert (disability["grade"] == disability["disability_grade"].cast(pl.String)).all()
    deaths = results["deaths"].frame()
    assert deaths.height >= 3
    assert deaths["died_on"].min() >= ON - dt.timedelta(days=60)
    assert deaths["died_on"].max() < ON
    registered = (
        results["unemployment"]
        .frame()
        .filter((pl.col("status") == "registered") & (pl.col("registered_on") < MONTH))
    )
    idle = registered.join(persons, on="resident_id")
    assert idle.height == registered.height > 0
    assert (idle["wage_income"] + idle["business_net_income"] == 0).all()
    custody = results["custody"].frame().join(persons, on="resident_id")
    held = custody.filter(pl.col("started_on") < MONTH)
    assert (
        held.height
        == persons.filter(
            pl.col("absence_reason").is_in(["prison", "compulsory_drug_rehabilitation"])
        ).height
    )
    assert set(held["kind"]) <= {"prison", "compulsory_drug_rehabilitation"}
    assert custody.filter(pl.col("started_on") >= MONTH).height > 0
    names = results["tax"].frame().join(persons.select("resident_id", "name"), on="resident_id")
    assert (names["name"] == names["name_right"]).all()


# --- dirt ---------------------------------------------------------------------------------------


def test_each_kind_of_dirt_is_in_its_files_at_small_rates(feeds: dict[str, SyntheticFeed]) -> None:
    carried: dict[str, set[str]] = {}
    for source, feed in feeds.items():
        for kind, count in feed.dirt.items():
            if count:
                carried.setdefault(kind, set()).add(source)
        cells = feed.rows
        assert sum(feed.dirt.values()) <= 0.05 * cells + 8, source
        if feed.duplicates:
            assert feed.duplicates <= 0.01 * cells + 1, source
    assert carried["full_width"] >= {"tax", "housing_fund", "real_estate", "medical_insurance"}
    assert carried["lower_x"] >= {"social_insurance", "vehicles", "disability", "students"}
    assert carried["legacy"] >= {"social_insurance", "real_estate", "disability"}
    assert carried["odd_dates"] >= {"real_estate", "vehicles", "financial_assets", "deaths"}
    assert carried["odd_periods"] == {"tax", "social_insurance", "housing_fund"}
    duplicated = {s for s, f in feeds.items() if f.duplicates}
    assert duplicated == {
        "tax",
        "real_estate",
        "financial_assets",
        "medical_insurance",
        "disability",
    }
    unknown = {s for s, f in feeds.items() if f.unknown_ids}
    assert unknown == {"tax", "vehicles", "medical_insurance", "deaths"}


def test_dirty_ids_in_the_raw_files_read_back_as_registry_ids(
    district: District, paths: dict[str, Path], results: dict[str, FeedResult]
) -> None:
    registry = set(district.persons["resident_id"].to_list())
    raw = pl.read_csv(
        paths["social_insurance"].read_bytes().decode("gb18030").encode(), infer_schema=False
    )["公民身份号码"]
    legacy = raw.filter(raw.str.len_chars() == 15)
    lower = raw.filter(raw.str.ends_with("x"))
    assert legacy.len() > 0 and lower.len() > 0
    upgraded = {n[:6] + "19" + n[6:] for n in legacy.to_list()}
    assert all(any(r.startswith(u) for r in registry) for u in list(upgraded)[:20])
    read = set(results["social_insurance"].frame()["resident_id"].to_list())
    assert read <= registry
    assert {n.upper() for n in lower.to_list()} <= read

    tax = pl.read_csv(paths["tax"], infer_schema=False)["纳税人识别号"]
    wide = tax.filter(tax.str.contains("[０-９]"))
    assert wide.len() > 0
    read_tax = results["tax"].frame()["resident_id"]
    assert read_tax.str.contains(r"^\d{17}[\dX]$").all()
    unknown = set(read_tax.to_list()) - registry
    assert len(unknown) == results["tax"].report.unknown_ids // 6 > 0


def test_dates_and_months_in_other_forms_are_in_the_raw_files(paths: dict[str, Path]) -> None:
    estate = pl.read_csv(paths["real_estate"], infer_schema=False)["登簿日期"]
    slashed = estate.str.contains(r"^\d{4}/\d{1,2}/\d{1,2}$")
    assert slashed.sum() > 0.98 * estate.len()
    assert (~slashed).sum() >= 1
    months = pl.read_csv(
        paths["housing_fund"].read_bytes().decode("gb18030").encode(), infer_schema=False
    )["汇缴年月"]
    assert months.str.contains("年").sum() > 0.95 * months.len()
    assert months.str.contains(r"^\d{6}$").sum() + months.str.contains(r"^\d{4}-\d{2}$").sum() >= 1


# --- determinism --------------------------------------------------------------------------------


def test_the_same_seed_writes_byte_identical_files(
    district: District, paths: dict[str, Path], tmp_path: Path
) -> None:
    again = write_feeds(district, tmp_path / "again", SEED)
    assert _digests(again) == _digests(paths)
    other = write_feeds(district, tmp_path / "other", SEED + 1)
    differing = {s for s, d in _digests(other).items() if d != _digests(paths)[s]}
    assert {"tax", "vehicles", "medical_insurance"} <= differing
