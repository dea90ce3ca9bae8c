"""The ``jiuzhu`` command.

jiuzhu assess INPUT --on 2025-10-15 -o results.xlsx
jiuzhu explain INPUT --household H001 --on 2025-10-15
jiuzhu parameters --on 2025-10-15 --unknown
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from jiuzhu import __version__
from jiuzhu.batch.inputs import InputFileError, read_input
from jiuzhu.batch.outputs import OutputError
from jiuzhu.batch.pipelines.assess import AssessmentSummary, assess
from jiuzhu.rules import load_system
from jiuzhu.rules.engine import HOUSEHOLD, ParameterNotDefinedError
from jiuzhu.rules.engine.explain import (
    CONFIDENCE_LABELS,
    explain_household,
    format_parameter_value,
    render,
)
from jiuzhu.rules.engine.parameters import Marker
from jiuzhu.rules.engine.units import format_yuan

app = typer.Typer(
    help="Jiuzhu (救助): social assistance rules, verification and case management.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

EXIT_BAD_INPUT = 2
EXIT_RULES_GAP = 3

STAGES = {
    "read": "读取并校验输入 Reading and validating input",
    "assess": "评估 Assessing",
    "write": "写出结果 Writing results",
}


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _version(value: bool) -> None:
    if value:
        console.print(f"jiuzhu {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Jiuzhu (救助): social assistance management for civil-affairs bureaus."""


