"""The ``jiuzhu`` command.

jiuzhu assess INPUT --on 2025-10-15 -o results.xlsx
jiuzhu explain INPUT --household H001 --on 2025-10-15
jiuzhu parameters --on 2025-10-15 --unknown -o parameters.xlsx
jiuzhu synth --scale 1.0 --seed 20251015 --out district
jiuzhu feeds check district/feeds/tax.csv
jiuzhu simulate scenario.yaml district/ --by-township
jiuzhu propose --on 2026-03-01 --local-values local.yaml
"""

from __future__ import annotations

import datetime as dt
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
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
from jiuzhu.batch.outputs import OutputError, atomic_path
from jiuzhu.batch.pipelines.assess import AssessmentSummary, assess
from jiuzhu.batch.pipelines.discover import discover
from jiuzhu.batch.pipelines.discover.catalogue import catalogue
from jiuzhu.batch.pipelines.discover.context import DiscoveryInputError, month_bounds
from jiuzhu.batch.pipelines.discover.files import read_inputs
from jiuzhu.batch.pipelines.parameters import parameter_table, write_parameters
from jiuzhu.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_RULES_GAP,
    JURISDICTION,
    LOCAL_VALUES,
    console,
    errors,
    local_values_of,
    parse_day,
    print_input_error,
    system_of,
)
from jiuzhu.cli.propose import PROPOSE_EPILOG, propose_command
from jiuzhu.cli.simulate import SIMULATE_EPILOG, simulate_command
from jiuzhu.feeds.base import SPECS, FeedRejected, FeedSpec, detect, read_feed, sources
from jiuzhu.feeds.tabular import TableError
from jiuzhu.reference import baodi_divisions
from jiuzhu.rules.engine import HOUSEHOLD, ParameterNotDefinedError
from jiuzhu.rules.engine.explain import explain_household, render
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.synth.run import synthesise

app = typer.Typer(
    help="Jiuzhu (救助): social assistance rules, verification and case management.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help text: docstring paragraphs are reflowed to the terminal instead of keeping
    # their source line breaks (Rich markup mode keeps them).
    rich_markup_mode=None,
)

STAGES = {
    "read": "读取并校验输入 Reading and validating input",
    "assess": "评估 Assessing",
    "write": "写出结果 Writing results",
}


class Language(StrEnum):
    zh = "zh"
    en = "en"


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


ASSESS_EPILOG = """Examples:

  jiuzhu assess examples/baodi_example.xlsx --on 2025-10-15 -o results.xlsx

  jiuzhu assess district/ --on 2025-10-15 -o results.parquet

Without -o only the summary is printed and no file is written. Exit status: 0 done, 2 bad
input (every problem listed, nothing written), 3 a date the rules do not cover."""


