"""``jiuzhu propose --on DATE``: the dibao standard each method proposes from the statistics, its
inputs with their sources, what is unknown, the standards linked to it; and a scenario file for
``jiuzhu simulate`` from the method chosen."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from jiuzhu.batch.outputs import OutputError, atomic_path
from jiuzhu.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_RULES_GAP,
    JURISDICTION,
    LOCAL_VALUES,
    console,
    errors,
    parse_day,
    system_of,
)
from jiuzhu.rules.engine import ParameterNotDefinedError
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.proposals import METHODS, Proposal, ProposalInput, proposals

PROPOSE_EPILOG = """Examples:

  jiuzhu propose --on 2026-03-01 --local-values local.yaml

  jiuzhu propose --on 2026-03-01 --scenario-out scenario.yaml --method price_index
  --effective 2026-07-01

Methods: consumption_share, basic_needs, engel, price_index, income_growth (docs/proposals.md).
An input the rules mark unknown gives that method no figure: enter it as a local value with
its bulletin (docs/local-values.md). Exit status: 0 done, 2 a bad option or a method without a
figure for --scenario-out, 3 a date the rules do not cover."""


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def propose_command(
    on: Annotated[str, typer.Option("--on", help="The day the proposal is worked out.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.zh,
    scenario_out: Annotated[
        Path | None,
        typer.Option(
            "--scenario-out",
            metavar="FILE",
            help="Write a scenario (.yaml) for jiuzhu simulate from --method, from --effective.",
        ),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option("--method", help="The method whose figure the scenario takes."),
    ] = None,
    effective: Annotated[
        str | None,
        typer.Option("--effective", help="The day the scenario's standard would apply from."),
    ] = None,
    jurisdiction: Annotated[str, JURISDICTION] = "tianjin",
    local_values: Annotated[Path | None, LOCAL_VALUES] = None,
) -> None:
    """Propose a dibao standard by each method of the national guideline (民发〔2011〕80号) and
    by price or income indexation: the figure (whole yuan a person a month), its inputs with
    their sources and confidence, what is unknown, and the standards linked to it with the
    national tekun floor checked."""
    day = parse_day(on)
    assert day is not None
    start = parse_day(effective)
    if scenario_out is not None:
        _check_scenario_options(scenario_out, method, start)
    system = system_of(jurisdiction, local_values)
    try:
        found = proposals(system, day)
    except ParameterNotDefinedError as exc:
        errors.print(str(exc), style="red", markup=False)
        raise typer.Exit(EXIT_RULES_GAP) from None
    english = lang is Lang.en
    console.print(
        f"Dibao standard proposals on {day}"
        if english
        else f"{day} 低保标准测算 (dibao standard proposals)"
    )
    for proposal in found:
        _print_proposal(proposal, english)
    if scenario_out is not None and method is not None and start is not None:
        chosen = next(p for p in found if p.method == method)
        _write_scenario(chosen, start, scenario_out)


def _check_scenario_options(path: Path, method: str | None, start: dt.date | None) -> None:
    """A scenario needs a known method, an effective date and a .yaml file (exit 2 otherwise)."""
    problems = []
    if method not in METHODS:
        problems.append(
            f"--method 应为 {'、'.join(METHODS)} 之一 (give --method: one of {', '.join(METHODS)})"
        )
    if start is None:
        problems.append("--effective 缺失 (give the day the standard would apply from)")
    if path.suffix.lower() not in (".yaml", ".yml"):
        problems.append(f"{path}: 情景文件应为 .yaml (write the scenario as .yaml)")
    if problems:
        for problem in problems:
            errors.print(problem, style="red", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)


def _print_proposal(proposal: Proposal, english: bool) -> None:
    label = proposal.label_en if english else proposal.label
    console.print(f"\n[bold]{label}[/bold] ({proposal.method})")
    console.print(
        f"  {'Formula' if english else '公式'}: "
        f"{proposal.formula_en if english else proposal.formula}",
        markup=False,
        soft_wrap=True,
    )
    console.print(
        f"  {'Source' if english else '依据'}: {proposal.source}", markup=False, soft_wrap=True
    )
    console.print(f"  {_figure(proposal, english)}", markup=False, soft_wrap=True)
    console.print(_inputs_table(proposal.inputs, english))
    if proposal.unknown:
        missing = "、".join(sorted({i.path for i in proposal.unknown}))
        console.print(
            f"  [yellow]No figure: unknown {missing} (enter as local values with the bulletin)"
            "[/yellow]"
            if english
            else f"  [yellow]无法测算：{missing} 未知（请按统计公报或测算方案录入本地值）[/yellow]",
            soft_wrap=True,
        )
    if proposal.linked:
        console.print(_linked_table(proposal, english))


def _figure(proposal: Proposal, english: bool) -> str:
    """The proposed standard against the one in force, by area when they differ."""
    names = {"urban": ("urban", "城镇"), "rural": ("rural", "农村")}
    distinct = set(proposal.values.values())
    areas = {"": distinct.pop()} if len(distinct) == 1 else dict(proposal.values)
    parts = []
    for area, value in areas.items():
        name = names.get(area, (area, area))[0 if english else 1] + " " if area else ""
        current = proposal.current.get(area) if area else next(iter(proposal.current.values()))
        shown = "—" if value is None else f"{_yuan(value)} 元"
        parts.append(f"{name}{shown}（{'in force' if english else '现行'} {_yuan(current)} 元）")
    title = "Proposed (a person a month)" if english else "建议标准（每人每月）"
    return f"{title}: " + "；".join(parts)


def _inputs_table(inputs: tuple[ProposalInput, ...], english: bool) -> Table:
    table = Table(title="Inputs" if english else "测算依据 Inputs", show_lines=True)
    for column in ("参数 Parameter", "值 Value", "自 From", "置信度 Confidence", "来源 Source"):
        table.add_column(column, overflow="fold")
    for found in inputs:
        key = f" [{found.key}]" if found.key else ""
        table.add_row(
            f"{found.label_en if english else found.label}\n{found.path}{key}",
            _value(found),
            found.start.isoformat(),
            found.confidence,
            found.reference,
        )
    return table


def _value(found: ProposalInput) -> str:
    if found.value is None:
        return "未知 unknown"
    if found.unit == "ratio":
        return f"{float(found.value):.4g}"
    return f"{_yuan(int(found.value))} 元"


def _linked_table(proposal: Proposal, english: bool) -> Table:
    """The standards linked to the proposed standard, one below its national floor flagged."""
    title = "Standards linked to the proposal" if english else "联动标准 Linked standards"
    table = Table(title=title)
    for column in ("标准 Standard", "元 Yuan", "下限 Floor", "× standard", "核对 Check"):
        table.add_column(column, justify="left" if "Standard" in column else "right")
    checks = {True: "✓", False: "✗ 低于国家底线 below the national floor", None: "—"}
    for linked in proposal.linked:
        table.add_row(
            linked.label_en if english else linked.label,
            _yuan(linked.value),
            _yuan(linked.floor),
            "—" if linked.ratio is None else f"{float(linked.ratio):.3f}",
            checks[linked.compliant],
            style="red" if linked.compliant is False else None,
        )
    return table


def _write_scenario(proposal: Proposal, start: dt.date, path: Path) -> None:
    """The scenario that sets the standard ``proposal`` gives from ``start`` (exit 2 if the
    method has no figure)."""
    if not proposal.complete:
        errors.print(
            f"{proposal.label}无法测算，未写出情景文件 (the method has no figure: nothing written)",
            style="red",
            markup=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    one = proposal.value
    standard: object = (
        one // 100
        if one is not None
        else {k: v // 100 for k, v in proposal.values.items() if v is not None}
    )
    shown = f"{one // 100:,}元" if one is not None else "按城乡分别测算"
    document = {
        "label": f"低保标准按{proposal.label}调整为{shown}",
        "effective": start,
        "reference": proposal.reference,
        "changes": {"dibao.standard": standard},
    }
    header = (
        f"# jiuzhu propose: {proposal.label_en}, {proposal.formula_en}.\n"
        "# The tekun standard does not follow by rule: change it here too if the proposal "
        "breaks its floor.\n"
    )
    try:
        with atomic_path(path) as temporary:
            temporary.write_text(
                header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
    except OutputError as exc:
        errors.print(str(exc), style="red", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:  # the folder cannot be made
        errors.print(f"{path}: {exc}", style="red", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(f"\n情景文件已写入 Scenario written to [bold]{path}[/bold]")


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else format_yuan(fen)
