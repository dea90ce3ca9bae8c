"""Recomputing every active entitlement when a parameter changes (标准调整).

When a new value takes effect — the dibao standard rising on 2025-09-01 (津民规〔2025〕6号, published
2025-08-29), possibly published after the date and back-dated — every active entitlement is
recomputed with the rules engine on the registry data for the effective month. The result is a
reviewable ``StandardChangeRun``: the entitlements whose amount changes, and totals by township
and program. A second person approves it (``standard_change_runs.approve_standard_change``); the
changes then become new versions valid from the effective month, even a past one (the payroll pays
the arrears).

``recompute`` is vectorised: one query for the open versions, the registry's frames in slices
(``assessment.program_amounts``), one query for the employment sanctions in force, and Polars for
the comparison and the totals. It never builds an ORM object per entitlement.

Which entitlements: status ``active`` or ``suspended`` (a suspended entitlement resumes at its
current version, which must follow the standard) with an open version. A gradual exit keeps the
amount it had (Art. 33) and a termination notice ends it, so neither is recomputed.

Outcomes (``ItemOutcome``):

- ``change``: eligible, and the recomputed amount differs from the open version's;
- ``needs_correction``: the open version starts in the effective month or later (a decision or
  review made before the new value was known): one version per start month, so a person
  corrects it (a review task is opened on approval);
- ``not_eligible`` / ``undetermined``: the recomputation no longer finds the household eligible,
  or rests on an unknown parameter or on registry data the engine refuses (that household alone
  is left out of the batch): never cut automatically (DESIGN.md §6), a review task is opened on
  approval.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import polars as pl
from django.db.models import F

from jiuzhu.reference import division
from jiuzhu.rules import RuleSystem, load_system
from jiuzhu.web.core.months import first_day
from jiuzhu.web.entitlements.assessment import (
    apply_sanctions,
    program_amounts,
    sanctions_in_force,
)
from jiuzhu.web.entitlements.models import EntitlementVersion, ItemOutcome, Status

RECOMPUTED_STATUSES = (Status.ACTIVE, Status.SUSPENDED)
UNCHANGED = "unchanged"

VERSION_COLUMNS = {
    "version_id": pl.Int64,
    "entitlement_id": pl.Int64,
    "version_number": pl.Int64,
    "valid_from": pl.String,
    "old_amount": pl.Int64,
    "program": pl.String,
    "household_id": pl.Int64,
    "person_id": pl.Int64,
    "division_code": pl.String,
    "single_person": pl.Boolean,
}


@dataclass
class Recomputation:
    """The outcome of ``recompute``.

    ``rows``: one row per entitlement recomputed — the ``VERSION_COLUMNS`` plus ``eligible``,
    ``amount`` (fen per month, after sanctions; null: undetermined), ``township_code`` and
    ``outcome`` (an ``ItemOutcome`` value or ``unchanged``). ``totals``: one row per township
    and program — ``township_code``, ``township``, ``program``, ``checked``, ``changed``,
    ``flagged``, ``before`` and ``after`` (fen per month: the open versions' amounts, and the
    amounts with the changes applied).
    """

    effective_month: str
    rows: pl.DataFrame
    totals: pl.DataFrame
    parameter_digest: str
    seconds: float

    @property
    def changed(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("outcome") == ItemOutcome.CHANGE)

    @property
    def flagged(self) -> pl.DataFrame:
        return self.rows.filter(
            pl.col("outcome").is_in([o.value for o in ItemOutcome if o != ItemOutcome.CHANGE])
        )


def open_versions(division_code: str = "") -> pl.DataFrame:
    """The open version (``valid_to`` blank) of every recomputed entitlement of the division
    (prefix; blank: all), one query, as a frame of ``VERSION_COLUMNS``."""
    rows = list(
        EntitlementVersion.objects.filter(
            valid_to="",
            entitlement__status__in=RECOMPUTED_STATUSES,
            entitlement__division_code__startswith=division_code,
        )
        .order_by("entitlement_id")
        .values_list(
            "pk",
            "entitlement_id",
            "number",
            "valid_from",
            "monthly_amount",
            F("entitlement__program"),
            F("entitlement__household_id"),
            F("entitlement__person_id"),
            F("entitlement__division_code"),
            F("entitlement__application__single_person_choice"),
        )
    )
    frame = pl.DataFrame(
        rows,
        schema={**VERSION_COLUMNS, "single_person": pl.String},
        orient="row",
    )
    return frame.with_columns(
        (pl.col("single_person").fill_null("") == "single_person_unit").alias("single_person")
    )


def recompute(
    effective_month: str,
    *,
    system: RuleSystem | None = None,
    division_code: str = "",
) -> Recomputation:
    """Recompute the active entitlements of ``division_code`` (prefix; blank: all) for
    ``effective_month`` (``YYYY-MM``: assessed on its first day) with ``system`` (default: the
    Tianjin rules as published, ``load_system("tianjin")``; a test or a what-if passes a system
    with a changed parameter).

    Raises:
        ValueError: ``effective_month`` is not ``YYYY-MM``.
        ParameterNotDefinedError: the month is before the rules' coverage.
    """
    started = time.perf_counter()
    system = system or load_system("tianjin")
    on = first_day(effective_month)
    versions = open_versions(division_code)
    amounts = program_amounts(system, versions.select(_program_columns()), on)
    amounts = apply_sanctions(
        amounts, sanctions_in_force(versions["entitlement_id"].to_list(), effective_month)
    )
    rows = versions.join(
        amounts.select("entitlement_id", "eligible", "amount"),
        on="entitlement_id",
        how="left",
        maintain_order="left",
    ).with_columns(
        pl.col("division_code").str.slice(0, 9).alias("township_code"),
        _outcome(effective_month).alias("outcome"),
    )
    return Recomputation(
        effective_month,
        rows,
        totals(rows),
        system.parameters.digest(),
        time.perf_counter() - started,
    )


def _program_columns() -> list[str]:
    return ["entitlement_id", "program", "household_id", "person_id", "single_person"]


def _outcome(effective_month: str) -> pl.Expr:
    return (
        pl.when(pl.col("valid_from") >= effective_month)
        .then(pl.lit(ItemOutcome.NEEDS_CORRECTION.value))
        .when(pl.col("eligible").is_null() | pl.col("amount").is_null())
        .then(pl.lit(ItemOutcome.UNDETERMINED.value))
        .when(~pl.col("eligible"))
        .then(pl.lit(ItemOutcome.NOT_ELIGIBLE.value))
        .when(pl.col("amount") != pl.col("old_amount"))
        .then(pl.lit(ItemOutcome.CHANGE.value))
        .otherwise(pl.lit(UNCHANGED))
    )


def totals(rows: pl.DataFrame) -> pl.DataFrame:
    """Totals by township and program (see ``Recomputation``); ``after`` counts only the
    changes that approval would apply (flagged rows keep their old amount)."""
    change = pl.col("outcome") == ItemOutcome.CHANGE
    grouped = (
        rows.group_by("township_code", "program")
        .agg(
            pl.len().cast(pl.Int64).alias("checked"),
            change.sum().cast(pl.Int64).alias("changed"),
            ((pl.col("outcome") != UNCHANGED) & ~change).sum().cast(pl.Int64).alias("flagged"),
            pl.col("old_amount").sum().cast(pl.Int64).alias("before"),
            pl.when(change)
            .then(pl.col("amount"))
            .otherwise(pl.col("old_amount"))
            .sum()
            .cast(pl.Int64)
            .alias("after"),
        )
        .sort("township_code", "program")
    )
    names = {
        code: getattr(division(code), "name", code)
        for code in grouped["township_code"].unique().to_list()
    }
    return grouped.with_columns(
        pl.col("township_code").replace_strict(names, return_dtype=pl.String).alias("township")
    )


def parameter_value_starting(
    system: RuleSystem, path: str, effective_month: str
) -> tuple[dt.date, object, str, str] | None:
    """The value of parameter ``path`` that starts within ``effective_month``: (start, value,
    reference, confidence), or None if no value of the parameter starts in that month.

    Raises:
        KeyError: no such parameter.
    """
    parameter = system.parameters[path]
    month_start = first_day(effective_month)
    for value in parameter.values:
        if (value.start.year, value.start.month) == (month_start.year, month_start.month):
            return value.start, value.value, value.reference, value.confidence
    return None
