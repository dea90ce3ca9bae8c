"""Issue 10's failures at the readers' boundaries: IDs through floats, other-script digits,
future births, header variants, title rows and two-row headers, names kept as written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from jiuzhu.batch.inputs import InputFileError, read_input
from jiuzhu.feeds import names
from jiuzhu.feeds.base import SPECS, FeedRejected, read_feed, sources
from jiuzhu.feeds.ids import InvalidIdError, check_character, normalise
from jiuzhu.rules import load_system

sources()
RECEIVED = dt.datetime(2025, 10, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SYSTEM = load_system("tianjin")
ON = dt.date(2025, 10, 15)
TAX_HEADER = ["纳税人识别号", "纳税人姓名", "税款所属期", "收入额", "已扣缴税额"]


def _id(first17: str) -> str:
    return first17 + check_character(first17)


def _float_survivor() -> tuple[str, str]:
    """An ID whose float-rounded form still passes the check character (about one in eleven):
    the number a float turns it into, and the real one."""
    for sequence in range(100, 1000):
        real = _id(f"12022419800101{sequence:03d}")
        if real.endswith("X"):
            continue
        rounded = str(int(float(real)))
        if rounded != real and rounded[17] == check_character(rounded[:17]):
            return real, rounded
    raise AssertionError("no float survivor")


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_id_in_a_numeric_cell_is_refused_not_stored_as_another_persons(tmp_path: Path) -> None:
    real, rounded = _float_survivor()
    path = _xlsx(
        tmp_path / "tax.xlsx",
        [TAX_HEADER, [int(real), "张三", "2025-09", "3000", "0"]],
    )
    with pytest.raises(FeedRejected) as caught:
        read_feed(path, SPECS["tax"], received_at=RECEIVED)
    text = caught.value.report.text()
    assert "数值格式单元格，末位可能已丢失" in text and "A2" in text
    assert rounded[17] == check_character(rounded[:17])  # the float's number looks valid


def test_an_exact_number_in_a_numeric_cell_is_read_as_text_with_a_warning(tmp_path: Path) -> None:
    legacy = "120224800101123"  # a 15-digit legacy ID is exact in a float
    path = _xlsx(tmp_path / "tax.xlsx", [TAX_HEADER, [int(legacy), "张三", "2025-09", "3000", "0"]])
    result = read_feed(path, SPECS["tax"], received_at=RECEIVED)
    assert result.frame()["resident_id"].to_list() == [normalise(legacy).number]
    warnings = " ".join(w.reason for w in result.report.warnings)
    assert "数值格式" in warnings and "15位旧号码" in warnings


def test_scientific_notation_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "tax.csv"
    path.write_text(",".join(TAX_HEADER) + "\n1.20224E+17,张三,2025-09,3000,0\n", encoding="utf-8")
    with pytest.raises(FeedRejected) as caught:
        read_feed(path, SPECS["tax"], received_at=RECEIVED)
    assert "科学计数法" in caught.value.report.text()


@pytest.mark.parametrize("digit", ["\u0663", "\u0969", "\u0e53", "\u1041"])
def test_digits_of_other_scripts_are_refused_naming_the_character(digit: str) -> None:
    valid = _id("12022419800101123")
    text = valid[:5] + digit + valid[6:]
    with pytest.raises(InvalidIdError) as caught:
        normalise(text)
    assert caught.value.code == "character"
    assert caught.value.params["position"] == "6"


def test_a_feed_refuses_other_script_digits_and_future_births(tmp_path: Path) -> None:
    valid = _id("12022419800101123")
    arabic = valid[:3] + "\u0662" + valid[4:]
    future = _id("12011520300101123")
    path = tmp_path / "tax.csv"
    lines = [",".join(TAX_HEADER)] + [f"{i},张三,2025-09,3000,0" for i in (arabic, future)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_feed(path, SPECS["tax"], received_at=RECEIVED, quarantine=True)
    assert result.report.accepted == 0
    reasons = result.quarantine["reason"].to_list()
    assert any("U+0662" in r for r in reasons)
    assert any("晚于今天" in r for r in reasons)


def test_the_header_variant_with_haoma_is_understood_by_every_feed(tmp_path: Path) -> None:
    path = tmp_path / "tax.csv"
    header = ["身份证号码", *TAX_HEADER[1:]]
    path.write_text(
        ",".join(header) + f"\n{_id('12022419800101123')},张三,2025-09,3000,0\n", encoding="utf-8"
    )
    assert read_feed(path, SPECS["tax"], received_at=RECEIVED).report.accepted == 1
    for spec in SPECS.values():
        id_fields = [f for f in spec.fields if f.kind == "id"]
        assert all("身份证号码" in f.headers for f in id_fields), spec.source


def test_a_title_row_is_skipped_and_the_header_row_reported(tmp_path: Path) -> None:
    path = tmp_path / "tax.csv"
    rows = ["2025年9月个人所得税扣缴明细,,,,", ",".join(TAX_HEADER)]
    rows.append(f"{_id('12022419800101123')},张三,2025-09,3000,0")
    path.write_text("\n".join(rows) + "\n", encoding="gb18030")
    result = read_feed(path, SPECS["tax"], received_at=RECEIVED)
    assert result.report.accepted == 1
    assert result.frame()["line"].to_list() == [3]
    assert any("表头在第2行" in n for n in result.report.notes)


def test_a_two_row_merged_header_is_found(tmp_path: Path) -> None:
    path = tmp_path / "tax.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["扣缴明细"])
    sheet.append(["纳税人识别号", "纳税人姓名", "税款所属期", "金额", None])
    sheet.append([None, None, None, "收入额", "已扣缴税额"])
    sheet.append([_id("12022419800101123"), "张三", "2025-09", "3000", "0"])
    sheet.merge_cells("D2:E2")
    book.save(path)
    result = read_feed(path, SPECS["tax"], received_at=RECEIVED)
    assert result.report.accepted == 1
    assert result.frame()["income"].to_list() == [300000]
    assert any("第2–3行" in n for n in result.report.notes)


def test_the_assess_workbook_refuses_an_id_in_a_numeric_cell(tmp_path: Path) -> None:
    real, _ = _float_survivor()
    book = openpyxl.Workbook()
    households = book.active
    assert households is not None
    households.title = "家庭"
    households.append(["家庭编号", "城乡类别"])
    households.append(["A1", "城镇"])
    persons = book.create_sheet("成员")
    persons.append(["家庭编号", "身份证号码", "与申请人关系"])
    persons.append(["A1", int(real), "01"])
    book.save(tmp_path / "in.xlsx")
    with pytest.raises(InputFileError) as caught:
        read_input(tmp_path / "in.xlsx", SYSTEM, ON)
    assert "数值格式单元格，末位可能已丢失" in str(caught.value)


def test_the_assess_input_finds_a_header_below_a_title_and_keeps_names(tmp_path: Path) -> None:
    person = _id("12022419800101123")
    book = openpyxl.Workbook()
    households = book.active
    assert households is not None
    households.title = "家庭"
    households.append(["宝坻区低保申请家庭"])
    households.append(["家庭编号", "城乡类别"])
    households.append(["A1", "城镇"])
    persons = book.create_sheet("成员")
    persons.append(["家庭编号", "公民身份号码", "姓名", "与申请人关系"])
    persons.append(["A1", person, "阿卜杜拉・买买提", "01"])
    book.save(tmp_path / "in.xlsx")
    data = read_input(tmp_path / "in.xlsx", SYSTEM, ON)
    assert data.frames["person"]["person_id"].to_list() == [person]
    assert data.names == {person: "阿卜杜拉・买买提"}
    assert any("表头在第2行" in w for w in data.warnings)


def test_names_compare_across_dots_widths_and_invisible_characters() -> None:
    assert names.same_name("阿卜杜拉·买买提", "阿卜杜拉•买买提")
    assert names.same_name("阿卜杜拉．买买提", "阿卜杜拉・买买提")
    assert names.same_name("张\u200b三", "张三 ")
    assert not names.same_name("张三", "张山")
    assert names.clean("张\u200b三") == "张三"


def test_rare_characters_are_flagged_and_kept(tmp_path: Path) -> None:
    assert names.rare_characters("王\ue000") == ["\ue000"]
    assert names.rare_characters("李𣵦") == ["𣵦"]
    assert names.rare_characters("张三") == []
    path = tmp_path / "tax.csv"
    path.write_text(
        ",".join(TAX_HEADER) + f"\n{_id('12022419800101123')},李𣵦,2025-09,3000,0\n",
        encoding="gb18030",
    )
    result = read_feed(path, SPECS["tax"], received_at=RECEIVED)
    assert result.frame()["name"].to_list() == ["李𣵦"]
    assert any("生僻字待核" in w.reason for w in result.report.warnings)


def test_a_retired_address_code_is_accepted_and_an_unknown_tianjin_one_noted() -> None:
    old_baodi = normalise(_id("12022419750101123"))
    assert old_baodi.address_note is None
    unknown = normalise(_id("12019919800101123"))
    assert unknown.address_note is not None and "120199" in unknown.address_note
    elsewhere = normalise(_id("41018419750505993"))
    assert elsewhere.address_note is None


# --- Found by the reader fuzz (tests/feeds/test_reader_fuzz.py) ---------------------------------

FUND_HEADER = ["身份证号", "姓名", "缴存月份", "个人缴存额", "单位缴存额", "账户余额"]


@pytest.mark.parametrize(
    ("balance", "rule"),
    [
        ("99999999999999999999999", "整数部分不超过15位"),  # was read as blank: no balance
        ("92233720368547758.07", "整数部分不超过15位"),  # its fen overflowed Int64
        ("\u0660", "最多两位小数的元数"),  # an Arabic-Indic zero was read as blank
    ],
)
def test_an_amount_beyond_any_real_one_or_in_other_digits_is_refused(
    tmp_path: Path, balance: str, rule: str
) -> None:
    person = _id("12011519800101001")
    path = tmp_path / "fund.csv"
    path.write_text(
        ",".join(FUND_HEADER) + f"\n{person},张三,2025-09,300,300,{balance}\n", encoding="utf-8"
    )
    with pytest.raises(FeedRejected) as caught:
        read_feed(path, SPECS["housing_fund"], received_at=RECEIVED)
    text = caught.value.report.text()
    assert rule in text and "账户余额" in text


def test_a_month_in_other_digits_is_refused_not_kept_as_written() -> None:
    import polars as pl

    from jiuzhu.feeds.parsing import parse_period

    parsed = parse_period("month")
    frame = pl.DataFrame({"month": ["\u0662\u0660\u0662\u0665-09", "2025-09"]}).select(
        parsed.value.alias("value"), parsed.bad.alias("bad")
    )
    assert frame.rows() == [(None, True), ("2025-09", False)]


@pytest.mark.parametrize("area", ["NaN", "inf", "1e5", "-1"])
def test_nan_infinity_and_exponents_are_refused_in_a_decimal_column(
    tmp_path: Path, area: str
) -> None:
    person = _id("12011519800101001")
    path = tmp_path / "input.xlsx"
    book = openpyxl.Workbook()
    households = book.active
    assert households is not None
    households.title = "家庭"
    households.append(["家庭编号", "区划代码", "城乡类别", "人均住房建筑面积"])
    households.append(["A1", "120115001001", "城镇", area])
    members = book.create_sheet("成员")
    members.append(["家庭编号", "身份证号", "姓名", "与申请人关系"])
    members.append(["A1", person, "张三", "01"])
    book.save(path)
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, ON, today=ON)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "人均住房建筑面积" in text and "不接受 NaN" in text


def test_a_household_sheet_without_its_number_column_is_refused_not_a_crash(
    tmp_path: Path,
) -> None:
    person = _id("12011519800101001")
    path = tmp_path / "input.xlsx"
    book = openpyxl.Workbook()
    households = book.active
    assert households is not None
    households.title = "家庭"
    households.append(["区划代码", "城乡类别"])
    households.append(["120115001001", "城镇"])
    members = book.create_sheet("成员")
    members.append(["家庭编号", "身份证号", "姓名", "与申请人关系"])
    members.append(["A1", person, "张三", "01"])
    book.save(path)
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, ON, today=ON)
    assert any("家庭编号" in str(p) for p in caught.value.problems)


def test_control_characters_are_removed_from_text_and_a_cell_of_nothing_else_refused(
    tmp_path: Path,
) -> None:
    """A NUL in a name or employer reached the database, which PostgreSQL refuses."""
    person = _id("12011519800101001")
    header = ",".join([*FUND_HEADER, "单位名称"])
    path = tmp_path / "fund.csv"
    path.write_text(f"{header}\n{person},张\x00三,2025-09,1,1,1,宝坻\x07区\n", encoding="utf-8")
    frame = read_feed(path, SPECS["housing_fund"], received_at=RECEIVED).frame()
    assert frame.select("name", "employer").row(0) == ("张三", "宝坻区")
    path.write_text(f"{header}\n{person},张三,2025-09,1,1,1,\x00\n", encoding="utf-8")
    with pytest.raises(FeedRejected) as caught:
        read_feed(path, SPECS["housing_fund"], received_at=RECEIVED)
    assert "只有空白或控制字符" in caught.value.report.text()


def test_an_obligor_id_in_a_numeric_cell_is_reported_at_its_cell_only(tmp_path: Path) -> None:
    """The numeric cell was reported, and then again as “obligor_id: 编号为空”, a name the
    caseworker's workbook does not have."""
    person = _id("12011519800101001")
    obligor = _id("12011519500101001")
    path = tmp_path / "input.xlsx"
    book = openpyxl.Workbook()
    households = book.active
    assert households is not None
    households.title = "家庭"
    households.append(["家庭编号", "区划代码", "城乡类别"])
    households.append(["A1", "120115001001", "城镇"])
    members = book.create_sheet("成员")
    members.append(["家庭编号", "身份证号", "姓名", "与申请人关系"])
    members.append(["A1", person, "张三", "01"])
    obligors = book.create_sheet("义务人")
    obligors.append(["被赡养人身份证号", "义务人身份证号", "义务人出生日期"])
    obligors.append([person, float(obligor), "1950-01-01"])
    book.save(path)
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, ON, today=ON)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1, problems
    assert "义务人身份证号" in problems[0] and "数值格式单元格" in problems[0]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_feed_column_written_twice_is_refused_when_the_copies_differ(
    tmp_path: Path, suffix: str
) -> None:
    """Found by the reader fuzz: the first copy was read and the second silently ignored (or
    noted as “个人缴存额_duplicated_0”, a header the file does not have)."""
    person = _id("12011519800101001")
    header = [*FUND_HEADER, "个人缴存额"]

    def read(last: str) -> str:
        rows = [header, [person, "张三", "2025-09", "300", "300", "1", last]]
        if suffix == "xlsx":
            path = _xlsx(tmp_path / "fund.xlsx", rows)
        else:
            path = tmp_path / "fund.csv"
            path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
        try:
            return read_feed(path, SPECS["housing_fund"], received_at=RECEIVED).report.text()
        except FeedRejected as exc:
            return "refused: " + exc.report.text()

    differing = read("999")
    assert differing.startswith("refused") and "重复的列" in differing, differing
    assert "_1" not in differing and "duplicated" not in differing
    same = read("300")
    assert not same.startswith("refused") and "重复的列" in same, same
