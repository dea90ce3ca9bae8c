"""Charts a bureau can paste into a report (issue 14): one bar or line chart with its table.

A view builds a ``Chart`` and its template includes ``core/_chart.html`` with it, and
``core/_chart_scripts.html`` once in the page's ``scripts`` block. The page then shows the chart
(Apache ECharts, vendored: ``static/vendor/echarts``, no CDN), its data as a table (always in the
page: what a screen reader, a phone or a printout reads) and a button that saves the chart as a
PNG. The chart's data reach the script as JSON (``json_script``), so the Content-Security-Policy
still allows no inline script.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.utils.functional import Promise


@dataclass(frozen=True)
class Series:
    """One series: a name and a value per category (None: no value, e.g. a suppressed cell)."""

    name: str | Promise
    values: Sequence[int | float | Decimal | None]


@dataclass(frozen=True)
class Chart:
    """A chart: ``categories`` along the axis (townships, months), one or more ``series`` with a
    value per category, in ``unit`` (e.g. "元", "户": money given in yuan, not fen).

    ``key`` names the chart on its page (the element's id and the saved image's file name: ASCII
    letters, digits and hyphens).
    """

    key: str
    title: str | Promise
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str | Promise = ""
    kind: Literal["bar", "line"] = "bar"
    stacked: bool = False
    horizontal: bool = False
    notes: Sequence[str | Promise] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for one in self.series:
            if len(one.values) != len(self.categories):
                raise ValueError(
                    f"{self.key}: series {one.name} has a value count unlike its categories"
                )

    @property
    def data_id(self) -> str:
        """The id of the element holding ``data`` as JSON."""
        return f"chart-data-{self.key}"

    @property
    def data(self) -> dict[str, object]:
        """What the script draws (JSON: numbers as floats, names as text)."""
        return {
            "title": str(self.title),
            "unit": str(self.unit),
            "kind": self.kind,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "categories": [str(c) for c in self.categories],
            "series": [
                {"name": str(s.name), "values": [None if v is None else float(v) for v in s.values]}
                for s in self.series
            ],
        }

    @property
    def rows(self) -> list[tuple[str, list[int | float | Decimal | None]]]:
        """The table view: one row per category, a value per series."""
        return [
            (category, [s.values[i] for s in self.series])
            for i, category in enumerate(self.categories)
        ]
