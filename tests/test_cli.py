"""The jiuzhu command as a user runs it."""

from __future__ import annotations

import os
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
    for command in ("assess", "explain", "parameters", "simulate"):
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
    assert "参数依据（低置信度和未知的在前" in text
    # The weak parameters come first in the sources, each flagged, with the programs using it.
    sources = text.split("参数依据（低置信度和未知的在前")[1]
    assert sources.index("⚠") < sources.index("- ")
    assert (
        "⚠ 低保、特困家庭人均货币财产限额（月数×城市低保标准）（assets.dibao_monetary_asset_months）"
        in sources
    )
    # Reported as current in 2025-09 (addendum decision 11): medium, so not flagged.
    assert "- 分类救助：残疾人抵扣家庭收入（income.classified_deductions_disability）" in sources
    # Codes read as words; research-note tags stay out of what caseworkers read.
    assert "与申请人关系 本人" in text and "残疾类别与等级 肢体残疾一级" in text
    assert "spec-addendum" not in text
    # The single-person option shows the remaining members' reassessment.
    option = text.split("[单人户（与低保边缘救助二选一）]")[1].split("\n[")[0]
    assert "其余成员人数 = 2 人" in option and "其余成员低保收入线 = 2,090.00 元/月" in option
    assert "120224********" in text and "1202241975" not in text  # IDs masked


def test_explain_reads_only_the_household_asked_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    persons = book["成员"]
    other = next(r for r in range(2, persons.max_row + 1) if persons.cell(r, 1).value != "BD002")
    persons.cell(other, 5).value = "abc"  # 离家原因 of another household
    book.save(bad)
    result = runner.invoke(app, ["explain", str(bad), "--household", "BD002", "--on", "2025-10-15"])
    assert result.exit_code == 0, result.output
    assessed = runner.invoke(app, ["assess", str(bad), "--on", "2025-10-15"])
    assert assessed.exit_code == 2 and f"第{other}行" in assessed.output
    own = next(r for r in range(2, persons.max_row + 1) if persons.cell(r, 1).value == "BD002")
    persons.cell(own, 5).value = "abc"
    book.save(bad)
    broken = runner.invoke(app, ["explain", str(bad), "--household", "BD002", "--on", "2025-10-15"])
    # The household's own bad cell is reported at its place in the whole sheet.
    assert broken.exit_code == 2 and f"第{own}行" in broken.output
    assert f"第{other}行" not in broken.output
    missing = runner.invoke(app, ["explain", str(EXAMPLE), "--household", "NOPE"])
    assert missing.exit_code == 2 and "没有此编号的家庭" in missing.output


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


def test_results_for_people_carry_reason_labels_and_machines_codes(tmp_path: Path) -> None:
    xlsx, parquet = tmp_path / "r.xlsx", tmp_path / "r.parquet"
    for output in (xlsx, parquet):
        result = runner.invoke(
            app, ["assess", str(EXAMPLE), "--on", "2025-10-15", "-o", str(output)]
        )
        assert result.exit_code == 0, result.output
    people = pl.read_excel(xlsx, sheet_name="评估结果")
    machines = pl.read_parquet(parquet)
    c14_people = people.filter(pl.col("家庭编号") == "BD002").row(0, named=True)
    c14 = machines.filter(pl.col("household_id") == "BD002").row(0, named=True)
    assert c14_people["低保认定理由"] == "收入不低于低保标准；已分类抵扣；就业成本扣减未知未扣"
    assert c14["dibao_reasons"] == (
        "DIBAO_INCOME_NOT_BELOW_STANDARD;DIBAO_CLASSIFIED_DEDUCTION;DIBAO_EMPLOYMENT_COST_UNKNOWN"
    )
    # The remaining members' figures are blank where the single-person option is unavailable.
    unavailable = machines.filter(~pl.col("single_person_unit_available"))
    assert unavailable.height > 0
    assert unavailable["single_person_unit_rest_members"].null_count() == unavailable.height
    assert c14["single_person_unit_rest_members"] == 2
    # For people, an option that does not apply is blank, never 待定 (undetermined).
    bd001 = people.filter(pl.col("家庭编号") == "BD001").row(0, named=True)
    assert bd001["可选择单人户"] == "否" and bd001["单人户低保金合计（元/月）"] is None
    assert (xlsx.stat().st_mode & 0o777) == (0o666 & ~_umask())
    book = openpyxl.load_workbook(xlsx)
    assert book["评估结果"].freeze_panes == "A2"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_dates_in_cell_forms_and_unknown_jurisdictions() -> None:
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--on", "2025年10月15日"])
    assert result.exit_code == 0, result.output
    assert "未指定 -o，未写出结果文件" in result.output
    wrong = runner.invoke(app, ["parameters", "--jurisdiction", "beijing"])
    assert wrong.exit_code == 2 and "tianjin" in wrong.output
    early = runner.invoke(app, ["parameters", "--on", "2015-06-01"])
    assert early.exit_code == 3 and "2016-04-01" in early.output


