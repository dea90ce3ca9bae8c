"""The jiuzhu command as a user runs it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
from typer.testing import CliRunner

from jiuzhu.cli import app

EXAMPLE = Path(__file__).parents[1] / "examples" / "baodi_example.xlsx"
runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("assess", "explain", "parameters"):
        assert command in result.output


def test_assess_prints_a_summary_per_program_and_writes_xlsx(tmp_path: Path) -> None:
    output = tmp_path / "results.xlsx"
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--on", "2025-10-15", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "评估 21 户、43 人" in result.output
    for label in ("最低生活保障", "低保边缘家庭", "单人户", "特困人员救助供养", "刚性支出困难家庭"):
        assert label in result.output
    book = openpyxl.load_workbook(output, read_only=True)
    assert book.sheetnames == ["评估结果", "特困人员", "说明"]
    table = pl.read_excel(output, sheet_name="评估结果")
    c14 = table.filter(pl.col("家庭编号") == "BD002").row(0, named=True)
    # Money cells are numbers formatted #,##0.00 (the column also holds 待定, so it reads as text).
    assert c14["低保边缘救助金（元/月）"] == "314"
    assert c14["单人户方案月救助金合计（元/月）"] == 1045  # an all-numeric column reads as numbers


def test_explain_the_c14_household_shows_both_single_person_options() -> None:
    result = runner.invoke(
        app, ["explain", str(EXAMPLE), "--household", "BD002", "--on", "2025-10-15"]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert "[低保边缘家庭] 符合 — 314.00 元/月" in text
    assert "[单人户（与低保边缘救助二选一）] 符合 — 1,045.00 元/月" in text
    assert "家庭月核定收入 3,600.00 元/月" in text
    assert "分类救助抵扣合计 = 1,000.00 元/月" in text
    assert "津民规〔2025〕6号" in text
    assert "本次认定用到的低置信度参数" in text
    assert "120224********" in text and "1202241975" not in text  # IDs masked


def test_explain_in_english_names_the_unknown_parameter() -> None:
    result = runner.invoke(
        app, ["explain", str(EXAMPLE), "--household", "BD017", "--on", "2025-10-15", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "undetermined" in result.output
    assert (
        "Rests on an unknown parameter: Last year's Tianjin per-capita disposable income"
        in result.output
    )


def test_a_bad_file_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    book["成员"]["C2"] = "120224197503110095"
    book.save(bad)
    output = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["assess", str(bad), "--on", "2025-10-15", "-o", str(output)])
    assert result.exit_code == 2
    assert "校验码应为" in result.output and "第2行" in result.output
    assert not output.exists()


def test_a_date_before_the_rules_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--on", "2015-01-01"])
    assert result.exit_code in {2, 3}
    assert "2016-04-01" in result.output


def test_parameters_lists_unknown_values() -> None:
    result = runner.invoke(
        app, ["parameters", "--on", "2025-10-15", "--unknown"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0
    assert "statistics.per_capita_disposable_income_previous_year" in result.output
    assert "dibao.standard" not in result.output
