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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Value = int | float | Decimal | None
MONEY_PLACES = 2
"""Yuan show with fen: two decimals."""
CATEGORY_LABEL = _("类别")
"""The table's first heading when a chart does not name its categories."""
EMPTY_NOTE = _("没有可绘制的数值，图略；各值见数据表。")
"""What stands in a chart's place when it has no value to draw."""


def with_unit(text: str | Promise, unit: str | Promise) -> str:
    """``text`` followed by its unit in brackets, punctuated for the language (（元） or (yuan))."""
    if not unit:
        return str(text)
    return gettext("%(text)s（%(unit)s）") % {"text": text, "unit": unit}


@dataclass(frozen=True)
class Series:
    """One series: a name and a value per category (None: no value, e.g. a suppressed cell)."""

    name: str | Promise
    values: Sequence[Value]


@dataclass(frozen=True)
class Chart:
    """A chart: ``categories`` along the axis (townships, months), one or more ``series`` with a
    value per category, in ``unit`` (e.g. "元", "户": money given in yuan, not fen).

    ``key`` names the chart on its page (the element's id and the saved image's file name: ASCII
    letters, digits and hyphens). ``category_label`` heads the table's first column (what the
    categories are). ``export_title`` is the saved image's title when the page's ``title`` is
    not enough out of context (a scenario's name, a period; default the title). ``decimals``
    are the places shown in the table, tooltip and axis; by default 0 when every value is an
    integer (a count: the axis then ticks whole numbers) and 2 otherwise (yuan, given as
    ``Decimal``). ``empty_note`` replaces the chart when no value can be drawn.
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
    category_label: str | Promise = CATEGORY_LABEL
    export_title: str | Promise = ""
    decimals: int | None = None
    empty_note: str | Promise = EMPTY_NOTE

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
    def places(self) -> int:
        """The decimals every value shows with (``decimals``, or inferred from the values)."""
        if self.decimals is not None:
            return self.decimals
        values = [v for s in self.series for v in s.values if v is not None]
        return 0 if all(isinstance(v, int) for v in values) else MONEY_PLACES

    @property
    def empty(self) -> bool:
        """No value to draw (every cell missing or suppressed)."""
        return all(v is None for s in self.series for v in s.values)

    @property
    def unit_note(self) -> str:
        """The unit as the caption shows it after the title: （元/月） or (yuan/month)."""
        return gettext("（%(unit)s）") % {"unit": self.unit} if self.unit else ""

    @property
    def data(self) -> dict[str, object]:
        """What the script draws (JSON: numbers as floats, names as text)."""
        return {
            "title": str(self.title),
            "export_title": with_unit(self.export_title or self.title, self.unit),
            "unit": str(self.unit),
            "decimals": self.places,
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
    def headers(self) -> list[str]:
        """The table's header: the categories' label, then each series with the unit."""
        return [str(self.category_label), *(with_unit(s.name, self.unit) for s in self.series)]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The table view: one row per category, a value per series, formatted with
        thousands separators and ``places`` decimals (— for a missing value)."""
        places = self.places
        return [
            (
                category,
                [
                    "—" if v is None else f"{v:,.{places}f}"
                    for v in (s.values[i] for s in self.series)
                ],
            )
            for i, category in enumerate(self.categories)
        ]
