"""The report's tables (docs/statistics.md): which programs, split how, with which measures;
each one by month (the trend of the user's jurisdiction) and by township (one month), with its
cells marked for small-cell suppression (``jiuzhu.batch.suppression``) and its charts.

A table's cell is one row (a month or a township) and one group (城市/农村, 集中/分散供养,
孤儿/事实无人抚养儿童, or the program as a whole) with a value per measure; a table split into
groups has a 合计 group, a township table a 合计 row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.batch.suppression import THRESHOLD, Mark, suppress
from jiuzhu.rules.engine.units import FEN_PER_YUAN
from jiuzhu.web.core.charts import Chart, Series
from jiuzhu.web.core.programs import Program

COUNTS = ("households", "persons", "cases")
MEASURES: dict[str, Promise] = {
    "households": gettext_lazy("户数"),
    "persons": gettext_lazy("人数"),
    "cases": gettext_lazy("人次"),
    "amount": gettext_lazy("金额（元）"),
}
UNITS: dict[str, Promise] = {
    "households": gettext_lazy("户"),
    "persons": gettext_lazy("人"),
    "cases": gettext_lazy("人次"),
}
TOTAL = ""
"""The group key of a split table's 合计 columns."""


@dataclass(frozen=True)
class Spec:
    """One table: ``program`` split into ``groups`` ((key, label); none: not split), with
    ``measures`` (keys of ``MEASURES``; the first one is charted)."""

    key: str
    title: Promise
    program: str
    groups: tuple[tuple[str, Promise], ...]
    measures: tuple[str, ...]


SPECS = (
    Spec(
        "dibao",
        gettext_lazy("最低生活保障"),
        Program.DIBAO,
        (("urban", gettext_lazy("城市")), ("rural", gettext_lazy("农村"))),
        ("households", "persons", "amount"),
    ),
    Spec(
        "tekun",
        gettext_lazy("特困人员救助供养"),
        Program.TEKUN,
        (
            ("institutional", gettext_lazy("集中供养")),
            ("home_based", gettext_lazy("分散供养")),
        ),
        ("persons", "amount"),
    ),
    Spec(
        "near_dibao",
        gettext_lazy("低保边缘家庭"),
        Program.NEAR_DIBAO,
        (),
        ("households", "persons", "amount"),
    ),
    Spec(
        "rigid_expenditure",
        gettext_lazy("刚性支出困难家庭"),
        Program.RIGID_EXPENDITURE,
        (),
        ("households", "persons"),
    ),
    Spec(
        "temporary_assistance",
        gettext_lazy("临时救助"),
        Program.TEMPORARY_ASSISTANCE,
        (),
        ("cases", "households", "amount"),
    ),
    Spec(
        "medical_assistance",
        gettext_lazy("医疗救助"),
        Program.MEDICAL_ASSISTANCE,
        (),
        ("cases", "persons", "amount"),
    ),
    Spec(
        "child_welfare",
        gettext_lazy("孤儿和事实无人抚养儿童基本生活保障"),
        Program.CHILD_WELFARE,
        (("orphan", gettext_lazy("孤儿")), ("de_facto", gettext_lazy("事实无人抚养儿童"))),
        ("persons", "amount"),
    ),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}
TABLE_LABELS = {spec.key: spec.title for spec in SPECS}
"""A table's name by key (the audit log shows which table was exported)."""


@dataclass
class Row:
    """One row: its label and, per group (``Table.groups``), the values of the measures."""

    label: str
    values: list[dict[str, int]]
    marks: list[Mark] = field(default_factory=list)

    def cells(self, measures: tuple[str, ...], suppressed: bool) -> list[int | Decimal | str]:
        """The row's cells, group by group, measure by measure: counts as integers, amounts
        in yuan; with ``suppressed`` a hidden count reads "<5" if it is small, "×" otherwise,
        and a hidden amount "×"."""
        out: list[int | Decimal | str] = []
        for values, mark in zip(self.values, self.marks, strict=True):
            for measure in measures:
                value = values[measure]
                if suppressed and mark is not Mark.SHOWN:
                    small = measure in COUNTS and 0 < value < THRESHOLD
                    out.append(f"<{THRESHOLD}" if small else "×")
                else:
                    out.append(value if measure in COUNTS else Decimal(value) / FEN_PER_YUAN)
        return out

    def texts(self, measures: tuple[str, ...], suppressed: bool) -> list[str]:
        """``cells`` as the page shows them: 1,234 and 1,234.50."""
        return [
            f"{c:,}" if isinstance(c, int) else f"{c:,.2f}" if isinstance(c, Decimal) else c
            for c in self.cells(measures, suppressed)
        ]


