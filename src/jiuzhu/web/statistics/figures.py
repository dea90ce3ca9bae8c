"""The monthly figures a civil-affairs bureau reports (docs/statistics.md defines each one).

``figures(scope, months)`` reads what the platform holds — entitlement versions in force,
household members in force, payroll lines paid, payments made once, rigid-expenditure
determinations — in a few aggregate or column queries (the registry may hold a million
households) and counts them with Polars into one long frame:

    month (String, YYYY-MM) · township (String, 9 digits) · program (String) · group (String:
    ``urban``/``rural`` for dibao, ``institutional``/``home_based`` for tekun,
    ``orphan``/``de_facto`` for child welfare, "" otherwise) · households (Int64) ·
    persons (Int64) · cases (Int64) · amount (Int64, fen)

one row per month, township, program and group that has anything to count.
"""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr, TruncMonth

from jiuzhu.rules.programs.child_welfare import GONE
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core.months import add_months, first_day
from jiuzhu.web.core.programs import Program
from jiuzhu.web.discovery.actions.register import RIGID_VALID_MONTHS
from jiuzhu.web.entitlements.models import EntitlementVersion
from jiuzhu.web.payments.models import (
    AS_DUE,
    OneOffPayment,
    Payment,
    PaymentStatus,
    RunStatus,
)
from jiuzhu.web.registry.models import Membership

MONTHLY = (Program.DIBAO, Program.NEAR_DIBAO, Program.TEKUN, Program.CHILD_WELFARE)
"""Programs counted from their entitlements in force and paid by the payroll."""
ONCE = (Program.TEMPORARY_ASSISTANCE, Program.MEDICAL_ASSISTANCE)
"""Programs counted from their payments made once."""
PAID_RUNS = (RunStatus.EXPORTED, RunStatus.RECONCILED, RunStatus.CLOSED)
"""A payroll run counts as paid once its bank file is made: the money has left for the bank."""

SCHEMA = {
    "month": pl.String,
    "township": pl.String,
    "program": pl.String,
    "group": pl.String,
    "households": pl.Int64,
    "persons": pl.Int64,
    "cases": pl.Int64,
    "amount": pl.Int64,
}
_MEASURES = ("households", "persons", "cases", "amount")
SINGLE_PERSON = "single_person_unit"
"""The application's choice of the single-person unit (``cases.Application.single_person_choice``)."""


def month_end(month: str) -> dt.date:
    """The last day of a ``YYYY-MM`` month."""
    first = first_day(month)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def figures(scope: str, months: list[str]) -> pl.DataFrame:
    """Every figure of ``months`` (consecutive ``YYYY-MM``, oldest first) for the divisions
    whose code starts with ``scope`` (the user's jurisdiction), in the frame of the module's
    docstring (``SCHEMA``)."""
    parts = [
        _in_force(scope, months),
        _rigid(scope, months),
        _paid(scope, months),
        _once(scope, months),
    ]
    found = [p.select(list(SCHEMA)) for p in parts if p.height]
    if not found:  # a period before anything was recorded, or a new install
        return pl.DataFrame(schema=SCHEMA)
    long = pl.concat(found, how="vertical")
    return (
        long.group_by("month", "township", "program", "group")
        .agg(pl.col(m).sum() for m in _MEASURES)
        .sort("month", "township", "program", "group")
        .select(list(SCHEMA))
    )


def _group(
    program: pl.Expr, area: pl.Expr, form: pl.Expr, father: pl.Expr, mother: pl.Expr
) -> pl.Expr:
    """The ``group`` column: a dibao household's area type, a tekun person's support form, a
    child's category (both parents deceased or not found: an orphan, GONE of the rules)."""
    orphan = father.is_in(list(GONE)) & mother.is_in(list(GONE))
    return (
        pl.when(program == Program.DIBAO)
        .then(area)
        .when(program == Program.TEKUN)
        .then(form)
        .when(program == Program.CHILD_WELFARE)
        .then(pl.when(orphan).then(pl.lit("orphan")).otherwise(pl.lit("de_facto")))
        .otherwise(pl.lit(""))
        .fill_null("")
        .alias("group")
    )


def _months(months: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"month": months, "end": [month_end(m) for m in months]},
        schema={"month": pl.String, "end": pl.Date},
    )


