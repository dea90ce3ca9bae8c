"""The derivation rules on hand-made records (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jiuzhu.web.core.months import add_months
from jiuzhu.web.verification.comparisons import derive
from jiuzhu.web.verification.comparisons.common import (
    Delivery,
    HouseholdFacts,
    MemberFacts,
    month_window,
    window_end,
)

ON = dt.date(2025, 10, 15)
RECEIVED = dt.datetime(2025, 10, 15, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ALICE = MemberFacts(1, "120115198001010011", "甲", "01")
BOB = MemberFacts(2, "120115198203030022", "乙", "10", student_level="undergraduate")


def rows(*records: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"received_at": RECEIVED.isoformat(), **r} for r in records]


def tax(period: str, income: int) -> dict[str, Any]:
    return {"period": period, "income": income, "tax_withheld": 0, "employer": "某公司"}


def deliveries(**last: str) -> dict[str, Delivery]:
    return {source: Delivery(RECEIVED, period) for source, period in last.items()}


def comparison(findings: Any, item: str, person_id: int | None = 1) -> Any:
    return next(c for c in findings.comparisons if c.item == item and c.person_id == person_id)


def test_months() -> None:
    assert add_months("2025-01", -1) == "2024-12"
    assert month_window("2025-09", 6) == [f"2025-{m:02d}" for m in range(4, 10)]
    assert window_end(Delivery(RECEIVED, "2025-09"), [], "2025-10") == "2025-09"
    assert window_end(Delivery(RECEIVED, "2025-12"), [], "2025-10") == "2025-10"
    assert window_end(None, [{"period": "2025-08"}], "2025-10") == "2025-08"


def test_wage_is_the_six_month_average_with_missing_months_as_zero() -> None:
    """Three months of 6,000 yuan in the six months to 2025-09 average 3,000 yuan; a row after
    the window and one before it are not counted."""
    records = {
        ALICE.resident_id: {
            "tax": rows(
                tax("2025-03", 9_999_900),
                tax("2025-07", 600_000),
                tax("2025-08", 600_000),
                tax("2025-09", 600_000),
            )
        }
    }
    findings = derive(
        [ALICE],
        records,
        {(1, "wage_income"): 300_000},
        {},
        HouseholdFacts(),
        deliveries(tax="2025-09"),
        ON,
    )
    assert findings.incomes[(1, "wage_income")].value == 300_000
    wage = comparison(findings, "wage_income")
    assert (wage.declared, wage.found, wage.warning, wage.period) == (
        300_000,
        300_000,
        False,
        "2025-04至2025-09",
    )


def test_no_tax_rows_gives_no_verified_wage() -> None:
    findings = derive(
        [ALICE],
        {},
        {(1, "wage_income"): 250_000},
        {},
        HouseholdFacts(),
        deliveries(tax="2025-09"),
        ON,
    )
    assert (1, "wage_income") not in findings.incomes
    assert (1, "wage_income") in findings.unsupported_incomes
    wage = comparison(findings, "wage_income")
    assert wage.found is None and not wage.warning and wage.note == "未发现纳税记录"
    tax_answer = next(a for a in findings.answers if a.source == "tax")
    assert not tax_answer.found and tax_answer.summary["note"] == "未发现纳税记录"


def test_money_differs_by_more_than_one_yuan() -> None:
    def found(declared: int) -> bool:
        records = {
            ALICE.resident_id: {"tax": rows(*(tax(p, 500_000) for p in month_window("2025-09", 6)))}
        }
        findings = derive(
            [ALICE],
            records,
            {(1, "wage_income"): declared},
            {},
            HouseholdFacts(),
            deliveries(tax="2025-09"),
            ON,
        )
        return comparison(findings, "wage_income").warning

    assert not found(499_900)
    assert found(499_899)


def test_social_insurance_latest_month() -> None:
    records = {
        ALICE.resident_id: {
            "social_insurance": rows(
                {
                    "period": "2025-08",
                    "scheme": "employee_pension_insurance",
                    "contribution": 0,
                    "benefit_type": "employee_pension",
                    "benefit": 300_000,
                    "status": "active",
                },
                {
                    "period": "2025-09",
                    "scheme": "employee_pension_insurance",
                    "contribution": 0,
                    "benefit_type": "employee_pension",
                    "benefit": 310_000,
                    "status": "active",
                },
                {
                    "period": "2025-09",
                    "scheme": "employee_medical_insurance",
                    "contribution": 6_000,
                    "benefit_type": "none",
                    "benefit": 0,
                    "status": "active",
                },
            )
        }
    }
    findings = derive([ALICE], records, {}, {}, HouseholdFacts(), {}, ON)
    assert findings.incomes[(1, "employee_pension")].value == 310_000
    assert findings.incomes[(1, "transfer_expenditure")].value == 6_000
    assert findings.incomes[(1, "residents_basic_pension")].value == 0
    assert comparison(findings, "employee_pension").warning


def test_monetary_assets_latest_balances_and_active_capital() -> None:
    records = {
        ALICE.resident_id: {
            "financial_assets": rows(
                {
                    "period": "2025-09",
                    "institution": "农行",
                    "asset_type": "demand_deposit",
                    "balance": 1_000_000,
                    "queried_on": "2025-09-01",
                },
                {
                    "period": "2025-10",
                    "institution": "农行",
                    "asset_type": "demand_deposit",
                    "balance": 800_000,
                    "queried_on": "2025-10-08",
                },
                {
                    "period": "2025-10",
                    "institution": "渤海证券",
                    "asset_type": "securities",
                    "balance": 200_000,
                    "queried_on": "2025-10-09",
                },
            ),
            "market_entities": rows(
                {
                    "period": "2025-10",
                    "entity_name": "某店",
                    "subscribed_capital": 5_000_000,
                    "status": "active",
                },
                {
                    "period": "2025-10",
                    "entity_name": "旧店",
                    "subscribed_capital": 9_000_000,
                    "status": "closed",
                },
            ),
        }
    }
    findings = derive([ALICE], records, {}, {1: 6_000_000}, HouseholdFacts(), {}, ON)
    assert findings.assets[1].value == 800_000 + 200_000 + 5_000_000
    assert not comparison(findings, "monetary_assets").warning


def test_household_values() -> None:
    records = {
        ALICE.resident_id: {
            "vehicles": rows(
                {
                    "period": "2025-10",
                    "plate": "津A1",
                    "vehicle_type": "car",
                    "use": "private",
                    "first_registered": "2015-01-01",
                    "deregistered": None,
                },
                {
                    "period": "2025-10",
                    "plate": "津A2",
                    "vehicle_type": "car",
                    "use": "private",
                    "first_registered": "2005-01-01",
                    "deregistered": "2012-01-01",
                },
            ),
            "real_estate": rows(
                {
                    "period": "2025-10",
                    "certificate": "C1",
                    "use": "residential",
                    "floor_area": 9_001,
                    "address": "甲地",
                },
                {
                    "period": "2025-10",
                    "certificate": "C2",
                    "use": "commercial",
                    "floor_area": 3_000,
                    "address": "乙地",
                },
            ),
            "medical_insurance": rows(
                {"period": "2024-09", "out_of_pocket": 99_999},
                {"period": "2024-10", "out_of_pocket": 10_000},
                {"period": "2025-09", "out_of_pocket": 20_000},
            ),
        },
        # The same home co-owned: counted once.
        BOB.resident_id: {
            "real_estate": rows(
                {
                    "period": "2025-10",
                    "certificate": "C1",
                    "use": "residential",
                    "floor_area": 9_001,
                    "address": "甲地",
                },
            )
        },
    }
    findings = derive(
        [ALICE, BOB],
        records,
        {},
        {},
        HouseholdFacts(vehicles=0, homes=1, per_capita_floor_area=Decimal("45.01")),
        deliveries(medical_insurance="2025-09"),
        ON,
    )
    assert findings.household == {
        "vehicles": 1,
        "disability_mobility_vehicles": 0,
        "homes": 1,
        "per_capita_floor_area": Decimal("45.01"),
        "non_residential_property": True,
        "rigid_medical_expenditure": 30_000,
    }
    assert comparison(findings, "vehicles", None).warning
    assert not comparison(findings, "homes", None).warning
    assert not comparison(findings, "per_capita_floor_area", None).warning
    assert comparison(findings, "non_residential_property", None).warning


def test_compared_only_items() -> None:
    """Death, a school record that disagrees, a housing-fund depositor without a declared wage:
    warnings, and nothing written."""
    records = {
        ALICE.resident_id: {
            "deaths": rows({"period": "2025-09", "died_on": "2025-09-03"}),
            "housing_fund": rows(
                {
                    "period": "2025-09",
                    "employer": "某厂",
                    "personal_deposit": 30_000,
                    "employer_deposit": 30_000,
                    "balance": 900_000,
                }
            ),
        },
        BOB.resident_id: {
            "students": rows(
                {
                    "period": "2025-10",
                    "school": "天津大学",
                    "level": "undergraduate",
                    "status": "graduated",
                    "enrolled_on": "2021-09-01",
                }
            )
        },
    }
    findings = derive([ALICE, BOB], records, {}, {}, HouseholdFacts(), {}, ON)
    assert comparison(findings, "death").warning
    assert comparison(findings, "housing_fund").warning
    student = comparison(findings, "student_level", 2)
    assert student.warning and student.found == "非在校生"
    assert not findings.incomes and not findings.assets and not findings.household


def test_every_item_and_source_has_a_label_in_the_users_language() -> None:
    """The report shows the comparisons' codes through translated labels: one for each, with
    the same Chinese words as the record keeps."""
    from jiuzhu.web.verification.comparisons import common
    from jiuzhu.web.verification.labels import ITEM_TITLES, SOURCE_TITLES

    assert {k: str(v) for k, v in ITEM_TITLES.items()} == common.LABELS
    assert {k: str(v) for k, v in SOURCE_TITLES.items()} == common.SOURCE_LABELS
