"""Random households for property and parity tests (frames as the engine takes them)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

DATES = [
    dt.date(2016, 4, 1),
    dt.date(2017, 3, 31),
    dt.date(2019, 6, 1),
    dt.date(2020, 8, 31),
    dt.date(2020, 9, 1),
    dt.date(2022, 5, 1),
    dt.date(2024, 10, 15),
    dt.date(2025, 8, 31),
    dt.date(2025, 9, 1),
    dt.date(2025, 10, 15),
    dt.date(2026, 3, 1),
]
CATEGORIES = [
    "none",
    "none",
    "none",
    "visual",
    "hearing",
    "speech",
    "physical",
    "intellectual",
    "mental",
    "multiple",
]
ILLNESSES = ["none"] * 8 + ["uremia", "malignant_tumour", "epilepsy"]
RELATIONS_AFTER_FIRST = ["10", "20", "30", "51", "52", "70", "85", "41"]
STUDENT_LEVELS = [
    "none",
    "none",
    "primary",
    "junior_secondary",
    "senior_secondary",
    "undergraduate",
    "postgraduate",
]


def random_frames(count: int, seed: int, prefix: str = "R") -> tuple[pl.DataFrame, pl.DataFrame]:
    """``count`` households of 1–5 persons with varied incomes, ages, disabilities and assets."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, count)
    household_ids = [f"{prefix}{i}" for i in range(count)]
    dates = [DATES[i] for i in rng.integers(0, len(DATES), count)]
    households = pl.DataFrame(
        {
            "household_id": household_ids,
            "assessment_date": dates,
            "area_type": rng.choice(["urban", "rural"], count).tolist(),
            "vehicles": (rng.random(count) < 0.05).astype(np.int64),
            "homes": rng.choice([0, 1, 1, 1, 2], count).astype(np.int64),
            "per_capita_floor_area": rng.uniform(8, 60, count),
            "single_parent_family": rng.random(count) < 0.05,
            "has_no_children": rng.random(count) < 0.2,
        }
    )
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "person_id",
            "household_id",
            "birth_date",
            "relation",
            "disability_category",
            "disability_grade",
            "serious_illness",
            "student_level",
            "other_transfer_income",
            "wage_income",
            "residents_basic_pension",
            "monetary_assets",
            "absence_reason",
            "self_care",
            "holds_rural_land_or_collective_share",
        )
    }
    for index, size in enumerate(sizes):
        for member in range(int(size)):
            age = int(rng.integers(0, 95))
            date = dates[index]
            category = str(rng.choice(CATEGORIES))
            rows["person_id"].append(f"{household_ids[index]}-{member}")
            rows["household_id"].append(household_ids[index])
            rows["birth_date"].append(
                date - dt.timedelta(days=int(age * 365.25 + rng.integers(0, 365)))
            )
            rows["relation"].append("01" if member == 0 else str(rng.choice(RELATIONS_AFTER_FIRST)))
            rows["disability_category"].append(category)
            rows["disability_grade"].append(None if category == "none" else int(rng.integers(1, 5)))
            rows["serious_illness"].append(str(rng.choice(ILLNESSES)))
            rows["student_level"].append(str(rng.choice(STUDENT_LEVELS)) if age < 26 else "none")
            rows["other_transfer_income"].append(int(rng.choice([0, 0, 50_000, 120_000, 250_000])))
            rows["wage_income"].append(int(rng.choice([0, 0, 0, 180_000, 350_000])))
            rows["residents_basic_pension"].append(
                int(rng.choice([0, 0, 0, 20_000])) if age >= 60 else 0
            )
            rows["monetary_assets"].append(int(rng.choice([0, 500_000, 2_000_000, 5_000_000])))
            rows["absence_reason"].append(str(rng.choice(["none"] * 30 + ["prison", "conscript"])))
            rows["self_care"].append(
                str(rng.choice(["self_caring", "self_caring", "partial_loss", "full_loss"]))
            )
            rows["holds_rural_land_or_collective_share"].append(bool(rng.random() < 0.3))
    persons = pl.DataFrame(rows, schema_overrides={"disability_grade": pl.Int8})
    return households, persons