@app.command("assess", epilog=ASSESS_EPILOG)
def assess_command(
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="Workbook (.xlsx with sheets 家庭, 成员 and optionally 义务人) or a folder of "
            "households/persons(/obligors) .csv or .parquet files (docs/input-format.md).",
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="Assessment date for households whose 评估日期 cell is blank (2025-10-15, "
            "2025/10/15, 20251015 or 2025年10月15日); a household's own date wins.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Results file: .xlsx or .csv for people (yuan, Chinese labels), .parquet for "
            "machines (integer fen, reason codes). Omit to print the summary only.",
        ),
    ] = None,
    trace: Annotated[
        bool, typer.Option("--trace", help="Add every intermediate household variable.")
    ] = False,
    jurisdiction: Annotated[str, JURISDICTION] = "tianjin",
    local_values: Annotated[Path | None, LOCAL_VALUES] = None,
) -> None:
    """Assess every household of INPUT for dibao, near-dibao, the single-person option, tekun,
    rigid-expenditure hardship and temporary assistance; print the count and monthly total per
    program, and write one row per household (plus the tekun persons) if -o is given."""
    values = local_values_of(local_values, jurisdiction)
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
            summary = assess(input_path, parse_day(on), output, jurisdiction, trace, stage, values)
        except InputFileError as exc:
            progress.stop()
            print_input_error(exc)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OutputError as exc:
            progress.stop()
            errors.print(str(exc), style="red", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except ParameterNotDefinedError as exc:
            progress.stop()
            errors.print(str(exc), style="red", markup=False)
            raise typer.Exit(EXIT_RULES_GAP) from None
    _print_summary(summary)


def _print_summary(summary: AssessmentSummary) -> None:
    dates = ", ".join(d.isoformat() for d in summary.dates[:3]) + (
        " …" if len(summary.dates) > 3 else ""
    )
    console.print(
        f"评估 {summary.households:,} 户、{summary.persons:,} 人，评估日期 {dates}，"
        f"用时 {summary.seconds:.2f} 秒 (assessed {summary.households:,} households, "
        f"{summary.persons:,} persons)"
    )
    table = Table(title="各项救助汇总 Summary by program")
    table.add_column("救助项目 Program")
    table.add_column("符合 Eligible", justify="right")
    table.add_column("待定 Undetermined", justify="right")
    table.add_column("月救助金合计（元） Monthly total (yuan)", justify="right")
    for program in summary.programs:
        amount = "—" if program.amount is None else format_yuan(program.amount)
        if program.option and program.amount is not None:
            # An alternative to near-dibao assistance (option B), never added to the totals.
            amount = f"（方案B {format_yuan(program.amount)}）"
        elif not program.monthly and program.amount is not None:
            # Paid once (a heating season's aid, say): not a month's cash.
            amount = f"（一次性 once {format_yuan(program.amount)}）"
        table.add_row(
            f"{program.label}\n{program.label_en}",
            f"{program.eligible:,}",
            f"{program.undetermined:,}",
            amount,
        )
    console.print(table)
    console.print(
        "方案B：重残重病成员单独纳入低保、其余成员重新认定时的月救助金合计，与低保边缘救助金二选一，"
        "不计入总额 (option B: the single-person alternative to near-dibao cash, not added to it)"
    )
    if summary.unknown_notes:
        console.print(
            f"[yellow]{summary.unknown_notes:,}户有按规定应扣减、但扣减金额未找到依据而未扣减的收入"
            f"（就业成本或分类救助抵扣），其核定收入可能偏高，见理由列 (households with a deduction "
            f"whose amount is unknown and was not applied: their income may be overstated)[/yellow]"
        )
    if summary.low_confidence:
        console.print(
            f"[yellow]结果依赖 {len(summary.low_confidence)} 个低置信度参数，"
            f"用 jiuzhu parameters --low --on {summary.dates[-1]} 查看 "
            f"({len(summary.low_confidence)} low-confidence parameters used)[/yellow]"
        )
    if summary.local:
        console.print(
            f"结果使用了 {len(summary.local)} 个本地值（区民政局录入并复核）："
            f"{'、'.join(summary.local)} ({len(summary.local)} local values used)"
        )
    for warning in summary.warnings:
        console.print(f"提示 Note: {warning}", style="yellow", markup=False)
    if summary.output is not None:
        console.print(f"结果已写入 Results written to [bold]{summary.output}[/bold]")
        if summary.output.suffix.lower() != ".xlsx":
            beside = summary.output.with_name(
                f"{summary.output.stem}.persons{summary.output.suffix}"
            )
            console.print(f"特困人员表 Tekun persons: [bold]{beside}[/bold]")
    else:
        console.print("未指定 -o，未写出结果文件 (no -o given: no results file written)")


@app.command("explain")
def explain_command(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="Same input as for assess.")],
    household: Annotated[str, typer.Option("--household", help="家庭编号 of the household.")],
    on: Annotated[
        str | None,
        typer.Option("--on", help="Assessment date if the household's 评估日期 cell is blank."),
    ] = None,
    lang: Annotated[Language, typer.Option(help="Language of the explanation.")] = Language.zh,
    jurisdiction: Annotated[str, JURISDICTION] = "tianjin",
    local_values: Annotated[Path | None, LOCAL_VALUES] = None,
) -> None:
    """Explain one household's assessment: every program's decision with its reasons, the
    calculation step by step, the parameter values used, and their legal sources with every
    low-confidence or unknown value flagged and every local value named. Only this household's
    rows need to be valid."""
    system = system_of(jurisdiction, local_values)
    try:
        data = read_input(input_path, system, parse_day(on), household=household)
    except InputFileError as exc:
        print_input_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    # The reader matched the number as people type it (case, spaces); explain the one it found.
    wanted = data.frames[HOUSEHOLD.name][HOUSEHOLD.key][0]
    try:
        explanation = explain_household(system, data.frames, wanted)
    except ParameterNotDefinedError as exc:
        errors.print(str(exc), style="red", markup=False)
        raise typer.Exit(EXIT_RULES_GAP) from None
    console.print(
        render(explanation, system.variables, lang.value),
        markup=False,
        highlight=False,
        soft_wrap=True,
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
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Also write the list to a .csv or .xlsx file."),
    ] = None,
    jurisdiction: Annotated[str, JURISDICTION] = "tianjin",
    local_values: Annotated[Path | None, LOCAL_VALUES] = None,
) -> None:
    """List the policy parameters in force on a date, with value, start date, confidence and
    legal source (a local value: its document and officers)."""
    system = system_of(jurisdiction, local_values)
    date = parse_day(on) or dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=8))).date()
    covers_from = system.parameters.covers_from
    if date < covers_from:
        errors.print(
            f"[red]{system.name} 的规则自 {covers_from} 起，{date} 没有参数取值 "
            f"(the rules start on {covers_from})[/red]"
        )
        raise typer.Exit(EXIT_RULES_GAP)
    if output is not None and output.suffix.lower() not in (".csv", ".xlsx"):
        errors.print(f"[red]{output}: 参数清单应写为 .csv 或 .xlsx (write .csv or .xlsx)[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    rows = parameter_table(system, date, unknown_only=unknown, low_only=low)
    table = Table(title=f"{system.name} 政策参数 Parameters on {date}", show_lines=True)
    for column in ("参数 Parameter", "值 Value", "自 From", "置信度 Confidence", "依据 Source"):
        table.add_column(column, overflow="fold")
    for row in rows.iter_rows(named=True):
        shown = f"{row['key']}：{row['value']}" if row["key"] else row["value"]
        table.add_row(
            f"{row['description']}\n{row['path']}",
            shown,
            row["start"].isoformat(),
            row["confidence"],
            row["reference"],
        )
    console.print(table)
    console.print(f"{rows.height} 项 (values)")
    if output is not None:
        try:
            write_parameters(rows, output)
        except OutputError as exc:
            errors.print(str(exc), style="red", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        console.print(f"已写入 Written to [bold]{output}[/bold]")


SYNTH_STAGES = {
    "generate": "生成人口 Generating the district",
    "frames": "写出家庭、成员、义务人 Writing the frames",
    "register": "按规则评估并写出低收入人口库 Writing the low-income register",
    "feeds": "写出部门数据 Writing the department feeds",
    "check": "按规则评估并对照估计区间 Assessing and checking the bands",
}


@app.command("synth")
def synth_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the district into.")] = Path(
        "district"
    ),
    scale: Annotated[
        float,
        typer.Option(
            "--scale", min=0.0001, max=2.0, help="Share of Baodi: 1.0 ≈ 722,000 residents."
        ),
    ] = 1.0,
    seed: Annotated[
        int, typer.Option("--seed", help="Same seed, same files (byte for byte).")
    ] = 20251015,
    on: Annotated[
        str, typer.Option("--on", help="Date the district is assessed on (its 评估日期).")
    ] = "2025-10-15",
    feeds: Annotated[
        bool, typer.Option("--feeds/--no-feeds", help="Also write the department feeds.")
    ] = True,
) -> None:
    """Generate a synthetic Baodi District (no real person's data): households.parquet,
    persons.parquet and obligors.parquet for jiuzhu assess, register.parquet (the low-income
    population register) for jiuzhu discover, the thirteen department feeds under feeds/, and the
    district's caseloads against the estimate bands."""
    date = parse_day(on)
    assert date is not None
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("…", total=None)
        summary = synthesise(
            out,
            scale,
            seed,
            date,
            feeds,
            lambda stage: progress.update(task, description=SYNTH_STAGES[stage]),
        )
    console.print(
        f"宝坻区合成数据 (scale {summary.scale:g}, seed {summary.seed})：{summary.households:,} 户、"
        f"{summary.persons:,} 人、{summary.obligors:,} 名义务人，写入 {summary.out} "
        f"(synthetic Baodi: {summary.households:,} households, {summary.persons:,} persons)"
    )
    table = Table(title=f"{summary.on} 评估结果与估计区间 Caseloads against the estimate bands")
    table.add_column("项目 Figure")
    table.add_column("合成区 District", justify="right")
    table.add_column(f"估计区间 Band (× {summary.scale:g})", justify="right")
    table.add_column("")
    for figure in summary.figures:
        if figure.share:
            value, band = f"{figure.value:.1%}", f"{figure.low:.0%}–{figure.high:.0%}"
        else:
            value, band = f"{figure.value:,.0f}", f"{figure.low:,.0f}–{figure.high:,.0f}"
        table.add_row(figure.label, value, band, "✔" if figure.inside else "✘ 超出 outside")
    console.print(table)
    timings = "，".join(f"{stage} {seconds:.1f} 秒" for stage, seconds in summary.seconds.items())
    console.print(f"用时 Time: {timings}")
    console.print(f"下一步 Next: jiuzhu assess {summary.out} -o {summary.out / 'results.parquet'}")