@app.command("assess")
def assess_command(
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="Workbook (.xlsx with sheets 家庭, 成员, 义务人) or a folder of "
            "households/persons CSV or Parquet files (docs/input-format.md).",
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--on", help="Assessment date (YYYY-MM-DD) for households without their own 评估日期."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Results file: .xlsx or .csv for people (yuan), .parquet for machines (fen).",
        ),
    ] = None,
    trace: Annotated[
        bool, typer.Option("--trace", help="Add every intermediate household variable.")
    ] = False,
    jurisdiction: Annotated[str, typer.Option(help="Parameter set.")] = "tianjin",
) -> None:
    """Assess every household of INPUT for dibao, near-dibao, the single-person option, tekun and
    rigid-expenditure hardship, and print a summary per program."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("…", total=None)

        def stage(name: str, done: int, total: int) -> None:
            progress.update(
                task, description=STAGES.get(name, name), completed=done, total=total or None
            )

        try:
            summary = assess(input_path, _date(on), output, jurisdiction, trace, stage)
        except InputFileError as exc:
            progress.stop()
            _print_input_error(exc)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OutputError as exc:
            progress.stop()
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except ParameterNotDefinedError as exc:
            progress.stop()
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_RULES_GAP) from None
    _print_summary(summary)


def _print_input_error(exc: InputFileError) -> None:
    errors.print(
        f"[red bold]输入有误，未评估，未写出任何文件。{len(exc.problems)} 处问题 "
        f"(bad input: nothing assessed, nothing written):[/red bold]"
    )
    for problem in exc.problems[:200]:
        errors.print(f"  • {problem}", markup=False)
    if len(exc.problems) > 200:
        errors.print(f"  … {len(exc.problems) - 200} more")


def _print_summary(summary: AssessmentSummary) -> None:
    dates = ", ".join(d.isoformat() for d in summary.dates[:3]) + (
        " …" if len(summary.dates) > 3 else ""
    )
    console.print(
        f"评估 {summary.households:,} 户、{summary.persons:,} 人，评估日期 {dates}，"
        f"用时 {summary.seconds:.2f} 秒 (assessed {summary.households:,} households)"
    )
    table = Table(title="各项救助汇总 Summary by program")
    table.add_column("救助项目 Program")
    table.add_column("符合 Eligible", justify="right")
    table.add_column("待定 Undetermined", justify="right")
    table.add_column("月救助金合计（元） Monthly total (yuan)", justify="right")
    for program in summary.programs:
        amount = "—" if program.amount is None else format_yuan(program.amount)
        if program.name == "single_person_unit" and program.amount is not None:
            # An alternative to near-dibao assistance (option B), never added to the totals.
            amount = f"（方案B {format_yuan(program.amount)}）"
        table.add_row(
            f"{program.label}\n{program.label_en}",
            f"{program.eligible:,}",
            f"{program.undetermined:,}",
            amount,
        )
    console.print(table)
    if summary.low_confidence:
        console.print(
            f"[yellow]结果依赖 {len(summary.low_confidence)} 个低置信度参数 "
            f"(low-confidence parameters used): {', '.join(summary.low_confidence)}[/yellow]"
        )
    for warning in summary.warnings:
        console.print(f"[yellow]提示 Note: {warning}[/yellow]")
    if summary.output is not None:
        console.print(f"结果已写入 Results written to [bold]{summary.output}[/bold]")


@app.command("explain")
def explain_command(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="Same input as for assess.")],
    household: Annotated[str, typer.Option("--household", help="家庭编号 of the household.")],
    on: Annotated[str | None, typer.Option("--on", help="Assessment date (YYYY-MM-DD).")] = None,
    lang: Annotated[str, typer.Option(help="zh (Chinese) or en (English).")] = "zh",
    jurisdiction: Annotated[str, typer.Option(help="Parameter set.")] = "tianjin",
) -> None:
    """Explain one household's assessment: every program's decision, the calculation, the
    parameters with their legal references, and every low-confidence or unknown value used."""
    system = load_system(jurisdiction)
    try:
        data = read_input(input_path, system, _date(on))
    except InputFileError as exc:
        _print_input_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    key = data.frames[HOUSEHOLD.name][HOUSEHOLD.key]
    wanted = pl.Series([household]).cast(key.dtype, strict=False)[0]
    try:
        explanation = explain_household(system, data.frames, wanted)
    except KeyError:
        errors.print(f"[red]no household {household!r} in {input_path}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ParameterNotDefinedError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_RULES_GAP) from None
    console.print(
        render(explanation, system.variables, lang), markup=False, highlight=False, soft_wrap=True
    )


@app.command("parameters")
def parameters_command(
    on: Annotated[
        str | None,
        typer.Option("--on", help="Show the values in force on this date (default: today)."),
    ] = None,
    unknown: Annotated[
        bool, typer.Option("--unknown", help="Only parameters with an unknown value.")
    ] = False,
    low: Annotated[
        bool, typer.Option("--low", help="Only low-confidence or unknown values.")
    ] = False,
    jurisdiction: Annotated[str, typer.Option(help="Parameter set.")] = "tianjin",
) -> None:
    """List the policy parameters in force on a date, with value, source and confidence."""
    system = load_system(jurisdiction)
    date = _date(on) or dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=8))).date()
    table = Table(title=f"{system.name} 政策参数 Parameters on {date}", show_lines=True)
    for column in ("参数 Parameter", "值 Value", "自 From", "置信度 Confidence", "依据 Source"):
        table.add_column(column, overflow="fold")
    for parameter in system.parameters:
        if date < parameter.first:
            continue
        value = parameter.at(date)
        values = value.value.values() if isinstance(value.value, dict) else [value.value]
        is_unknown = any(isinstance(v, Marker) and v.name == "unknown" for v in values)
        if unknown and not is_unknown:
            continue
        if low and not (is_unknown or value.confidence == "low"):
            continue
        if isinstance(value.value, dict):
            shown = "\n".join(
                f"{k}: {format_parameter_value(parameter, v)}" for k, v in value.value.items()
            )
        else:
            shown = format_parameter_value(parameter, value.value)
        confidence = CONFIDENCE_LABELS.get(value.confidence, (value.confidence,))[0]
        table.add_row(
            f"{parameter.description}\n{parameter.path}",
            shown,
            value.start.isoformat(),
            confidence,
            value.reference,
        )
    console.print(table)


if __name__ == "__main__":
    app()
