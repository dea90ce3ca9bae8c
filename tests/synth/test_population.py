"""The synthetic district: reproducible, valid, plausible, calibrated, and exercising every rule."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from jiuzhu.feeds.ids import valid_expr
from jiuzhu.reference import baodi_divisions
from jiuzhu.rules import load_system
from jiuzhu.synth import names
from jiuzhu.synth.population import District, generate
from jiuzhu.synth.run import _write_frames
from jiuzhu.synth.summary import district_figures

SCALE = 0.1
ON = dt.date(2025, 10, 15)


@pytest.fixture(scope="module")
def district() -> District:
    return generate(SCALE, 20251015, ON)


@pytest.fixture(scope="module")
def assessed(district: District) -> dict[str, pl.DataFrame]:
    system = load_system("tianjin")
    result = system.simulate(district.households, district.persons, district.obligors, trace=True)
    return {"households": result.households, "persons": result.persons}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_same_seed_gives_byte_identical_frames(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder, seed in ((first, 5), (second, 5), (other, 6)):
        folder.mkdir()
        _write_frames(generate(0.01, seed, ON), folder)
    assert _digests(first) == _digests(second)
    assert _digests(first)["persons.parquet"] != _digests(other)["persons.parquet"]


def test_size_and_age_profile(district: District) -> None:
    assert district.persons.height == pytest.approx(722_000 * SCALE, rel=0.01)
    sizes = district.persons.group_by("household_id").len()["len"]
    assert sizes.min() == 1 and sizes.max() == 6
    assert 2.2 < sizes.mean() < 2.8


def test_every_id_is_valid_and_unique_with_era_correct_address_codes(district: District) -> None:
    persons = district.persons
    assert persons.select(valid_expr("resident_id").all()).item()
    assert persons["resident_id"].n_unique() == persons.height
    coded = persons.select(
        pl.col("resident_id").str.slice(0, 6).alias("address"),
        pl.col("birth_date").dt.year().alias("year"),
        pl.col("resident_id").str.slice(6, 8).alias("digits"),
        pl.col("birth_date").dt.strftime("%Y%m%d").alias("birth"),
        (pl.col("resident_id").str.slice(16, 1).cast(pl.Int32) % 2 == 1).alias("odd"),
        pl.col("sex"),
    )
    assert (coded["digits"] == coded["birth"]).all()
    # GB 11643: the 17th digit is odd for men (sex code 1).
    assert (coded["odd"] == (coded["sex"] == "1")).all()
    local = coded.filter(pl.col("address").is_in(["120224", "120115"]))
    assert (local.filter(pl.col("year") < 2001)["address"] == "120224").all()
    assert (local.filter(pl.col("year") >= 2001)["address"] == "120115").all()
    migrants = 1 - local.height / coded.height
    assert 0.03 < migrants < 0.15


def test_every_division_code_is_a_real_baodi_community(district: District) -> None:
    divisions = baodi_divisions()
    codes = district.households["division_code"].unique().to_list()
    assert all(divisions[c].level == "community" for c in codes)
    townships = district.households["township_code"].unique().to_list()
    assert len(townships) == len({d.township_code for d in divisions.values()})
    assert district.households["township_mca_code"].str.len_chars().eq(9).all()


def test_names_are_chinese_names_matching_sex(district: District) -> None:
    persons = district.persons.select("name", "sex")
    compound = [s for s in names.SURNAMES.tolist() if len(s) == 2]  # 欧阳
    length = pl.when(pl.col("name").str.slice(0, 2).is_in(compound)).then(2).otherwise(1)
    split = persons.with_columns(
        pl.col("name").str.head(length).alias("surname"),
        pl.col("name").str.slice(length).alias("given"),
    )
    assert split["surname"].is_in(names.SURNAMES.tolist()).all()
    for sex, whole, chars in (
        ("1", names.MALE, names.MALE_CHARS),
        ("2", names.FEMALE, names.FEMALE_CHARS),
    ):
        given = split.filter(pl.col("sex") == sex)["given"]
        single = given.is_in(whole.tolist())
        double = (
            (given.str.len_chars() == 2)
            & given.str.slice(0, 1).is_in(chars.tolist())
            & given.str.slice(1, 1).is_in(chars.tolist())
        )
        assert (single | double).all()


def test_caseloads_fall_inside_the_scaled_bands(district: District) -> None:
    figures = {f.quantity: f for f in district_figures(district)}
    for quantity in (
        "低保 persons",
        "特困 persons",
        "低保边缘 households",
        "60+ share of residents",
    ):
        figure = figures[quantity]
        assert figure.inside, f"{quantity}: {figure.value} not in {figure.low}–{figure.high}"


def test_the_district_exercises_every_rule(
    district: District, assessed: dict[str, pl.DataFrame]
) -> None:
    households, persons = assessed["households"], assessed["persons"]

    def some(frame: pl.DataFrame, condition: pl.Expr) -> int:
        return frame.filter(condition).height

    # Every program grants someone.
    for status in ("dibao_eligible", "near_dibao_status", "single_person_unit_available"):
        assert some(households, pl.col(status).fill_null(False)) > 0, status
    assert some(persons, pl.col("tekun_eligible").fill_null(False)) > 0
    # Rigid-expenditure families are there; their decision waits for 2024's disposable income,
    # which no source gives yet (spec-addendum decision 8).
    assert some(households, pl.col("rigid_ratio_test").fill_null(False)) > 0
    assert some(households, pl.col("rigid_expenditure_eligible").is_null()) > 0
    # Each near-dibao cash category.
    near = households.filter(pl.col("near_dibao_status").fill_null(False))
    members = persons.join(near.select("household_id"), on="household_id")
    assert members.filter(pl.col("has_disability")).height > 0
    assert members.filter(pl.col("serious_or_special_illness")).height > 0
    for flag in (
        "single_parent_family",
        "family_planning_special_support",
        "has_no_children",
        "district_designated_hardship",
    ):
        assert near[flag].any(), flag
    # Each classified income deduction (disability and serious illness).
    deducted = persons.filter(pl.col("classified_deduction") > 0)
    assert deducted.filter(pl.col("disability_class").cast(pl.String) != "none").height > 0
    assert deducted.filter(pl.col("serious_illness").cast(pl.String) != "none").height > 0
    # Tekun persons with and without obligors able to support.
    tekun_reasons = persons["tekun_reasons"]
    able = load_system("tianjin").variables["tekun_reasons"].reasons
    assert able is not None
    assert (tekun_reasons & able.bits(["TEKUN_OBLIGOR_ABLE"]) != 0).any()
    supported = district.obligors["person_id"].unique()
    eligible = persons.filter(pl.col("tekun_eligible").fill_null(False))
    assert eligible["person_id"].is_in(supported.implode()).any()
    assert (~eligible["person_id"].is_in(supported.implode())).any()
    # Members excluded from the household, and a cleric away under three years still counted.
    absent = persons.filter(pl.col("absence_reason").cast(pl.String) != "none")
    for reason in ("prison", "conscript", "religious_professional"):
        assert absent.filter(pl.col("absence_reason") == reason).height > 0, reason
    assert not absent.filter(pl.col("absence_reason") != "religious_professional")[
        "household_member"
    ].any()
    clerics = absent.filter(pl.col("absence_reason") == "religious_professional")
    assert clerics["household_member"].any() and not clerics["household_member"].all()
    # Boundary cases: income exactly at the dibao line (not eligible: strict <) and a fen below.
    gap = pl.col("assessed_income") - pl.col("dibao_income_limit")
    assert some(households, gap == 0) > 0 and some(households, gap == -1) > 0
    assert not households.filter(gap == 0)["dibao_eligible"].fill_null(False).any()
