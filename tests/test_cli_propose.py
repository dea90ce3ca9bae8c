"""``jiuzhu propose`` as a bureau officer runs it, and its scenario read back by simulate's
reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from jiuzhu.batch.pipelines.simulate.scenario_file import read_scenario
from jiuzhu.cli import app
from jiuzhu.rules import load_system

runner = CliRunner()

LOCAL = """values:
  - parameter: statistics.per_capita_consumption_previous_year
    from: 2024-01-01
    value: {all: 36000}
    document: 示例统计公报（示例，非公布值）
    entered_by: 张敏
    checked_by: 李强
  - parameter: standard_proposal.consumption_share
    from: 2016-04-01
    value: 0.35
    document: 示例测算方案
    entered_by: 张敏
    checked_by: 李强
"""


def test_propose_prints_every_method_its_inputs_and_what_is_unknown() -> None:
    result = runner.invoke(app, ["propose", "--on", "2023-06-01"])
    assert result.exit_code == 0, result.output
    for label in ("消费支出比例法", "基本生活费用支出法", "恩格尔系数法", "按物价指数调整"):
        assert label in result.output
    assert "1,030.00 元（现行 1,010.00 元）" in result.output  # 2022 CPI +1.9 %
    assert "民发〔2011〕80号" in result.output
    assert "无法测算" in result.output and "standard_proposal.food_basket" in result.output
    assert "联动标准" in result.output


def test_propose_in_english_with_local_values(tmp_path: Path) -> None:
    local = tmp_path / "local.yaml"
    local.write_text(LOCAL, encoding="utf-8")
    result = runner.invoke(
        app, ["propose", "--on", "2024-06-01", "--lang", "en", "--local-values", str(local)]
    )
    assert result.exit_code == 0, result.output
    assert "Share of consumption expenditure" in result.output
    assert "1,050.00 元（in force 1,010.00 元）" in result.output  # 36,000 × 0.35 ÷ 12
    assert "local" in result.output


def test_the_scenario_file_reads_back_through_simulates_reader(tmp_path: Path) -> None:
    out = tmp_path / "scenario.yaml"
    result = runner.invoke(
        app,
        [
            "propose",
            "--on",
            "2023-06-01",
            "--scenario-out",
            str(out),
            "--method",
            "price_index",
            "--effective",
            "2023-07-01",
        ],
    )
    assert result.exit_code == 0, result.output
    read = read_scenario(out, load_system("tianjin"))
    assert read.scenario.effective == dt.date(2023, 7, 1)
    assert read.scenario.overrides == {"dibao.standard": {"urban": 1030, "rural": 1030}}
    assert "按物价指数调整" in read.scenario.reference and read.budget is None


def test_no_scenario_from_a_method_without_a_figure(tmp_path: Path) -> None:
    out = tmp_path / "scenario.yaml"
    args = ["propose", "--on", "2025-10-15", "--scenario-out", str(out), "--method", "engel"]
    result = runner.invoke(app, [*args, "--effective", "2026-01-01"])
    assert result.exit_code == 2 and not out.exists()
    assert runner.invoke(app, args).exit_code == 2  # no --effective
    bad = runner.invoke(app, [*args[:-1], "nonsense", "--effective", "2026-01-01"])
    assert bad.exit_code == 2


def test_a_date_before_the_rules_is_exit_3() -> None:
    assert runner.invoke(app, ["propose", "--on", "2015-01-01"]).exit_code == 3
