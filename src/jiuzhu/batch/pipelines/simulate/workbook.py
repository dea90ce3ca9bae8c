"""A simulation written for people (.xlsx: the summary per program, per township and the
households' gains and losses, money in yuan) or for machines (.parquet: one row per program and
household or person, money in fen)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jiuzhu.batch.outputs import OutputError, atomic_path, write_tables
from jiuzhu.batch.pipelines.simulate import TOWNSHIP, Simulation
from jiuzhu.batch.pipelines.simulate.summary import MONTHS, program_label
from jiuzhu.reference import baodi_divisions

SUMMARY_HEADERS = {
    "label": "救助项目",
    "rows": "测算户（人）数",
    "baseline_caseload": "现行符合",
    "scenario_caseload": "情景符合",
    "newly_eligible": "新增符合",
    "losing_eligibility": "退出",
    "undetermined": "待定",
    "baseline_cost": "现行月支出（元）",
    "scenario_cost": "情景月支出（元）",
    "cost_difference": "月支出变化（元）",
    "annual_difference": "年支出变化（元）",
    "baseline_average": "现行月均（元）",
    "scenario_average": "情景月均（元）",
}
MONEY = {
    "baseline_cost",
    "scenario_cost",
    "cost_difference",
    "annual_difference",
    "baseline_average",
    "scenario_average",
}


def write_simulation(result: Simulation, path: Path, title: str) -> None:
    """Write ``result`` to ``path`` (.xlsx or .parquet; see the module docstring), atomically.

    Raises:
        OutputError: another format, or the file could not be written (nothing is left).
    """
    suffix = check_output(path)
    with atomic_path(path) as temporary:
        if suffix == ".parquet":
            result.rows.write_parquet(temporary, compression="lz4")
            return
        tables = [(title[:20] + " 汇总", for_people(result.summary))]
        if result.by_township is not None:
            tables.append(("分乡镇", for_people(result.by_township)))
        tables.append(("增减分布", _distribution(result.distribution)))
        write_tables(tables, temporary)


def check_output(path: Path) -> str:
    """The output's format (``.xlsx`` or ``.parquet``).

    Raises:
        OutputError: another one.
    """
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".parquet"):
        raise OutputError(f"{path}: 测算结果应写为 .xlsx 或 .parquet (write .xlsx or .parquet)")
    return suffix


def for_people(summary: pl.DataFrame) -> pl.DataFrame:
    """A summary (``SUMMARY_SCHEMA``, by township or not) with Chinese headers, money in yuan
    (Decimal) and the annual change of a monthly program (the month's × 12; blank for a program
    paid once, whose cost is one payment a case)."""
    names = {code: division.name for code, division in baodi_divisions().items()}
    frame = summary.with_columns(
        pl.when(pl.col("monthly"))
        .then(pl.col("cost_difference") * MONTHS)
        .otherwise(None)
        .alias("annual_difference"),
        pl.struct("label", "option", "monthly")
        .map_elements(lambda r: program_label(**r), return_dtype=pl.String)
        .alias("label"),
    )
    columns = [
        *(
            [pl.col(TOWNSHIP).replace(names).alias("乡镇（街道）")]
            if TOWNSHIP in frame.columns
            else []
        ),
        *(
            (_yuan(name) if name in MONEY else pl.col(name)).alias(header)
            for name, header in SUMMARY_HEADERS.items()
        ),
    ]
    return frame.select(columns)


def _distribution(distribution: pl.DataFrame) -> pl.DataFrame:
    return distribution.select(
        pl.col("label").alias("月救助金增减"),
        pl.col("households").alias("户数"),
        _yuan("difference").alias("月增减合计（元）"),
    )


def _yuan(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Decimal(38, 2)) / 100
