"""What a generated district looks like to the rules: its caseloads against the estimate bands.

``district_figures`` runs the rules engine over the whole district on its assessment date (the
same code ``jiuzhu assess`` runs) and compares each figure with its band in
``reference/data/baodi_caseload_estimate_bands.csv``, scaled by the district's scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from jiuzhu.reference import caseload_bands
from jiuzhu.rules import load_system
from jiuzhu.rules.ages import completed_years_expr, leap_day_rule
from jiuzhu.synth.population import District

OUTPUTS = ("dibao_eligible", "near_dibao_status", "unit_members", "tekun_eligible")


@dataclass(frozen=True)
class Figure:
    """One figure of the district and the band it should fall in (scaled)."""

    label: str
    quantity: str
    """The band's name in the reference file."""
    value: float
    low: float
    high: float
    share: bool = False
    """A proportion (shown as a percentage, not scaled)."""

    tolerance: float = 0.0
    """Sampling noise allowed at a reduced scale (two standard deviations of a count)."""

    @property
    def inside(self) -> bool:
        return self.low - self.tolerance <= self.value <= self.high + self.tolerance


def district_figures(district: District) -> list[Figure]:
    """Residents over 60, certified disabled persons and each program's caseload, with bands.

    Caseloads are counted as the bureau counts them: dibao and near-dibao by the persons of the
    assistance unit (tekun persons are supported apart), tekun by persons.
    """
    system = load_system("tianjin")
    result = system.simulate(
        district.households, district.persons, district.obligors, outputs=list(OUTPUTS)
    )
    households = result.households
    persons = result.persons
    dibao = households.filter(pl.col("dibao_eligible").fill_null(False))
    near = households.filter(pl.col("near_dibao_status").fill_null(False))
    tekun = int(persons["tekun_eligible"].fill_null(False).sum())
    dibao_persons = int(dibao["unit_members"].sum())
    near_persons = int(near["unit_members"].sum())
    rule = leap_day_rule(load_system("tianjin").parameters, district.on)
    age = completed_years_expr(pl.col("birth_date"), pl.lit(district.on), rule)
    elderly = float(district.persons.select((age >= 60).mean()).item())
    disabled = int((district.persons["disability_category"].cast(pl.String) != "none").sum())
    bands = caseload_bands()
    scale = district.scale

    def figure(label: str, quantity: str, value: float, share: bool = False) -> Figure:
        band = bands[quantity]
        factor = 1.0 if share else scale
        # A small district is a sample: its counts vary by about their square root.
        tolerance = 0.0 if share or scale >= 1 else 2 * (band.high * factor) ** 0.5
        return Figure(
            label, quantity, value, band.low * factor, band.high * factor, share, tolerance
        )

    return [
        figure("60岁及以上居民占比 Residents 60+", "60+ share of residents", elderly, share=True),
        figure("持证残疾人 Certified disabled persons", "持证残疾人 persons", disabled),
        figure("低保人数 Dibao persons", "低保 persons", dibao_persons),
        figure("低保户数 Dibao households", "低保 households", dibao.height),
        figure("特困人数 Tekun persons", "特困 persons", tekun),
        figure("低保边缘户数 Near-dibao households", "低保边缘 households", near.height),
        figure(
            "救助对象合计人数 All recipients",
            "all assistance recipients (低保+特困+低收入/边缘), persons",
            dibao_persons + tekun + near_persons,
        ),
    ]
