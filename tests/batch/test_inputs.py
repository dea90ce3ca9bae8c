"""Reading assessment inputs: the example workbook, CSV in two encodings, Parquet, bad files."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from jiuzhu.batch.inputs import InputFileError, read_input
from jiuzhu.batch.pipelines.assess import assess
from jiuzhu.feeds.ids import check_character
from jiuzhu.rules import load_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "baodi_example.xlsx"
SYSTEM = load_system("tianjin")
ON = dt.date(2025, 10, 15)


def _id(first17: str) -> str:
    return first17 + check_character(first17)


def _workbook(path: Path, households: list[list[object]], persons: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "家庭"
    for row in households:
        sheet.append(row)
    members = book.create_sheet("成员")
    for row in persons:
        members.append(row)
    book.save(path)
    return path


def test_the_example_workbook_reads_into_engine_frames() -> None:
    data = read_input(EXAMPLE, SYSTEM, ON)
    households, persons = data.frames["household"], data.frames["person"]
    assert households.height == 21
    assert persons.height == 43
    assert households["assessment_date"].to_list().count(dt.date(2025, 8, 20)) == 1
    assert persons.schema["other_transfer_income"] == pl.Int64
    assert data.passthrough.columns == ["household_id", "division_code"]


def test_the_example_assessment_gives_the_spec_amounts(tmp_path: Path) -> None:
    output = tmp_path / "results.parquet"
    summary = assess(EXAMPLE, ON, output)
    results = pl.read_parquet(output)
    row = {r["household_id"]: r for r in results.iter_rows(named=True)}
    assert row["BD001"]["dibao_amount"] == 163500  # C01
    assert row["BD002"]["near_dibao_cash"] == 31400  # C14 option A
    assert row["BD002"]["single_person_unit_option_amount"] == 104500  # C14 option B
    assert row["BD002"]["dibao_amount"] == 0  # never both
    assert row["BD003"]["near_dibao_cash"] == 31400  # C07
    assert row["BD004"]["near_dibao_status"] and row["BD004"]["near_dibao_cash"] == 0  # C08
    assert row["BD006"]["near_dibao_cash"] == 31400  # C11
    assert (
        row["BD007"]["dibao_eligible"] is False and row["BD007"]["near_dibao_status"] is False
    )  # C04
    assert row["BD018"]["dibao_amount"] == 2 * 101000 - 30000  # own date: 1010 standard
    assert row["BD015"]["dibao_eligible"] is None  # unknown city average
    assert "DIBAO_UNDETERMINED" in row["BD015"]["dibao_reasons"]
    persons = pl.read_parquet(tmp_path / "results.persons.parquet")
    assert persons["person_id"].str.contains(r"^\d{6}\*{8}").all()  # IDs masked in exports
    tekun = next(p for p in summary.programs if p.name == "tekun")
    assert (tekun.eligible, tekun.undetermined, tekun.amount) == (3, 1, 193000 + 187000 + 267000)


def test_csv_folders_in_gb18030_and_utf8_give_the_same_frames(tmp_path: Path) -> None:
    header = "家庭编号,城乡类别,评估日期\nA1,农村,2025-10-15\n"
    members = f'家庭编号,身份证号,与申请人关系,其他转移性收入（元）\nA1,{_id("12022419700101001")},本人,"1,200.50"\n'
    for encoding in ("utf-8", "gb18030"):
        folder = tmp_path / encoding
        folder.mkdir()
        (folder / "households.csv").write_bytes(header.encode(encoding))
        (folder / "persons.csv").write_bytes(members.encode(encoding))
        data = read_input(folder, SYSTEM, None)
        assert data.frames["person"]["other_transfer_income"].to_list() == [120050]
        assert data.frames["household"]["area_type"].to_list() == ["rural"]
        assert data.frames["person"]["birth_date"].to_list() == [dt.date(1970, 1, 1)]


def test_parquet_folders_are_read_typed_in_fen(tmp_path: Path) -> None:
    data = read_input(EXAMPLE, SYSTEM, ON)
    for name, frame in data.frames.items():
        frame.write_parquet(tmp_path / f"{name}s.parquet")
    again = read_input(tmp_path, SYSTEM, None)
    assert again.frames["person"].equals(data.frames["person"])


def test_bad_cells_are_each_reported_by_sheet_row_and_column(tmp_path: Path) -> None:
    good = _id("12022419700101001")
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    path = _workbook(
        tmp_path / "bad.xlsx",
        [
            ["家庭编号", "城乡类别", "区划代码"],
            ["A1", "城镇", "120115001001"],
            ["A2", "山区", "999999999999"],
        ],
        [
            [
                "家庭编号",
                "身份证号",
                "与申请人关系",
                "出生日期",
                "工资性收入",
                "残疾类别",
                "残疾等级",
            ],
            ["A1", bad_check, "01", None, 100, None, None],
            ["A1", _id("12022419800101002"), "10", "1980-02-30", -5, None, None],
            ["A2", _id("12022419900101003"), "01", None, "1.234", "肢残", 2],
            ["A9", _id("12022419910101004"), "01", None, None, None, 5],
        ],
    )
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, ON)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "工作表“成员”第2行" in text and "身份证号 (B)" in text and "校验码应为" in text
    assert "第3行" in text and "1980-02-30" in text and "不是存在的日期" in text
    assert "“-5” 金额应为不小于0" in text
    assert "“1.234” 金额应为不小于0、最多两位小数" in text
    assert "“肢残” 不是“残疾类别”的有效代码" in text
    assert "“山区” 不是“城乡类别”的有效代码" in text
    assert "“999999999999” 不是宝坻区的村（居）或乡镇区划代码" in text
    assert "残疾等级 (G)" in text and "应为整数 1–4" in text


def test_a_missing_column_and_a_missing_date_are_reported(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "missing.xlsx",
        [["家庭编号", "城乡类别"], ["A1", "城镇"]],
        [["家庭编号", "与申请人关系"], ["A1", "01"]],
    )
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, None)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "缺少“身份证号”或“成员编号”列" in text or "missing ID column" in text


def test_engine_rules_are_mapped_back_to_the_users_cells(tmp_path: Path) -> None:
    """Cross-field and key rules come back with the sheet row and header, not engine names."""
    person = _id("12022419800101002")
    path = _workbook(
        tmp_path / "keys.xlsx",
        [["家庭编号", "城乡类别"], ["A1", "城镇"], ["A2", "城镇"]],
        [
            ["家庭编号", "身份证号", "与申请人关系", "残疾类别"],
            ["A1", person, "01", "肢体"],
            ["A1", person, "10", None],
        ],
    )
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, ON)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "工作表“成员”第2行 (sheet 成员, row 2) › 身份证号 (B)" in text
    assert "person_id appears more than once" in text
    assert "填写残疾类别时须填写残疾等级" in text
    assert "工作表“家庭”第3行" in text and "该家庭没有成员" in text


def test_nothing_is_written_when_the_input_is_bad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    shutil.copy(EXAMPLE, bad)
    book = openpyxl.load_workbook(bad)
    book["成员"]["C2"] = "120224197503110095"  # wrong check character
    book.save(bad)
    output = tmp_path / "out.xlsx"
    with pytest.raises(InputFileError):
        assess(bad, ON, output)
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_a_missing_id_column_names_the_file_and_sheet(tmp_path: Path) -> None:
    """It named the sheet alone (“成员”), so a caseworker with several files could not tell
    which one to correct."""
    path = _workbook(
        tmp_path / "missing_id.xlsx",
        [["家庭编号", "区划代码", "城乡类别"], ["A1", "120115001001", "城镇"]],
        [["家庭编号", "姓名", "与申请人关系"], ["A1", "张三", "01"]],
    )
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, ON)
    assert [p.file for p in caught.value.problems] == ["missing_id.xlsx [成员]"]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_column_written_twice_is_reported_as_a_duplicate(tmp_path: Path, suffix: str) -> None:
    """Found by the reader fuzz: the second 工资性收入 was named “工资性收入_1” (xlsx) or
    “工资性收入_duplicated_0” (CSV), headers the file does not have, and refused as unknown."""
    person = _id("12011519800101001")
    households = [["家庭编号", "区划代码", "城乡类别"], ["A1", "120115001001", "城镇"]]
    persons = [
        ["家庭编号", "身份证号", "姓名", "与申请人关系", "工资性收入", "工资性收入"],
        ["A1", person, "张三", "01", "100", "200"],
    ]
    if suffix == "xlsx":
        path = _workbook(tmp_path / "twice.xlsx", households, persons)
    else:
        path = tmp_path / "twice"
        path.mkdir()
        for name, rows in (("households", households), ("persons", persons)):
            with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as out:
                csv.writer(out).writerows(rows)
    with pytest.raises(InputFileError) as caught:
        read_input(path, SYSTEM, ON)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "重复的列" in text and "工资性收入" in text
    assert "_1" not in text and "duplicated" not in text, text
