"""The example workbook is what examples/make_example_workbook.py writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

EXAMPLES = Path(__file__).parents[1] / "examples"


def test_the_committed_example_workbook_matches_its_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_example", EXAMPLES / "make_example_workbook.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = tmp_path / "fresh.xlsx"
    module.write(fresh)
    for sheet in ("家庭", "成员", "义务人"):
        committed = pl.read_excel(EXAMPLES / "baodi_example.xlsx", sheet_name=sheet)
        assert committed.equals(pl.read_excel(fresh, sheet_name=sheet)), sheet
