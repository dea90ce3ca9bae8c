"""``jiuzhu discover`` on a synthetic district: files alone, every signal, exit 2 on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from jiuzhu.batch.pipelines.discover import ALERT_SCHEMA, REGISTER_SCHEMA
from jiuzhu.batch.pipelines.discover.catalogue import catalogue
from jiuzhu.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "220"}


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("district")
    result = runner.invoke(app, ["synth", "--scale", "0.1", "--out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    return out


def test_discover_on_synth_files_yields_every_signal(district: Path, tmp_path: Path) -> None:
    output = tmp_path / "alerts.parquet"
    result = runner.invoke(
        app, ["discover", "--month", "2025-10", str(district), "-o", str(output)], env=WIDE
    )
    assert result.exit_code == 0, result.output
    alerts = pl.read_parquet(output)
    assert alerts.schema == ALERT_SCHEMA
    assert set(alerts["signal"]) == set(catalogue())
    for label in ("主动发现 Discovery", "政策落实 Policy delivery", "按乡镇街道 By township"):
        assert label in result.output
    assert "[MED_HIGH_OOP]" in result.output and "宝坻" not in result.output.split("By township")[0]
    assert f"{alerts.height:,} 条预警" in result.output
    again = tmp_path / "again.parquet"
    register = tmp_path / "elsewhere.parquet"
    shutil.copy(district / "register.parquet", register)
    rerun = runner.invoke(
        app,
        [
            "discover",
            "--month",
            "2025-10",
            str(district),
            "-o",
            str(again),
            "--feeds",
            str(district / "feeds"),
            "--register",
            str(register),
        ],
    )
    assert rerun.exit_code == 0
    assert pl.read_parquet(again)["alert_key"].to_list() == alerts["alert_key"].to_list()


def test_the_register_is_deterministic_and_has_every_category(district: Path) -> None:
    register = pl.read_parquet(district / "register.parquet")
    assert register.schema == REGISTER_SCHEMA
    assert set(register["category"].cast(pl.String)) == {
        "dibao",
        "tekun",
        "near_dibao",
        "rigid_expenditure",
        "monitored",
    }
    assert (register["receiving"] == (register["category"] != "monitored")).all()
    assert register["resident_id"].is_unique().all()
    assert register.filter(pl.col("category") == "dibao")["monthly_amount"].null_count() == 0


def test_bad_input_exits_with_code_2_naming_the_problem(district: Path, tmp_path: Path) -> None:
    month = runner.invoke(app, ["discover", "--month", "2025/10", str(district)])
    assert month.exit_code == 2 and "YYYY-MM" in month.output
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = runner.invoke(app, ["discover", "--month", "2025-10", str(empty)], env=WIDE)
    assert missing.exit_code == 2
    assert "register.parquet" in missing.output and "persons.parquet" in missing.output
    copy = tmp_path / "copy"
    shutil.copytree(district, copy)
    register = pl.read_parquet(copy / "register.parquet").drop("reason")
    register.write_parquet(copy / "register.parquet")
    broken = runner.invoke(app, ["discover", "--month", "2025-10", str(copy)], env=WIDE)
    assert broken.exit_code == 2 and "reason" in broken.output
    # A register written before the children-in-hardship flag: the file and the column named.
    pl.read_parquet(district / "register.parquet").drop(
        "children_in_hardship_allowance"
    ).write_parquet(copy / "register.parquet")
    before = runner.invoke(app, ["discover", "--month", "2025-10", str(copy)], env=WIDE)
    assert before.exit_code == 2
    assert "register.parquet › children_in_hardship_allowance: 缺少此列" in before.output
    (copy / "feeds" / "deaths.xlsx").write_bytes(b"not a workbook")
    register.with_columns(pl.lit("").alias("reason")).select(REGISTER_SCHEMA.names()).cast(
        dict(REGISTER_SCHEMA)
    ).write_parquet(copy / "register.parquet")
    rejected = runner.invoke(app, ["discover", "--month", "2025-10", str(copy)], env=WIDE)
    assert rejected.exit_code == 2 and "deaths.xlsx" in rejected.output
