"""The payroll plan without a database: regular payments, accounts, arrears, recoveries, and the
programs as an argument."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jiuzhu.batch.pipelines.payroll import MonthInputs, UnknownProgram, plan_month
from jiuzhu.batch.pipelines.payroll import plan as p

UTC = dt.UTC


def _frame(rows: list[tuple[object, ...]], schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def _entitlements(*rows: tuple[object, ...]) -> pl.DataFrame:
    return _frame(list(rows), p.ENTITLEMENTS)


def _versions(*rows: tuple[object, ...]) -> pl.DataFrame:
    return _frame(list(rows), p.VERSIONS)


def _accounts(*rows: tuple[object, ...]) -> pl.DataFrame:
    return _frame(list(rows), p.ACCOUNTS)


def _by(plan: p.Plan, kind: str) -> list[dict[str, object]]:
    return plan.rows.filter(pl.col("kind") == kind).sort("entitlement_id").to_dicts()


def test_regular_rows_pay_the_version_in_force_into_the_right_account() -> None:
    inputs = MonthInputs(
        month="2025-10",
        entitlements=_entitlements(
            (1, "dibao", 10, None, "120115001001"),
            (2, "dibao", 20, None, "120115001002"),
            (3, "dibao", 30, None, "120115001003"),
            (4, "dibao", 40, None, "120115001004"),
        ),
        versions=_versions(
            (1, 101, 50_000, "2025-01", "2025-10"),  # ended: not in force
            (1, 102, 53_500, "2025-10", ""),
            (2, 201, 0, "2025-01", ""),  # zero: skipped
            (3, 301, 42_000, "2025-01", ""),
            # 4 has no version: skipped
        ),
        accounts=_accounts((10, None, 900), (30, 7, 901), (30, None, 902)),
    )
    plan = plan_month(inputs, ["dibao"])
    assert plan.skipped == {"no_version": 1, "zero_amount": 1}
    assert [
        (r["entitlement_id"], r["version_id"], r["amount"], r["bank_account_id"])
        for r in _by(plan, "regular")
    ] == [(1, 102, 53_500, 900), (3, 301, 42_000, 902)]
    assert plan.rows.schema == pl.Schema({**p.ROW_SCHEMA, "program": pl.String})


def test_a_persons_own_account_comes_first_then_the_households_then_its_only_one() -> None:
    wanted = pl.DataFrame(
        {"entitlement_id": [1, 2, 3], "household_id": [10, 20, 30], "person_id": [7, None, 8]},
        schema={"entitlement_id": pl.Int64, "household_id": pl.Int64, "person_id": pl.Int64},
    )
    accounts = _accounts((10, 7, 1), (10, None, 2), (20, None, 3), (30, 9, 4))
    found = dict(p.resolve_accounts(wanted, accounts).iter_rows())
    assert found == {1: 1, 2: 3, 3: 4}


def test_programs_are_an_argument_and_rows_follow_their_order() -> None:
    inputs = MonthInputs(
        month="2025-10",
        entitlements=_entitlements(
            (1, "toy", 10, None, "120115001001"), (2, "dibao", 20, None, "120115001002")
        ),
        versions=_versions((1, 11, 100, "2025-01", ""), (2, 21, 200, "2025-01", "")),
        accounts=_accounts(),
    )
    plan = plan_month(inputs, ["dibao", "toy"])
    assert plan.rows["program"].to_list() == ["dibao", "toy"]
    with pytest.raises(UnknownProgram):
        plan_month(inputs, ["dibao"])


def test_arrears_pay_the_shortfall_of_a_retroactive_version_and_of_a_late_entitlement() -> None:
    drafted = dt.datetime(2025, 9, 1, tzinfo=UTC)
    inputs = MonthInputs(
        month="2025-10",
        entitlements=_entitlements(
            (1, "dibao", 10, None, "120115001001"), (2, "dibao", 20, None, "120115001002")
        ),
        versions=_versions((1, 12, 53_500, "2025-09", ""), (2, 21, 40_000, "2025-08", "")),
        accounts=_accounts((10, None, 900), (20, None, 901)),
        frozen_runs=_frame([("2025-08", drafted), ("2025-09", drafted)], p.FROZEN_RUNS),
        retroactive=_frame([(1, "2025-09")], p.RETROACTIVE),
        late=_frame([(2, dt.datetime(2025, 9, 5, tzinfo=UTC), "2025-09", "")], p.LATE),
        paid=_frame([(1, "2025-08", "regular", 50_000), (1, "2025-09", "regular", 50_000)], p.PAID),
        history_versions=_frame(
            [
                (1, 11, "2025-01", "2025-09", 50_000),
                (1, 12, "2025-09", "", 53_500),
                (2, 21, "2025-08", "", 40_000),
            ],
            p.HISTORY_VERSIONS,
        ),
    )
    arrears = _by(plan_month(inputs, ["dibao"]), "arrears")
    # 1: September paid 50,000 under the old version, 53,500 due: 3,500 back pay (fen).
    # 2: created after the August and September drafts, payable from September: 40,000.
    assert [
        (r["entitlement_id"], r["month"], r["amount"], r["bank_account_id"]) for r in arrears
    ] == [(1, "2025-09", 3_500, 900), (2, "2025-09", 40_000, 901)]


def test_a_recovery_takes_the_oldest_capped_at_the_month_and_the_gross() -> None:
    inputs = MonthInputs(
        month="2025-10",
        entitlements=_entitlements(
            (1, "dibao", 10, None, "120115001001"), (2, "dibao", 20, None, "120115001002")
        ),
        versions=_versions((1, 11, 30_000, "2025-01", ""), (2, 21, 5_000, "2025-01", "")),
        accounts=_accounts(),
        recoveries=_frame(
            [(7, 1, 20_000, 8_000), (8, 1, 9_000, None), (9, 2, 10_000, None)], p.RECOVERIES
        ),
        deducted=_frame([(7, -16_000)], p.DEDUCTED),
    )
    recovered = _by(plan_month(inputs, ["dibao"]), "recovery")
    # 7: 4,000 outstanding (< its cap of 8,000); 9: capped at the gross of 5,000.
    assert [(r["recovery_id"], r["amount"]) for r in recovered] == [(7, -4_000), (9, -5_000)]
