"""``verify`` runs ``derive`` for many households over one mapping of records (a district)."""

from __future__ import annotations

import datetime as dt

from jiuzhu.batch.pipelines.verify import (
    Delivery,
    HouseholdCase,
    HouseholdFacts,
    MemberFacts,
    derive,
    verify,
)

ON = dt.date(2025, 10, 15)
RECEIVED = dt.datetime(2025, 10, 15, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ALICE = MemberFacts(1, "120115198001010011", "甲", "01")
CAROL = MemberFacts(3, "120115197505050033", "丙", "01")


def _tax(period: str, income: int) -> dict[str, object]:
    return {
        "period": period,
        "received_at": RECEIVED.isoformat(),
        "income": income,
        "employer": "某公司",
    }


def test_each_household_is_verified_on_its_own_members_records() -> None:
    records = {
        ALICE.resident_id: {"tax": [_tax("2025-09", 600_000)]},
        CAROL.resident_id: {"tax": [_tax("2025-08", 1_200_000), _tax("2025-09", 1_200_000)]},
    }
    deliveries = {"tax": Delivery(RECEIVED, "2025-09")}
    cases = [
        HouseholdCase("a", [ALICE], HouseholdFacts(), ON, {(1, "wage_income"): 100_000}, {}),
        HouseholdCase("c", [CAROL], HouseholdFacts(vehicles=1), ON, {}, {}),
    ]
    results = list(verify(cases, records, deliveries))
    assert [key for key, _ in results] == ["a", "c"]
    found = dict(results)
    assert found["a"].incomes[(1, "wage_income")].value == 100_000
    assert found["c"].incomes[(3, "wage_income")].value == 400_000
    assert (1, "wage_income") not in found["c"].incomes
    for case in cases:
        alone = derive(
            case.members,
            records,
            case.declared_incomes,
            case.declared_assets,
            case.household,
            deliveries,
            case.on,
        )
        assert found[case.key] == alone
