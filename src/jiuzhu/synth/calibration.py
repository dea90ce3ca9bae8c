"""The knobs of the synthetic economy, tuned so that the rules engine, run over the whole district
on 2025-10-15, finds caseloads inside the estimate bands (``jiuzhu.reference.caseload_bands``):
dibao 6,000–12,000 persons (3,300–8,000 households), tekun 700–1,500 persons, near-dibao
1,000–3,000 households, all recipients 10,000–16,000 persons. ``jiuzhu.synth.summary`` checks.

Incomes above the assistance lines follow Tianjin's published per-capita disposable income
(urban ≈ 53,000, rural ≈ 29,000 yuan a year in 2022, reference/tianjin_key_figures.csv) with the
spread of the national quintiles; the low tail is not drawn from those distributions (they give
one rural household in five under the dibao line, against about one person in a hundred assisted)
but set by the shares below, which are the calibration.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Calibration:
    """Shares of households in each economic situation, by household type."""

    hardship: dict[str, float] = field(
        default_factory=lambda: {
            "single_elderly": 0.056,
            "couple_elderly": 0.026,
            "elder_with_child": 0.024,
            "single_parent": 0.054,
            "single_parent_2": 0.054,
            "single_adult": 0.0225,
            "other": 0.0077,
        }
    )
    """Per-capita counted income below the dibao standard."""
    margin: dict[str, float] = field(
        default_factory=lambda: {
            "single_elderly": 0.014,
            "couple_elderly": 0.008,
            "single_parent": 0.02,
            "single_parent_2": 0.02,
            "other": 0.004,
        }
    )
    """Per-capita counted income between the standard and 1.5 × the standard."""
    childless_in_hardship: float = 0.36
    """Elderly-only households in hardship with no child anywhere (tekun candidates)."""
    childless_otherwise: float = 0.06
    rigid_expenditure: float = 0.004
    """Households with a seriously ill member whose medical costs reach 60 % of their income."""
    urban_median_yuan: float = 4_300.0
    rural_median_yuan: float = 2_400.0
    """Monthly per-capita counted income medians of the households above the lines."""
    spread: float = 0.55
    """Log-normal sigma (national quintiles: Q5/Q1 ≈ 10)."""
