"""The members of the synthetic households: roles, ages, sexes, relations, names, ID numbers
and health, drawn for every person at once from the district's generator (in a fixed order: a
seed reproduces them exactly)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from jiuzhu.feeds.ids import check_character_series
from jiuzhu.synth import names
from jiuzhu.synth.templates import TEMPLATE_INDEX, TEMPLATES

OLD_BAODI_CODE, NEW_BAODI_CODE = "120224", "120115"
"""ID address codes: 宝坻县 until the 2001 change to 宝坻区 (reference/README.md)."""
MIGRANT_CODES = ("130223", "130281", "130682", "370983", "410184", "120221", "120223", "230103")
"""Address codes of people born elsewhere (Hebei, Shandong, Henan, other Tianjin districts, …)."""


def members(
    rng: np.random.Generator, households: dict[str, np.ndarray], on: dt.date
) -> dict[str, np.ndarray]:
    """Members by template role, with ages, sexes, relations, names, ID numbers and health."""
    count = households["size"].shape[0]
    household, position, role = _roles(households)
    persons = household.shape[0]
    age = _ages(rng, households, household, role)
    male = _sexes(rng, households, household, position, role)
    relation = _relation(role, male)
    birth = birth_dates(rng, age, on)
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


def _roles(households: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per person: the index of their household, their position in it and their role."""
    count = households["size"].shape[0]
    roles_of = [t.roles for t in TEMPLATES]
    sizes = households["size"]
    household = np.repeat(np.arange(count), sizes)
    position = np.arange(household.shape[0]) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    template = households["template"][household]
    role = np.array(
        [roles_of[t][p] for t, p in zip(template.tolist(), position.tolist(), strict=True)]
    )
    return household, position, role


def _ages(
    rng: np.random.Generator,
    households: dict[str, np.ndarray],
    household: np.ndarray,
    role: np.ndarray,
) -> np.ndarray:
    """Ages in completed years: the head's within the template's range, the others' from it."""
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
    return np.asarray(np.where((role == "child") & elder_head, np.maximum(age, 25), age))


def _sexes(
    rng: np.random.Generator,
    households: dict[str, np.ndarray],
    household: np.ndarray,
    position: np.ndarray,
    role: np.ndarray,
) -> np.ndarray:
    """Per person, whether male: spouses of the other sex than the head, one parent of each."""
    count = households["size"].shape[0]
    persons = household.shape[0]
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
    return np.where((role == "head") & single_parent[household], rng.random(persons) < 0.25, male)


def _relation(role: np.ndarray, male: np.ndarray) -> np.ndarray:
    """The GB/T 4761 relation to the head, by role and sex."""
    return np.select(
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


def birth_dates(rng: np.random.Generator, age: np.ndarray, on: dt.date) -> np.ndarray:
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
    student = _student_levels(rng, age)
    return {
        "disability_category": category,
        "disability_grade": grade,
        "serious_illness": illness,
        "special_outpatient_disease": special,
        "self_care": self_care,
        "student_level": student,
    }


def _student_levels(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Full-time education by age: compulsory levels for all, upper-secondary, higher and
    postgraduate education for some."""
    count = age.shape[0]
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
    return np.where(
        (age >= 22) & (age <= 24), np.where(upper < 0.07, "postgraduate", "none"), student
    )
