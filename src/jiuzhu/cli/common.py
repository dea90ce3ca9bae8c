"""What every ``jiuzhu`` command shares: the consoles, exit statuses, date and jurisdiction
options, the district's local values and the report of a bad input file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import typer
from rich.console import Console

from jiuzhu.batch.inputs import InputFileError
from jiuzhu.feeds.parsing import parse_date
from jiuzhu.rules import RuleSystem, load_system
from jiuzhu.rules.engine.local_values import LocalValue, LocalValuesError, read_local_values
from jiuzhu.rules.engine.parameters import jurisdictions

console = Console()
errors = Console(stderr=True)

EXIT_BAD_INPUT = 2
EXIT_RULES_GAP = 3


def parse_day(value: str | None) -> dt.date | None:
    """A date in any form a cell accepts (2025-10-15, 2025/10/15, 20251015, 2025年10月15日)."""
    if value is None:
        return None
    frame = pl.DataFrame({"d": [value]})
    parsed: dt.date | None = frame.select(parse_date("d").value).item()
    if parsed is None:
        raise typer.BadParameter(f"“{value}” 不是日期 (not a date; write YYYY-MM-DD)")
    return parsed


def _jurisdiction(value: str) -> str:
    if value not in jurisdictions():
        raise typer.BadParameter(
            f"没有“{value}”的政策参数，可选：{'、'.join(jurisdictions())} "
            f"(available: {', '.join(jurisdictions())})"
        )
    return value


JURISDICTION = typer.Option(
    "--jurisdiction",
    callback=_jurisdiction,
    help="Parameter set (folder under jiuzhu/rules/policies): " + ", ".join(jurisdictions()) + ".",
)


LOCAL_VALUES = typer.Option(
    "--local-values",
    metavar="FILE",
    help="The district's values for unknown or low-confidence parameters, each with its "
    "document and two officers (YAML, docs/local-values.md); explanations name them.",
)


def local_values_of(path: Path | None, jurisdiction: str) -> list[LocalValue]:
    """The entries of a local-values file, checked against the jurisdiction's parameters before
    any input is read (exit 2 listing every problem of a bad file)."""
    if path is None:
        return []
    try:
        values = read_local_values(path)
        load_system(jurisdiction).with_local_values(values)
    except LocalValuesError as exc:
        errors.print(str(exc), style="red", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    return values


def system_of(jurisdiction: str, local_values: Path | None) -> RuleSystem:
    """The jurisdiction's rules with the district's local values, if a file is given."""
    values = local_values_of(local_values, jurisdiction)
    system = load_system(jurisdiction)
    return system.with_local_values(values) if values else system


def print_input_error(exc: InputFileError) -> None:
    errors.print(
        f"[red bold]输入有误，未评估，未写出任何文件。{len(exc.problems)} 处问题 "
        f"(bad input: nothing assessed, nothing written):[/red bold]"
    )
    for problem in exc.problems[:200]:
        errors.print(f"  • {problem}", markup=False)
    if len(exc.problems) > 200:
        errors.print(f"  … {len(exc.problems) - 200} more")