DISCOVERY_CATEGORIES = {
    "discovery": "主动发现 Discovery",
    "needs": "需求预警 Needs",
    "dynamic_management": "动态管理 Dynamic management",
    "policy_delivery": "政策落实 Policy delivery",
}


@app.command("discover")
def discover_command(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="Folder with households.parquet, persons.parquet, register.parquet and feeds/ "
            "(as jiuzhu synth writes it).",
        ),
    ],
    month: Annotated[
        str, typer.Option("--month", help="Discovery month, YYYY-MM (events dated in it).")
    ],
    feeds: Annotated[
        Path | None, typer.Option("--feeds", help="Feeds folder (default: DIR/feeds).")
    ] = None,
    register: Annotated[
        Path | None,
        typer.Option("--register", help="Register file (default: DIR/register.parquet)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the alerts (.parquet).")
    ] = None,
) -> None:
    """Proactive discovery (主动发现与预警): match the month's department feeds against the
    registry and the low-income register, evaluate every signal and route each alert to its
    community or township. Exit code 2 on bad input."""
    started = time.perf_counter()
    alerts = _discover_alerts(folder, month, feeds, register, output)
    seconds = time.perf_counter() - started
    console.print(
        f"{month} 主动发现：{alerts.height:,} 条预警 (discovery {month}: {alerts.height:,} alerts, "
        f"{seconds:.1f} s)"
    )
    console.print(_alerts_by_category(alerts))
    console.print(_alerts_by_signal(alerts))
    console.print(_alerts_by_township(alerts))
    if output is not None:
        # Written whole or not at all (a temporary file renamed into place).
        with atomic_path(output) as temporary:
            alerts.write_parquet(temporary)
        console.print(f"预警已写入 Alerts written: {output}")


