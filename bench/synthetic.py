"""Synthetic households for benchmarks: vectorised, seeded, about 2.5 persons per household.

Not the calibrated Baodi district (that is ``jiuzhu synth``); just realistic enough shapes and
sparsity (most income columns zero, a quarter aged 60+, some disability and illness) that the
engine does representative work.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

SIZES = np.array([1, 2, 3, 4, 5])
SIZE_WEIGHTS = np.array([0.20, 0.33, 0.27, 0.14, 0.06])  # mean ≈ 2.5
ON = dt.date(2025, 10, 15)


def generate(households: int, seed: int = 20251015) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Household and person frames in the engine's schema (money in fen, Int64 ids)."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice(SIZES, households, p=SIZE_WEIGHTS)
    persons = int(sizes.sum())
    household_of = np.repeat(np.arange(households, dtype=np.int64), sizes)
    first = np.zeros(persons, dtype=bool)
    first[np.concatenate([[0], np.cumsum(sizes)[:-1]])] = True
    ages = np.where(
        rng.random(persons) < 0.26, rng.integers(60, 95, persons), rng.integers(0, 60, persons)
    )
    birth = np.datetime64(ON) - (ages * 365.25 + rng.integers(0, 365, persons)).astype(
        "timedelta64[D]"
    )
    relation = np.where(first, "01", rng.choice(["10", "20", "30", "51", "52", "70"], persons))
    disabled = rng.random(persons) < 0.06
    category = np.where(
        disabled,
        rng.choice(
            ["visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"],
            persons,
        ),
        "none",
    )
    grade = np.where(disabled, rng.integers(1, 5, persons), 0)
    illness = np.where(
        rng.random(persons) < 0.03,
        rng.choice(["uremia", "malignant_tumour", "epilepsy"], persons),
        "none",
    )

    def sparse(share: float, low: int, high: int) -> np.ndarray:
        return np.where(rng.random(persons) < share, rng.integers(low, high, persons), 0).astype(
            np.int64
        )

    working = (ages >= 18) & (ages < 60)
    person_frame = pl.DataFrame(
        {
            "person_id": np.arange(persons, dtype=np.int64),
            "household_id": household_of,
            "birth_date": birth.astype("datetime64[D]"),
            "relation": relation,
            "disability_category": category,
            "disability_grade": pl.Series(np.where(disabled, grade, 0), dtype=pl.Int8).replace(
                0, None
            ),
            "serious_illness": illness,
            "wage_income": np.where(working, sparse(0.55, 80_000, 900_000), 0),
            "business_net_income": sparse(0.08, 50_000, 600_000),
            "employee_pension": np.where(ages >= 60, sparse(0.45, 150_000, 600_000), 0),
            "residents_basic_pension": np.where(ages >= 60, sparse(0.5, 20_000, 40_000), 0),
            "other_transfer_income": sparse(0.05, 10_000, 200_000),
            "monetary_assets": sparse(0.6, 100_000, 30_000_000),
        }
    )
    household_frame = pl.DataFrame(
        {
            "household_id": np.arange(households, dtype=np.int64),
            "assessment_date": pl.Series([ON] * households, dtype=pl.Date),
            "area_type": rng.choice(["urban", "rural"], households, p=[0.45, 0.55]),
            "vehicles": (rng.random(households) < 0.25).astype(np.int64),
            "homes": rng.choice([1, 1, 1, 1, 2], households).astype(np.int64),
            "per_capita_floor_area": rng.uniform(10, 60, households),
            "has_no_children": rng.random(households) < 0.1,
        }
    )
    # Codes as the engine types them (Enum of the code list), as ``jiuzhu synth`` writes them.
    return _as_enums(household_frame), _as_enums(person_frame)


def _as_enums(frame: pl.DataFrame) -> pl.DataFrame:
    from jiuzhu.rules import load_system  # noqa: PLC0415

    variables = load_system("tianjin").variables
    return frame.with_columns(
        pl.col(name).cast(variables[name].dtype)
        for name in frame.columns
        if name in variables and isinstance(variables[name].dtype, pl.Enum)
    )


def write(folder: Path, households: int, seed: int = 20251015) -> Path:
    """Write households.parquet and persons.parquet for ``households`` households (cached)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "persons.parquet").exists():
        household_frame, person_frame = generate(households, seed)
        household_frame.write_parquet(folder / "households.parquet")
        person_frame.write_parquet(folder / "persons.parquet")
    return folder
