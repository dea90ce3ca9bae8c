"""Bank-file rows without a database: transfers netted per entitlement, references, cells,
encodings, the checksum and the Luhn check digit."""

from __future__ import annotations

import polars as pl

from jiuzhu.batch.pipelines.payroll import bankrows


def test_transfers_are_netted_per_entitlement_and_referenced() -> None:
    payments = pl.DataFrame(
        [
            (2, "120115001002", 40_000, 900, 20),
            (1, "120115001001", 50_000, 901, 10),
            (1, "120115001001", 3_500, 901, 10),
            (1, "120115001001", -3_500, 901, 10),
            (3, "120115001003", 5_000, 902, 30),
            (3, "120115001003", -5_000, 902, 30),
            (4, "120115001004", 1_000, None, 40),
        ],
        schema=bankrows.PAYMENTS,
        orient="row",
    )
    accounts = pl.DataFrame(
        [
            (900, "6222021234567890128", "张三", "11010519491231002X", "中国工商银行"),
            (901, "6231000000000000054", "李四", "120115195501010056", "天津农商银行"),
            (902, "6231000000000000062", "王五", "120115195501010064", "天津农商银行"),
        ],
        schema=bankrows.ACCOUNTS,
        orient="row",
    )
    prefix = bankrows.reference_prefix("2025-11", "dibao", {"dibao": "DB"})
    found = bankrows.transfers(payments, accounts, prefix, "R1")
    assert [(r.reference, r.amount, r.holder_name) for r in found.rows] == [
        ("202511DB0000000001R1", 50_000, "李四"),
        ("202511DB0000000002R1", 40_000, "张三"),
    ]
    assert found.households == [10, 20]
    assert found.zero == [3]
    assert found.unpaid == 1
    assert bankrows.reference_prefix("2025-11", "toy", {}) == "202511XX"


def test_cells_encodings_and_checksum() -> None:
    row = bankrows.BankRow("6222021234567890128", "𠀀三", "11010519491231002X", "工行", 1_045, "R")
    assert bankrows.row_cells(row, 3)["amount"] == "10.45"
    assert bankrows.yuan_text(-5) == "-0.05"
    assert bankrows.unencodable("𠀀三", "gbk") == ["𠀀"]
    assert bankrows.unencodable("𠀀三", "gb18030") == []
    assert bankrows.byte_width("张三", "gbk") == 4
    assert bankrows.row_checksum([row]) == bankrows.row_checksum([row])
    assert bankrows.row_checksum([row]) != bankrows.row_checksum([])


def test_luhn() -> None:
    assert bankrows.luhn_valid("4111111111111111")
    assert not bankrows.luhn_valid("4111111111111112")
    assert bankrows.luhn_check_digit("621700001111222233") == "7"
    assert bankrows.is_unionpay_card("6217000011112222337")
    assert not bankrows.is_unionpay_card("4111111111111111")


def test_holder_ids_as_stored_are_checked_in_one_pass() -> None:
    assert bankrows.ids_as_stored_valid(
        ["11010519491231002X", "11010519491231002x", "110105194912310021", ""]
    ) == [True, False, False, False]
    assert bankrows.ids_as_stored_valid([]) == []
