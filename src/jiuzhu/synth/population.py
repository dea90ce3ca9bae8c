"""The synthetic population of Baodi District: households, persons and support obligors.

Generation is vectorised: each step draws arrays for every household or person at once from one
seeded NumPy generator, in a fixed order, so a seed reproduces the district exactly.

The frames follow the engine's contract (``docs/input-format.md``): money in integer fen,
codes as the engine's Enums; extra columns (names, ID numbers, sex, hukou, division codes) are
what the registry and the department feeds need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from jiuzhu.reference import Division, baodi_divisions
from jiuzhu.synth.calibration import Calibration
from jiuzhu.synth.frames import as_engine_types, person_frame
from jiuzhu.synth.members import birth_dates, members
from jiuzhu.synth.templates import SIZE_SHARES, TEMPLATE_INDEX, TEMPLATE_SHARES, TEMPLATES

BAODI_RESIDENTS = 722_367
"""7th census (2020-11-01) resident population of Baodi (reference/baodi_key_figures.csv)."""

URBAN_COMMUNITY_WEIGHT = 8.0
"""A 居委会 community holds about eight times the households of a village: ≈ 40 % urban."""


@dataclass
class District:
    """The generated frames (engine contract plus registry columns)."""

    households: pl.DataFrame
    persons: pl.DataFrame
    obligors: pl.DataFrame
    on: dt.date
    seed: int
    scale: float


def generate(
    scale: float = 1.0,
    seed: int = 20251015,
    on: dt.date = dt.date(2025, 10, 15),
    calibration: Calibration | None = None,
) -> District:
    """Generate Baodi at ``scale`` (1.0 ≈ 722,000 residents) for assessment on ``on``.

    Raises:
        ValueError: ``scale`` not in (0, 2].
    """
    if not 0 < scale <= 2:
        raise ValueError(f"scale must be in (0, 2], got {scale}")
    calibration = calibration or Calibration()
    rng = np.random.default_rng(seed)
    households = _households(rng, round(BAODI_RESIDENTS * scale))
    persons = members(rng, households, on)
    households, persons = _economy(rng, households, persons, calibration, on)
    obligors = _obligors(rng, households, persons, calibration, on)
    return District(
        as_engine_types(_household_frame(households, on)),
        as_engine_types(person_frame(persons)),
        as_engine_types(obligors),
        on,
        seed,
        scale,
    )


# --- households ---------------------------------------------------------------------------------


def _communities() -> list[Division]:
    return sorted(
        (d for d in baodi_divisions().values() if d.level == "community"), key=lambda d: d.code
    )


def _households(rng: np.random.Generator, residents: int) -> dict[str, np.ndarray]:
    sizes_all = np.array(list(SIZE_SHARES))
    shares = np.array(list(SIZE_SHARES.values()))
    mean = float((sizes_all * shares).sum())
    draw = rng.choice(sizes_all, int(residents / mean * 1.05) + 10, p=shares / shares.sum())
    count = int(np.searchsorted(np.cumsum(draw), residents)) + 1
    sizes = draw[:count]
    template = np.empty(count, dtype=np.int16)
    for size, options in TEMPLATE_SHARES.items():
        where = np.flatnonzero(sizes == size)
        names_, weights = list(options), np.array(list(options.values()))
        picks = rng.choice(len(names_), where.shape[0], p=weights / weights.sum())
        template[where] = np.array([TEMPLATE_INDEX[n] for n in names_])[picks]
    communities = _communities()
    urban = np.array([c.kind == "居委会" for c in communities])
    weights = np.where(urban, URBAN_COMMUNITY_WEIGHT, 1.0)
    community = rng.choice(len(communities), count, p=weights / weights.sum())
    # Households of one community are contiguous, as a registry lists them.
    order = np.argsort(community, kind="stable")
    return {
        "size": sizes[order].astype(np.int64),
        "template": template[order],
        "community": community[order],
        "urban": urban[community[order]],
    }


# --- economy ------------------------------------------------------------------------------------

STANDARD_FEN = 104_500
"""The dibao standard the economy is drawn around (津民规〔2025〕6号, from 2025-09-01)."""


def _shares(table: dict[str, float], templates: np.ndarray) -> np.ndarray:
    names_ = [t.name for t in TEMPLATES]
    values = np.array([table.get(n, table["other"]) for n in names_])
    return np.asarray(values[templates])


def _economy(
    rng: np.random.Generator,
    households: dict[str, np.ndarray],
    persons: dict[str, np.ndarray],
    calibration: Calibration,
    on: dt.date,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Economic situation, incomes by component, assets, flags and the household's exceptions."""
    count = households["size"].shape[0]
    people = persons["household"].shape[0]
    household = persons["household"]
    age = persons["age"]
    # Members living apart (excluded from the household by rule) are drawn first, as they do
    # not count for the household's per-capita income.
    absence = _absences(rng, persons)
    counted = absence == "none"
    members = np.bincount(household, weights=counted, minlength=count).astype(np.int64)
    members = np.maximum(members, 1)
    situation, total, hardship, margin = _situations(rng, households, members, calibration)
    urban = households["urban"]
    income = _allocate_income(rng, total, persons, counted, urban)
    _add_disregarded_income(rng, income, persons)
    assets = _assets(rng, situation, members, household, persons, urban)
    # A religious professional has lived apart for 1–9 years: under 3 they still count.
    apart_days = rng.integers(365, 9 * 365, people).astype("timedelta64[D]")
    absent_since = np.where(
        absence == "religious_professional",
        np.datetime64(on, "D") - apart_days,
        np.datetime64("NaT"),
    )
    persons = {
        **persons,
        **income,
        **assets.pop("persons"),
        "absence_reason": absence,
        "absent_since": absent_since,
        "lives_with_household": ~(
            (persons["student_level"] != "none") & (age >= 18) & (rng.random(people) < 0.7)
        ),
    }
    households = {
        **households,
        "members": members,
        "situation": situation,
        **_household_flags(rng, households, persons, counted, total, hardship, margin, calibration),
        **assets["households"],
    }
    return households, persons


