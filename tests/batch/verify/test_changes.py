"""Which verified values a run writes: created above zero or where a declaration is corrected,
updated where they changed, removed where the delivery no longer supports them (no database)."""

from __future__ import annotations

from jiuzhu.batch.pipelines.verify import Findings, ValueChange, Verified, value_changes

WAGE = Verified(300_000, "核对：个人所得税扣缴明细 2025-04至2025-09 月均")


def test_created_above_zero_or_to_correct_a_declaration() -> None:
    findings = Findings(
        incomes={
            (1, "wage_income"): WAGE,
            (1, "employee_pension"): Verified(0, "核对：社会保险 2025-09 待遇"),
            (2, "employee_pension"): Verified(0, "核对：社会保险 2025-09 待遇"),
        },
        assets={1: Verified(0, "核对"), 2: Verified(5_000, "核对")},
    )
    changes = value_changes(findings, {(2, "employee_pension"): 10_000}, {}, {1: 100}, {})
    assert changes == [
        ValueChange(1, "wage_income", None, WAGE),
        ValueChange(2, "employee_pension", None, Verified(0, "核对：社会保险 2025-09 待遇")),
        ValueChange(1, None, None, Verified(0, "核对")),
        ValueChange(2, None, None, Verified(5_000, "核对")),
    ]
    assert [c.key for c in changes] == [
        "income:1:wage_income",
        "income:2:employee_pension",
        "asset:1",
        "asset:2",
    ]


def test_updated_only_where_changed() -> None:
    old = Verified(1, "核对：旧")
    findings = Findings(incomes={(1, "wage_income"): WAGE}, assets={1: Verified(5, "核对")})
    changes = value_changes(findings, {}, {(1, "wage_income"): old}, {}, {1: Verified(5, "核对")})
    assert changes == [ValueChange(1, "wage_income", old, WAGE)]


def test_removed_when_no_record_supports_it_any_more() -> None:
    old = Verified(1, "核对：旧")
    findings = Findings(
        incomes={(2, "wage_income"): WAGE},
        unsupported_incomes={(1, "wage_income"), (2, "wage_income"), (3, "wage_income")},
        unsupported_assets={1, 3},
    )
    existing = {(1, "wage_income"): old, (2, "wage_income"): old}
    changes = value_changes(findings, {}, existing, {}, {1: old})
    assert changes == [
        ValueChange(2, "wage_income", old, WAGE),
        ValueChange(1, "wage_income", old, None),
        ValueChange(1, None, old, None),
    ]
