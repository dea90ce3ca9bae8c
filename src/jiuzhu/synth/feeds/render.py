"""From a feed's frame to the file's cells (``_render``: headers, values in the department's
forms, the layout's dirt), and the xlsx writer."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from jiuzhu.feeds import sources as _sources  # noqa: F401 — registers every source's spec
from jiuzhu.feeds.base import SPECS, FeedSpec
from jiuzhu.synth.feeds.context import _Context
from jiuzhu.synth.feeds.layout import DATE_FORMS, LAYOUTS, PERIOD_FORMS, Layout, SyntheticFeed
from jiuzhu.synth.feeds.shared import _interleave

FULL_WIDTH_DIGITS = [chr(0xFF10 + i) for i in range(10)]


def _render(
    source: str, frame: pl.DataFrame, rng: np.random.Generator, context: _Context
) -> SyntheticFeed:
    """The file's cells: headers, values in the department's forms, and the layout's dirt."""
    spec: FeedSpec = SPECS[source]
    layout = LAYOUTS[source]
    xlsx = layout.format == "xlsx"
    dirt = dict.fromkeys(("full_width", "lower_x", "legacy", "odd_dates", "odd_periods"), 0)
    columns: list[pl.Series] = []
    numeric: set[str] = set()
    if layout.numbered:
        columns.append(pl.Series("序号", np.arange(1, frame.height + 1)).cast(pl.String))
        numeric.add("序号")
    extras = [c for c in frame.columns if c.startswith("+")]
    for spec_field in spec.fields:
        header = layout.headers.get(spec_field.name, spec_field.header)
        if header not in spec_field.headers:
            raise ValueError(f"{source}: {header} is not a header of {spec_field.name}")
        kind = spec_field.kind
        values = _values(frame[spec_field.name], kind, rng, layout, dirt)
        if xlsx and kind in ("yuan", "wan_yuan", "area", "int"):
            numeric.add(header)
        columns.append(values.alias(header))
        if spec_field.name == "name":
            columns += [frame[c].alias(c[1:]) for c in extras]
    cells = pl.DataFrame(columns)
    rows = cells.height
    copies = 0
    if layout.duplicates > 0 and rows:
        copies = max(1, round(layout.duplicates * rows))
        again = np.sort(rng.choice(rows, copies, replace=False))
        cells = _interleave(cells, cells[again], again)
    return SyntheticFeed(
        source=source,
        layout=layout,
        cells=cells,
        numeric=frozenset(numeric),
        rows=rows,
        duplicates=copies,
        unknown_ids=int(frame["_outsider"].sum()),
        dirt=dirt,
    )


def _values(
    values: pl.Series, kind: str, rng: np.random.Generator, layout: Layout, dirt: dict[str, int]
) -> pl.Series:
    """One field's values in the department's form for its kind, with the layout's dirt
    (counted in ``dirt``)."""
    if kind == "id":
        return _dirty_ids(values, rng, layout, dirt)
    if kind in ("date", "period"):
        dates = kind == "date"
        values, odd = _dates(
            values,
            rng,
            layout,
            DATE_FORMS if dates else PERIOD_FORMS,
            layout.date_form if dates else layout.period_form,
            layout.odd_dates if dates else layout.odd_periods,
        )
        dirt["odd_dates" if dates else "odd_periods"] += odd
        return values
    if kind in ("yuan", "area"):
        # Hundredths (fen, or 0.01 m²) written with two decimals.
        values = _yuan_text(values)
    elif kind == "wan_yuan":
        values = _wan_yuan_text(values)
    elif kind == "int":
        values = values.cast(pl.String)
    return values


def _pick(rng: np.random.Generator, rate: float, eligible: np.ndarray) -> np.ndarray:
    """A mask of ``rate`` of the eligible rows (at least one if any and ``rate`` > 0)."""
    mask = np.zeros(eligible.shape[0], dtype=bool)
    where = np.flatnonzero(eligible)
    if rate <= 0 or where.shape[0] == 0:
        return mask
    count = min(where.shape[0], max(1, round(rate * where.shape[0])))
    mask[rng.choice(where, count, replace=False)] = True
    return mask


