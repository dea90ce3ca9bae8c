"""The registry of assistance programs: one entry per program, from which everything else derives.

Each ``Program`` names the rules variables that decide it (eligibility or status, amount, reasons,
details). Reports, web choices, application numbers, entitlement amounts, discovery's
eligible-but-not-receiving checks and summaries read this registry rather than restating the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiuzhu.rules.engine.entities import HOUSEHOLD, PERSON, Entity


@dataclass(frozen=True)
class Program:
    """One assistance program's decision variables, for outputs, summaries and explanations."""

    name: str
    label: str
    label_en: str
    entity: Entity
    status: str
    reasons: str
    amount: str | None = None
    details: tuple[str, ...] = ()
    option: bool = False
    """An alternative the household may choose instead of another program's benefit (the
    single-person unit): its amount is never added to totals, and it is blank, not 0, where the
    option is not available."""


PROGRAMS: tuple[Program, ...] = (
    Program(
        "dibao",
        "最低生活保障",
        "Dibao (minimum living guarantee)",
        HOUSEHOLD,
        "dibao_eligible",
        "dibao_reasons",
        "dibao_amount",
    ),
    Program(
        "near_dibao",
        "低保边缘家庭",
        "Near-dibao household",
        HOUSEHOLD,
        "near_dibao_status",
        "near_dibao_reasons",
        "near_dibao_cash",
    ),
    Program(
        "single_person_unit",
        "单人户（与低保边缘救助二选一）",
        "Single-person unit (exclusive option)",
        HOUSEHOLD,
        "single_person_unit_available",
        "single_person_unit_reasons",
        "single_person_unit_option_amount",
        (
            "single_person_unit_members",
            "single_person_unit_members_amount",
            "single_person_unit_rest_members",
            "single_person_unit_rest_dibao_amount",
            "single_person_unit_rest_near_dibao_status",
            "single_person_unit_rest_near_dibao_cash",
        ),
        option=True,
    ),
    Program(
        "tekun",
        "特困人员救助供养",
        "Tekun (extreme-poverty support)",
        PERSON,
        "tekun_eligible",
        "tekun_reasons",
        "tekun_amount",
        ("tekun_basic_standard", "tekun_care_standard"),
    ),
    Program(
        "rigid_expenditure",
        "刚性支出困难家庭",
        "Rigid-expenditure hardship family",
        HOUSEHOLD,
        "rigid_expenditure_eligible",
        "rigid_expenditure_reasons",
        None,
        ("rigid_expenditure_valid_until",),
    ),
)
"""The programs of the system, in the order reports show them."""
