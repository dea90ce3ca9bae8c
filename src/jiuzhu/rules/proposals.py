"""Proposals for the dibao standard worked out from statistical indicators.

A bureau weighing a new dibao standard ("timely and scientifically") works it out by the methods
the national guideline names, 《民政部 国家发展改革委 财政部 国家统计局关于进一步规范城乡居民最低
生活保障标准制定和调整工作的指导意见》（民发〔2011〕80号）, part 三:

- ``consumption_share`` (消费支出比例法): last year's per-capita consumption expenditure × the
  standard's share of it (a local decision; the guideline gives no value or range);
- ``basic_needs`` (基本生活费用支出法): necessary food expenditure (the standard food list at
  local prices) + necessary non-food expenditure, a person a month;
- ``engel`` (恩格尔系数法): necessary food expenditure ÷ last year's Engel coefficient of the
  lowest-income households;

and by the two indexations of 《社会救助暂行办法》（国务院令第649号）第十条 (the standard is
adjusted "根据当地经济社会发展水平和物价变动情况"):

- ``price_index``: the standard in force × last year's consumer price index (previous year = 1);
- ``income_growth``: the standard in force × last year's growth index of per-capita disposable
  income (previous year = 1).

Every input is a parameter of the rules (``PARAMETERS``): a published figure with its source and
confidence, or ``unknown`` until the district enters it as a local value with its bulletin
(docs/local-values.md). A method with an unknown input gives no figure and names what it lacks.

Money is integer fen. A figure is a person's month, **rounded up to the whole yuan**: standards
are published in whole yuan, and rounding up never sets the standard below the need the method
measured. Statistics are by resident group (``all``, ``urban``, ``rural``): while the standard
in force is one for town and country (Tianjin since 2017-04-01), every area takes the all-residents
figure; otherwise each area takes its own group's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from jiuzhu.rules.engine.parameters import Parameter
from jiuzhu.rules.standards import DIBAO_STANDARD, Linked, linked_standards
from jiuzhu.rules.system import RuleSystem

CONSUMPTION: Final = "statistics.per_capita_consumption_previous_year"
PRICE_INDEX: Final = "statistics.consumer_price_index_previous_year"
INCOME_INDEX: Final = "statistics.disposable_income_index_previous_year"
ENGEL_COEFFICIENT: Final = "statistics.lowest_income_engel_coefficient_previous_year"
CONSUMPTION_SHARE: Final = "standard_proposal.consumption_share"
FOOD: Final = "standard_proposal.food_basket"
NON_FOOD: Final = "standard_proposal.non_food_basket"
PARAMETERS: Final = (
    CONSUMPTION,
    PRICE_INDEX,
    INCOME_INDEX,
    ENGEL_COEFFICIENT,
    CONSUMPTION_SHARE,
    FOOD,
    NON_FOOD,
)
"""The parameters only these calculators read (no eligibility formula does)."""

GUIDELINE: Final = (
    "《民政部 国家发展改革委 财政部 国家统计局关于进一步规范城乡居民最低生活保障标准制定和"
    "调整工作的指导意见》（民发〔2011〕80号）"
)
INTERIM_MEASURES: Final = "《社会救助暂行办法》（国务院令第649号）第十条"
MONTHS_A_YEAR: Final = 12
ALL_RESIDENTS: Final = "all"


@dataclass(frozen=True)
class ProposalInput:
    """One input of a proposal, as the parameters give it on the day worked out.

    ``value``: fen (a money parameter, in its unit: a person's year or month) or a ratio
    (``Fraction``); None when unknown. ``key``: the resident group read from a parameter broken
    down by one (None: a scalar parameter). ``confidence``: high, medium, low, local (the
    district's value), override or unknown.
    """

    path: str
    key: str | None
    label: str
    label_en: str
    unit: str
    value: int | Fraction | None
    start: dt.date
    reference: str
    confidence: str


@dataclass(frozen=True)
class Proposal:
    """A method's proposed dibao standard, its inputs and the standards linked to it.

    ``values``: fen a person a month, whole yuan, by area code of ``dibao.standard`` (``urban``,
    ``rural``); None where an input is unknown. ``current``: the standard in force, the same way.
    ``linked``: ``jiuzhu.rules.standards.linked_standards`` for the proposed standard (empty
    without a figure). ``formula``/``formula_en``: the calculation in words; ``source``: the
    legal source of the method.
    """

    method: str
    label: str
    label_en: str
    formula: str
    formula_en: str
    source: str
    values: Mapping[str, int | None]
    current: Mapping[str, int | None]
    inputs: tuple[ProposalInput, ...]
    linked: tuple[Linked, ...]

    @property
    def unknown(self) -> tuple[ProposalInput, ...]:
        """The inputs whose value is unknown (each one a reason there is no figure)."""
        return tuple(i for i in self.inputs if i.value is None)

    @property
    def complete(self) -> bool:
        """Every area has a figure."""
        return all(v is not None for v in self.values.values())

    @property
    def value(self) -> int | None:
        """The one figure for every area (fen a person a month), None if unknown or if the
        areas differ."""
        found = set(self.values.values())
        one = found.pop() if len(found) == 1 else None
        return one if isinstance(one, int) else None

    @property
    def breaks_floor(self) -> bool:
        """A linked standard falls below its national floor under this proposal (C16)."""
        return any(linked.compliant is False for linked in self.linked)

    @property
    def reference(self) -> str:
        """How a scenario names the proposal it comes from."""
        return f"{self.label}测算（{self.source}）"


def round_up_yuan(fen: Fraction | int) -> int:
    """``fen`` rounded up to the whole yuan, in fen (102,919 → 103,000)."""
    return math.ceil(Fraction(fen) / 100) * 100


def consumption_share(system: RuleSystem, on: dt.date) -> Proposal:
    """消费支出比例法 on ``on``: last year's per-capita consumption expenditure (a year's) ÷ 12
    × the standard's share of it (民发〔2011〕80号 三（三）).

    Raises:
        ParameterNotDefinedError: ``on`` precedes the rules' first date.
    """

    def figure(take: _Take) -> Fraction | None:
        annual, share = take(CONSUMPTION), take(CONSUMPTION_SHARE)
        if annual is None or share is None:
            return None
        return Fraction(annual) * share / MONTHS_A_YEAR

    return _proposal(
        system,
        on,
        "consumption_share",
        ("消费支出比例法", "Share of consumption expenditure"),
        (
            "上年度居民人均消费支出 ÷ 12 × 低保标准占人均消费支出的比例，向上取整到元",
            "last year's per-capita consumption expenditure ÷ 12 × the standard's share of it, "
            "rounded up to the yuan",
        ),
        f"{GUIDELINE}三（三）",
        figure,
    )


def basic_needs(system: RuleSystem, on: dt.date) -> Proposal:
    """基本生活费用支出法 on ``on``: necessary food expenditure + necessary non-food expenditure,
    a person a month (民发〔2011〕80号 三（一）).

    Raises:
        ParameterNotDefinedError: ``on`` precedes the rules' first date.
    """

    def figure(take: _Take) -> Fraction | None:
        food, non_food = take(FOOD), take(NON_FOOD)
        return None if food is None or non_food is None else Fraction(food) + non_food

    return _proposal(
        system,
        on,
        "basic_needs",
        ("基本生活费用支出法", "Basic-needs basket"),
        (
            "必需食品消费支出 + 非食品类生活必需品支出（每人每月），向上取整到元",
            "necessary food expenditure + necessary non-food expenditure (a person a month), "
            "rounded up to the yuan",
        ),
        f"{GUIDELINE}三（一）",
        figure,
    )


def engel(system: RuleSystem, on: dt.date) -> Proposal:
    """恩格尔系数法 on ``on``: necessary food expenditure (a person a month) ÷ last year's Engel
    coefficient of the lowest-income households (民发〔2011〕80号 三（二）). A coefficient of
    0 gives no figure (no household spends nothing on food).

    Raises:
        ParameterNotDefinedError: ``on`` precedes the rules' first date.
    """

    def figure(take: _Take) -> Fraction | None:
        food, coefficient = take(FOOD), take(ENGEL_COEFFICIENT)
        if food is None or not coefficient:
            return None
        return Fraction(food) / coefficient

    return _proposal(
        system,
        on,
        "engel",
        ("恩格尔系数法", "Engel coefficient"),
        (
            "必需食品消费支出（每人每月）÷ 上年度最低收入家庭恩格尔系数，向上取整到元",
            "necessary food expenditure (a person a month) ÷ last year's Engel coefficient of "
            "the lowest-income households, rounded up to the yuan",
        ),
        f"{GUIDELINE}三（二）",
        figure,
    )


def price_index(system: RuleSystem, on: dt.date) -> Proposal:
    """Indexation by prices on ``on``: the standard in force × last year's consumer price index
    (previous year = 1) (社会救助暂行办法 第十条: adjusted with price changes).

    Raises:
        ParameterNotDefinedError: ``on`` precedes the rules' first date.
    """

    def figure(take: _Take) -> Fraction | None:
        standard, index = take(DIBAO_STANDARD), take(PRICE_INDEX)
        return None if standard is None or index is None else Fraction(standard) * index

    return _proposal(
        system,
        on,
        "price_index",
        ("按物价指数调整", "Indexed to consumer prices"),
        (
            "现行低保标准 × 上年度居民消费价格指数（上年=1），向上取整到元",
            "the standard in force × last year's consumer price index (previous year = 1), "
            "rounded up to the yuan",
        ),
        INTERIM_MEASURES,
        figure,
    )


def income_growth(system: RuleSystem, on: dt.date) -> Proposal:
    """Indexation by income on ``on``: the standard in force × last year's growth index of
    per-capita disposable income (previous year = 1) (社会救助暂行办法 第十条: adjusted with
    economic and social development).

    Raises:
        ParameterNotDefinedError: ``on`` precedes the rules' first date.
    """

    def figure(take: _Take) -> Fraction | None:
        standard, index = take(DIBAO_STANDARD), take(INCOME_INDEX)
        return None if standard is None or index is None else Fraction(standard) * index

    return _proposal(
        system,
        on,
        "income_growth",
        ("按收入增长调整", "Indexed to income growth"),
        (
            "现行低保标准 × 上年度居民人均可支配收入增长指数（上年=1），向上取整到元",
            "the standard in force × last year's growth index of per-capita disposable income "
            "(previous year = 1), rounded up to the yuan",
        ),
        INTERIM_MEASURES,
        figure,
    )


METHODS: Final[Mapping[str, Callable[[RuleSystem, dt.date], Proposal]]] = {
    "consumption_share": consumption_share,
    "basic_needs": basic_needs,
    "engel": engel,
    "price_index": price_index,
    "income_growth": income_growth,
}
"""Every method by name, in the order they are shown."""


def proposals(system: RuleSystem, on: dt.date) -> list[Proposal]:
    """Every method's proposal on ``on``, in the order of ``METHODS``.

    Raises:
        ParameterNotDefinedError: ``on`` precedes the rules' first date.
    """
    return [method(system, on) for method in METHODS.values()]


_Take = Callable[[str], int | Fraction | None]
"""Reads one input for the area being worked out (None: unknown), recording it."""


def _proposal(
    system: RuleSystem,
    on: dt.date,
    method: str,
    labels: tuple[str, str],
    formulas: tuple[str, str],
    source: str,
    figure: Callable[[_Take], Fraction | None],
) -> Proposal:
    """Work ``figure`` out for every area of the standard in force, recording the inputs read,
    and check the linked standards when every area has a figure."""
    current = _current(system, on)
    unified = len(set(current.values())) == 1
    inputs: dict[tuple[str, str | None], ProposalInput] = {}
    values: dict[str, int | None] = {}
    for area in current:
        group = ALL_RESIDENTS if unified else area

        def take(path: str, area: str = area, group: str = group) -> int | Fraction | None:
            found = _input(system, on, path, area if path == DIBAO_STANDARD else group)
            inputs.setdefault((found.path, found.key), found)
            return found.value

        exact = figure(take)
        values[area] = None if exact is None else round_up_yuan(exact)
    known = {area: v for area, v in values.items() if v is not None}
    linked = linked_standards(system, on, known) if len(known) == len(values) else []
    return Proposal(
        method,
        labels[0],
        labels[1],
        formulas[0],
        formulas[1],
        source,
        values,
        current,
        tuple(inputs.values()),
        tuple(linked),
    )


def _current(system: RuleSystem, on: dt.date) -> dict[str, int | None]:
    """The standard in force by area (fen; None: unknown)."""
    value = system.parameters[DIBAO_STANDARD].at(on).value
    entries = value if isinstance(value, dict) else {"urban": value, "rural": value}
    return dict(map(_fen, entries.items()))


def _fen(item: tuple[str, object]) -> tuple[str, int | None]:
    number = _number(item[1])
    return item[0], number if isinstance(number, int) else None


def _input(system: RuleSystem, on: dt.date, path: str, key: str) -> ProposalInput:
    parameter: Parameter = system.parameters[path]
    dated = parameter.at(on)
    code = key if parameter.breakdown is not None else None
    return ProposalInput(
        path,
        code,
        parameter.description,
        parameter.label_en,
        parameter.unit.key,
        _number(dated.for_key(code)),
        dated.start,
        dated.reference,
        dated.confidence_for(code),
    )


def _number(value: object) -> int | Fraction | None:
    """A parameter's resolved value as a number (fen or ratio); None for a marker."""
    if isinstance(value, int | Fraction) and not isinstance(value, bool):
        return value
    return None
