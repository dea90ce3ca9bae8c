"""Without an extra, the bare package says in one line which extra to install (decision 0012);
.ci/bare-install checks the same in a fresh virtualenv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jiuzhu.extras import MissingExtraError, require
from jiuzhu.feeds.tabular import read_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "baodi_example.xlsx"


def test_a_missing_library_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fastexcel", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'jiuzhu\[excel\]'") as caught:
        require("fastexcel", "读取 xlsx 工作簿 (reading an xlsx workbook)")
    assert caught.value.extra == "excel"


def test_reading_a_workbook_without_the_excel_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fastexcel", None)
    with pytest.raises(MissingExtraError, match="excel"):
        read_workbook(EXAMPLE)


def test_the_command_without_the_cli_extra_exits_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jiuzhu.__main__ import main

    monkeypatch.delitem(sys.modules, "jiuzhu.cli", raising=False)
    monkeypatch.setitem(sys.modules, "typer", None)
    with pytest.raises(SystemExit) as exited:
        main()
    message = str(exited.value.code)
    assert "pip install 'jiuzhu[cli]'" in message
    assert "\n" not in message
