"""The standards linked to the dibao standard, and the national floor a proposal may not break.

When the bureau weighs a new dibao standard (a scenario, ``jiuzhu simulate``), the values that
follow it by rule are worked out here from the parameters in force, and the one national floor
is checked: the tekun basic living standard of at least 1.3 times the local dibao standard
(《国务院关于进一步健全特困人员救助供养制度的意见》, 国发〔2016〕14号; case C16), each tekun
category against the dibao standard of its area. Linked by rule and shown for information:

- the near-dibao income ceiling, a multiple of the standard (1.5 × in Tianjin);
- the near-dibao cash, a share of the standard rounded to the yuan (30 %);
- the temporary-assistance amounts in months of the standard (the emergency cap a person, the
  township's approval limit);
- the orphan allowance and its ratio to the standard (the Baodi plan asks for it to be linked
  to the standard, and no rule says how: no check).

Money is integer fen (a month's, per person or household, or one payment, as each label says);
a value the parameters do not know is None.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from jiuzhu.rules.system import RuleSystem

DIBAO_STANDARD = "dibao.standard"
TEKUN_STANDARD = "tekun.basic_standard"
TEKUN_FLOOR_RATIO = "tekun.national_floor_ratio"
FLOOR_SOURCE = "《国务院关于进一步健全特困人员救助供养制度的意见》（国发〔2016〕14号）"


@dataclass(frozen=True)
class Linked:
    """One standard linked to the dibao standard.

    ``value``: fen, in the unit its label says (None: unknown); ``floor``: the least the law allows
    (fen; None: no floor); ``compliant``: whether ``value`` reaches ``floor`` (None: no floor, or
    a value unknown); ``ratio``: ``value`` / the dibao standard it is measured against.
    """

    key: str
    label: str
    label_en: str
    value: int | None
    floor: int | None
    compliant: bool | None
    ratio: Fraction | None
    basis: str


def linked_standards(
    system: RuleSystem, on: dt.date, standard: Mapping[str, int] | None = None
) -> list[Linked]:
    """The standards linked to the dibao standard on ``on`` (``standard``: a proposed one by
    area, ``{"urban": fen, "rural": fen}``; default the one in force), tekun's checked against
    the national floor.

    Raises:
        ParameterNotDefinedError: ``on`` precedes a parameter's first value.
    """
    params = system.parameters
    dibao = dict(standard) if standard is not None else _money(params[DIBAO_STANDARD].at(on).value)
    urban = dibao.get("urban")
    found: list[Linked] = []
    floor_ratio = _fraction(params[TEKUN_FLOOR_RATIO].at(on).value)
    for key, value in _money(params[TEKUN_STANDARD].at(on).value).items():
        base = dibao.get("rural" if key.startswith("rural") else "urban")
        floor = _times(base, floor_ratio)
        found.append(
            Linked(
                f"{TEKUN_STANDARD}.{key}",
                f"特困人员基本生活标准（{_area_label(key)}，每人每月）",
                f"Tekun basic living standard ({key.replace('_', ' ')})",
                value,
                floor,
                None if value is None or floor is None else value >= floor,
                _ratio(value, base),
                f"{FLOOR_SOURCE}：不低于低保标准的{floor_ratio}倍",
            )
        )
    found += _by_rule(system, on, urban)
    return found


def _by_rule(system: RuleSystem, on: dt.date, standard: int | None) -> list[Linked]:
    """The values that follow the (urban) standard by rule, and the orphan allowance."""
    params = system.parameters
    ceiling = _times(standard, _fraction(params["near_dibao.income_ceiling_ratio"].at(on).value))
    cash_share = _fraction(params["near_dibao.cash_ratio"].at(on).value)
    half_up = params["near_dibao.cash_rounding"].at(on).value == "yuan_half_up"
    cash = (
        _yuan_half_up(standard * cash_share)
        if standard is not None and cash_share is not None and half_up
        else None
    )
    emergency = _months(
        standard, params["temporary_assistance.emergency_living_months"].at(on).value
    )
    township = _months(
        standard, params["temporary_assistance.township_approval_months"].at(on).value
    )
    orphan = params["child_welfare.allowance"].at(on).value
    orphan_fen = orphan if isinstance(orphan, int) and not isinstance(orphan, bool) else None
    rows = (
        (
            "near_dibao.income_ceiling",
            "低保边缘家庭人均收入上限（每月）",
            "Near-dibao income ceiling (a person, a month)",
            ceiling,
        ),
        (
            "near_dibao.cash",
            "低保边缘家庭救助金（每户每月）",
            "Near-dibao cash (a household, a month)",
            cash,
        ),
        (
            "temporary_assistance.emergency_cap",
            "急难型临时救助上限（每人一次）",
            "Emergency aid cap (a person, once)",
            emergency,
        ),
        (
            "temporary_assistance.township_limit",
            "乡镇临时救助审批限额（每次）",
            "Township approval limit (a case)",
            township,
        ),
        (
            "child_welfare.allowance",
            "孤儿基本生活费（每人每月）",
            "Orphan allowance (a person, a month)",
            orphan_fen,
        ),
    )
    return [
        Linked(key, label, label_en, value, None, None, _ratio(value, standard), "按规则联动")
        for key, label, label_en, value in rows
    ]


def _money(value: object) -> dict[str, int | None]:
    if isinstance(value, Mapping):
        return {
            str(k): v if isinstance(v, int) and not isinstance(v, bool) else None
            for k, v in value.items()
        }
    return {"urban": value if isinstance(value, int) and not isinstance(value, bool) else None}


def _fraction(value: object) -> Fraction | None:
    return (
        Fraction(value)
        if isinstance(value, int | Fraction) and not isinstance(value, bool)
        else None
    )


def _times(base: int | None, ratio: Fraction | None) -> int | None:
    """``base`` × ``ratio`` in fen, half a fen rounded up (a floor of 1,358.50 yuan stays)."""
    if base is None or ratio is None:
        return None
    return math.floor(base * ratio + Fraction(1, 2))


def _months(base: int | None, months: object) -> int | None:
    if base is None or not isinstance(months, int) or isinstance(months, bool):
        return None
    return base * months


def _yuan_half_up(fen: Fraction) -> int:
    """Rounded to the whole yuan, half up (313.5 → 314 yuan: 津民规〔2025〕6号's near-dibao cash)."""
    return math.floor(fen / 100 + Fraction(1, 2)) * 100


def _ratio(value: int | None, base: int | None) -> Fraction | None:
    return None if value is None or not base else Fraction(value, base)


def _area_label(key: str) -> str:
    return {
        "urban": "城市",
        "rural_institutional": "农村集中供养",
        "rural_home_based": "农村分散供养",
    }.get(key, key)