def _discover_alerts(
    folder: Path, month: str, feeds: Path | None, register: Path | None, output: Path | None
) -> pl.DataFrame:
    """Read the inputs and run discovery, with a spinner; bad input exits with status 2."""
    try:
        month_bounds(month)
        if output is not None and output.suffix.lower() != ".parquet":
            raise DiscoveryInputError(
                [f"{output}: 预警结果只能写为 .parquet (the alerts are written as .parquet)"]
            )
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
        ) as progress:
            task = progress.add_task(
                "读取登记库、低收入人口库和部门数据 Reading the inputs", total=None
            )
            inputs = read_inputs(folder, feeds, register)
            progress.update(task, description="比对并评估各预警信号 Matching and evaluating")
            return discover(inputs, month)
    except DiscoveryInputError as exc:
        errors.print(f"[red]输入有误 Bad input[/red] ({len(exc.problems)}):")
        for problem in exc.problems[:50]:
            errors.print(f"  • {problem}", markup=False)
        raise typer.Exit(code=2) from exc
    except ParameterNotDefinedError as exc:
        errors.print(str(exc), style="red", markup=False)
        raise typer.Exit(code=2) from exc


def _alerts_by_category(alerts: pl.DataFrame) -> Table:
    by_category = alerts.group_by("category").agg(pl.len().alias("n"))
    counts = {str(c): int(n) for c, n in by_category.iter_rows()}
    table = Table(title="按类别 By category")
    table.add_column("类别 Category")
    table.add_column("预警 Alerts", justify="right")
    for code, label in DISCOVERY_CATEGORIES.items():
        table.add_row(label, f"{counts.get(code, 0):,}")
    return table


def _alerts_by_signal(alerts: pl.DataFrame) -> Table:
    by_signal = alerts.group_by("signal").agg(
        pl.len().alias("n"), pl.col("adverse").first().alias("adverse")
    )
    signal_counts = {str(s): int(n) for s, n, _ in by_signal.iter_rows()}
    table = Table(title="按信号 By signal")
    table.add_column("信号 Signal")
    table.add_column("类别 Category")
    table.add_column("负责 Owner")
    table.add_column("预警 Alerts", justify="right")
    for code, signal in catalogue().items():
        adverse = "（核查 verify）" if signal.adverse else ""
        table.add_row(
            f"{signal.label}{adverse}\n{signal.label_en} [{code}]",
            DISCOVERY_CATEGORIES[signal.category],
            signal.owner,
            f"{signal_counts.get(code, 0):,}",
        )
    return table


