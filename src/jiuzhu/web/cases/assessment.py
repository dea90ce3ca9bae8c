"""Running the rules engine on an application's household (the same code as a batch), and who
the result covers: the members in the assistance unit, those left out and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import Sum
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.explain import explain_household, render
from jiuzhu.web.cases import inputs
from jiuzhu.web.cases.models import Application, Assessment, SinglePersonChoice, Stage
from jiuzhu.web.core.choices import label_of
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.programs import Program, per_person
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.frames import engine_frames, with_inputs
from jiuzhu.web.registry.models import Person

MEMBER_RESULTS = (
    "household_member",
    "excluded_by_absence",
    "assistance_unit_member",
    "tekun_eligible",
    "single_person_unit_dibao_eligible",
)
"""The person-level results kept with an assessment to say who its amount covers."""


def _with_application_inputs(
    system: RuleSystem, frames: dict[str, pl.DataFrame], application: Application, on: dt.date
) -> dict[str, pl.DataFrame]:
    """The frames with what the application itself gives the rules (``cases.inputs``): on the
    household's row, or for a program decided per person on the applicant's; a medical
    settlement also gets the aid already decided for the applicant this year (the running
    annual total the annual cap is measured against)."""
    values = inputs.columns(system, application.program_inputs)
    if application.program == Program.MEDICAL_ASSISTANCE:
        values["medical_aid_paid_this_year"] = pl.lit(
            aid_decided_this_year(application, on), dtype=pl.Int64()
        )
    person = str(application.applicant.resident_id) if per_person(application.program) else None
    return with_inputs(system, frames, values, person)


def aid_decided_this_year(application: Application, on: dt.date) -> int:
    """Medical aid (fen) decided for the applicant in ``on``'s year by earlier approved
    applications."""
    earlier = Application.objects.filter(
        program=application.program,
        applicant=application.applicant,
        stage=Stage.APPROVED,
        decided_on__year=on.year,
    ).exclude(pk=application.pk)
    return int(earlier.aggregate(total=Sum("monthly_amount"))["total"] or 0)


def assess(application: Application, on: dt.date, basis: str) -> Assessment:
    """Assess the household on ``on`` from ``basis`` data (``declared`` or ``verified``) and keep
    every program's decision, amount and reasons, the explanation (Chinese) with its legal
    references and weak parameters, and each member's place in the assistance unit.

    Raises:
        ParameterNotDefinedError: ``on`` is before the rules' coverage.
    """
    system = rules_system()
    # Keyed by the household number and resident IDs: the explanation names what people read.
    frames = engine_frames(system, [application.household_id], on, basis, public_keys=True)
    frames = _with_application_inputs(system, frames, application, on)
    explanation = explain_household(system, frames, application.household.number)
    results: dict[str, object] = {}
    for part in explanation.programs:
        key = part.program.name
        if part.program.entity.name == "person":
            key = f"{key}:{part.subject}"
        results[key] = {
            "label": str(part.program.label),
            "status": part.status,
            "amount": part.amount,
            "reasons": [r.label or r.code for r in part.reasons],
        }
    ids = [str(row["person_id"]) for row in explanation.members]
    persons = dict(
        Person.objects.filter(sealed_match("resident_id", *ids)).values_list("resident_id", "pk")
    )
    members = [
        {
            "person": persons.get(str(row["person_id"])),
            **{name: row.get(name) for name in MEMBER_RESULTS if name in row},
        }
        for row in explanation.members
    ]
    return Assessment.objects.create(
        application=application,
        on_date=on,
        basis=basis,
        results=results,
        explanation=render(explanation, system.variables, "zh", paths=False),
        parameter_digest=system.parameters.digest(),
        members=members,
    )


@dataclass(frozen=True)
class ProgramResult:
    """One program's decision as an assessment keeps it: a value of ``Assessment.results``,
    stored as the JSON object ``{"label", "status", "amount", "reasons"}`` (see ``assess``)."""

    label: str
    status: bool | None
    """Eligible, not eligible, or None: undetermined (data missing)."""
    amount: int | None
    """Fen a month; None where the rules give no amount."""
    reasons: tuple[str, ...]
    """The rules' reasons as people read them."""

    @classmethod
    def stored(cls, value: object) -> ProgramResult | None:
        """The result kept as ``value`` (None: the assessment has none for that key)."""
        if not isinstance(value, dict):
            return None
        status, amount, reasons = value.get("status"), value.get("amount"), value.get("reasons")
        return cls(
            label=str(value.get("label", "")),
            status=status if isinstance(status, bool) else None,
            amount=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            reasons=tuple(str(r) for r in reasons) if isinstance(reasons, list) else (),
        )


