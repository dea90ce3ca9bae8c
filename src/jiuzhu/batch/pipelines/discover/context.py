"""What every condition reads: the month, the registry's people and households, the register and
the feeds, normalised once per run.

The registry and the register are matched to the feeds by resident ID, which the feed readers
give in the 18-digit form: a registry row that still holds the 15-digit form (GB 11643-1989: an
old import, a number the registry's migration could not convert) is read in its 18-digit form,
or that person would silently never be found. A record matched by ID whose name is not the
registered one is matched all the same, and the alert says so (``name_mismatches``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from jiuzhu.batch.pipelines.discover.schema import REGISTER_FLAGS, REGISTER_SCHEMA
from jiuzhu.feeds import ids
from jiuzhu.feeds.names import comparable_expr
from jiuzhu.rules import load_system
from jiuzhu.rules.ages import LeapDayRule, anniversary_expr, completed_years_expr, leap_day_rule
from jiuzhu.rules.programs.codes import RELATION_GROUP_OF

PERSON_COLUMNS: dict[str, pl.DataType] = {
    "resident_id": pl.String(),
    "person_id": pl.Int64(),
    "household_id": pl.String(),
    "birth_date": pl.Date(),
    "relation": pl.String(),
    "disability_category": pl.String(),
    "disability_grade": pl.Int8(),
    "serious_illness": pl.String(),
    "special_outpatient_disease": pl.Boolean(),
    "absence_reason": pl.String(),
    "name": pl.String(),
}
"""The registry person columns the conditions read (missing optional ones are null)."""

REGISTER_LABELS = {
    "dibao": ("低保", "dibao"),
    "tekun": ("特困", "tekun"),
    "near_dibao": ("低保边缘", "near-dibao"),
    "rigid_expenditure": ("刚性支出困难", "rigid-expenditure hardship"),
    "monitored": ("监测", "monitored"),
}
CATEGORY_ORDER = {name: rank for rank, name in enumerate(REGISTER_LABELS)}


class DiscoveryInputError(ValueError):
    """The inputs cannot be matched: ``problems`` name file (frame), row, field and rule."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``.

    Raises:
        DiscoveryInputError: not a month.
    """
    found = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not found or not 1 <= int(found[2]) <= 12:
        raise DiscoveryInputError([f"--month “{month}”: 应为 YYYY-MM (expected YYYY-MM)"])
    year, number = int(found[1]), int(found[2])
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


@dataclass
class Context:
    """The normalised inputs of one run."""

    month: str
    start: dt.date
    end: dt.date
    people: pl.DataFrame
    """``PERSON_COLUMNS`` plus ``relation_group`` and ``age`` (completed years at month end)."""
    households: pl.DataFrame
    """``household_id`` (String), ``division_code`` (12), ``township_code`` (9)."""
    register: pl.DataFrame
    """``REGISTER_SCHEMA``."""
    register_households: pl.DataFrame
    """Per household of the register: ``household_id``, ``receiving`` (a member receives),
    ``register_category`` (the first receiving category, else ``monitored``), ``reason``,
    ``monthly_amount``, ``review_due``, ``rigid_valid_until`` (earliest)."""
    feeds: Mapping[str, pl.DataFrame]
    raw_households: pl.DataFrame
    raw_persons: pl.DataFrame
    obligors: pl.DataFrame | None
    leap_day: LeapDayRule
    """Where a 29 February birthday falls in a common year (the rules' parameter in force at
    the month's end, ``jiuzhu.rules.ages``)."""
    cache: dict[str, pl.DataFrame] = field(default_factory=dict)

    def feed(self, source: str, columns: Mapping[str, pl.DataType]) -> pl.DataFrame:
        """The feed's ``columns`` (a missing source: no rows; a missing optional column: nulls).

        Raises:
            DiscoveryInputError: a column of the wrong type.
        """
        frame = self.feeds.get(source)
        if frame is None:
            return pl.DataFrame(schema=dict(columns))
        problems = []
        selected = []
        for name, dtype in columns.items():
            if name not in frame.columns:
                selected.append(pl.lit(None, dtype).alias(name))
            elif frame.schema[name] != dtype and not (
                dtype == pl.String() and isinstance(frame.schema[name], pl.Enum | pl.Categorical)
            ):
                problems.append(
                    f"feeds/{source} › {name}: 类型为 {frame.schema[name]}，应为 {dtype} "
                    f"(dtype {frame.schema[name]}, expected {dtype})"
                )
            else:
                selected.append(pl.col(name).cast(dtype))
        if problems:
            raise DiscoveryInputError(problems)
        return frame.select(selected)

    def in_month(self, column: str) -> pl.Expr:
        return pl.col(column).is_between(pl.lit(self.start), pl.lit(self.end))

    def registered(self, frame: pl.DataFrame, extra: tuple[str, ...] = ()) -> pl.DataFrame:
        """``frame`` (with ``resident_id``) joined to the registry's people (inner)."""
        wanted = ["resident_id", "household_id", *extra]
        return frame.join(self.people.select(wanted), on="resident_id", how="inner")

    def reaches_in_month(self, years: pl.Expr | int) -> pl.Expr:
        """Whether a person (``birth_date``) reaches the age ``years`` during the month: the
        anniversary falls between its first and last day (``jiuzhu.rules.ages``, so a
        29 February birth is counted once a year, in the month its anniversary falls in)."""
        return self.birthday(years).is_between(pl.lit(self.start), pl.lit(self.end))

    def name_mismatches(self, sources: Iterable[str]) -> pl.DataFrame:
        """The registry people whose ID a record of ``sources`` carries under another name:
        ``resident_id``, ``registered_name``, ``department_names`` (the other names as written,
        joined by 、). Names are compared by ``jiuzhu.feeds.names.comparable_expr`` (width,
        middle-dot variants and invisible characters do not count); a blank name on either
        side is no evidence of a difference."""
        frames = [self._other_names(s) for s in sources if s in self.feeds]
        found = pl.concat(frames) if frames else pl.DataFrame(schema=_MISMATCH)
        return (
            found.unique(maintain_order=True)
            .group_by("resident_id", maintain_order=True)
            .agg(pl.col("registered_name").first(), pl.col("department_name").str.join("、"))
            .rename({"department_name": "department_names"})
        )

    def _other_names(self, source: str) -> pl.DataFrame:
        """``_MISMATCH`` rows of one feed (cached: several signals read one feed)."""
        key = f"names:{source}"
        if key not in self.cache:
            frame = self.feeds[source]
            if "name" not in frame.columns or "resident_id" not in frame.columns:
                self.cache[key] = pl.DataFrame(schema=_MISMATCH)
                return self.cache[key]
            written = frame.select(
                pl.col("resident_id").cast(pl.String), pl.col("name").cast(pl.String)
            ).unique(maintain_order=True)
            people = self.people.select("resident_id", pl.col("name").alias("registered_name"))
            joined = written.join(people, on="resident_id", how="inner")
            found, registered = (
                comparable_expr(pl.col("name")),
                comparable_expr(pl.col("registered_name")),
            )
            self.cache[key] = joined.filter(
                (found != "") & (registered != "") & (found != registered)
            ).select("resident_id", "registered_name", pl.col("name").alias("department_name"))
        return self.cache[key]

    def birthday(self, years: pl.Expr | int) -> pl.Expr:
        """The day a person (``birth_date``) reaches ``years``."""
        return anniversary_expr(pl.col("birth_date"), years, self.leap_day)


_MISMATCH = {
    "resident_id": pl.String(),
    "registered_name": pl.String(),
    "department_name": pl.String(),
}


def build_context(
    households: pl.DataFrame,
    persons: pl.DataFrame,
    register: pl.DataFrame,
    feeds: Mapping[str, pl.DataFrame],
    obligors: pl.DataFrame | None,
    month: str,
) -> Context:
    """Normalise the inputs (see the package docstring).

    Raises:
        DiscoveryInputError: a bad month, or a frame lacking a needed column or of a wrong type.
    """
    start, end = month_bounds(month)
    leap_day = leap_day_rule(load_system("tianjin").parameters, end)
    _check_columns(households, persons, register)
    persons = ids.convert_legacy(persons.with_columns(pl.col("resident_id").cast(pl.String)))
    # A register row left at 15 digits because another holds the 18-digit form is the same ID
    # registered twice: the 18-digit row stands for the person, as in the registry's people.
    register = ids.convert_legacy(register, drop_held=True)
    _check_register_ids(register)
    _check_register_flags(register)
    return Context(
        month=month,
        start=start,
        end=end,
        people=_people(persons, end, leap_day),
        households=_homes(households),
        register=register,
        register_households=_register_households(register),
        feeds=feeds,
        raw_households=households,
        raw_persons=persons,
        obligors=obligors,
        leap_day=leap_day,
    )


def _check_columns(households: pl.DataFrame, persons: pl.DataFrame, register: pl.DataFrame) -> None:
    """The registry's frames have the columns the conditions need; the register has its schema.

    Raises:
        DiscoveryInputError: naming each missing column or wrong dtype.
    """
    problems: list[str] = []
    for name, frame, needed in (
        ("households", households, ("household_id", "division_code")),
        ("persons", persons, ("household_id", "resident_id", "birth_date")),
    ):
        for column in needed:
            if column not in frame.columns:
                problems.append(f"{name} › {column}: 缺少此列 (missing column)")
    if dict(register.schema) != dict(REGISTER_SCHEMA):
        for column, dtype in REGISTER_SCHEMA.items():
            if column not in register.columns:
                problems.append(f"register › {column}: 缺少此列 (missing column)")
            elif register.schema[column] != dtype:
                problems.append(
                    f"register › {column}: 类型为 {register.schema[column]}，应为 {dtype} "
                    f"(dtype {register.schema[column]}, expected {dtype})"
                )
    if problems:
        raise DiscoveryInputError(problems)


def _check_register_ids(register: pl.DataFrame) -> None:
    """Every register row has an 18-digit resident ID (after converting 15-digit ones).

    Raises:
        DiscoveryInputError: naming the first bad row and how many there are.
    """
    bad = register.filter(
        pl.col("resident_id").is_null() | (pl.col("resident_id").str.len_chars() != 18)
    )
    if bad.height:
        row = register.with_row_index("row").filter(
            pl.col("resident_id").is_null() | (pl.col("resident_id").str.len_chars() != 18)
        )["row"][0]
        raise DiscoveryInputError(
            [
                f"register › 第{row + 1}行 (row {row + 1}) › resident_id: 身份证号应为18位 "
                f"(an ID number has 18 characters; {bad.height} row(s))"
            ]
        )


def _check_register_flags(register: pl.DataFrame) -> None:
    """No register row leaves a yes-or-no column (``REGISTER_FLAGS``) blank: a blank allowance
    flag would read as "not paid" and raise an alert for a child or disabled person who may be
    paid.

    Raises:
        DiscoveryInputError: naming each column's first blank row and how many there are.
    """
    blanks = register.select(pl.col(REGISTER_FLAGS).null_count()).row(0, named=True)
    problems = []
    for column, count in blanks.items():
        if count:
            row = register[column].is_null().arg_max() or 0
            problems.append(
                f"register › 第{row + 1}行 (row {row + 1}) › {column}: 不能为空，应为是或否 "
                f"(must be true or false; {count} blank row(s))"
            )
    if problems:
        raise DiscoveryInputError(problems)


def _people(persons: pl.DataFrame, end: dt.date, leap_day: LeapDayRule) -> pl.DataFrame:
    """The registry's people in ``PERSON_COLUMNS`` (absent ones null), with their relation
    group and their age at the month's end."""
    columns = []
    for name, dtype in PERSON_COLUMNS.items():
        if name in persons.columns:
            source = pl.col(name)
            if isinstance(persons.schema[name], pl.Enum | pl.Categorical) or dtype == pl.String():
                source = source.cast(pl.String)
            columns.append(source.cast(dtype))
        else:
            columns.append(pl.lit(None, dtype).alias(name))
    return persons.select(columns).with_columns(
        pl.col("relation")
        .replace_strict(RELATION_GROUP_OF, default=None, return_dtype=pl.String)
        .alias("relation_group"),
        completed_years_expr(pl.col("birth_date"), pl.lit(end), leap_day).alias("age"),
    )


def _homes(households: pl.DataFrame) -> pl.DataFrame:
    """Each household's key, division and township codes as text (the township from the first
    nine digits of the division code when the frame has none)."""
    division = pl.col("division_code").cast(pl.String)
    township = (
        pl.col("township_code").cast(pl.String)
        if "township_code" in households.columns
        else division.str.slice(0, 9)
    )
    return households.select(
        pl.col("household_id").cast(pl.String),
        division.alias("division_code"),
        township.alias("township_code"),
    )


def _register_households(register: pl.DataFrame) -> pl.DataFrame:
    """One row per register household: whether anyone receives, the category of the highest
    program received (``monitored`` if none), its reason and amount, the earliest review and
    rigid-expenditure end dates."""
    receiving_rank = (
        pl.when(pl.col("receiving"))
        .then(
            pl.col("category").cast(pl.String).replace_strict(CATEGORY_ORDER, return_dtype=pl.Int32)
        )
        .otherwise(99)
    )
    return (
        register.with_columns(receiving_rank.alias("__rank"))
        .sort("__rank", "resident_id")
        .group_by("household_id", maintain_order=True)
        .agg(
            pl.col("receiving").any(),
            pl.col("category").cast(pl.String).first().alias("register_category"),
            pl.col("reason").first(),
            pl.col("monthly_amount").drop_nulls().first(),
            pl.col("review_due").min(),
            pl.col("rigid_valid_until").min(),
        )
        .with_columns(
            pl.when(pl.col("receiving"))
            .then(pl.col("register_category"))
            .otherwise(pl.lit("monitored"))
            .alias("register_category")
        )
    )
