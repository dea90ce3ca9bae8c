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

from jiuzhu.feeds.ids import check_character_series
from jiuzhu.reference import Division, baodi_divisions
from jiuzhu.synth import names
from jiuzhu.synth.calibration import Calibration
from jiuzhu.synth.frames import as_engine_types, person_frame

BAODI_RESIDENTS = 722_367
"""7th census (2020-11-01) resident population of Baodi (reference/baodi_key_figures.csv)."""

OLD_BAODI_CODE, NEW_BAODI_CODE = "120224", "120115"
"""ID address codes: 宝坻县 until the 2001 change to 宝坻区 (reference/README.md)."""
MIGRANT_CODES = ("130223", "130281", "130682", "370983", "410184", "120221", "120223", "230103")
"""Address codes of people born elsewhere (Hebei, Shandong, Henan, other Tianjin districts, …)."""


@dataclass(frozen=True)
class Template:
    """A household type: the roles of its members, by position."""

    name: str
    roles: tuple[str, ...]
    head_ages: tuple[int, int]


# Roles: head (the applicant, GB/T 4761 01), spouse, child (of the head), parent (of the head),
# child_in_law, grandchild.
TEMPLATES: tuple[Template, ...] = (
    Template("single_adult", ("head",), (18, 59)),
    Template("single_elderly", ("head",), (60, 95)),
    Template("couple_young", ("head", "spouse"), (22, 59)),
    Template("couple_elderly", ("head", "spouse"), (60, 92)),
    Template("single_parent", ("head", "child"), (26, 52)),
    Template("elder_with_child", ("head", "child"), (62, 92)),
    Template("couple_child", ("head", "spouse", "child"), (24, 55)),
    Template("single_parent_2", ("head", "child", "child"), (28, 52)),
    Template("elder_couple_child", ("head", "spouse", "child"), (60, 88)),
    Template("couple_2children", ("head", "spouse", "child", "child"), (26, 52)),
    Template("three_generation_4", ("head", "spouse", "child", "parent"), (28, 55)),
    Template("elder_child_family", ("head", "child", "child_in_law", "grandchild"), (62, 88)),
    Template("three_generation_5", ("head", "spouse", "child", "parent", "parent"), (28, 55)),
    Template(
        "three_generation_6", ("head", "spouse", "child", "child", "parent", "parent"), (30, 55)
    ),
)
TEMPLATE_INDEX = {t.name: i for i, t in enumerate(TEMPLATES)}

# (size, share of households) and, per size, the templates and their shares.
SIZE_SHARES = {1: 0.17, 2: 0.34, 3: 0.25, 4: 0.15, 5: 0.07, 6: 0.02}
TEMPLATE_SHARES = {
    1: {"single_adult": 0.62, "single_elderly": 0.38},
    2: {
        "couple_young": 0.49,
        "couple_elderly": 0.25,
        "single_parent": 0.10,
        "elder_with_child": 0.16,
    },
    3: {"couple_child": 0.66, "single_parent_2": 0.08, "elder_couple_child": 0.26},
    4: {"couple_2children": 0.48, "three_generation_4": 0.35, "elder_child_family": 0.17},
    5: {"three_generation_5": 1.0},
    6: {"three_generation_6": 1.0},
}
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
    persons = _persons(rng, households, on)
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


# --- persons ------------------------------------------------------------------------------------


