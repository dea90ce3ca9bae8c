"""``jiuzhu simulate SCENARIO INPUT``: a scenario's caseload and cost against the rules in force,
per program (and township), the households' gains and losses, and in budget mode the standard a
budget allows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from jiuzhu.batch.inputs import InputFileError, read_input
from jiuzhu.batch.outputs import OutputError
from jiuzhu.batch.pipelines.simulate import TOWNSHIP, Scenario, Simulation, apply, simulate
from jiuzhu.batch.pipelines.simulate.budget import BudgetFit, fit_budget
from jiuzhu.batch.pipelines.simulate.scenario_file import ScenarioFileError, read_scenario
from jiuzhu.batch.pipelines.simulate.summary import MONTHS, program_label
from jiuzhu.batch.pipelines.simulate.workbook import check_output, write_simulation
from jiuzhu.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_RULES_GAP,
    JURISDICTION,
    LOCAL_VALUES,
    console,
    errors,
    print_input_error,
    system_of,
)
from jiuzhu.reference import baodi_divisions
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine import HOUSEHOLD, ParameterNotDefinedError
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.standards import linked_standards

SIMULATE_EPILOG = """Example:

  jiuzhu simulate examples/scenario_standard_1100.yaml district/ --by-township -o scenario.xlsx

SCENARIO names the changes and their effective date, optionally a budget
(docs/simulation.md). Every household is assessed on the effective date twice: with the rules in
force and with the scenario. Exit status: 0 done, 2 a bad scenario or input (every problem
listed, nothing written), 3 a date the rules do not cover."""


def simulate_command(
    scenario_path: Annotated[
        Path,
        typer.Argument(metavar="SCENARIO", help="Scenario file (.yaml, docs/simulation.md)."),
    ],
    input_path: Annotated[
        Path,
        typer.Argument(metavar="INPUT", help="The households, as for assess (workbook or folder)."),
    ],
    by_township: Annotated[
        bool, typer.Option("--by-township", help="Also print the cost per township.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Also write the results: .xlsx (summary, townships, gains and losses, in yuan) "
            "or .parquet (one row per program and household, fen).",
        ),
    ] = None,
    jurisdiction: Annotated[str, JURISDICTION] = "tianjin",
    local_values: Annotated[Path | None, LOCAL_VALUES] = None,
) -> None:
    """Simulate SCENARIO over the households of INPUT: caseload, households newly eligible and
    losing eligibility, monthly and annual cost and average amounts per program, against the
    rules in force; with a budget, the highest whole-yuan value that fits it."""
    system = system_of(jurisdiction, local_values)
    try:
        read = read_scenario(scenario_path, system)
    except ScenarioFileError as exc:
        errors.print("[red bold]情景文件有误，未测算 (bad scenario: nothing run):[/red bold]")
        for problem in exc.problems:
            errors.print(f"  • {problem}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    scenario = read.scenario
    try:
        if output is not None:
            check_output(output)  # before minutes of work, not after
        data = read_input(input_path, system, scenario.effective)
        frames = _with_townships(data.frames, data.passthrough)
        if read.budget is not None:
            fit = fit_budget(system, scenario, read.budget, frames, progress=_trial)
            _print_fit(fit)
            result = fit.simulation
        else:
            result = simulate(system, scenario, frames)
    except InputFileError as exc:
        print_input_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ParameterNotDefinedError as exc:
        errors.print(str(exc), style="red", markup=False)
        raise typer.Exit(EXIT_RULES_GAP) from None
    except OutputError as exc:
        errors.print(str(exc), style="red", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(
        f"情景 Scenario：[bold]{scenario.label}[/bold]，自 {scenario.effective} 起 (effective)"
        f"{'，依据 ' + scenario.reference if scenario.reference else ''}"
    )
    console.print(_summary_table(result.summary, "各项救助 By program"))
    console.print(_distribution_table(result))
    console.print(_linked_table(system, scenario))
    if by_township:
        _print_townships(result)
    if output is not None:
        try:
            write_simulation(result, output, scenario.label)
        except OutputError as exc:
            errors.print(str(exc), style="red", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        console.print(f"已写入 Written to [bold]{output}[/bold]")


def _with_townships(
    frames: dict[str, pl.DataFrame], passthrough: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The household frame with its township (the first 9 digits of 区划代码) when given."""
    if "division_code" not in passthrough.columns:
        return frames
    townships = passthrough.select(
        HOUSEHOLD.key, pl.col("division_code").cast(pl.String).str.slice(0, 9).alias(TOWNSHIP)
    )
    households = frames[HOUSEHOLD.name].join(
        townships, on=HOUSEHOLD.key, how="left", maintain_order="left"
    )
    return {**frames, HOUSEHOLD.name: households}


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else format_yuan(int(fen))


