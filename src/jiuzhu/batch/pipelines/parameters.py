"""The parameter listing behind ``jiuzhu parameters``: the values in force on a date, one row per
value (a broken-down parameter gives one row per key), with source and confidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from jiuzhu.batch.outputs import OutputError, atomic_path, write_table
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.explain import (
    CONFIDENCE_LABELS,
    code_label,
    format_parameter_value,
    public_reference,
)
from jiuzhu.rules.engine.parameters import Marker

COLUMNS = {
    "path": "参数",
    "description": "名称",
    "key": "分项",
    "value": "取值",
    "start": "自",
    "confidence": "置信度",
    "reference": "依据",
}


def parameter_table(
    system: RuleSystem, on: dt.date, unknown_only: bool = False, low_only: bool = False
) -> pl.DataFrame:
    """The parameters in force on ``on``.

    Returns:
        one row per value: ``path``, ``description``, ``key`` (the code label of a broken-down
        value, else empty), ``value`` (as people read it: yuan, ratio, months, 是/否, 未知),
        ``start`` (date the value took effect), ``confidence`` (高/中/低/未知) and
        ``reference`` (all ``pl.String`` but ``start``, ``pl.Date``). Parameters that begin
        after ``on`` are left out.
    """
    rows = []
    for parameter in system.parameters:
        if on < parameter.first:
            continue
        value = parameter.at(on)
        entries = value.value.items() if isinstance(value.value, dict) else [(None, value.value)]
        breakdown = system.code_lists.get(parameter.breakdown or "")
        for key, item in entries:
            confidence = value.confidence_for(key)
            is_unknown = isinstance(item, Marker) and item.name == "unknown"
            if unknown_only and not is_unknown:
                continue
            if low_only and not (is_unknown or confidence == "low"):
                continue
            rows.append(
                {
                    "path": parameter.path,
                    "description": parameter.description,
                    "key": (code_label(breakdown, key) if breakdown else key) if key else "",
                    "value": format_parameter_value(parameter, item, code_lists=system.code_lists),
                    "start": value.start,
                    "confidence": CONFIDENCE_LABELS.get(confidence, (confidence,))[0],
                    "reference": public_reference(value.reference),
                }
            )
    schema = dict.fromkeys(COLUMNS, pl.String) | {"start": pl.Date}
    return pl.DataFrame(rows, schema=schema)


def write_parameters(table: pl.DataFrame, path: Path) -> None:
    """Write the listing as .csv or .xlsx with Chinese headers (atomically).

    Raises:
        OutputError: another extension.
    """
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise OutputError(f"{path}: 参数清单应写为 .csv 或 .xlsx (write .csv or .xlsx)")
    people = table.rename(COLUMNS)
    with atomic_path(path) as temporary:
        write_table(people, temporary, "政策参数")