def _persons(
    rng: np.random.Generator, households: dict[str, np.ndarray], on: dt.date
) -> dict[str, np.ndarray]:
    """Members by template role, with ages, sexes, relations, names, ID numbers and health."""
    count = households["size"].shape[0]
    roles_of = [t.roles for t in TEMPLATES]
    sizes = households["size"]
    household = np.repeat(np.arange(count), sizes)
    position = np.arange(household.shape[0]) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    template = households["template"][household]
    role = np.array(
        [roles_of[t][p] for t, p in zip(template.tolist(), position.tolist(), strict=True)]
    )
    low = np.array([TEMPLATES[t].head_ages[0] for t in range(len(TEMPLATES))])[
        households["template"]
    ]
    high = np.array([TEMPLATES[t].head_ages[1] for t in range(len(TEMPLATES))])[
        households["template"]
    ]
    head_age = rng.integers(low, high + 1)[household]
    persons = household.shape[0]
    age = np.select(
        [
            role == "head",
            role == "spouse",
            role == "child",
            role == "parent",
            role == "child_in_law",
            role == "grandchild",
        ],
        [
            head_age,
            head_age + np.rint(rng.normal(0, 3, persons)).astype(int),
            head_age - rng.integers(22, 37, persons),
            head_age + rng.integers(24, 35, persons),
            head_age - rng.integers(24, 37, persons),
            head_age - rng.integers(46, 66, persons),
        ],
    )
    age = np.clip(age, 0, 100)
    # Spouses are adults; adult children of elderly heads are at least 25.
    age = np.where(role == "spouse", np.maximum(age, 20), age)
    elder_head = head_age >= 60
    age = np.where((role == "child") & elder_head, np.maximum(age, 25), age)
    head_male = np.asarray(rng.random(count) < 0.72)
    male = np.select(
        [role == "head", role == "spouse", role == "parent", role == "child_in_law"],
        [
            head_male[household],
            ~head_male[household],
            position % 2 == 1,
            ~(rng.random(persons) < 0.5),
        ],
        rng.random(persons) < 0.51,
    )
    # Heads of single-parent households are more often mothers.
    single_parent = np.isin(
        households["template"], [TEMPLATE_INDEX["single_parent"], TEMPLATE_INDEX["single_parent_2"]]
    )
    male = np.where((role == "head") & single_parent[household], rng.random(persons) < 0.25, male)
    relation = np.select(
        [
            role == "head",
            role == "spouse",
            (role == "child") & male,
            role == "child",
            (role == "parent") & male,
            role == "parent",
            (role == "child_in_law") & male,
            role == "child_in_law",
            (role == "grandchild") & male,
        ],
        ["01", "10", "20", "30", "51", "52", "28", "38", "41"],
        "42",
    )
    birth = _birth_dates(rng, age, on)
    family_name = names.surnames(rng, count)[household]
    own_name = names.surnames(rng, persons)
    # Children, grandchildren and the head's father carry the household's surname.
    same = np.isin(role, ["head", "child", "grandchild"]) | ((role == "parent") & male)
    surname = np.where(same, family_name, own_name)
    name = np.char.add(surname, names.given_names(rng, male))
    resident_id, migrant = _resident_ids(rng, birth, male)
    return {
        "household": household,
        "role": role,
        "age": age,
        "male": male,
        "relation": relation,
        "birth": birth,
        "name": name,
        "resident_id": resident_id,
        "migrant": migrant,
        "urban": households["urban"][household],
        **_health(rng, age),
    }


def _birth_dates(rng: np.random.Generator, age: np.ndarray, on: dt.date) -> np.ndarray:
    """A birth date giving exactly ``age`` completed years on ``on``."""
    anchor = np.datetime64(on, "D")
    latest = np.array(
        [
            np.datetime64(dt.date(on.year - int(a), on.month, min(on.day, 28)), "D")
            for a in range(0, 101)
        ]
    )[age]
    days = rng.integers(0, 365, age.shape[0])
    birth = latest - days.astype("timedelta64[D]")
    return np.asarray(np.minimum(birth, anchor))