def _trial(value: int, annual: int) -> None:
    console.print(f"  试算 trying {value:,} 元：年支出 annual cost {_yuan(annual)} 元")


def _print_fit(fit: BudgetFit) -> None:
    budget = fit.budget
    console.print(
        f"预算 Budget：{_yuan(budget.annual)} 元/年，{budget.parameter} 在 "
        f"{budget.low:,}–{budget.high:,} 元之间，{fit.trials} 次试算 (trials)"
    )
    if not fit.fits:
        console.print(
            f"[red]最低值 {budget.low:,} 元的年支出 {_yuan(fit.annual_cost)} 元已超出预算 "
            f"(even the lowest value is over the budget)[/red]"
        )
    elif fit.next_cost is None:
        console.print(
            f"[yellow]最高值 {budget.high:,} 元的年支出 {_yuan(fit.annual_cost)} 元仍在预算内 "
            f"(the budget allows more than the range's top)[/yellow]"
        )
    else:
        console.print(
            f"预算内最高 Highest within the budget：[bold]{fit.value:,} 元[/bold]，年支出 "
            f"{_yuan(fit.annual_cost)} 元；{fit.value + 1:,} 元则为 {_yuan(fit.next_cost)} 元 "
            f"(one yuan more breaks the budget)"
        )


def _summary_table(summary: pl.DataFrame, title: str, township: bool = False) -> Table:
    """One row per program (and township) with a caseload in either run: the caseload before →
    after, the households (persons) gained and lost, the change of cost — a month's, or one
    payment a case for a program paid once (marked 一次性) — and the average amount."""
    table = Table(title=title)
    if township:
        table.add_column("乡镇 Township")
    for column in (
        "救助项目 Program",
        "符合 Eligible",
        "新增 New",
        "退出 Lost",
        "月支出变化（元） Monthly change",
        "年支出变化（元） Annual change",
        "人（户）均（元） Average",
    ):
        table.add_column(column, justify="left" if "Program" in column else "right")
    names = {code: d.name for code, d in baodi_divisions().items()}
    for row in summary.iter_rows(named=True):
        if not (row["baseline_caseload"] or row["scenario_caseload"]):
            continue
        change = row["cost_difference"]
        table.add_row(
            *([names.get(row[TOWNSHIP], row[TOWNSHIP] or "—")] if township else []),
            program_label(row["label"], row["option"], row["monthly"]),
            f"{row['baseline_caseload']:,} → {row['scenario_caseload']:,}",
            f"{row['newly_eligible']:,}",
            f"{row['losing_eligibility']:,}",
            _yuan(change),
            _yuan(change * MONTHS if change is not None and row["monthly"] else None),
            f"{_yuan(row['baseline_average'])} → {_yuan(row['scenario_average'])}",
        )
    return table


def _linked_table(system: RuleSystem, scenario: Scenario) -> Table:
    """The standards linked to the scenario's dibao standard on its effective date, a tekun
    standard under the national floor flagged (``jiuzhu.rules.standards``)."""
    table = Table(title="联动标准 Standards linked to the dibao standard")
    table.add_column("标准 Standard")
    table.add_column("元 Yuan", justify="right")
    table.add_column("下限 Floor", justify="right")
    table.add_column("为低保标准的倍数 × standard", justify="right")
    table.add_column("核对 Check")
    for linked in linked_standards(apply(system, scenario), scenario.effective):
        check = {True: "✓", False: "✗ 低于国家底线 below the national floor", None: "—"}
        table.add_row(
            linked.label,
            _yuan(linked.value),
            _yuan(linked.floor),
            "—" if linked.ratio is None else f"{float(linked.ratio):.3f}",
            check[linked.compliant],
            style="red" if linked.compliant is False else None,
        )
    return table


def _distribution_table(result: Simulation) -> Table:
    table = Table(title="家庭月救助金增减分布 Households by monthly change")
    table.add_column("增减 Change")
    table.add_column("户数 Households", justify="right")
    table.add_column("月增减合计（元） Monthly total", justify="right")
    for row in result.distribution.iter_rows(named=True):
        table.add_row(row["label"], f"{row['households']:,}", _yuan(row["difference"]))
    return table


def _print_townships(result: Simulation) -> None:
    if result.by_township is None:
        errors.print(
            "[yellow]输入没有区划代码，不能分乡镇汇总 (no 区划代码 in the input: no townships)[/yellow]"
        )
        return
    console.print(_summary_table(result.by_township, "分乡镇 By township", township=True))