def test_parameters_export(tmp_path: Path) -> None:
    output = tmp_path / "parameters.xlsx"
    result = runner.invoke(app, ["parameters", "--on", "2025-10-15", "-o", str(output)])
    assert result.exit_code == 0, result.output
    table = pl.read_excel(output)
    assert table.columns == ["参数", "名称", "分项", "取值", "自", "置信度", "依据"]
    standard = table.filter((pl.col("参数") == "dibao.standard") & (pl.col("分项") == "城镇"))
    assert standard["取值"].to_list() == ["1,045.00 元/人·月"]


def test_parameters_lists_unknown_values() -> None:
    result = runner.invoke(
        app, ["parameters", "--on", "2025-10-15", "--unknown"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0
    assert "statistics.per_capita_disposable_income_previous_year" in result.output
    assert "dibao.standard" not in result.output


def test_synth_writes_a_district_that_assess_reads(tmp_path: Path) -> None:
    out = tmp_path / "district"
    result = runner.invoke(
        app, ["synth", "--scale", "0.02", "--seed", "3", "--out", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "低保人数 Dibao persons" in result.output and "估计区间" in result.output
    for name in (
        "households.parquet",
        "persons.parquet",
        "obligors.parquet",
        "register.parquet",
        "feeds/tax.csv",
        "feeds/custody.xlsx",
    ):
        assert (out / name).exists(), name
    assert len(list((out / "feeds").iterdir())) == 13
    assessed = runner.invoke(app, ["assess", str(out), "-o", str(tmp_path / "r.parquet")])
    assert assessed.exit_code == 0, assessed.output
    households = pl.read_parquet(out / "households.parquet")
    assert pl.read_parquet(tmp_path / "r.parquet").height == households.height


def test_feeds_check_reports_and_rejects_or_quarantines(tmp_path: Path) -> None:
    from jiuzhu.synth.feeds import write_bad_examples

    bad = write_bad_examples(tmp_path)
    rejected = runner.invoke(app, ["feeds", "check", str(bad["bad_rows"])])
    assert rejected.exit_code == 2
    assert "第5行" in rejected.output and "校验码应为" in rejected.output
    assert "整个文件不予导入" in rejected.output
    output = tmp_path / "tax.parquet"
    kept = runner.invoke(
        app, ["feeds", "check", str(bad["bad_rows"]), "--quarantine", "-o", str(output)]
    )
    assert kept.exit_code == 0, kept.output
    assert pl.read_parquet(output).height == 10
    assert pl.read_parquet(output.with_suffix(".quarantine.parquet"))[
        "line"
    ].unique().sort().to_list() == [5, 9, 12, 13]
    for kind in ("missing_column", "undecodable", "corrupt_xlsx"):
        result = runner.invoke(
            app,
            [
                "feeds",
                "check",
                str(bad[kind]),
                "--source",
                "vehicles"
                if kind == "corrupt_xlsx"
                else "social_insurance"
                if kind == "missing_column"
                else "financial_assets",
            ],
        )
        assert result.exit_code == 2, (kind, result.output)


def test_notes_print_as_words_not_markup(tmp_path: Path) -> None:
    """A note about the input (a column not used) prints as plain words: no ``[yellow]``."""
    extra = tmp_path / "extra.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    sheet = book["家庭"]
    sheet.cell(1, sheet.max_column + 1, "备注")
    book.save(extra)
    result = runner.invoke(app, ["assess", str(extra), "--on", "2025-10-15"])
    assert result.exit_code == 0, result.output
    assert "未使用的列" in result.output
    assert "[yellow]" not in result.output and "[/yellow]" not in result.output


def test_the_income_columns_say_before_and_after_the_deductions(tmp_path: Path) -> None:
    output = tmp_path / "results.xlsx"
    runner.invoke(app, ["assess", str(EXAMPLE), "--on", "2025-10-15", "-o", str(output)])
    headers = pl.read_excel(output, sheet_name="评估结果").columns
    assert any("抵扣前" in h for h in headers) and any("抵扣后" in h for h in headers)


def test_the_single_person_amount_is_blank_where_the_option_is_unavailable(
    tmp_path: Path,
) -> None:
    output = tmp_path / "results.xlsx"
    runner.invoke(app, ["assess", str(EXAMPLE), "--on", "2025-10-15", "-o", str(output)])
    table = pl.read_excel(output, sheet_name="评估结果")
    amount = "单人户方案月救助金合计（元/月）"
    unavailable = table.filter(pl.col("可选择单人户") == "否")
    assert unavailable.height and unavailable[amount].null_count() == unavailable.height
    assert table.filter(pl.col("家庭编号") == "BD002")[amount][0] == 1045


def test_explain_names_only_the_unknown_values_the_result_rests_on() -> None:
    """BD002 has one home: the unknown city average floor area (which only matters with two
    homes or more) is not among the values the result rests on; the unknown employment-cost
    deduction, which would change the income, is."""
    result = runner.invoke(
        app, ["explain", str(EXAMPLE), "--household", "BD002", "--on", "2025-10-15"]
    )
    assert result.exit_code == 0, result.output
    assert "全市人均住房建筑面积" not in result.output
    assert "就业成本扣减（占低保标准比例，每名就业成员） = 未知" in result.output


def test_the_trace_has_the_per_capita_income_and_the_ceilings(tmp_path: Path) -> None:
    output = tmp_path / "trace.parquet"
    result = runner.invoke(
        app, ["assess", str(EXAMPLE), "--on", "2025-10-15", "--trace", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    columns = pl.read_parquet(output).columns
    for name in (
        "per_capita_assessed_income",
        "dibao_income_limit",
        "near_dibao_income_ceiling",
        "dibao_asset_limit",
        "near_dibao_asset_limit",
        "rigid_income_threshold",
    ):
        assert name in columns, name


def test_a_local_value_decides_the_rigid_expenditure_case_and_is_named(tmp_path: Path) -> None:
    """BD010's rigid-expenditure decision rests on last year's per-capita disposable income,
    unknown for 2025: with the bureau's local value it is decided, and the explanation and the
    parameter list name the value as local; a bad file exits 2 naming the entry."""
    local = Path(__file__).parents[1] / "examples" / "local_values.yaml"
    args = ["explain", str(EXAMPLE), "--household", "BD010", "--on", "2025-10-15"]
    before = runner.invoke(app, args)
    assert "[刚性支出困难家庭] 待定" in before.output
    after = runner.invoke(app, [*args, "--local-values", str(local)])
    assert after.exit_code == 0, after.output
    assert "[刚性支出困难家庭] 符合" in after.output
    assert "（置信度 本地值）" in after.output
    assert "示例录入员" in after.output
    listed = runner.invoke(
        app, ["parameters", "--on", "2025-10-15", "--unknown", "--local-values", str(local)]
    )
    assert "per_capita_disposable_income_previous_year" not in listed.output
    summary = runner.invoke(
        app, ["assess", str(EXAMPLE), "--on", "2025-10-15", "--local-values", str(local)]
    )
    assert summary.exit_code == 0, summary.output
    assert "1 local values used" in summary.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "values:\n  - {parameter: dibao.standard, from: 2025-09-01, value: 1, "
        "document: x, entered_by: a, checked_by: b}\n",
        encoding="utf-8",
    )
    refused = runner.invoke(app, [*args, "--local-values", str(bad)])
    assert refused.exit_code == 2
    assert "dibao.standard 2025-09-01" in refused.output


SCENARIOS = EXAMPLE.parent


def test_simulate_prints_the_cost_of_a_scenario_and_writes_xlsx(tmp_path: Path) -> None:
    output = tmp_path / "scenario.xlsx"
    result = runner.invoke(
        app,
        [
            "simulate",
            str(SCENARIOS / "scenario_standard_1100.yaml"),
            str(EXAMPLE),
            "--by-township",
            "-o",
            str(output),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    for text in ("低保标准提高到1,100元", "最低生活保障", "5 → 6", "715.00", "8,580.00", "分乡镇"):
        assert text in result.output
    book = openpyxl.load_workbook(output, read_only=True)
    assert book.sheetnames == ["低保标准提高到1,100元 汇总", "分乡镇", "增减分布"]
    summary = pl.read_excel(output, sheet_name="低保标准提高到1,100元 汇总")
    dibao = summary.filter(pl.col("救助项目") == "最低生活保障").row(0, named=True)
    assert (dibao["现行符合"], dibao["情景符合"], dibao["年支出变化（元）"]) == (5, 6, 8580)


def test_simulate_in_budget_mode_finds_the_standard_to_the_yuan() -> None:
    result = runner.invoke(
        app,
        ["simulate", str(SCENARIOS / "scenario_budget.yaml"), str(EXAMPLE)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "预算内最高 Highest within the budget" in result.output
    assert "one yuan more breaks the budget" in result.output


def test_simulate_refuses_a_bad_scenario_and_runs_nothing(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("label: x\neffective: 2026-02-30\nchanges: {dibao.standrad: 1}\n")
    output = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["simulate", str(scenario), str(EXAMPLE), "-o", str(output)])
    assert result.exit_code == 2
    assert "'effective'" in result.output and "dibao.standrad" in result.output
    assert not output.exists()


def test_simulate_refuses_an_output_it_cannot_write_before_running(tmp_path: Path) -> None:
    output = tmp_path / "scenario.csv"
    result = runner.invoke(
        app,
        [
            "simulate",
            str(SCENARIOS / "scenario_standard_1100.yaml"),
            str(EXAMPLE),
            "-o",
            str(output),
        ],
    )
    assert result.exit_code == 2
    assert "write .xlsx or .parquet" in result.output and "各项救助" not in result.output
    assert not output.exists()


def test_simulate_flags_a_standard_that_breaks_the_national_tekun_floor(tmp_path: Path) -> None:
    scenario = tmp_path / "high.yaml"
    scenario.write_text(
        "label: 低保标准提高到1,200元\neffective: 2026-01-01\nchanges: {dibao.standard: 1200}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["simulate", str(scenario), str(EXAMPLE)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # 1.3 × 1,200 = 1,560 > 1,530, the rural home-based tekun standard (国发〔2016〕14号).
    flagged = [line for line in result.output.splitlines() if "below the national floor" in line]
    assert len(flagged) == 1 and "农村分散供养" in flagged[0] and "1,560.00" in flagged[0]