def _in_force(scope: str, months: list[str]) -> pl.DataFrame:
    """Households and persons of the monthly programs in force at each month's end: the
    entitlement's version valid in the month (valid_from ≤ month < valid_to) and the month
    within [start_month, end_month). A household program counts the household's members in
    force on the month's last day (one for a single-person unit's dibao, 单人户: only the
    member it covers); a per-person program (tekun, child welfare) one person."""
    first, last = months[0], months[-1]
    rows = (
        EntitlementVersion.objects.filter(
            entitlement__program__in=MONTHLY,
            entitlement__division_code__startswith=scope,
            valid_from__lte=last,
            entitlement__start_month__lte=last,
        )
        .filter(Q(valid_to="") | Q(valid_to__gt=first))
        .filter(Q(entitlement__end_month="") | Q(entitlement__end_month__gt=first))
        .values_list(
            "entitlement__program",
            "entitlement__division_code",
            "entitlement__household_id",
            "entitlement__person_id",
            "entitlement__start_month",
            "entitlement__end_month",
            "valid_from",
            "valid_to",
            "entitlement__household__area_type",
            "entitlement__person__tekun_support_form",
            "entitlement__person__father_situation",
            "entitlement__person__mother_situation",
            "entitlement__application__single_person_choice",
        )
    )
    names = ["program", "division", "household", "person", "start", "stop", "since", "until"]
    names += ["area", "form", "father", "mother", "choice"]
    versions = pl.DataFrame(
        list(rows), schema=names, orient="row", infer_schema_length=None
    ).with_columns(pl.col("household", "person").cast(pl.Int64))
    if not versions.height:
        return pl.DataFrame(schema=SCHEMA)
    month = pl.col("month")
    live = versions.join(_months(months), how="cross").filter(
        (pl.col("since") <= month)
        & ((pl.col("until") == "") | (pl.col("until") > month))
        & (pl.col("start") <= month)
        & ((pl.col("stop") == "") | (pl.col("stop") > month))
    )
    members = _members(live.filter(pl.col("person").is_null()))
    live = live.join(members, on=["household", "month"], how="left")
    return live.select(
        "month",
        pl.col("division").str.slice(0, 9).alias("township"),
        "program",
        _group(*(pl.col(c) for c in ("program", "area", "form", "father", "mother"))),
        pl.when(pl.col("person").is_null()).then(1).otherwise(0).cast(pl.Int64).alias("households"),
        # A single-person unit's dibao (单人户) covers its one member, not the household.
        pl.when(pl.col("person").is_null() & (pl.col("choice").fill_null("") != SINGLE_PERSON))
        .then(pl.col("members").fill_null(0))
        .otherwise(1)
        .cast(pl.Int64)
        .alias("persons"),
        pl.lit(0, pl.Int64).alias("cases"),
        pl.lit(0, pl.Int64).alias("amount"),
    )


def _members(households: pl.DataFrame) -> pl.DataFrame:
    """``household``, ``month``, ``members``: the members in force on the month's last day of
    the households (and months) of ``households`` (columns household, month, end); one query."""
    ids = households["household"].unique().to_list()
    if not ids:
        return pl.DataFrame(schema={"household": pl.Int64, "month": pl.String, "members": pl.Int64})
    rows = Membership.objects.filter(household_id__in=ids).values_list(
        "household_id", "valid_from", "valid_to"
    )
    spans = pl.DataFrame(
        list(rows),
        schema={"household": pl.Int64, "valid_from": pl.Date, "valid_to": pl.Date},
        orient="row",
    )
    return (
        households.select("household", "month", "end")
        .unique()
        .join(spans, on="household")
        .filter(
            (pl.col("valid_from") <= pl.col("end"))
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.col("end")))
        )
        .group_by("household", "month")
        .agg(pl.len().cast(pl.Int64).alias("members"))
    )


