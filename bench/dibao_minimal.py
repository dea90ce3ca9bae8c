"""The same minimal dibao rule three ways, for bench/assess.py's comparisons.

Rule: a household's members are its persons; its income is the sum of its persons' wages,
business income, pensions and other transfers (monthly); it is eligible when income < standard ×
members (the standard in force on the date, 1,045 yuan from 2025-09-01); the amount is
standard × members − income, else 0. No assets, no deductions: identical in all three.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import polars as pl

from jiuzhu.rules import RuleSystem, load_system
from jiuzhu.rules.engine import HOUSEHOLD, PERSON, Formula, Variables, variable
from jiuzhu.rules.engine.units import Unit

INCOME_COLUMNS = ["wage_income", "business_net_income", "employee_pension", "other_transfer_income"]
ON = dt.date(2025, 10, 15)
STANDARD_FEN = 104_500


@variable(PERSON, pl.Int64(), Unit.FEN_PER_MONTH, "收入", "Income")
def minimal_income(f: Formula) -> pl.Expr:
    """Sum of the four income columns."""
    return pl.sum_horizontal([f(c) for c in INCOME_COLUMNS])


@variable(HOUSEHOLD, pl.Int64(), Unit.FEN_PER_MONTH, "家庭收入", "Household income")
def minimal_household_income(f: Formula) -> pl.Expr:
    """Sum over persons."""
    return f.sum(PERSON, "minimal_income")


@variable(HOUSEHOLD, pl.Int64(), Unit.PERSONS, "人数", "Members")
def minimal_members(f: Formula) -> pl.Expr:
    """Persons in the household."""
    return f.count(PERSON)


@variable(HOUSEHOLD, pl.Int64(), Unit.FEN_PER_MONTH, "低保金", "Dibao amount")
def minimal_dibao_amount(f: Formula) -> pl.Expr:
    """Standard × members − income when below, else 0."""
    limit = f.param("dibao.standard", key="area_type") * f("minimal_members")
    income = f("minimal_household_income")
    return pl.when(income < limit).then(limit - income).otherwise(0)


def jiuzhu_system() -> RuleSystem:
    """Tianjin's parameters with only the minimal dibao variables (and the inputs they read)."""
    tianjin = load_system("tianjin")
    inputs = [tianjin.variables[name] for name in (*INCOME_COLUMNS, "area_type", "assessment_date")]
    variables = Variables(
        [*inputs, minimal_income, minimal_household_income, minimal_members, minimal_dibao_amount]
    )
    return dataclasses.replace(tianjin, variables=variables, programs=(), row_rules=())


def jiuzhu_compute(
    system: RuleSystem, households: pl.DataFrame, persons: pl.DataFrame
) -> pl.DataFrame:
    """The engine's path on validated frames (plan, execute), as the NumPy kernel gets clean
    arrays; ``jiuzhu_validate`` is timed apart and counted in the end-to-end figure."""
    return system.simulate(
        households, persons, outputs=["minimal_dibao_amount"], validate=False
    ).households


def jiuzhu_validate(system: RuleSystem, households: pl.DataFrame, persons: pl.DataFrame) -> None:
    """The input contract check every production run does first."""
    system.validate({"household": households, "person": persons})


def numpy_compute(household_of: np.ndarray, incomes: np.ndarray, households: int) -> np.ndarray:
    """The practical floor: hand-written NumPy on persons sorted by household (int64 fen)."""
    members = np.bincount(household_of, minlength=households)
    starts = np.concatenate([[0], np.cumsum(members)[:-1]])
    income = np.add.reduceat(incomes, starts)
    limit = STANDARD_FEN * members
    return np.where(income < limit, limit - income, 0)


def _openfisca_system() -> Any:
    """The minimal dibao rule as an OpenFisca tax-benefit system (float64 values)."""
    from openfisca_core.entities import build_entity  # noqa: PLC0415 — optional (bench extra)
    from openfisca_core.parameters import ParameterNode  # noqa: PLC0415
    from openfisca_core.periods import MONTH  # noqa: PLC0415
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem  # noqa: PLC0415
    from openfisca_core.variables import Variable  # noqa: PLC0415

    household = build_entity(
        key="household",
        plural="households",
        label="Household",
        roles=[{"key": "member", "plural": "members", "label": "Member"}],
    )
    person = build_entity(key="person", plural="persons", label="Person", is_person=True)

    class income(Variable):
        value_type = float
        entity = person
        definition_period = MONTH
        label = "Income"

    class household_income(Variable):
        value_type = float
        entity = household
        definition_period = MONTH
        label = "Household income"

        def formula(self, period, parameters):  # type: ignore[no-untyped-def]
            return self.sum(self.members("income", period))

    class members(Variable):
        value_type = float
        entity = household
        definition_period = MONTH
        label = "Members"

        def formula(self, period, parameters):  # type: ignore[no-untyped-def]
            return self.nb_persons()

    class dibao_amount(Variable):
        value_type = float
        entity = household
        definition_period = MONTH
        label = "Dibao amount"

        def formula(self, period, parameters):  # type: ignore[no-untyped-def]
            limit = parameters(period).dibao.standard * self("members", period)
            income_ = self("household_income", period)
            return np.where(income_ < limit, limit - income_, 0.0)

    system = TaxBenefitSystem([person, household])
    system.add_variables(income, household_income, members, dibao_amount)
    system.parameters = ParameterNode(
        "",
        data={
            "dibao": {
                "standard": {
                    "values": {
                        "2016-04-01": 780.0,
                        "2017-04-01": 860.0,
                        "2018-04-01": 920.0,
                        "2019-04-01": 980.0,
                        "2020-09-01": 1010.0,
                        "2025-09-01": 1045.0,
                    }
                }
            }
        },
    )
    return system


def openfisca_compute(household_of: np.ndarray, incomes: np.ndarray, households: int) -> np.ndarray:
    """openfisca-core with the same rule, values forced to float64 (its default float32 drifts
    by yuan over a district). Built with the array-based SimulationBuilder, its fastest path."""
    from openfisca_core.simulations import SimulationBuilder  # noqa: PLC0415

    system = _openfisca_system()
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(household_of.shape[0]))
    entity = builder.declare_entity("household", np.arange(households))
    builder.join_with_persons(entity, household_of, np.full(household_of.shape[0], "member"))
    simulation = builder.build(system)
    simulation.set_input("income", "2025-10", incomes.astype(np.float64) / 100)
    return np.asarray(simulation.calculate("dibao_amount", "2025-10"), dtype=np.float64)


def openfisca_situation_compute(
    household_of: np.ndarray, incomes: np.ndarray, households: int
) -> np.ndarray:
    """openfisca-core's documented input path: a situation dict (as its web API and test runner
    take) built into a simulation with ``SimulationBuilder.build_from_entities``."""
    system = _openfisca_system()
    from openfisca_core.simulations import SimulationBuilder  # noqa: PLC0415

    persons = {f"p{i}": {"income": {"2025-10": float(v) / 100}} for i, v in enumerate(incomes)}
    members: dict[str, list[str]] = {}
    for i, h in enumerate(household_of):
        members.setdefault(f"h{h}", []).append(f"p{i}")
    situation = {"persons": persons, "households": {h: {"members": m} for h, m in members.items()}}
    simulation = SimulationBuilder().build_from_entities(system, situation)
    return np.asarray(simulation.calculate("dibao_amount", "2025-10"), dtype=np.float64)