@dataclass
class Table:
    """A table by month or by township: ``groups`` ((key, label), the 合计 last when split),
    ``rows`` and the 合计 row (township tables)."""

    spec: Spec
    groups: list[tuple[str, str]]
    rows: list[Row]
    total: Row | None

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def header(self) -> tuple[list[str], list[str]]:
        """The two header rows: each group's label (spanning its measures) and the measures."""
        measures = [str(MEASURES[m]) for m in self.spec.measures]
        return [label for _g, label in self.groups], measures * len(self.groups)

    @property
    def shown(self) -> list[tuple[str, list[str]]]:
        """(label, cells) of every row as the page shows them (not suppressed)."""
        return [(row.label, row.texts(self.spec.measures, False)) for row in self.all_rows]

    def mark(self, forced: Collection[tuple[int, int]] = ()) -> None:
        """Mark every cell for suppression (``jiuzhu.batch.suppression.suppress``), the
        ``forced`` cells (row, group) hidden whatever their size."""
        marks = suppress(
            [
                [[v[m] for m in self.spec.measures if m in COUNTS] for v in r.values]
                for r in self.all_rows
            ],
            row_totals=len(self.spec.groups) > 0,
            column_totals=self.total is not None,
            forced=forced,
        )
        for row, row_marks in zip(self.all_rows, marks, strict=True):
            row.marks = row_marks

    def chart(self, key: str, title: str, kind: str, rows_label: str, export_title: str) -> Chart:
        """The table's first measure as a chart (one series per group, a split table's 合计 left out),
        its hidden cells left blank: a saved image leaves the platform as an export does.
        ``rows_label`` names the rows (月份, 乡镇（街道）), ``export_title`` the saved image."""
        measure = self.spec.measures[0]
        # An unsplit table's one group is its total: that one is charted.
        split = len(self.spec.groups) > 0
        shown = [(i, label) for i, (g, label) in enumerate(self.groups) if not split or g != TOTAL]
        return Chart(
            key=key,
            title=title,
            categories=[row.label for row in self.rows],
            series=[
                Series(
                    label,
                    [
                        None if row.marks[i] is not Mark.SHOWN else row.values[i][measure]
                        for row in self.rows
                    ],
                )
                for i, label in shown
            ],
            unit=UNITS.get(measure, ""),
            kind="line" if kind == "line" else "bar",
            stacked=kind == "bar" and len(shown) > 1,
            horizontal=kind == "bar",
            notes=(
                _("小于%(n)s的格及为防推算而隐藏的格在图中留空；数据表同。") % {"n": THRESHOLD},
            ),
            category_label=rows_label,
            export_title=export_title,
            empty_note=_("各格均小于%(n)s或为防推算而隐藏，图中没有可显示的数值。")
            % {"n": THRESHOLD},
        )


def build(frame: pl.DataFrame, spec: Spec, keys: list[str], labels: list[str], by: str) -> Table:
    """The table of ``spec`` from ``figures`` rows (already one month, or one township's
    or the jurisdiction's months), rows ``keys`` (labels ``labels``) of column ``by``
    (``month`` or ``township``); a township table has a 合计 row. Cells are marked for
    suppression (``jiuzhu.batch.suppression.suppress``)."""
    groups = [(g, str(label)) for g, label in spec.groups] or [(TOTAL, str(spec.title))]
    split = len(spec.groups) > 0
    if split:
        groups.append((TOTAL, _("合计")))
    mine = frame.filter(pl.col("program") == spec.program)
    sums = {
        (row[by], row["group"]): row
        for row in mine.group_by(by, "group")
        .agg(pl.col(m).sum() for m in MEASURES)
        .iter_rows(named=True)
    }
    zero = dict.fromkeys(MEASURES, 0)

    def values(key: str, group: str) -> dict[str, int]:
        if group == TOTAL and split:
            parts = [values(key, g) for g, _label in spec.groups]
            return {m: sum(p[m] for p in parts) for m in MEASURES}
        found = sums.get((key, group))
        return {m: int(found[m]) for m in MEASURES} if found else dict(zero)

    rows = [
        Row(label, [values(key, g) for g, _l in groups])
        for key, label in zip(keys, labels, strict=True)
    ]
    total = None
    if by == "township":
        total = Row(
            _("合计"),
            [{m: sum(r.values[i][m] for r in rows) for m in MEASURES} for i in range(len(groups))],
        )
    table = Table(spec, groups, rows, total)
    table.mark()
    return table


def link(by_month: Table, by_township: Table) -> None:
    """Suppress the two tables of a program as one: the 合计 row of the townships of the last
    month is the last row of the months, the same figures, so a cell hidden in one is hidden in
    the other (else the month table would give away a hidden total and, through it, a small
    township), each table's complements then redone, until both agree."""
    if by_township.total is None or not by_month.rows:
        return
    last, total = by_month.rows[-1], by_township.total
    for _round in range(len(last.marks) + 1):
        hidden = {
            i
            for i, (a, b) in enumerate(zip(last.marks, total.marks, strict=True))
            if a is not Mark.SHOWN or b is not Mark.SHOWN
        }
        agree = all(
            (last.marks[i] is not Mark.SHOWN) == (i in hidden) for i in range(len(last.marks))
        )
        if agree and all(
            (total.marks[i] is not Mark.SHOWN) == (i in hidden) for i in range(len(total.marks))
        ):
            return
        by_month.mark({(len(by_month.rows) - 1, i) for i in hidden})
        by_township.mark({(len(by_township.rows), i) for i in hidden})
