"""Reading a discovery run's inputs from files (``jiuzhu discover --month YYYY-MM DIR``).

``DIR`` holds ``households.parquet``, ``persons.parquet`` and optionally ``obligors.parquet`` (as
``jiuzhu synth`` writes them), ``register.parquet`` (``REGISTER_SCHEMA``) and ``feeds/``, a folder
with one file per department source: ``SOURCE.parquet`` (already normalised, as
``jiuzhu feeds check -o`` writes it) or the department's ``SOURCE.csv`` / ``SOURCE.xlsx``, read and
validated with ``jiuzhu.feeds`` (a rejected file stops the run with its report).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jiuzhu.batch.pipelines.discover.context import DiscoveryInputError
from jiuzhu.batch.pipelines.discover.pipeline import DiscoveryInputs
from jiuzhu.batch.pipelines.discover.schema import REGISTER_SCHEMA
from jiuzhu.feeds.base import SPECS, FeedRejected, read_feed, sources
from jiuzhu.feeds.tabular import TableError

FEED_SOURCES = (
    "medical_insurance",
    "disability",
    "deaths",
    "custody",
    "unemployment",
    "social_insurance",
    "vehicles",
    "real_estate",
    "market_entities",
)
"""The sources the signals read; other files in the folder are ignored."""


def _parquet(path: Path, what: str) -> pl.DataFrame:
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise DiscoveryInputError(
            [f"{path}: 无法读取{what} (cannot read the {what}: {exc})"]
        ) from exc


def read_feeds(folder: Path) -> dict[str, pl.DataFrame]:
    """The normalised frame of each source in ``FEED_SOURCES`` found in ``folder``.

    Raises:
        DiscoveryInputError: a file that cannot be read, or a rejected feed (its report).
    """
    sources()
    found: dict[str, pl.DataFrame] = {}
    for source in FEED_SOURCES:
        parquet = folder / f"{source}.parquet"
        if parquet.exists():
            found[source] = _parquet(parquet, "feed")
            continue
        for suffix in (".csv", ".xlsx"):
            path = folder / f"{source}{suffix}"
            if not path.exists():
                continue
            try:
                found[source] = read_feed(path, SPECS[source]).frame()
            except FeedRejected as exc:
                raise DiscoveryInputError([exc.report.text(limit=20)]) from exc
            except TableError as exc:
                raise DiscoveryInputError([f"{path}: {exc}"]) from exc
            break
    return found


def read_inputs(
    folder: Path, feeds: Path | None = None, register: Path | None = None
) -> DiscoveryInputs:
    """The inputs of a run from files (see the module docstring).

    Raises:
        DiscoveryInputError: a missing or unreadable file, a register not in ``REGISTER_SCHEMA``.
    """
    folder = Path(folder)
    problems = []
    if not folder.is_dir():
        raise DiscoveryInputError([f"{folder}: 文件夹不存在 (no such folder)"])
    for name in ("households.parquet", "persons.parquet"):
        if not (folder / name).exists():
            problems.append(f"{folder / name}: 缺少登记库文件 (missing registry file)")
    register_path = Path(register) if register is not None else folder / "register.parquet"
    if not register_path.exists():
        problems.append(
            f"{register_path}: 缺少低收入人口库文件 (missing register; give --register FILE)"
        )
    feeds_dir = Path(feeds) if feeds is not None else folder / "feeds"
    if not feeds_dir.is_dir():
        problems.append(f"{feeds_dir}: 缺少数据比对文件夹 (missing feeds folder; give --feeds DIR)")
    if problems:
        raise DiscoveryInputError(problems)
    frame = _parquet(register_path, "register")
    wrong = [
        f"{register_path} › {column}: "
        + (
            "缺少此列 (missing column)"
            if column not in frame.columns
            else f"类型为 {frame.schema[column]}，应为 {dtype} (expected {dtype})"
        )
        for column, dtype in REGISTER_SCHEMA.items()
        if column not in frame.columns or frame.schema[column] != dtype
    ]
    if wrong:
        raise DiscoveryInputError(wrong)
    obligors_path = folder / "obligors.parquet"
    return DiscoveryInputs(
        households=_parquet(folder / "households.parquet", "households"),
        persons=_parquet(folder / "persons.parquet", "persons"),
        register=frame.select(REGISTER_SCHEMA.names()),
        feeds=read_feeds(feeds_dir),
        obligors=_parquet(obligors_path, "obligors") if obligors_path.exists() else None,
    )