def _resident_ids(
    rng: np.random.Generator, birth: np.ndarray, male: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """GB 11643 numbers: 120224 before 2001, 120115 after, 8 % born elsewhere; sequence digits
    unique per address code and birth date, odd for men."""
    count = birth.shape[0]
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    migrant = np.asarray(rng.random(count) < 0.08)
    address = np.where(years < 2001, OLD_BAODI_CODE, NEW_BAODI_CODE)
    address = np.where(migrant, rng.choice(np.array(MIGRANT_CODES), count), address)
    dates = np.datetime_as_string(birth, unit="D")
    digits = np.char.replace(dates, "-", "")
    frame = pl.DataFrame({"address": address, "digits": digits, "male": male})
    rank = (
        frame.select(pl.int_range(pl.len()).over(["address", "digits", "male"]))
        .to_series()
        .to_numpy()
    )
    sequence = 10 + 2 * rank + np.where(male, 1, 0)  # odd for men (GB 11643)
    first17 = np.char.add(np.char.add(address, digits), np.char.zfill(sequence.astype(str), 3))
    check = check_character_series(pl.Series(first17, dtype=pl.String)).to_numpy().astype(str)
    return np.char.add(first17, check), migrant


def _health(rng: np.random.Generator, age: np.ndarray) -> dict[str, np.ndarray]:
    """Disability (GB/T 26341 category and grade), serious illness, special outpatient disease,
    self-care of the elderly, full-time education."""
    count = age.shape[0]
    # About 2.5 % of residents hold a disability certificate (reference band 15,000–22,000 of
    # 722,000), rising steeply with age.
    disabled_rate = np.select([age < 18, age < 60, age < 80], [0.006, 0.016, 0.045], 0.09)
    disabled = rng.random(count) < disabled_rate
    categories = np.array(
        ["visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"]
    )
    category = np.where(
        disabled,
        rng.choice(categories, count, p=[0.12, 0.20, 0.01, 0.41, 0.07, 0.07, 0.12]),
        "none",
    )
    grade = np.where(disabled, rng.choice([1, 2, 3, 4], count, p=[0.13, 0.24, 0.30, 0.33]), 0)
    illnesses = np.array(
        [
            "uremia",
            "organ_transplant",
            "leukaemia",
            "malignant_tumour",
            "haemophilia",
            "aplastic_anaemia",
            "hemiplegia",
            "lupus",
            "heart_valve_replacement",
            "vascular_stent_or_bypass",
            "nephrotic_syndrome",
            "cirrhosis",
            "type1_diabetes",
            "cerebral_infarction",
            "alzheimers_disease",
            "epilepsy",
            "cerebral_haemorrhage_sequelae",
        ]
    )
    weights = np.array([3, 1, 1, 10, 0.3, 0.5, 3, 1, 1, 8, 1, 2, 1, 8, 3, 2, 3], dtype=float)
    ill = rng.random(count) < np.where(age < 60, 0.006, 0.035)
    illness = np.where(ill, rng.choice(illnesses, count, p=weights / weights.sum()), "none")
    special = rng.random(count) < np.where(age < 60, 0.02, 0.10)
    old = age >= 60
    care_draw = rng.random(count)
    partial = np.where(age >= 80, 0.18, 0.05)
    full = np.where(age >= 80, 0.07, 0.012)
    self_care = np.where(
        old & (care_draw < full),
        "full_loss",
        np.where(old & (care_draw < full + partial), "partial_loss", "self_caring"),
    )
    student = np.select(
        [age < 3, age <= 5, age <= 11, age <= 14, age <= 17, age <= 21, age <= 24],
        ["none", "preschool", "primary", "junior_secondary", "", "", ""],
        "none",
    )
    upper = rng.random(count)
    student = np.where(
        (age >= 15) & (age <= 17),
        np.where(
            upper < 0.58, "senior_secondary", np.where(upper < 0.93, "secondary_vocational", "none")
        ),
        student,
    )
    student = np.where(
        (age >= 18) & (age <= 21),
        np.where(
            upper < 0.30, "undergraduate", np.where(upper < 0.52, "higher_vocational", "none")
        ),
        student,
    )
    student = np.where(
        (age >= 22) & (age <= 24), np.where(upper < 0.07, "postgraduate", "none"), student
    )
    return {
        "disability_category": category,
        "disability_grade": grade,
        "serious_illness": illness,
        "special_outpatient_disease": special,
        "self_care": self_care,
        "student_level": student,
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
    age, role = persons["age"], persons["role"]

    # Members living apart (excluded from the household by rule) — drawn first, as they do not
    # count for the household's per-capita income.
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
    absence = absence.astype(str)
    away = absence != "none"
    counted = ~away
    members = np.bincount(household, weights=counted, minlength=count).astype(np.int64)
    members = np.maximum(members, 1)

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

    income = _allocate_income(rng, total, persons, counted, urban)

    # Disregarded income and transfers out: pensions of the residents' scheme for the rural
    # elderly, preferential payments for a few veterans' families, family-planning payments,
    # scholarships; social-insurance contributions withheld from employee wages.
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
    elderly_only = np.bincount(household, weights=(age < 60) & counted, minlength=count) == 0
    single_parent = np.isin(
        templates, [TEMPLATE_INDEX["single_parent"], TEMPLATE_INDEX["single_parent_2"]]
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
    households = {
        **households,
        "members": members,
        "situation": situation,
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
        **assets["households"],
    }
    return households, persons


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
            "obligor_birth_date": _birth_dates(rng, age, on),
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