def _absences(rng: np.random.Generator, persons: dict[str, np.ndarray]) -> np.ndarray:
    """Per person, why they live apart from the household ("none" for most)."""
    age, role = persons["age"], persons["role"]
    people = age.shape[0]
    adult = age >= 18
    absence = np.full(people, "none", dtype=object)
    draw = rng.random(people)
    absence[(role != "head") & adult & (age < 60) & (draw < 0.0012)] = "prison"
    absence[(role == "child") & persons["male"] & (age >= 18) & (age <= 22) & (draw > 0.995)] = (
        "conscript"
    )
    absence[(role == "child") & adult & (draw > 0.0012) & (draw < 0.0014)] = (
        "compulsory_drug_rehabilitation"
    )
    absence[(role == "child") & adult & (draw > 0.0014) & (draw < 0.00155)] = "declared_missing"
    absence[(role == "child") & (age >= 25) & (draw > 0.9993) & (draw < 0.9996)] = (
        "religious_professional"
    )
    return absence.astype(str)


def _situations(
    rng: np.random.Generator,
    households: dict[str, np.ndarray],
    members: np.ndarray,
    calibration: Calibration,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per household: its situation (hardship, margin, regular or boundary), its monthly counted
    income (fen), and whether it was drawn in hardship or at the margin (before the boundary
    cases, which replace a few households' situation)."""
    count = members.shape[0]
    templates = households["template"]
    situation_draw = rng.random(count)
    hardship = situation_draw < _shares(calibration.hardship, templates)
    margin = ~hardship & (
        situation_draw
        < _shares(calibration.hardship, templates) + _shares(calibration.margin, templates)
    )
    urban = households["urban"]
    median = np.where(urban, calibration.urban_median_yuan, calibration.rural_median_yuan) * 100
    regular = np.exp(np.log(median) + rng.normal(0, calibration.spread, count))
    # Above the lines the household stays above 1.6 × the standard.
    floor = 1.6 * STANDARD_FEN + rng.uniform(0, 0.6 * STANDARD_FEN, count)
    per_capita = np.where(
        hardship,
        rng.uniform(0, 0.97, count) * STANDARD_FEN,
        np.where(margin, rng.uniform(1.02, 1.48, count) * STANDARD_FEN, np.maximum(regular, floor)),
    )
    total = np.rint(per_capita * members).astype(np.int64)
    # Boundary cases: a few households exactly at the lines (strict < for dibao, ≤ 1.5 × for
    # near-dibao) and a fen either side.
    boundary = np.flatnonzero(rng.random(count) < 0.0006)
    offsets = rng.choice(np.array([-1, 0, 1]), boundary.shape[0])
    at = np.where(
        rng.random(boundary.shape[0]) < 0.5,
        STANDARD_FEN * members[boundary],
        STANDARD_FEN * members[boundary] * 3 // 2,
    )
    total[boundary] = at + offsets
    situation = np.where(hardship, "hardship", np.where(margin, "margin", "regular"))
    situation[boundary] = "boundary"
    return situation, total, hardship, margin


def _add_disregarded_income(
    rng: np.random.Generator, income: dict[str, np.ndarray], persons: dict[str, np.ndarray]
) -> None:
    """Add to ``income`` the disregarded income and transfers out: pensions of the residents'
    scheme for the rural elderly, preferential payments for a few veterans' families,
    family-planning payments, scholarships; social-insurance contributions withheld from
    employee wages (fen a month)."""
    age = persons["age"]
    people = age.shape[0]
    rural_elderly = ~persons["urban"] & (age >= 60)
    income["residents_basic_pension"] = np.where(
        rural_elderly, rng.integers(20_000, 40_000, people), 0
    )
    income["preferential_payments"] = np.where(
        rng.random(people) < 0.004, rng.integers(50_000, 300_000, people), 0
    )
    income["family_planning_payments"] = np.where(
        (age >= 60) & (rng.random(people) < 0.02), 10_000, 0
    )
    scholarship = (persons["student_level"] != "none") & (rng.random(people) < 0.05)
    income["scholarships_and_rewards"] = np.where(
        scholarship, rng.integers(10_000, 60_000, people), 0
    )
    contributions = np.where(
        persons["urban"] & (income["wage_income"] > 0),
        np.rint(income["wage_income"] * 0.105 / 0.895).astype(np.int64),
        0,
    )
    income["wage_income"] = income["wage_income"] + contributions
    income["transfer_expenditure"] = contributions


def _household_flags(
    rng: np.random.Generator,
    households: dict[str, np.ndarray],
    persons: dict[str, np.ndarray],
    counted: np.ndarray,
    total: np.ndarray,
    hardship: np.ndarray,
    margin: np.ndarray,
    calibration: Calibration,
) -> dict[str, np.ndarray]:
    """The household's flags (elderly only, single parent, special support) and its rigid
    expenditure (fen a year)."""
    count = total.shape[0]
    household, age = persons["household"], persons["age"]
    elderly_only = np.bincount(household, weights=(age < 60) & counted, minlength=count) == 0
    single_parent = np.isin(
        households["template"], [TEMPLATE_INDEX["single_parent"], TEMPLATE_INDEX["single_parent_2"]]
    )
    seriously_ill = (
        np.bincount(household, weights=persons["serious_illness"] != "none", minlength=count) > 0
    )
    rigid = (
        seriously_ill
        & ~hardship
        & ~margin
        & (rng.random(count) < calibration.rigid_expenditure * 25)
    )
    annual = total * 12
    return {
        "elderly_only": elderly_only,
        "single_parent_family": single_parent,
        # 计划生育特殊家庭 (an only child lost or disabled) are over-represented among the poor.
        "family_planning_special_support": elderly_only
        & (rng.random(count) < np.where(hardship | margin, 0.06, 0.01)),
        "district_designated_hardship": (hardship | margin) & (rng.random(count) < 0.03),
        "rigid_medical_expenditure": np.where(
            rigid, np.rint(annual * rng.uniform(0.55, 0.9, count)), 0
        ).astype(np.int64),
        "rigid_education_expenditure": np.where(
            rigid & (rng.random(count) < 0.3), rng.integers(200_000, 1_500_000, count), 0
        ),
        "rigid_accident_expenditure": np.where(
            rng.random(count) < 0.0005, rng.integers(500_000, 5_000_000, count), 0
        ),
    }


def _allocate_income(
    rng: np.random.Generator,
    total: np.ndarray,
    persons: dict[str, np.ndarray],
    counted: np.ndarray,
    urban: np.ndarray,
) -> dict[str, np.ndarray]:
    """Split each household's monthly counted income among its members by component, exactly.

    Working-age members earn wages (business income in some rural households); where no one
    works, the elderly receive an employee pension (towns) or support from their children
    (villages); a household of minors or severely disabled adults receives other transfers.
    """
    household, age = persons["household"], persons["age"]
    count = total.shape[0]
    severe = (persons["disability_grade"] > 0) & (persons["disability_grade"] <= 2)
    earner = counted & (age >= 18) & (age < 60) & (persons["student_level"] == "none") & ~severe
    elder = counted & (age >= 60)
    has_earner = np.bincount(household, weights=earner, minlength=count) > 0
    has_elder = np.bincount(household, weights=elder, minlength=count) > 0
    receiver = np.where(
        has_earner[household], earner, np.where(has_elder[household], elder, counted)
    )
    # Households with nobody counted (all living apart) receive nothing.
    weight = np.where(receiver, rng.uniform(0.3, 1.0, household.shape[0]), 0.0)
    weight_sum = np.bincount(household, weights=weight, minlength=count)
    share = np.where(
        receiver,
        np.floor(total[household] * weight / np.where(weight_sum > 0, weight_sum, 1)[household]),
        0,
    ).astype(np.int64)
    remainder = total - np.bincount(household, weights=share, minlength=count).astype(np.int64)
    first = _first_index(household, receiver, count)
    valid = first >= 0
    np.add.at(share, first[valid], remainder[valid])
    rural_household = ~urban[household]
    business = rural_household & earner & (rng.random(household.shape[0]) < 0.15)
    pension_kind = np.where(urban[household], "employee_pension", "support_received")
    minor_only = ~has_earner[household] & ~has_elder[household]
    components = {
        "wage_income": np.where(earner & ~business, share, 0),
        "business_net_income": np.where(business, share, 0),
        "employee_pension": np.where(
            elder & ~has_earner[household] & (pension_kind == "employee_pension"), share, 0
        ),
        "support_received": np.where(
            elder & ~has_earner[household] & (pension_kind == "support_received"), share, 0
        ),
        "other_transfer_income": np.where(minor_only, share, 0),
    }
    return {k: v.astype(np.int64) for k, v in components.items()}


def _first_index(group: np.ndarray, mask: np.ndarray, groups: int) -> np.ndarray:
    """Per group, the index of its first element where ``mask`` holds (-1 if none)."""
    first = np.full(groups, -1, dtype=np.int64)
    where = np.flatnonzero(mask)
    # Reverse so that the first occurrence is written last.
    first[group[where[::-1]]] = where[::-1]
    return first


def _assets(
    rng: np.random.Generator,
    situation: np.ndarray,
    members: np.ndarray,
    household: np.ndarray,
    persons: dict[str, np.ndarray],
    urban: np.ndarray,
) -> dict[str, dict[str, np.ndarray]]:
    """Deposits and securities (held by the head), vehicles, homes, business capital."""
    count = situation.shape[0]
    low = np.isin(situation, ["hardship", "boundary"])
    margin = situation == "margin"
    dibao_limit = 24 * STANDARD_FEN * members
    near_limit = 36 * STANDARD_FEN * members
    wealth = np.exp(np.log(np.where(urban, 150_000_00, 80_000_00)) + rng.normal(0, 1.0, count))
    deposits = np.where(
        low,
        rng.uniform(0, 0.7, count) * dibao_limit,
        np.where(margin, rng.uniform(0, 0.95, count) * near_limit, wealth),
    )
    # A few in each situation just over or exactly at a limit (the asset tests' boundaries).
    edge = rng.random(count)
    deposits = np.where(low & (edge < 0.01), dibao_limit + rng.integers(0, 2, count), deposits)
    deposits = np.where(margin & (edge < 0.02), near_limit + rng.integers(0, 2, count), deposits)
    capital = np.where(
        ~low & ~margin & ~urban & (rng.random(count) < 0.06),
        rng.integers(5_000_000, 200_000_000, count),
        0,
    )
    vehicles = np.where(
        low,
        rng.random(count) < 0.004,
        np.where(margin, rng.random(count) < 0.03, rng.random(count) < np.where(urban, 0.38, 0.27)),
    )
    homes = rng.choice([0, 1, 2], count, p=[0.02, 0.93, 0.05])
    homes = np.where(low, np.minimum(homes, 1) + (rng.random(count) < 0.003), homes)
    head = _first_index(household, persons["role"] == "head", count)
    monetary = np.zeros(household.shape[0], dtype=np.int64)
    monetary[head] = np.rint(deposits).astype(np.int64) + capital
    physical = (persons["disability_category"] == "physical")[head]
    mobility = vehicles & physical & (rng.random(count) < 0.5)
    return {
        "persons": {
            "monetary_assets": monetary,
            "holds_rural_land_or_collective_share": ~persons["urban"]
            & (persons["age"] >= 18)
            & (rng.random(household.shape[0]) < 0.85),
            "tekun_support_form": np.where(
                (persons["age"] >= 70) & (rng.random(household.shape[0]) < 0.08),
                "institutional",
                "home_based",
            ),
        },
        "households": {
            "vehicles": vehicles.astype(np.int64),
            "disability_mobility_vehicles": mobility.astype(np.int64),
            "homes": homes.astype(np.int64),
            "per_capita_floor_area": np.round(rng.uniform(12, 48, count), 1),
            "non_residential_property": ~low & ~margin & (rng.random(count) < 0.02),
            "self_funded_study_abroad": ~low & (rng.random(count) < 0.002),
            "business_capital": capital.astype(np.int64),
        },
    }


# --- obligors -----------------------------------------------------------------------------------


def _obligors(
    rng: np.random.Generator,
    households: dict[str, np.ndarray],
    persons: dict[str, np.ndarray],
    calibration: Calibration,
    on: dt.date,
) -> pl.DataFrame:
    """Children living elsewhere of the elderly-only households (the obligors a tekun
    assessment looks at). Some elderly have none (``has_no_children``)."""
    count = households["size"].shape[0]
    low = np.isin(households["situation"], ["hardship", "boundary"])
    childless = households["elderly_only"] & (
        rng.random(count)
        < np.where(low, calibration.childless_in_hardship, calibration.childless_otherwise)
    )
    households["has_no_children"] = childless
    children = np.where(
        households["elderly_only"] & ~childless, rng.choice([1, 1, 2, 2, 3], count), 0
    )
    head = _first_index(persons["household"], persons["role"] == "head", count)
    supported = np.repeat(head, children)
    rows = supported.shape[0]
    parent_age = persons["age"][supported]
    age = np.clip(parent_age - rng.integers(22, 38, rows), 18, 80)
    income = np.rint(np.exp(np.log(55_000_00) + rng.normal(0, 0.7, rows))).astype(np.int64)
    frail = rng.random(rows)
    # In some poor families every child is unable to support under Art. 8 of the tekun rules
    # (a dibao recipient aged 60+, without civil capacity, or in prison, with few assets): the
    # parent is tekun despite having children.
    unable_family = (low & (rng.random(count) < 0.35))[np.repeat(np.arange(count), children)]
    kind = rng.random(rows)
    dibao_elder = unable_family & (age >= 60) & (kind < 0.6)
    incapable = unable_family & ~dibao_elder & (kind < 0.8)
    prison = unable_family & ~dibao_elder & ~incapable
    return pl.DataFrame(
        {
            "obligor_id": np.arange(rows, dtype=np.int64),
            "person_id": supported.astype(np.int64),
            "obligor_birth_date": birth_dates(rng, age, on),
            "obligor_annual_income": np.where((frail < 0.04) | unable_family, income // 8, income),
            "obligor_assets_within_low_income_limit": (frail < 0.06) | unable_family,
            "obligor_is_dibao_recipient": (frail < 0.01) | dibao_elder,
            "obligor_lacks_civil_capacity": incapable,
            "obligor_in_prison": (frail > 0.995) | prison,
            "obligor_disability_category": np.where(frail > 0.99, "physical", "none"),
            "obligor_disability_grade": pl.Series(
                np.where(frail > 0.99, 1, 0), dtype=pl.Int8
            ).replace(0, None),
        }
    )


# --- frames -------------------------------------------------------------------------------------


def _household_frame(households: dict[str, np.ndarray], on: dt.date) -> pl.DataFrame:
    communities = _communities()
    divisions = baodi_divisions()
    community = households["community"]
    codes = np.array([c.code for c in communities])[community]
    township = np.array([c.township_code for c in communities])[community]
    township_mca = np.array(
        [(divisions[c.township_code].mca_code or c.township_code) for c in communities]
    )[community]
    count = community.shape[0]
    return pl.DataFrame(
        {
            "household_id": np.arange(count, dtype=np.int64),
            "assessment_date": pl.Series([on] * count, dtype=pl.Date),
            "area_type": np.where(households["urban"], "urban", "rural"),
            "division_code": codes,
            "township_code": township,
            "township_mca_code": township_mca,
            "household_type": np.array([t.name for t in TEMPLATES])[households["template"]],
            "situation": households["situation"],
            **{
                name: households[name]
                for name in (
                    "single_parent_family",
                    "family_planning_special_support",
                    "has_no_children",
                    "district_designated_hardship",
                    "vehicles",
                    "disability_mobility_vehicles",
                    "homes",
                    "per_capita_floor_area",
                    "non_residential_property",
                    "self_funded_study_abroad",
                    "rigid_medical_expenditure",
                    "rigid_education_expenditure",
                    "rigid_accident_expenditure",
                    "business_capital",
                )
            },
        }
    )