def _dirty_ids(
    values: pl.Series, rng: np.random.Generator, layout: Layout, dirt: dict[str, int]
) -> pl.Series:
    """ID numbers as typed: a lower-case x, the 15-digit legacy form (born 1900–1999 only, so
    that the number maps back), full-width digits; each row gets at most one."""
    ends_x = values.str.ends_with("X").to_numpy()
    born_1900s = (values.str.slice(6, 2) == "19").to_numpy()
    lower = _pick(rng, layout.lower_x, ends_x)
    legacy = _pick(rng, layout.legacy, born_1900s & ~lower)
    full = _pick(rng, layout.full_width, ~lower & ~legacy)
    dirt["lower_x"] += int(lower.sum())
    dirt["legacy"] += int(legacy.sum())
    dirt["full_width"] += int(full.sum())
    frame = pl.DataFrame({"v": values, "lower": lower, "legacy": legacy, "full": full})
    v = pl.col("v")
    return frame.select(
        pl.when("lower")
        .then(v.str.to_lowercase())
        .when("legacy")
        .then(v.str.slice(0, 6) + v.str.slice(8, 9))
        .when("full")
        .then(v.str.replace_many([str(i) for i in range(10)], FULL_WIDTH_DIGITS))
        .otherwise(v)
    ).to_series()


def _dates(
    values: pl.Series,
    rng: np.random.Generator,
    layout: Layout,
    forms: Mapping[str, str],
    dominant: str,
    rate: float,
) -> tuple[pl.Series, int]:
    """Dates (or months) as text in the file's form, ``rate`` of them in one of the others; in a
    workbook written with Excel date cells, a struct of the cell's date or its text."""
    odd = _pick(rng, rate, values.is_not_null().to_numpy())
    others = [f for name, f in forms.items() if name != dominant]
    choice = rng.integers(0, len(others), values.len())
    frame = pl.DataFrame({"v": values, "odd": odd, "form": choice})
    text: pl.Expr = pl.lit(None, pl.String)
    for i, form in enumerate(others):
        text = pl.when(pl.col("form") == i).then(pl.col("v").dt.strftime(form)).otherwise(text)
    if dominant == "excel":
        cells = frame.select(
            pl.struct(
                pl.when(~pl.col("odd")).then(pl.col("v")).alias("date"),
                pl.when(pl.col("odd")).then(text).alias("text"),
            )
        )
    else:
        cells = frame.select(
            pl.when(pl.col("odd")).then(text).otherwise(pl.col("v").dt.strftime(forms[dominant]))
        )
    return cells.to_series().alias(values.name), int(odd.sum())


def _yuan_text(fen: pl.Series) -> pl.Series:
    """Integer fen as yuan with two decimals (``1234.50``); null stays null."""
    return pl.select(
        pl.concat_str(
            [
                (pl.lit(fen) // 100).cast(pl.String),
                pl.lit("."),
                (pl.lit(fen) % 100).cast(pl.String).str.zfill(2),
            ]
        )
    ).to_series()


def _wan_yuan_text(fen: pl.Series) -> pl.Series:
    """Integer fen as 万元 without trailing zeros (``50``, ``123.456789``)."""
    whole = (pl.lit(fen) // 1_000_000).cast(pl.String)
    fraction = (pl.lit(fen) % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return pl.select(
        pl.when(fraction == "").then(whole).otherwise(pl.concat_str([whole, pl.lit("."), fraction]))
    ).to_series()


def _write_xlsx(
    target: Path | io.BytesIO,
    cells: pl.DataFrame,
    numeric: frozenset[str],
    written_at: dt.datetime,
    sheet: str = "Sheet1",
) -> None:
    """A one-sheet workbook as a department exports it: text cells, numbers in ``numeric``
    columns, real date cells (``yyyy-mm-dd``) where the column holds dates — XlsxWriter in
    constant-memory mode, with the document's times fixed so the same cells give the same bytes
    (docs/decisions/0005)."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    # Document times are UTC (W3CDTF); XlsxWriter takes a naive datetime.
    workbook.set_properties({"created": written_at.astimezone(dt.UTC).replace(tzinfo=None)})
    worksheet = workbook.add_worksheet(sheet)
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    worksheet.write_row(0, 0, cells.columns)
    kinds = []
    for name, dtype in cells.schema.items():
        if dtype == pl.Date or isinstance(dtype, pl.Struct):
            kinds.append("date")
        elif name in numeric:
            kinds.append("number")
        else:
            kinds.append("text")
    for index, row in enumerate(cells.iter_rows(), start=1):
        for column, (cell, kind) in enumerate(zip(row, kinds, strict=True)):
            value = cell
            if kind == "date" and isinstance(cell, dict):
                # A date cell, or the text a clerk typed instead (struct of date / text).
                value = cell["date"] if cell["date"] is not None else cell["text"]
            if value is None:
                continue
            if isinstance(value, dt.date):
                worksheet.write_datetime(
                    index, column, dt.datetime.combine(value, dt.time()), dates
                )
            elif kind == "number":
                worksheet.write_number(index, column, float(value))
            else:
                worksheet.write_string(index, column, str(value))
    workbook.close()