def program_result(assessment: Assessment, application: Application) -> ProgramResult | None:
    """The assessment's result for the application's own program (for a program decided per
    person: the applicant's)."""
    if per_person(application.program):
        key = f"{application.program}:{application.applicant.resident_id}"
    elif (
        application.program == Program.NEAR_DIBAO
        and application.single_person_choice == "single_person_unit"
    ):
        key = "single_person_unit"
    else:
        key = application.program
    return ProgramResult.stored(assessment.results.get(key))


def offers_single_person_unit(assessment: Assessment | None) -> bool:
    """Whether ``assessment`` offers the household the near-dibao single-person unit (the
    option's result is eligible): a choice the township records with its opinion."""
    if assessment is None:
        return False
    option = ProgramResult.stored(assessment.results.get("single_person_unit"))
    return option is not None and bool(option.status)


@dataclass(frozen=True)
class UnitMember:
    """One current member of the household as the assessment sees them: ``covered`` when the
    application's amount is for them; otherwise ``reason`` says why not (in the user's
    language), and ``other_program`` names a program they may qualify for alone (e.g. tekun)."""

    person: Person
    relation: str
    covered: bool
    reason: str
    other_program: str = ""


def _left_out_reason(row: dict[str, object], person: Person, absence: str) -> tuple[str, str]:
    """Why a member is not counted, and another program to consider for them."""
    if row.get("excluded_by_absence"):
        return (
            _("因%(reason)s不计入共同生活的家庭成员（最低生活保障审核确认办法第七条）")
            % {"reason": label_of("absence_reason", absence)},
            "",
        )
    if row.get("household_member") is False:
        return _("不属于共同生活的家庭成员（最低生活保障审核确认办法第七条）"), ""
    if row.get("tekun_eligible"):
        return _("符合特困人员救助供养条件，按特困人员单独供养，不重复计入"), Program.TEKUN
    if row.get("tekun_eligible") is None and row.get("assistance_unit_member") is None:
        return _("特困人员认定待定，能否计入待定"), ""
    return _("未计入救助单位"), ""


def unit_members(application: Application, assessment: Assessment | None) -> list[UnitMember]:
    """Who the application's result covers, member by member (empty for an assessment made
    before the platform kept members). Tekun covers the applicant alone; the single-person
    choice covers the members split off as one-person units; every other program the members
    of the assistance unit (共同生活的家庭成员 not supported by tekun)."""
    if assessment is None or not assessment.members:
        return []
    rows = {row["person"]: row for row in assessment.members if row.get("person")}
    memberships = {
        m.person_id: m
        for m in application.household.memberships.filter(valid_to__isnull=True).select_related(
            "person"
        )
    }
    single = (
        application.program == Program.NEAR_DIBAO
        and application.single_person_choice == SinglePersonChoice.SINGLE_PERSON_UNIT
    )
    found = []
    for person_id, row in rows.items():
        membership = memberships.get(person_id)
        if membership is None:
            continue  # no longer a member: the assessment is out of date (shown elsewhere)
        person = membership.person
        relation = str(membership.get_relation_display())
        if per_person(application.program):
            covered = person_id == application.applicant_id
            reason = "" if covered else _("该项目按人认定，只对申请人本人")
            found.append(UnitMember(person, relation, covered, reason))
            continue
        key = "single_person_unit_dibao_eligible" if single else "assistance_unit_member"
        if row.get(key):
            found.append(UnitMember(person, relation, True, ""))
            continue
        if single and row.get("assistance_unit_member"):
            reason, other = _("其余成员不随单人户纳入低保，另行认定"), ""
        else:
            reason, other = _left_out_reason(row, person, membership.absence_reason)
        found.append(UnitMember(person, relation, False, reason, other))
    return found


def covered_count(application: Application, assessment: Assessment | None) -> int | None:
    """How many people the amount is for (what a notice publishes); None when unknown."""
    members = unit_members(application, assessment)
    if not members:
        return None
    return sum(member.covered for member in members)
