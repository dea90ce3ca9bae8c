"""Reading the payroll within the user's jurisdiction (deny by default).

A run is the district's; a township user sees the runs but only its own households' payments
and figures. A payment, a household and a recovery outside the jurisdiction answer 404, like a
missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from jiuzhu.reference import division
from jiuzhu.web.cases.models import Program
from jiuzhu.web.payments.models import Kind, Payment, PayrollRun


def _division(user: Any) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    return str(getattr(user, "division_code", "") or "")


def runs_for(user: Any) -> QuerySet[PayrollRun]:
    """Runs whose area overlaps the user's: the district's runs for every user of the district,
    a township's (if ever delegated) for its own and the district's users."""
    code = _division(user)
    if not code:
        return PayrollRun.objects.none()
    enclosing = [code[:n] for n in (6, 9, 12) if n <= len(code)]
    return PayrollRun.objects.filter(
        Q(division_code__in=enclosing) | Q(division_code__startswith=code)
    )


def run_for(user: Any, pk: int) -> PayrollRun:
    """Raises Http404 outside the jurisdiction."""
    try:
        return (
            runs_for(user)
            .select_related("drafted_by", "checked_by", "approved_by", "exported_by", "closed_by")
            .get(pk=pk)
        )
    except PayrollRun.DoesNotExist:
        raise Http404 from None


def payments_for(user: Any) -> QuerySet[Payment]:
    code = _division(user)
    if not code:
        return Payment.objects.none()
    return Payment.objects.filter(division_code__startswith=code)


def payment_for(user: Any, pk: int) -> Payment:
    """Raises Http404 outside the jurisdiction."""
    try:
        return payments_for(user).select_related("run", "household").get(pk=pk)
    except Payment.DoesNotExist:
        raise Http404 from None


def scope_of(user: Any, run: PayrollRun) -> str:
    """The division prefix of the run's rows the user may see."""
    code = _division(user)
    return code if code.startswith(run.division_code) else run.division_code


def township_name(code: str) -> str:
    found = division(code)
    return found.name if found else code


@dataclass
class SummaryRow:
    township: str
    name: str
    program: str
    program_label: str
    households: int
    count: int
    regular: int
    arrears: int
    recovery: int
    amount: int
    """fen (net: regular + arrears + recovery, recoveries negative)."""


def monthly_summary(user: Any, month: str) -> list[SummaryRow]:
    """Payments made in the runs of ``month`` by township and program, within the user's
    jurisdiction (amounts in fen)."""
    rows = (
        payments_for(user)
        .filter(run__month=month)
        .values_list("division_code", "run__program", "household_id", "kind", "amount")
    )
    frame = pl.DataFrame(
        list(rows),
        schema={
            "division_code": pl.String,
            "program": pl.String,
            "household_id": pl.Int64,
            "kind": pl.String,
            "amount": pl.Int64,
        },
        orient="row",
    ).with_columns(township=pl.col("division_code").str.slice(0, 9))
    grouped = (
        frame.group_by("township", "program")
        .agg(
            pl.col("household_id").n_unique().alias("households"),
            pl.len().alias("count"),
            *[
                pl.col("amount").filter(pl.col("kind") == kind.value).sum().alias(kind.value)
                for kind in Kind
            ],
            pl.col("amount").sum(),
        )
        .sort("township", "program")
    )
    labels = dict(Program.choices)
    return [
        SummaryRow(
            township=row["township"],
            name=township_name(row["township"]),
            program=row["program"],
            program_label=str(labels.get(row["program"], row["program"])),
            households=row["households"],
            count=row["count"],
            regular=row["regular"],
            arrears=row["arrears"],
            recovery=row["recovery"],
            amount=row["amount"],
        )
        for row in grouped.iter_rows(named=True)
    ]


def scoped_total(user: Any, run: PayrollRun) -> int:
    """The run's net amount (fen) within the user's jurisdiction."""
    total = (
        Payment.objects.filter(run=run, division_code__startswith=scope_of(user, run))
        .aggregate(total=Sum("amount"))
        .get("total")
    )
    return int(total or 0)
