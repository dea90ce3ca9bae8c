"""The registry of assistance programs: one entry per program, from which everything else derives.

Each ``Program`` names the rules variables that decide it (eligibility or status, amount, reasons,
details), how it pays, its review-cycle parameters, its application-number prefix and the rules
modules that compute it. ``load_system`` builds its variables from these modules; reports, web
choices, application numbers, entitlement amounts, discovery's eligible-but-not-receiving checks,
payrolls and summaries read this registry rather than restating the list.

The built-in programs are ``PROGRAMS``; a program added from outside the package (a plug-in, see
docs/adding-a-program.md) is registered with ``register`` and appears in ``programs()`` after
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from jiuzhu.rules.engine.entities import HOUSEHOLD, PERSON, Entity


class Payment(StrEnum):
    """How a program pays its beneficiaries."""

    MONTHLY = "monthly"
    """A cash amount every month (fen a month), paid through the monthly payroll."""
    ONCE = "once"
    """A single cash payment for an event (e.g. temporary assistance, a funeral)."""
    SEASONAL = "seasonal"
    """A single cash payment each heating season, so one a year (heating assistance)."""
    IN_KIND = "in_kind"
    """Goods or services instead of cash."""


@dataclass(frozen=True)
class ReviewCycles:
    """The parameters (paths in the procedure's YAML, values in months) of the periodic review
    (定期核查) by review class: 《最低生活保障审核确认办法》第三十一条 (民发〔2021〕57号)."""

    stable: str
    unstable: str


REVIEW_CYCLES = ReviewCycles("procedure.review_cycle.stable", "procedure.review_cycle.unstable")
"""The review cycles every program reviewed periodically uses today."""


@dataclass(frozen=True)
class Program:
    """One assistance program: its decision variables, how it pays, its procedure and its rules.

    Attributes:
        name: identifier (stored in the records: never change it).
        label: Chinese name shown to users; ``label_en`` its English name.
        short_label: a short Chinese name for running text (``低保``); ``short_label_en`` likewise.
        entity: who the program decides for (a household, or a person).
        status: the Boolean variable of eligibility (or status).
        reasons: the variable listing the reasons of the decision.
        amount: the variable of the amount (fen a month for a monthly program), None if none.
        details: further variables shown with the decision.
        household_details: for a program decided per person, the household variables that sum
            it up in the household's row (its persons, their amount).
        payment: how it pays (None: it pays nothing itself, e.g. a status opening other help).
        review_cycles: its periodic review's parameters (None: not reviewed periodically).
        number_prefix: letters opening its application numbers (``DB`` → ``DB2025-…``) and its
            bank references; None for a program nobody applies for on its own.
        modules: the rules modules (importable names) declaring its variables.
        parameter_folder: a plug-in's own parameter folder, laid out like ``rules/policies``
            (``<jurisdiction>/<path>.yaml``) and merged into the jurisdiction's parameters; None
            for the built-in programs, whose parameters ship in ``rules/policies``.
        public_notice: whether the township's approval is published in the community for the
            statutory days before the district decides (dibao, tekun); False for a program whose
            rules provide no notice (child welfare: 国办发〔2010〕54号 and 民发〔2019〕62号 go from
            the township's review to the district's approval, and a child is never published).
        option: an alternative the household may choose instead of another program's benefit
            (the single-person unit): its amount is never added to totals, and it is blank,
            not 0, where the option is not available.
        means_tested: whether deciding it tests the household's income and assets (the
            household's declaration and signed authorisation, and the departments' data, are
            then needed); False for a program decided on other facts: funeral assistance (a
            death), child welfare (what became of the parents).
        application_inputs: the rules' input variables the application itself gives, not
            kept in the household register (funeral assistance's decedent, heating assistance's
            fee, the own costs of a medical settlement): the application form asks for them
            and the assessment feeds them to the rules (a person's input: the applicant's).
    """

    name: str
    label: str
    label_en: str
    entity: Entity
    status: str
    reasons: str
    amount: str | None = None
    details: tuple[str, ...] = ()
    household_details: tuple[str, ...] = ()
    option: bool = False
    payment: Payment | None = None
    review_cycles: ReviewCycles | None = None
    number_prefix: str | None = None
    modules: tuple[str, ...] = ()
    parameter_folder: Path | None = None
    public_notice: bool = True
    short_label: str = ""
    short_label_en: str = ""
    application_inputs: tuple[str, ...] = ()
    means_tested: bool = True

    @property
    def applicable(self) -> bool:
        """Households apply for it on its own (it has an application-number prefix)."""
        return self.number_prefix is not None

    @property
    def monthly(self) -> bool:
        """It pays a monthly amount through the payroll."""
        return self.payment is Payment.MONTHLY


SHARED_MODULES: tuple[str, ...] = (
    "jiuzhu.rules.programs.household_inputs",
    "jiuzhu.rules.programs.household",
)
"""The rules modules every program builds on: the input contract and the household's members,
income and assets."""

PROGRAMS: tuple[Program, ...] = (
    Program(
        "dibao",
        "最低生活保障",
        "Dibao (minimum living guarantee)",
        HOUSEHOLD,
        "dibao_eligible",
        "dibao_reasons",
        "dibao_amount",
        payment=Payment.MONTHLY,
        review_cycles=REVIEW_CYCLES,
        number_prefix="DB",
        modules=("jiuzhu.rules.programs.dibao",),
        short_label="低保",
        short_label_en="dibao",
    ),
    Program(
        "near_dibao",
        "低保边缘家庭",
        "Near-dibao household",
        HOUSEHOLD,
        "near_dibao_status",
        "near_dibao_reasons",
        "near_dibao_cash",
        payment=Payment.MONTHLY,
        review_cycles=REVIEW_CYCLES,
        number_prefix="BY",
        modules=("jiuzhu.rules.programs.near_dibao",),
        short_label="低保边缘",
        short_label_en="near-dibao",
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
        # Paid, when chosen, under the near-dibao entitlement (the choice is recorded on the
        # near-dibao application): no payroll, review or application of its own.
        modules=("jiuzhu.rules.programs.single_person_unit",),
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
        household_details=("tekun_persons", "tekun_undetermined_persons", "tekun_household_amount"),
        payment=Payment.MONTHLY,
        review_cycles=REVIEW_CYCLES,
        number_prefix="TK",
        modules=("jiuzhu.rules.programs.tekun",),
        short_label="特困",
        short_label_en="tekun",
    ),
    Program(
        "child_welfare",
        "孤儿和事实无人抚养儿童基本生活保障",
        "Orphan and de facto unsupported child allowance",
        PERSON,
        "child_welfare_eligible",
        "child_welfare_reasons",
        "child_welfare_amount",
        ("child_welfare_category",),
        household_details=("child_welfare_persons", "child_welfare_household_amount"),
        payment=Payment.MONTHLY,
        review_cycles=REVIEW_CYCLES,
        number_prefix="GE",
        public_notice=False,
        means_tested=False,
        modules=("jiuzhu.rules.programs.child_welfare",),
        short_label="孤儿保障",
        short_label_en="orphan allowance",
    ),
    Program(
        "children_in_hardship",
        "困境儿童基本生活保障",
        "Children-in-hardship allowance",
        PERSON,
        "children_in_hardship_eligible",
        "children_in_hardship_reasons",
        "children_in_hardship_amount",
        payment=Payment.MONTHLY,
        review_cycles=REVIEW_CYCLES,
        number_prefix="KJ",
        # The township reviews and the district approves; a child is never published
        # (国发〔2016〕36号 as Tianjin applies it).
        public_notice=False,
        modules=("jiuzhu.rules.programs.children_in_hardship",),
        short_label="困境儿童",
        short_label_en="children in hardship",
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
        # The status opens special assistance; it carries no monthly cash of its own.
        review_cycles=REVIEW_CYCLES,
        number_prefix="GX",
        modules=("jiuzhu.rules.programs.rigid_expenditure",),
        short_label="刚性支出困难",
        short_label_en="rigid-expenditure",
    ),
    Program(
        "temporary_assistance",
        "临时救助",
        "Temporary assistance",
        HOUSEHOLD,
        "temporary_assistance_eligible",
        "temporary_assistance_reasons",
        # The amount is decided case by case within the cap ("一事一议" above it): a detail.
        None,
        (
            "temporary_assistance_cap",
            "temporary_assistance_emergency_cap",
            "temporary_assistance_township_limit",
            "temporary_assistance_approver",
        ),
        payment=Payment.ONCE,
        number_prefix="LS",
        application_inputs=(
            "temporary_assistance_type",
            "temporary_assistance_persons",
            "expenditure_beyond_means",
            "temporary_assistance_requested",
        ),
        modules=("jiuzhu.rules.programs.temporary_assistance",),
        short_label="临时救助",
        short_label_en="temporary assistance",
    ),
    Program(
        "medical_assistance",
        "医疗救助",
        "Medical assistance",
        PERSON,
        "medical_assistance_eligible",
        "medical_assistance_reasons",
        "medical_assistance_amount",
        ("medical_aid_category", "medical_contribution_paid", "medical_assistance_annual_cap"),
        # One application per settlement of own costs; the year's running total is the aid
        # decided for the person before it (the platform adds it up).
        payment=Payment.ONCE,
        number_prefix="YL",
        public_notice=False,
        application_inputs=(
            "impoverished_by_illness",
            "medical_own_costs",
            "medical_deductible_met",
        ),
        modules=("jiuzhu.rules.programs.medical_assistance",),
        short_label="医疗救助",
        short_label_en="medical aid",
    ),
    Program(
        "funeral",
        "丧葬救助",
        "Funeral assistance",
        HOUSEHOLD,
        "funeral_eligible",
        "funeral_reasons",
        "funeral_amount",
        (
            "funeral_residents_subsidy",
            "funeral_eco_burial_amount",
            "funeral_basic_services_waived",
        ),
        # Once per death, applied for by the family: opened from a recorded death (the member's
        # death check) with the decedent's facts filled in.
        payment=Payment.ONCE,
        number_prefix="SZ",
        public_notice=False,
        means_tested=False,
        application_inputs=(
            "decedent_died_on",
            "decedent_cremated_on",
            "decedent_status",
            "decedent_other_funeral_grant",
            "decedent_cremated_outside_tianjin",
            "decedent_eco_burial",
        ),
        modules=("jiuzhu.rules.programs.funeral",),
        short_label="丧葬救助",
        short_label_en="funeral aid",
    ),
    Program(
        "legal_aid",
        "法律援助和司法救助转介",
        "Legal aid and judicial assistance referral",
        PERSON,
        "legal_aid_check_waived",
        "legal_aid_reasons",
        None,
        # A referral: legal aid and judicial assistance are granted by other bodies, so it
        # pays nothing and has no application of its own.
        modules=("jiuzhu.rules.programs.legal_aid",),
        short_label="法律援助转介",
        short_label_en="legal aid referral",
    ),
    Program(
        "heating",
        "取暖救助",
        "Heating assistance",
        HOUSEHOLD,
        "heating_eligible",
        "heating_reasons",
        "heating_amount",
        # Applied for with the season's fee.
        payment=Payment.SEASONAL,
        number_prefix="QN",
        public_notice=False,
        application_inputs=("central_heating", "heating_fee", "sanwu_dibao"),
        modules=("jiuzhu.rules.programs.heating",),
        short_label="取暖救助",
        short_label_en="heating aid",
    ),
)
"""The built-in programs of the system, in the order reports show them."""

_plugins: list[Program] = []
_listeners: list[Callable[[], None]] = []


def programs() -> tuple[Program, ...]:
    """Every program: the built-in ones, then the plug-ins in the order they were registered."""
    return (*PROGRAMS, *_plugins)


def program(name: str) -> Program:
    """The program called ``name``.

    Raises:
        KeyError: no program of that name is registered (the message lists those that are).
    """
    for candidate in programs():
        if candidate.name == name:
            return candidate
    known = ", ".join(p.name for p in programs())
    raise KeyError(f"no program {name!r} is registered (registered: {known})")


def register(plugin: Program) -> None:
    """Add a program from outside the package; the cached rule systems are reloaded.

    Raises:
        ValueError: a program of that name or with that application-number prefix exists.
    """
    for existing in programs():
        if existing.name == plugin.name:
            raise ValueError(f"a program {plugin.name!r} is already registered")
        if plugin.number_prefix is not None and existing.number_prefix == plugin.number_prefix:
            raise ValueError(
                f"the application-number prefix {plugin.number_prefix!r} is already used by "
                f"{existing.name!r}"
            )
    _plugins.append(plugin)
    _changed()


def unregister(name: str) -> None:
    """Remove a plug-in registered with ``register`` (tests); the built-ins cannot be removed.

    Raises:
        KeyError: no plug-in of that name is registered.
    """
    for index, plugin in enumerate(_plugins):
        if plugin.name == name:
            del _plugins[index]
            _changed()
            return
    raise KeyError(f"no plug-in program {name!r} is registered")


@contextmanager
def plugged_in(plugin: Program) -> Iterator[Program]:
    """Register ``plugin`` for the duration of a ``with`` block, then unregister it."""
    register(plugin)
    try:
        yield plugin
    finally:
        unregister(plugin.name)


def on_change(callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever a program is registered or unregistered (``load_system`` clears
    its cache so: a rule system built from the former list is not served again)."""
    _listeners.append(callback)


def _changed() -> None:
    for callback in _listeners:
        callback()
