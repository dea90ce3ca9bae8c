"""The discovery run: inputs → every signal → alerts (see the package docstring)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from jiuzhu.batch.pipelines.discover.catalogue import (
    CatalogueError,
    Signal,
    Threshold,
    catalogue,
)
from jiuzhu.batch.pipelines.discover.conditions import CONDITIONS
from jiuzhu.batch.pipelines.discover.context import Context, build_context
from jiuzhu.batch.pipelines.discover.schema import ALERT_SCHEMA, DISTRICT_CODE, empty_alerts

PLACEHOLDER = re.compile(r"\{(\w+)\}")
BASE_COLUMNS = ("resident_id", "household_id", "subject", "episode", "record")


@dataclass(frozen=True)
class DiscoveryInputs:
    """What one discovery run reads (frames described in the package docstring)."""

    households: pl.DataFrame
    persons: pl.DataFrame
    register: pl.DataFrame
    feeds: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    obligors: pl.DataFrame | None = None


def discover(
    inputs: DiscoveryInputs, month: str, signals: Mapping[str, Signal] | None = None
) -> pl.DataFrame:
    """Every alert of ``month`` (``YYYY-MM``), in ``ALERT_SCHEMA``, sorted by ``alert_key``.

    Args:
        inputs: the registry, the register and the month's normalised feeds.
        month: the discovery month; events dated in it are signalled, parameters are those in
            force on its first day.
        signals: the catalogue (default: the packaged ``signals/*.yaml``), e.g. with a
            parameter replaced in a test.

    Raises:
        DiscoveryInputError: a bad month, or an input frame lacking a column or of a wrong type
            (each problem names the frame, row where known, column and rule).
        CatalogueError: a signal without a condition, or a template naming a value its
            condition does not give.
        ParameterNotDefinedError: a month before a parameter's first value.
    """
    ctx = build_context(
        inputs.households, inputs.persons, inputs.register, inputs.feeds, inputs.obligors, month
    )
    chosen = signals if signals is not None else catalogue()
    missing = sorted(set(chosen) - set(CONDITIONS))
    if missing:
        raise CatalogueError([f"{code}: no condition function" for code in missing])
    frames = [
        _alerts(ctx, signal, CONDITIONS[code](ctx, signal, signal.thresholds(ctx.start)))
        for code, signal in chosen.items()
    ]
    frames = [f for f in frames if f.height]
    if not frames:
        return empty_alerts()
    alerts = pl.concat(frames, how="vertical")
    return alerts.unique("alert_key", keep="first", maintain_order=True).sort("alert_key")


def _render(template: str, thresholds: Mapping[str, Threshold], english: bool) -> pl.Expr:
    parts: list[pl.Expr] = []
    position = 0
    for found in PLACEHOLDER.finditer(template):
        if found.start() > position:
            parts.append(pl.lit(template[position : found.start()]))
        name = found[1]
        if name in thresholds:
            parts.append(pl.lit(thresholds[name].display(english)))
        else:
            parts.append(pl.col(name).cast(pl.String).fill_null(""))
        position = found.end()
    if position < len(template):
        parts.append(pl.lit(template[position:]))
    return pl.concat_str(parts) if parts else pl.lit("")


def _unknown_note(thresholds: Mapping[str, Threshold], english: bool) -> str:
    unknown = [t for t in thresholds.values() if not t.known]
    if not unknown:
        return ""
    if english:
        names = "; ".join(t.label_en for t in unknown)
        return f" [unknown parameter: {names} — no source gives its value for this month]"
    names = "、".join(f"“{t.description}”" for t in unknown)
    return f"（参数{names}的数值未知：尚无依据，请核实）"


def _alerts(ctx: Context, signal: Signal, found: pl.DataFrame, /) -> pl.DataFrame:
    thresholds = signal.thresholds(ctx.start)
    if found.is_empty():
        return empty_alerts()
    names = [
        n
        for template in (signal.template_zh, signal.template_en)
        for n in PLACEHOLDER.findall(template)
        if n not in thresholds
    ]
    absent = sorted({n for n in names if n not in found.columns})
    if absent:
        raise CatalogueError(
            [
                f"{signal.file} › {signal.code}: the template names {', '.join(absent)}, "
                "which the condition does not give"
            ]
        )
    routed = found.with_columns(
        pl.col("household_id").cast(pl.String), pl.col("resident_id").cast(pl.String)
    ).join(ctx.households, on="household_id", how="inner")
    if routed.is_empty():
        return empty_alerts()
    routed = routed.join(ctx.name_mismatches(signal.sources), on="resident_id", how="left")
    owner = {
        "community": pl.col("division_code"),
        "township": pl.col("township_code"),
        "district": pl.lit(DISTRICT_CODE),
    }[signal.owner]
    zh_note = _unknown_note(thresholds, english=False)
    en_note = _unknown_note(thresholds, english=True)
    return routed.select(
        pl.concat_str(
            [
                pl.lit(signal.code),
                pl.col("subject").cast(pl.String),
                pl.col("episode").cast(pl.String),
            ],
            separator=":",
        ).alias("alert_key"),
        pl.lit(signal.code).alias("signal"),
        pl.lit(signal.category).cast(ALERT_SCHEMA["category"]).alias("category"),
        pl.lit(signal.severity).cast(ALERT_SCHEMA["severity"]).alias("severity"),
        pl.lit(signal.owner).cast(ALERT_SCHEMA["owner_level"]).alias("owner_level"),
        owner.alias("owner_division"),
        pl.col("township_code"),
        pl.lit(ctx.month).alias("month"),
        pl.col("household_id"),
        pl.col("resident_id"),
        pl.lit(signal.adverse).alias("adverse"),
        pl.lit(signal.deadline_working_days, pl.Int16).alias("deadline_working_days"),
        _evidence(ctx, signal, list(dict.fromkeys(names))).alias("evidence"),
        pl.concat_str(
            [_render(signal.template_zh, thresholds, False), pl.lit(zh_note), _name_note(False)]
        ).alias("explanation_zh"),
        pl.concat_str(
            [_render(signal.template_en, thresholds, True), pl.lit(en_note), _name_note(True)]
        ).alias("explanation_en"),
    ).match_to_schema(ALERT_SCHEMA)


def _evidence(ctx: Context, signal: Signal, values: list[str]) -> pl.Expr:
    """The alert's evidence as JSON text: the signal, its rule and thresholds, the source
    ``record``, the ``values`` of its templates, and ``names`` where the department's record
    names the person otherwise than the registry."""
    constant = {
        "signal": signal.code,
        "label": signal.label,
        "label_en": signal.label_en,
        "sources": list(signal.sources),
        "rule": {
            "reference": signal.reference,
            "text": signal.template_zh,
            "text_en": signal.template_en,
        },
        "thresholds": [t.evidence() for t in signal.thresholds(ctx.start).values()],
        "month": ctx.month,
    }
    head = json.dumps(constant, ensure_ascii=False)[:-1]
    values_json = (
        pl.struct([pl.col(v).cast(pl.String) for v in values]).struct.json_encode()
        if values
        else pl.lit("{}")
    )
    names_json = pl.struct("registered_name", "department_names").struct.json_encode()
    return pl.concat_str(
        [
            pl.lit(head + ', "record": '),
            pl.col("record").struct.json_encode(),
            pl.lit(', "values": '),
            values_json,
            pl.when(pl.col("department_names").is_not_null())
            .then(pl.lit(', "names": ') + names_json)
            .otherwise(pl.lit("")),
            pl.lit("}"),
        ]
    )


def _name_note(english: bool) -> pl.Expr:
    """The explanation's note when the record matched by ID carries another name (empty
    otherwise): the match stands and a person checks the name."""
    found, registered = pl.col("department_names"), pl.col("registered_name")
    if english:
        parts = [
            pl.lit(" [the department's record under this ID number names “"),
            found,
            pl.lit("”, the registry “"),
            registered,
            pl.lit("”: matched by ID number; check the name or whether it is the same person]"),
        ]
    else:
        parts = [
            pl.lit("（部门记录中该身份证号的姓名为“"),
            found,
            pl.lit("”，与登记姓名“"),
            registered,
            pl.lit("”不同：已按身份证号匹配，请核实姓名或是否同一人）"),
        ]
    return pl.when(found.is_not_null()).then(pl.concat_str(parts)).otherwise(pl.lit(""))
