"""The rules engine's input frames built from the registry (docs/input-format.md).

One household at the counter and a whole township in a job go through the same function: it
reads with ``values_list`` queries (a fixed number of queries whatever the number of households)
and builds Polars frames column by column, never one ORM object per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import polars as pl
from django.db.models import Q

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine import HOUSEHOLD, OBLIGOR, PERSON
from jiuzhu.web.registry.models import (
    INCOME_COMPONENTS,
    Asset,
    Household,
    Income,
    Membership,
    Obligor,
    Person,
    Source,
)

HOUSEHOLD_FIELDS = (
    "area_type",
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
    "non_essential_luxury_goods",
    "rigid_medical_expenditure",
    "rigid_education_expenditure",
    "rigid_disaster_expenditure",
    "rigid_accident_expenditure",
)
PERSON_FIELDS = (
    "birth_date",
    "disability_category",
    "disability_grade",
    "serious_illness",
    "special_outpatient_disease",
    "self_care",
    "student_level",
    "unable_to_live_independently",
    "holds_rural_land_or_collective_share",
    "relocated_to_town",
    "chooses_orphan_support",
    "tekun_support_form",
    "father_situation",
    "father_situation_since",
    "father_situation_until",
    "mother_situation",
    "mother_situation_since",
    "mother_situation_until",
)
MEMBERSHIP_FIELDS = ("relation", "absence_reason", "absent_since", "lives_with_household")
OBLIGOR_FIELDS = {
    "birth_date": "obligor_birth_date",
    "annual_income": "obligor_annual_income",
    "assets_within_low_income_limit": "obligor_assets_within_low_income_limit",
    "is_tekun": "obligor_is_tekun",
    "is_dibao_recipient": "obligor_is_dibao_recipient",
    "disability_category": "obligor_disability_category",
    "disability_grade": "obligor_disability_grade",
    "lacks_civil_capacity": "obligor_lacks_civil_capacity",
    "declared_missing": "obligor_declared_missing",
    "in_prison": "obligor_in_prison",
}


def engine_frames(
    system: RuleSystem,
    household_ids: Iterable[int],
    on: dt.date,
    basis: str = Source.VERIFIED,
    public_keys: bool = False,
) -> dict[str, pl.DataFrame]:
    """Frames for the households with these primary keys, assessed on ``on``.

    Args:
        basis: ``verified`` uses department data where verification found a value and the
            declaration elsewhere; ``declared`` uses the declaration only.

    Returns:
        ``household`` (``household_id`` = the primary key), ``person`` (``person_id`` = the
        Person primary key) and ``obligor`` frames in the engine's dtypes; members are the
        memberships in force on ``on``. With ``public_keys`` the keys are what people read
        instead: the household number and the resident ID (for explanations).
    """
    ids = list(household_ids)
    in_force = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    households = pl.DataFrame(
        list(Household.objects.filter(pk__in=ids).values_list("pk", *HOUSEHOLD_FIELDS)),
        schema=["household_id", *HOUSEHOLD_FIELDS],
        orient="row",
        infer_schema_length=None,
    ).with_columns(
        pl.lit(on).alias("assessment_date"),
        pl.col("per_capita_floor_area").cast(pl.Float64),
    )
    members = list(
        Membership.objects.filter(in_force, household_id__in=ids)
        .order_by("household_id", "relation", "person_id")
        .values_list(
            "household_id",
            "person_id",
            *MEMBERSHIP_FIELDS,
            *(f"person__{f}" for f in PERSON_FIELDS),
        )
    )
    persons = pl.DataFrame(
        members,
        schema=["household_id", "person_id", *MEMBERSHIP_FIELDS, *PERSON_FIELDS],
        orient="row",
        # A column blank in the first rows (an absence date) must not be typed from them.
        infer_schema_length=None,
    )
    person_ids = persons["person_id"].to_list()
    persons = persons.join(
        _money(person_ids, basis), on="person_id", how="left", maintain_order="left"
    ).with_columns(pl.col([*INCOME_COMPONENTS, "monetary_assets"]).fill_null(0))
    obligors = pl.DataFrame(
        list(
            Obligor.objects.filter(supported_id__in=person_ids).values_list(
                "pk", "supported_id", *OBLIGOR_FIELDS
            )
        ),
        schema=["obligor_id", "person_id", *OBLIGOR_FIELDS.values()],
        orient="row",
        infer_schema_length=None,
    )
    frames = {
        HOUSEHOLD.name: _typed(system, households),
        PERSON.name: _typed(system, persons),
        OBLIGOR.name: _typed(system, obligors),
    }
    return _public(frames, ids, person_ids) if public_keys else frames


def _public(
    frames: dict[str, pl.DataFrame], household_ids: list[int], person_ids: list[int]
) -> dict[str, pl.DataFrame]:
    """The frames keyed by household number and resident ID (two queries)."""
    numbers = dict(Household.objects.filter(pk__in=household_ids).values_list("pk", "number"))
    residents = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "resident_id"))

    def number(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.Int64).replace_strict(numbers, return_dtype=pl.String)

    def resident(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.Int64).replace_strict(residents, return_dtype=pl.String)

    return {
        HOUSEHOLD.name: frames[HOUSEHOLD.name].with_columns(number("household_id")),
        PERSON.name: frames[PERSON.name].with_columns(
            number("household_id"), resident("person_id")
        ),
        OBLIGOR.name: frames[OBLIGOR.name].with_columns(resident("person_id")),
    }


def _money(person_ids: list[int], basis: str) -> pl.DataFrame:
    """Monthly income by component and monetary assets per person: a verified value wins over
    the declared one where verification found it (``basis='verified'``)."""
    sources = [Source.DECLARED, Source.VERIFIED] if basis == Source.VERIFIED else [Source.DECLARED]
    incomes = pl.DataFrame(
        list(
            Income.objects.filter(person_id__in=person_ids, source__in=sources).values_list(
                "person_id", "component", "monthly_amount", "source"
            )
        ),
        schema={
            "person_id": pl.Int64,
            "component": pl.String,
            "amount": pl.Int64,
            "source": pl.String,
        },
        orient="row",
    )
    assets = pl.DataFrame(
        list(
            Asset.objects.filter(person_id__in=person_ids, source__in=sources).values_list(
                "person_id", "amount", "source"
            )
        ),
        schema={"person_id": pl.Int64, "amount": pl.Int64, "source": pl.String},
        orient="row",
    )
    preferred = pl.col("source") == Source.VERIFIED
    income = (
        incomes.sort(preferred, descending=True)
        .unique(["person_id", "component"], keep="first")
        .pivot(on="component", index="person_id", values="amount")
    )
    for component in INCOME_COMPONENTS:
        if component not in income.columns:
            income = income.with_columns(pl.lit(None, pl.Int64).alias(component))
    asset = (
        assets.sort(preferred, descending=True)
        .unique("person_id", keep="first")
        .select("person_id", pl.col("amount").alias("monetary_assets"))
    )
    base = pl.DataFrame({"person_id": person_ids}, schema={"person_id": pl.Int64})
    return base.join(
        income.select("person_id", *INCOME_COMPONENTS), on="person_id", how="left"
    ).join(asset, on="person_id", how="left")


def _typed(system: RuleSystem, frame: pl.DataFrame) -> pl.DataFrame:
    variables: Mapping[str, object] = system.variables
    return frame.with_columns(
        pl.col(name).cast(system.variables[name].dtype)
        for name in frame.columns
        if name in variables
    )


def with_inputs(
    system: RuleSystem,
    frames: Mapping[str, pl.DataFrame],
    values: Mapping[str, pl.Expr],
    person: str | None = None,
) -> dict[str, pl.DataFrame]:
    """The frames with an application's own inputs set (``values``: literal columns of the
    rules' dtypes, by variable name): on the household's row, or with ``person`` (the resident
    ID of frames built with ``public_keys``) on that person's row only. The other members keep
    their own value: the frame's, else the input's default."""
    if not values:
        return dict(frames)
    if person is None:
        return {**frames, HOUSEHOLD.name: frames[HOUSEHOLD.name].with_columns(**values)}
    persons = frames[PERSON.name]
    subject = pl.col("person_id") == person

    def others(name: str) -> pl.Expr:
        if name in persons.columns:
            return pl.col(name)
        return pl.lit(system.variables[name].default, dtype=system.variables[name].dtype)

    updated = persons.with_columns(
        pl.when(subject).then(value).otherwise(others(name)).alias(name)
        for name, value in values.items()
    )
    return {**frames, PERSON.name: updated}
