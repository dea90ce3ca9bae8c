"""Reading department feeds: dirt normalised, encodings, rejections, quarantine, detection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import polars as pl
import pytest

from jiuzhu.feeds.base import SPECS, FeedRejected, FeedSpec, detect, read_feed, sources
from jiuzhu.feeds.ids import check_character, normalise_expr
from jiuzhu.synth.feeds import write_bad_examples

sources()
BEIJING = ZoneInfo("Asia/Shanghai")
RECEIVED = dt.datetime(2025, 10, 15, 9, 30, tzinfo=BEIJING)


def _id(first17: str) -> str:
    return first17 + check_character(first17)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def _first17_ending_in_x() -> str:
    """A 17-digit prefix whose check character is X (sequence varied until it is)."""
    for sequence in range(100, 1000):
        first17 = f"12022419800101{sequence:03d}"
        if check_character(first17) == "X":
            return first17
    raise AssertionError("no prefix with check character X")


A = _id("12022419800101123")  # born 1980: has a 15-digit legacy form
B = _id("12011520100101002")
X = _id(_first17_ending_in_x())
OUTSIDER = _id("41018419750505993")  # valid, but not in the registry below
REGISTRY = pl.Series([A, B, X])


def _csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _read(path: Path, source: str) -> pl.DataFrame:
    return read_feed(path, SPECS[source], received_at=RECEIVED).frame()


TAX_HEADER = ["纳税人识别号", "纳税人姓名", "税款所属期", "收入额", "已扣缴税额"]


# --- dirt normalised ----------------------------------------------------------------------------


def test_id_dirt_is_normalised_duplicates_removed_and_unknown_ids_counted(tmp_path: Path) -> None:
    legacy = A[:6] + A[8:17]
    assert len(legacy) == 15
    path = _csv(
        tmp_path / "tax.csv",
        TAX_HEADER,
        [
            [_full_width(A), "张伟", "2025-09", "5000.00", "0.00"],
            [X.lower(), "李娜", "2025-09", "6000.00", "30.00"],
            [legacy, "张伟", "2025-08", "5000.00", "0.00"],
            [B, "王芳", "2025-09", "4000.00", "0.00"],
            [B, "王芳", "2025-09", "4000.00", "0.00"],  # exported twice
            [OUTSIDER, "赵强", "2025-09", "7000.00", "60.00"],
        ],
    )
    result = read_feed(path, SPECS["tax"], received_at=RECEIVED, known_ids=REGISTRY)
    table = result.frame()
    assert table["resident_id"].to_list() == [A, X, A, B, OUTSIDER]
    assert X.endswith("X")
    assert table["line"].to_list() == [2, 3, 4, 5, 7]
    assert result.report.rows == 6
    assert result.report.accepted == 5
    assert result.report.duplicates == 1
    assert result.report.unknown_ids == 1
    assert result.report.bad == []


def test_every_period_form_gives_the_same_month(tmp_path: Path) -> None:
    forms = ["202509", "2025-09", "2025年9月", "2025年09月", "2025/9", "2025.09", "２０２５０９"]
    rows = [[B, "王芳", form, f"{4000 + i}.00", "0.00"] for i, form in enumerate(forms)]
    table = _read(_csv(tmp_path / "tax.csv", TAX_HEADER, rows), "tax")
    assert table["period"].to_list() == ["2025-09"] * len(forms)
    assert table["income"].to_list() == [400_000 + 100 * i for i in range(len(forms))]


def test_every_date_form_gives_the_same_date(tmp_path: Path) -> None:
    forms = ["2025-09-03", "2025/9/3", "20250903", "2025年9月3日", "2025.9.3", "２０２５年９月３日"]
    rows = [
        [_id(f"120224194001{i + 1:02d}013"), "王芳", form, "", ""] for i, form in enumerate(forms)
    ]
    path = _csv(
        tmp_path / "deaths.csv", ["身份证号", "姓名", "死亡日期", "户籍注销日期", "火化日期"], rows
    )
    table = _read(path, "deaths")
    assert table["died_on"].to_list() == [dt.date(2025, 9, 3)] * len(forms)
    assert table["period"].to_list() == ["2025-09"] * len(forms)
    assert table["register_cancelled_on"].null_count() == len(forms)


def test_excel_date_cells_and_number_cells_are_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["公民身份号码", "姓名", "残疾人证号", "残疾类别", "残疾等级", "发证日期"])
    excel_date = dt.datetime(2019, 3, 4)  # noqa: DTZ001 — Excel cells hold no time zone
    sheet.append([A, "张伟", A + "42", "肢体残疾", "二级", excel_date])
    sheet.append([B, "王芳", B + "14", "视力", "4", "2020年1月2日"])
    sheet.append([X.lower(), "李娜", X + "21B1", "2", "一级", dt.date(2021, 12, 31)])
    path = tmp_path / "disability.xlsx"
    workbook.save(path)
    table = _read(path, "disability")
    assert table["issued_on"].to_list() == [
        dt.date(2019, 3, 4),
        dt.date(2020, 1, 2),
        dt.date(2021, 12, 31),
    ]
    assert table["category"].to_list() == ["physical", "visual", "hearing"]
    assert table["grade"].to_list() == ["2", "4", "1"]
    assert table["resident_id"].to_list() == [A, B, X]


def test_amounts_in_yuan_and_wan_yuan_become_fen(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "tax.csv",
        TAX_HEADER,
        [
            [A, "张伟", "2025-09", '"12,345.6"', "0"],
            [B, "王芳", "2025-09", "８８８．０８元", "1.5"],
        ],
    )
    table = _read(path, "tax")
    assert table["income"].to_list() == [1_234_560, 88_808]
    assert table["tax_withheld"].to_list() == [0, 150]
    market = _csv(
        tmp_path / "market.csv",
        [
            "投资人证件号码",
            "投资人",
            "统一社会信用代码",
            "企业名称",
            "认缴出资额（万元）",
            "成立日期",
            "登记状态",
        ],
        [[A, "张伟", "92120115MA05XXXX1X", "宝坻区张伟五金店", "123.456789", "2019-05-06", "存续"]],
    )
    assert _read(market, "market_entities")["subscribed_capital"].to_list() == [123_456_789]


def test_a_gb18030_file_keeps_its_chinese_intact(tmp_path: Path) -> None:
    # 䶮 (CJK extension A) takes four bytes in GB18030 and is not in GBK.
    names = ["王䶮", "李堃", "欧阳喆"]
    rows = [
        [person, name, "城镇职工基本养老保险", "202509", "320.00", "无", "0.00", "正常参保"]
        for person, name in zip([A, B, X], names, strict=True)
    ]
    header = [
        "公民身份号码",
        "姓名",
        "险种",
        "费款所属期",
        "个人缴费金额",
        "待遇类型",
        "月待遇",
        "参保状态",
    ]
    path = _csv(tmp_path / "si.csv", header, rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = read_feed(path, SPECS["social_insurance"], received_at=RECEIVED)
    assert result.report.encoding == "gb18030"
    assert result.frame()["name"].to_list() == names
    assert result.frame()["scheme"].to_list() == ["employee_pension_insurance"] * 3


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tax.csv"
    path.write_bytes(("\ufeff" + ",".join(TAX_HEADER) + f"\n{A},张伟,2025-09,5000,0\n").encode())
    result = read_feed(path, SPECS["tax"], received_at=RECEIVED)
    assert result.report.encoding == "utf-8"
    assert result.frame()["resident_id"].to_list() == [A]


# --- received_at --------------------------------------------------------------------------------


def test_received_at_is_in_beijing_time_whatever_zone_it_is_given_in(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "vehicles.csv",
        ["身份证明号码", "机动车所有人", "号牌号码", "车辆类型", "使用性质", "初次登记日期"],
        [[A, "张伟", "津A12345", "小型轿车", "非营运", "2015-03-04"]],
    )
    late_utc = dt.datetime(2025, 9, 30, 20, 0, tzinfo=dt.UTC)  # 04:00 on 1 October in Beijing
    table = read_feed(path, SPECS["vehicles"], received_at=late_utc).frame()
    assert table.schema["received_at"] == pl.Datetime("us", "Asia/Shanghai")
    received = table["received_at"].item()
    assert received.utcoffset() == dt.timedelta(hours=8)
    assert received == dt.datetime(2025, 10, 1, 4, 0, tzinfo=BEIJING)
    assert received.hour == 4
    # No period field: the month the file arrived, in Beijing.
    assert table["period"].item() == "2025-10"
    naive = read_feed(path, SPECS["vehicles"], received_at=dt.datetime(2025, 9, 30, 23, 0))  # noqa: DTZ001
    assert naive.frame()["received_at"].item() == dt.datetime(2025, 9, 30, 23, tzinfo=BEIJING)
    default = read_feed(path, SPECS["vehicles"]).frame()
    assert default.schema["received_at"] == pl.Datetime("us", "Asia/Shanghai")


# --- rejection and quarantine -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_bad_examples(tmp_path_factory.mktemp("bad"))


def _rejected(path: Path, spec: FeedSpec) -> FeedRejected:
    with pytest.raises(FeedRejected) as caught:
        read_feed(path, spec, received_at=RECEIVED)
    assert caught.value.report.accepted == 0
    return caught.value


def test_bad_rows_reject_the_whole_file_with_line_column_value_and_reason(
    bad_examples: dict[str, Path],
) -> None:
    report = _rejected(bad_examples["bad_rows"], SPECS["tax"]).report
    assert report.rows == 14
    assert [(b.line, b.column) for b in report.bad] == [
        (5, "纳税人识别号"),
        (9, "收入额"),
        (12, "已扣缴税额"),
        (13, "税款所属期"),
    ]
    check, amount, withheld, month = report.bad
    text = bad_examples["bad_rows"].read_text(encoding="utf-8").splitlines()
    wrong_id = text[4].split(",")[0]
    assert check.value == wrong_id
    expected = check_character(wrong_id[:17])
    assert expected != wrong_id[17]
    assert f"校验码应为{expected}，实际为{wrong_id[17]}" in check.reason
    assert amount.value == "3,2OO.00"
    assert "金额应为" in amount.reason
    assert "已扣缴税额大于收入额" in withheld.reason
    assert month.value == "2025-13"
    assert "不是有效的月份" in month.reason


def test_quarantine_returns_the_good_rows_and_the_bad_ones_apart(
    bad_examples: dict[str, Path],
) -> None:
    result = read_feed(bad_examples["bad_rows"], SPECS["tax"], quarantine=True)
    table = result.frame()
    assert table.height == 10
    assert 5 not in table["line"].to_list()
    assert table["line"].to_list() == [2, 3, 4, 6, 7, 8, 10, 11, 14, 15]
    assert result.quarantine.columns == ["line", "column", "value", "reason"]
    assert result.quarantine["line"].to_list() == [5, 9, 12, 13]
    lines = bad_examples["bad_rows"].read_text(encoding="utf-8").splitlines()
    withheld = lines[11].split(",")[4]
    assert result.quarantine["value"].to_list() == [
        lines[4].split(",")[0],
        "3,2OO.00",
        withheld,
        "2025-13",
    ]
    assert float(withheld) > float(lines[11].split(",")[3])
    assert result.report.accepted == 10
    assert result.report.bad_lines == 4


def test_a_missing_column_rejects_the_file(bad_examples: dict[str, Path]) -> None:
    report = _rejected(bad_examples["missing_column"], SPECS["social_insurance"]).report
    assert len(report.bad) == 1
    assert report.bad[0].line is None
    assert report.bad[0].column == "险种"
    assert "缺少必需的列“险种”" in report.bad[0].reason


def test_a_file_in_no_known_encoding_is_rejected(bad_examples: dict[str, Path]) -> None:
    report = _rejected(bad_examples["undecodable"], SPECS["financial_assets"]).report
    assert [b.reason for b in report.bad] == [
        "文件编码既不是 UTF-8 也不是 GB18030 (neither UTF-8 nor GB18030 text)"
    ]


def test_a_corrupt_workbook_is_rejected(bad_examples: dict[str, Path]) -> None:
    report = _rejected(bad_examples["corrupt_xlsx"], SPECS["vehicles"]).report
    assert len(report.bad) == 1
    assert report.bad[0].reason.startswith("不是可读取的 xlsx 工作簿")


def test_random_bytes_named_csv_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes(range(128, 256)) * 8)
    report = _rejected(path, SPECS["tax"]).report
    assert "既不是 UTF-8 也不是 GB18030" in report.bad[0].reason


def test_a_malformed_csv_is_rejected_not_crashed(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "tax.csv",
        TAX_HEADER,
        [[A, "张伟", "2025-09", "5000.00", "0.00"], [B, "王芳", "2025-09", "1", "0", "extra"]],
    )
    report = _rejected(path, SPECS["tax"]).report
    assert "malformed CSV" in report.bad[0].reason


def test_blank_required_values_and_cross_field_rules_are_bad_rows(tmp_path: Path) -> None:
    header = [
        "身份证号",
        "姓名",
        "结算日期",
        "就诊类型",
        "医疗费用总额",
        "统筹基金支付",
        "大病保险支付",
        "医疗救助支付",
        "个人自付",
    ]
    path = _csv(
        tmp_path / "medical.csv",
        header,
        [
            [A, "张伟", "2025-09-03", "住院", "1000.00", "600.00", "100.00", "0.00", "300.00"],
            [B, "王芳", "2025-09-03", "住院", "1000.00", "600.00", "100.00", "0.00", "299.99"],
            [X, "", "2025-09-04", "门特", "100.00", "60.00", "0.00", "0.00", "40.00"],
        ],
    )
    result = read_feed(path, SPECS["medical_insurance"], quarantine=True)
    assert result.frame()["resident_id"].to_list() == [A]
    assert [(b.line, b.column) for b in result.report.bad] == [(3, "个人自付"), (4, "姓名")]
    assert "各项支付之和不等于医疗费用总额" in result.report.bad[0].reason
    assert "必填项为空" in result.report.bad[1].reason


def test_unknown_codes_are_bad_rows_with_the_accepted_spellings(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "students.csv",
        ["身份证号", "姓名", "学校名称", "学段", "入学日期", "学籍状态"],
        [[B, "王芳", "宝坻区第一小学", "大学", "2016-09-01", "在读"]],
    )
    with pytest.raises(FeedRejected) as caught:
        read_feed(path, SPECS["students"])
    (bad,) = caught.value.report.bad
    assert (bad.line, bad.column, bad.value) == (2, "学段", "大学")
    assert "可填：学前教育、幼儿园、小学" in bad.reason


def test_a_diagnosis_is_mapped_to_the_serious_illness_codes_and_may_be_absent(
    tmp_path: Path,
) -> None:
    header = ["参保人身份证号", "姓名", "结算日期", "医疗类别", "医疗费用总额", "统筹基金支付"]
    header += ["大病保险支付", "医疗救助支付", "个人负担"]
    money = ["1000.00", "600.00", "100.00", "0.00", "300.00"]
    path = _csv(
        tmp_path / "medical.csv",
        [*header, "病种"],
        [
            [A, "张伟", "2025-10-03", "住院", *money, "尿毒症"],
            [B, "王芳", "2025-10-03", "住院", *money, "癌症"],
            [X, "李娜", "2025-10-04", "住院", *money, ""],
        ],
    )
    assert _read(path, "medical_insurance")["diagnosis"].to_list() == [
        "uremia",
        "malignant_tumour",
        None,
    ]
    without = _csv(tmp_path / "old.csv", header, [[A, "张伟", "2025-10-03", "住院", *money]])
    assert _read(without, "medical_insurance")["diagnosis"].to_list() == [None]
    unknown = _csv(
        tmp_path / "bad.csv", [*header, "病种"], [[A, "张伟", "2025-10-03", "住院", *money, "感冒"]]
    )
    with pytest.raises(FeedRejected) as caught:
        read_feed(unknown, SPECS["medical_insurance"])
    assert [(b.line, b.column, b.value) for b in caught.value.report.bad] == [(2, "病种", "感冒")]


def test_custody_records_are_read_with_their_kind_and_dates_checked(tmp_path: Path) -> None:
    header = [
        "公民身份号码",
        "姓名",
        "执行类型",
        "执行场所",
        "收押日期",
        "预计释放日期",
        "释放日期",
    ]
    path = _csv(
        tmp_path / "custody.csv",
        header,
        [
            [A, "张伟", "服刑", "天津市监狱", "2025-10-08", "2028-10-07", ""],
            [B, "王芳", "强戒", "天津市强制隔离戒毒所", "2025/10/2", "", ""],
            [X, "李娜", "刑事拘留", "宝坻区看守所", "2025-10-05", "2025-09-01", ""],
        ],
    )
    result = read_feed(path, SPECS["custody"], quarantine=True, received_at=RECEIVED)
    frame = result.frame()
    assert frame["kind"].to_list() == ["prison", "compulsory_drug_rehabilitation"]
    assert frame["period"].to_list() == ["2025-10", "2025-10"]
    assert frame["expected_release"].to_list() == [dt.date(2028, 10, 7), None]
    assert [(b.line, b.column) for b in result.report.bad] == [(4, "预计释放日期")]
    assert detect(path).source == "custody"


# --- detection and speed ------------------------------------------------------------------------


def test_detect_names_the_source_of_a_file_by_its_headers(tmp_path: Path) -> None:
    tax = _csv(tmp_path / "a.csv", TAX_HEADER, [[A, "张伟", "2025-09", "1", "0"]])
    assert detect(tax).source == "tax"
    deaths = _csv(
        tmp_path / "b.csv", ["公民身份号码", "姓名", "死亡日期"], [[A, "张伟", "2025-09-03"]]
    )
    assert detect(deaths).source == "deaths"
    other = _csv(tmp_path / "c.csv", ["编号", "备注"], [["1", "x"]])
    with pytest.raises(KeyError):
        detect(other)


def test_legacy_numbers_in_a_large_column_are_upgraded_alongside_the_others() -> None:
    """Speed is measured in bench/synth.py, not asserted here (a legacy number once made every
    row of its column slow)."""
    legacy = A[:6] + A[8:17]
    column = pl.Series("id", [A, B, X, legacy] * 75_000)
    number, reason = normalise_expr(pl.col("id"))
    out = pl.DataFrame({"id": column}).select(number.alias("n"), reason.alias("r"))
    assert out["n"].head(4).to_list() == [A, B, X, A]
    assert out["r"].null_count() == 300_000
