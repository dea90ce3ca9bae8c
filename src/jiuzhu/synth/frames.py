"""The synthetic district's arrays as the frames the rules engine reads
(``docs/input-format.md``): column names and the engine's dtypes."""

from __future__ import annotations

import numpy as np
import polars as pl

from jiuzhu.rules import load_system


def person_frame(persons: dict[str, np.ndarray]) -> pl.DataFrame:
    """The persons' arrays of ``members.members`` as the engine's person frame (money in
    fen; the ID number, name, sex and hukou columns the registry and the feeds need)."""
    count = persons["household"].shape[0]
    grade = persons["disability_grade"]
    return pl.DataFrame(
        {
            "person_id": np.arange(count, dtype=np.int64),
            "household_id": persons["household"].astype(np.int64),
            "resident_id": persons["resident_id"],
            "name": persons["name"],
            "sex": np.where(persons["male"], "1", "2"),
            "birth_date": persons["birth"],
            "relation": persons["relation"],
            "hukou_tianjin": ~persons["migrant"],
            "absence_reason": persons["absence_reason"],
            "absent_since": pl.Series(persons["absent_since"]).cast(pl.Date),
            "lives_with_household": persons["lives_with_household"],
            "student_level": persons["student_level"],
            "disability_category": persons["disability_category"],
            "disability_grade": pl.Series(grade, dtype=pl.Int8).replace(0, None),
            "serious_illness": persons["serious_illness"],
            "special_outpatient_disease": persons["special_outpatient_disease"],
            "self_care": persons["self_care"],
            "tekun_support_form": persons["tekun_support_form"],
            "holds_rural_land_or_collective_share": persons["holds_rural_land_or_collective_share"],
            **{
                name: persons[name]
                for name in (
                    "wage_income",
                    "business_net_income",
                    "employee_pension",
                    "support_received",
                    "other_transfer_income",
                    "residents_basic_pension",
                    "preferential_payments",
                    "family_planning_payments",
                    "scholarships_and_rewards",
                    "transfer_expenditure",
                    "monetary_assets",
                )
            },
        }
    )


def as_engine_types(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast the columns the rules read to the engine's dtypes (codes as Enums)."""
    variables = load_system("tianjin").variables
    return frame.with_columns(
        pl.col(name).cast(variables[name].dtype) for name in frame.columns if name in variables
    )