def _rigid(scope: str, months: list[str]) -> pl.DataFrame:
    """Rigid-expenditure hardship households determined (an approved application) and still
    valid on each month's last day — valid ``RIGID_VALID_MONTHS`` months from the decision —
    with their members in force that day."""
    since = first_day(add_months(months[0], -RIGID_VALID_MONTHS))
    rows = Application.objects.filter(
        program=Program.RIGID_EXPENDITURE,
        stage=Stage.APPROVED,
        division_code__startswith=scope,
        decided_on__gte=since,
        decided_on__lte=month_end(months[-1]),
    ).values_list("household_id", "division_code", "decided_on")
    decided = pl.DataFrame(
        list(rows),
        schema={"household": pl.Int64, "division": pl.String, "decided": pl.Date},
        orient="row",
    )
    if not decided.height:
        return pl.DataFrame(schema=SCHEMA)
    live = (
        decided.join(_months(months), how="cross")
        .filter(
            (pl.col("decided") <= pl.col("end"))
            & (pl.col("decided").dt.offset_by(f"{RIGID_VALID_MONTHS}mo") > pl.col("end"))
        )
        # A household determined twice within the validity counts once.
        .unique(["household", "month"])
    )
    live = live.join(_members(live), on=["household", "month"], how="left")
    return live.select(
        "month",
        pl.col("division").str.slice(0, 9).alias("township"),
        pl.lit(str(Program.RIGID_EXPENDITURE)).alias("program"),
        pl.lit("").alias("group"),
        pl.lit(1, pl.Int64).alias("households"),
        pl.col("members").fill_null(0).cast(pl.Int64).alias("persons"),
        pl.lit(0, pl.Int64).alias("cases"),
        pl.lit(0, pl.Int64).alias("amount"),
    )


def _paid(scope: str, months: list[str]) -> pl.DataFrame:
    """The amounts paid by the payroll runs of each month (``PAID_RUNS``): every line as due
    (the month's amount, arrears and recovery deductions, a re-issue counted once), a failed
    transfer not re-issued left out; one aggregate query."""
    rows = (
        Payment.objects.filter(
            AS_DUE,
            run__month__in=months,
            run__status__in=PAID_RUNS,
            run__program__in=MONTHLY,
            division_code__startswith=scope,
        )
        .exclude(status=PaymentStatus.FAILED)
        .annotate(township=Substr("division_code", 1, 9))
        .values_list(
            "run__month",
            "township",
            "run__program",
            "household__area_type",
            "entitlement__person__tekun_support_form",
            "entitlement__person__father_situation",
            "entitlement__person__mother_situation",
        )
        .annotate(total=Sum("amount"))
        .order_by()
    )
    names = ["month", "township", "program", "area", "form", "father", "mother", "amount"]
    frame = pl.DataFrame(list(rows), schema=names, orient="row", infer_schema_length=None)
    if not frame.height:
        return pl.DataFrame(schema=SCHEMA)
    return frame.select(
        "month",
        "township",
        "program",
        _group(*(pl.col(c) for c in ("program", "area", "form", "father", "mother"))),
        *(pl.lit(0, pl.Int64).alias(m) for m in ("households", "persons", "cases")),
        pl.col("amount").cast(pl.Int64),
    )


def _once(scope: str, months: list[str]) -> pl.DataFrame:
    """Payments made once (temporary and medical assistance) by the month they were paid:
    cases (payments), households and persons (the applicants) paid, amount (cash and the value
    given in kind); one aggregate query."""
    rows = (
        OneOffPayment.objects.filter(
            program__in=ONCE,
            division_code__startswith=scope,
            paid_on__gte=first_day(months[0]),
            paid_on__lte=month_end(months[-1]),
        )
        .annotate(township=Substr("division_code", 1, 9), paid_month=TruncMonth("paid_on"))
        .values_list("paid_month", "township", "program")
        .annotate(
            households=Count("household", distinct=True),
            persons=Count("application__applicant", distinct=True),
            cases=Count("id"),
            total=Sum("amount"),
        )
        .order_by()
    )
    names = ["paid", "township", "program", "households", "persons", "cases", "amount"]
    frame = pl.DataFrame(list(rows), schema=names, orient="row", infer_schema_length=None)
    if not frame.height:
        return pl.DataFrame(schema=SCHEMA)
    return frame.with_columns(
        pl.col("paid").cast(pl.Date).dt.strftime("%Y-%m").alias("month"),
        pl.lit("").alias("group"),
    ).cast(dict.fromkeys(_MEASURES, pl.Int64))