def _alerts_by_township(alerts: pl.DataFrame) -> Table:
    names = {code: division.name for code, division in baodi_divisions().items()}
    by_township = (
        alerts.group_by("township_code", "category")
        .agg(pl.len().alias("n"))
        .pivot(on="category", index="township_code", values="n")
        .fill_null(0)
        .sort("township_code")
    )
    table = Table(title="按乡镇街道 By township")
    table.add_column("乡镇街道 Township")
    for label in DISCOVERY_CATEGORIES.values():
        table.add_column(label, justify="right")
    for row in by_township.iter_rows(named=True):
        code = row["township_code"]
        table.add_row(
            f"{names.get(code, '')} {code}",
            *(f"{row.get(c, 0) or 0:,}" for c in DISCOVERY_CATEGORIES),
        )
    return table


feeds_app = typer.Typer(
    help="Department data feeds (核对数据): check a file before it is imported.",
    no_args_is_help=True,
)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("check")
def feeds_check_command(
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="A department's .csv or .xlsx file.")
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Which department's format (default: recognised from the headers): "
            "tax, social_insurance, housing_fund, real_estate, vehicles, financial_assets, "
            "market_entities, medical_insurance, disability, deaths, unemployment, students, custody.",
        ),
    ] = None,
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine", help="Accept the good rows and set the bad ones apart with reasons."
        ),
    ] = False,
    registry: Annotated[
        Path | None,
        typer.Option(
            "--registry", help="Folder with persons.parquet: count rows of people not in it."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the normalised rows to this .parquet (and bad rows beside it as "
            "NAME.quarantine.parquet with --quarantine).",
        ),
    ] = None,
) -> None:
    """Read a department's file the way an import would and print the report: rows read,
    accepted, duplicates, IDs not in the registry, and every bad row (line, column, value,
    reason). Exit status 2 if the file would be rejected (nothing is imported)."""
    spec = _feed_spec(path, source)
    known = None if registry is None else _registry_ids(registry)
    try:
        result = read_feed(path, spec, quarantine=quarantine, known_ids=known)
    except FeedRejected as exc:
        console.print(exc.report.text(), markup=False, highlight=False)
        errors.print(
            "[red bold]整个文件不予导入 (the whole file is rejected; nothing imported)[/red bold]"
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(result.report.text(), markup=False, highlight=False)
    if output is not None:
        result.frame().write_parquet(output)
        console.print(f"已写入 Written to [bold]{output}[/bold]")
        if quarantine and result.quarantine.height:
            aside = output.with_suffix(".quarantine.parquet")
            result.quarantine.write_parquet(aside)
            console.print(f"问题行已写入 Bad rows written to [bold]{aside}[/bold]")


def _feed_spec(path: Path, source: str | None) -> FeedSpec:
    """The spec of the named source, or of the one the file's headers show; exits with
    status 2 if there is none."""
    sources()
    if source is not None and source not in SPECS:
        errors.print(
            f"[red]没有名为“{source}”的数据来源，可选：{', '.join(SPECS)} "
            f"(unknown source; choose one of these)[/red]"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        return SPECS[source] if source else detect(path)
    except KeyError:
        choices = ", ".join(SPECS)
        errors.print(
            f"[red]{path}: 无法识别是哪个部门的数据，请用 --source 指定：{choices} "
            f"(cannot tell the source; use --source)[/red]"
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except TableError as exc:
        errors.print(f"[red]{path}: {exc}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _registry_ids(registry: Path) -> pl.Series:
    """The resident IDs of a registry folder's (or file's) persons.parquet; exits with
    status 2 if there is none."""
    persons = registry / "persons.parquet" if registry.is_dir() else registry
    try:
        return pl.read_parquet(persons, columns=["resident_id"])["resident_id"]
    except (OSError, pl.exceptions.PolarsError):
        errors.print(
            f"[red]{registry}: 找不到登记库 persons.parquet（应为 jiuzhu synth 的输出文件夹） "
            f"(no registry persons.parquet here)[/red]"
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None


if __name__ == "__main__":
    app()


app.command("simulate", epilog=SIMULATE_EPILOG)(simulate_command)
app.command("propose", epilog=PROPOSE_EPILOG)(propose_command)
