"""Creating and changing entitlements (each change a new version, audited).

Every action here follows the cases pattern: it checks the user's permission on the entitlement
(role and jurisdiction), re-reads the entitlement under a row lock, writes in one transaction,
and records an ``EntitlementEvent`` (status changes and decisions) and an audit event. A refused
action writes nothing.

Dynamic management (动态管理; spec.md §2.5–2.6, 最低生活保障审核确认办法 Art. 30–34, 特困人员认定办法
Art. 24–26; numbers and sources in ``params``):

- **reviews** (``complete_review``): the household is reassessed with the rules engine on the
  current registry data; an unchanged amount keeps the version (Art. 31: no adjustment without a
  material change), a changed one becomes a new version from the next month (basis ``review``),
  and a household no longer eligible gets a termination proposal — never an automatic cut;
- **change reports** (``report_change``, Art. 30): the same reassessment on the date of the
  change, the new version from the month after it (basis ``change_report``);
- **suspension** and **resumption** (``suspend``, ``resume``): a suspended entitlement is not
  payable;
- **gradual exit** (``start_gradual_exit``, Art. 33): the amount continues ``GRADUAL_EXIT_MONTHS``
  months after the decision, then the entitlement ends;
- **termination**: tekun with a 7-day public notice and the stop from the following month
  (``start_termination_notice``, ``record_termination_objection``, ``cancel_termination``,
  ``conclude_termination``; 特困人员认定办法 Art. 26) and a follow-up task for dibao or temporary
  assistance; dibao and near-dibao with a written notice and reasons (``terminate``, Art. 32);
- **employment conditionality** (``apply_employment_sanction``, N1 Art. 45, N4 Art. 34, case
  C28): the refusing member's own share is reduced or stopped.

A decided termination sets ``end_month`` (the first month not paid) and keeps a payable status
until that month comes; ``scheduled.finalise_terminations`` then marks it terminated.

The standard change (``start_standard_change``, ``approve_standard_change``,
``discard_standard_change``) recomputes in batch (``standard_change.recompute``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem, load_system
from jiuzhu.rules.engine.parameters import Marker
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.system import ENGINE_VERSION
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.texts import record_language, recorded
from jiuzhu.web.cases import clock
from jiuzhu.web.cases.models import Application, Program, Stage
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.entitlements import params
from jiuzhu.web.entitlements.assessment import (
    apply_sanctions,
    member_share,
    program_amounts,
    sanctions_in_force,
)
from jiuzhu.web.entitlements.models import (
    ChangeReport,
    EmploymentSanction,
    Entitlement,
    EntitlementEvent,
    EntitlementVersion,
    ItemOutcome,
    ReviewClass,
    ReviewTask,
    RunStatus,
    StandardChangeItem,
    StandardChangeRun,
    Status,
    TaskKind,
    TaskOutcome,
    TaskStatus,
    TerminationGrounds,
    VersionBasis,
)
from jiuzhu.web.entitlements.standard_change import (
    Recomputation,
    parameter_value_starting,
    recompute,
)
from jiuzhu.web.entitlements.workflow import ENTITLEMENT, TASK, termination_notice
from jiuzhu.web.months import (
    add_months,
    add_months_to_date,
    add_years,
    age_on,
    first_day,
    is_month,
    month_of,
)
from jiuzhu.web.registry.models import Household, Membership, Person
from jiuzhu.web.workcalendar import working_days

BATCH = 2_000
"""Rows per bulk write (and per ``IN (…)`` list) of the batch actions."""

"""Statuses in which a reassessment may change the amount (a gradual exit keeps its amount, a
termination notice ends the entitlement)."""
APPLICANT_RELATIONS = ("01", "02")
"""GB/T 4761 本人 and 户主: the household's applicant (the engine needs exactly one)."""


# --- creation --------------------------------------------------------------------------------


def create_from_decision(user: Any, application: Application) -> Entitlement | None:
    """The entitlement an approval grants: from the first paid month, at the confirmed monthly
    amount (Art. 21: paid from the month after the decision). Called inside the confirmation's
    transaction; None for a rejection or a program without a monthly amount.
    """
    if application.stage != Stage.APPROVED or not application.monthly_amount:
        return None
    latest = application.assessments.first()
    entitlement = Entitlement.objects.create(
        number=f"E{application.number}",
        program=application.program,
        household=application.household,
        person=application.applicant if application.program == Program.TEKUN else None,
        application=application,
        division_code=application.division_code,
        status=Status.ACTIVE,
        start_month=application.first_paid_month,
        review_class=(review_class := _review_class(application)),
        # Due from the start, so the entitlement page and the review queue show it at once.
        next_review_due=first_review_due(application.first_paid_month, review_class),
    )
    EntitlementVersion.objects.create(
        entitlement=entitlement,
        number=1,
        valid_from=application.first_paid_month,
        monthly_amount=application.monthly_amount,
        basis=VersionBasis.DECISION,
        reason=application.decision_reasons,
        engine_version=ENGINE_VERSION,
        parameter_digest=latest.parameter_digest if latest else "",
        created_by=user,
    )
    record(
        user,
        "entitlements.create",
        entitlement,
        amount=application.monthly_amount,
        start=application.first_paid_month,
    )
    return entitlement


def first_review_due(start_month: str, review_class: str) -> dt.date:
    """The first periodic review: ``REVIEW_MONTHS`` of the class after the first paid month
    (Art. 31)."""
    start = first_day(start_month)
    rule = (
        params.REVIEW_MONTHS[review_class].at(start) or params.REVIEW_MONTHS[review_class].values[0]
    )
    return add_months_to_date(start, rule.value)


def _review_class(application: Application) -> str:
    """Every 6 months where a member may work (adults of working age), every 12 otherwise
    (Art. 31: households whose finances change little: the elderly, the severely disabled)."""
    return review_class_for(application.household, clock.today())


def review_class_for(household: Household, today: dt.date) -> str:
    """The household's review class on ``today`` (Art. 31): ``unstable`` (every 6 months) where a
    current member is 18–59 and not severely disabled (grade 1–2), ``stable`` (12) otherwise."""
    members = household.memberships.filter(valid_to__isnull=True).select_related("person")
    for membership in members:
        age = age_on(membership.person.birth_date, today)
        severe = membership.person.disability_grade in (1, 2)
        if 18 <= age < 60 and not severe:
            return ReviewClass.UNSTABLE
    return ReviewClass.STABLE


# --- helpers ---------------------------------------------------------------------------------


def _require(user: Any, permission: str, obj: Any = None) -> None:
    if not (user.has_perm(permission, obj) if obj is not None else user.has_perm(permission)):
        raise PermissionDenied(permission)


def _check(user: Any, entitlement: Entitlement, move: str) -> None:
    """The entitlement's transition table on the locked row (raises ``Refused`` or
    ``NotPermitted`` with the reason)."""
    ENTITLEMENT.check(user, entitlement, move, clock.today())


def _locked(entitlement: Entitlement) -> Entitlement:
    """The entitlement re-read under a row lock (two clerks acting at once act once)."""
    return Entitlement.objects.select_for_update().get(pk=entitlement.pk)


def _event(
    user: Any,
    entitlement: Entitlement,
    action: str,
    before: str,
    note: str = "",
    **detail: Any,
) -> None:
    """Save the entitlement and record the event and the audit event."""
    entitlement.save()
    EntitlementEvent.objects.create(
        entitlement=entitlement,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        from_status=before,
        to_status=entitlement.status,
        note=note,
    )
    record(
        user,
        f"entitlements.{action}",
        entitlement,
        before={"status": before},
        after={"status": entitlement.status},
        note=note,
        **detail,
    )


def _reason(text: str, field: str = "reason") -> str:
    if not text.strip():
        raise ValidationError({field: _("请写明理由")})
    return text.strip()


def latest_version(entitlement: Entitlement) -> EntitlementVersion | None:
    """The entitlement's latest version (the highest number)."""
    return entitlement.versions.order_by("-number").first()


def _add_version(
    user: Any,
    entitlement: Entitlement,
    *,
    amount: int,
    valid_from: str,
    basis: str,
    reason: str,
    parameter_digest: str = "",
    valid_to: str = "",
) -> EntitlementVersion:
    """Close the latest version at ``valid_from`` and open the next (call inside the
    transaction, the entitlement locked). Amount in fen per month.

    Raises:
        ValidationError: ``valid_from`` is not after the latest version's start (one version per
            start month: a version is never overwritten).
    """
    latest = latest_version(entitlement)
    if latest is not None and valid_from <= latest.valid_from:
        raise ValidationError(
            _("新版本须晚于当前版本的起始月份 %(month)s（同一月份只能有一个版本）")
            % {"month": latest.valid_from}
        )
    if latest is not None and (not latest.valid_to or latest.valid_to > valid_from):
        latest.valid_to = valid_from
        latest.save(update_fields=["valid_to"])
    version = EntitlementVersion.objects.create(
        entitlement=entitlement,
        number=(latest.number if latest else 0) + 1,
        valid_from=valid_from,
        valid_to=valid_to,
        monthly_amount=amount,
        basis=basis,
        reason=reason,
        engine_version=ENGINE_VERSION,
        parameter_digest=parameter_digest,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record(
        user,
        "entitlements.version",
        entitlement,
        before={"amount": latest.monthly_amount if latest else None},
        after={"amount": amount},
        basis=basis,
        valid_from=valid_from,
        version=version.number,
    )
    return version


# --- reassessment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reassessment:
    """One entitlement reassessed with the rules engine (amounts in fen per month)."""

    on: dt.date
    month: str
    eligible: bool | None
    amount: int | None
    current: int | None
    unit_members: int
    income_above_standard: bool
    sanction_reduction: int
    parameter_digest: str
    invalid_input: bool = False

    @property
    def determined(self) -> bool:
        return self.eligible is not None and self.amount is not None

    @property
    def changed(self) -> bool:
        """Eligible with another amount than the current version's (Art. 31: no threshold is
        set, so any difference in the computed amount is a change)."""
        return bool(self.eligible) and self.amount is not None and self.amount != self.current


def reassess(
    entitlement: Entitlement,
    on: dt.date | None = None,
    *,
    month: str | None = None,
    system: RuleSystem | None = None,
    exclude_persons: tuple[int, ...] = (),
) -> Reassessment:
    """Reassess one entitlement on ``on`` (default today) from the current registry data, the
    same vectorised code as the batch. ``month`` is the month whose employment sanctions apply
    (default: the month after ``on``, when a new version would start). Writes nothing.

    Raises:
        ParameterNotDefinedError: ``on`` is before the rules' coverage.
    """
    on = on or clock.today()
    month = month or next_month(on)
    system = system or load_system("tianjin")
    application = entitlement.application
    frame = pl.DataFrame(
        {
            "entitlement_id": [entitlement.pk],
            "program": [entitlement.program],
            "household_id": [entitlement.household_id],
            "person_id": [entitlement.person_id],
            "single_person": [
                bool(application and application.single_person_choice == "single_person_unit")
            ],
        }
    )
    amounts = program_amounts(system, frame, on, exclude_persons=exclude_persons)
    amounts = apply_sanctions(amounts, sanctions_in_force([entitlement.pk], month))
    row = amounts.row(0, named=True)
    current = latest_version(entitlement)
    return Reassessment(
        on=on,
        month=month,
        eligible=row["eligible"],
        amount=row["amount"],
        current=current.monthly_amount if current else None,
        unit_members=int(row["unit_members"] or 0),
        income_above_standard=bool(row["income_above_standard"]),
        sanction_reduction=int(row["sanction_reduction"] or 0),
        parameter_digest=system.parameters.digest(),
        invalid_input=bool(row["invalid_input"]),
    )


def _apply_reassessment(
    user: Any,
    entitlement: Entitlement,
    assessment: Reassessment,
    *,
    basis: str,
    note: str,
    grounds_if_ineligible: str,
) -> tuple[str, EntitlementVersion | None]:
    """Keep, change or propose termination after a reassessment (inside the transaction)."""
    if assessment.invalid_input:
        raise ValidationError(
            _("家庭登记数据不符合规则的输入要求（如没有或有多名申请人），请先更正家庭档案")
        )
    if not assessment.determined:
        raise ValidationError(_("所需政策参数未知，无法认定：请补充参数后再处理"))
    if assessment.eligible:
        if not assessment.changed:
            return TaskOutcome.KEPT, None
        version = _add_version(
            user,
            entitlement,
            amount=int(assessment.amount or 0),
            valid_from=assessment.month,
            basis=basis,
            reason=note,
            parameter_digest=assessment.parameter_digest,
        )
        return TaskOutcome.NEW_VERSION, version
    return _propose_end(
        user,
        entitlement,
        grounds_if_ineligible,
        note or recorded("重新核查不再符合条件"),
        gradual_exit_possible=assessment.income_above_standard,
    )


def _propose_end(
    user: Any, entitlement: Entitlement, grounds: str, reason: str, **detail: Any
) -> tuple[str, EntitlementVersion | None]:
    """Record a termination proposal (a deciding role then ends it, or grants a gradual exit,
    or withdraws it): nothing stops by itself."""
    entitlement.termination_proposed_on = clock.today()
    entitlement.termination_grounds = grounds
    entitlement.termination_reason = reason
    _event(user, entitlement, "propose_termination", entitlement.status, reason, **detail)
    return TaskOutcome.TERMINATION_PROPOSED, None


# --- tasks -----------------------------------------------------------------------------------


def open_task(
    user: Any,
    entitlement: Entitlement,
    kind: str,
    key: str,
    due_on: dt.date | None,
    *,
    due_rule: str,
    reason: str = "",
    person: Person | None = None,
    due_from: dt.date | None = None,
    due_working_days: int | None = None,
) -> ReviewTask:
    """The open task of this kind and key, created if there is none (idempotent: a scheduled
    check or a repeated event never opens two). A task due ``due_working_days`` working days
    after ``due_from`` keeps both, so its date is counted again when the calendar changes
    (``recount_deadlines``); its ``due_on`` is None while the year it reaches has none."""
    task, created = ReviewTask.objects.get_or_create(
        entitlement=entitlement,
        kind=kind,
        key=key,
        defaults={
            "division_code": entitlement.division_code,
            "due_on": due_on,
            "due_from": due_from,
            "due_working_days": due_working_days,
            "due_rule": due_rule,
            "reason": reason,
            "person": person,
            "created_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    if created:
        record(
            user,
            "entitlements.task",
            entitlement,
            kind=kind,
            due=due_on.isoformat() if due_on else None,
        )
    return task


def _finish_task(
    user: Any,
    task: ReviewTask,
    outcome: str,
    note: str,
    version: EntitlementVersion | None = None,
) -> None:
    task.status = TaskStatus.DONE
    task.outcome = outcome
    task.note = note
    task.version = version
    task.completed_on = clock.today()
    task.completed_by = user
    task.save()
    record(user, "entitlements.task_done", task.entitlement, kind=task.kind, outcome=outcome)


def complete_review(
    user: Any,
    task: ReviewTask,
    *,
    note: str = "",
    system: RuleSystem | None = None,
) -> ReviewTask:
    """Complete a review task by reassessing the household on today's registry data.

    - no material change (the same amount): the version is kept, nothing new (Art. 31);
    - another amount: a new version from next month (basis ``review``);
    - no longer eligible: a termination proposal (a township head or the district decides:
      gradual exit, notice, or termination; never an automatic cut). A death check leaves the
      deceased member out even before the registry records the death.

    A periodic review schedules the next one ``REVIEW_MONTHS`` months from today, by the review
    class the household has now.

    Raises:
        PermissionDenied; ValidationError: the task is not open, not a reassessing task, the
            entitlement is not active or suspended, or the decision rests on an unknown
            parameter.
    """
    entitlement = task.entitlement
    today = clock.today()
    with transaction.atomic():
        entitlement = _locked(entitlement)
        task = ReviewTask.objects.select_for_update().select_related("entitlement").get(pk=task.pk)
        TASK.check(user, task, "complete", today)
        deceased = (task.person_id,) if task.kind == TaskKind.DEATH_CHECK and task.person_id else ()
        if deceased and entitlement.person_id in deceased:
            # The supported person died: nothing to assess (N1 Art. 18: death ends tekun).
            outcome, version = _propose_end(
                user, entitlement, TerminationGrounds.DEATH, note or str(task.reason)
            )
            _finish_task(user, task, outcome, note, version)
            return task
        if (
            deceased
            and Membership.objects.filter(
                household_id=entitlement.household_id,
                person_id__in=deceased,
                relation__in=APPLICANT_RELATIONS,
                valid_to__isnull=True,
            ).exists()
        ):
            raise ValidationError(
                _("去世成员是申请人：请先在家庭档案中登记其离世并变更申请人，再完成核查")
            )
        assessment = reassess(entitlement, today, system=system, exclude_persons=deceased)
        grounds = (
            TerminationGrounds.INCOME_ASSETS
            if entitlement.program != Program.TEKUN
            else TerminationGrounds.OTHER
        )
        basis = (
            VersionBasis.CHANGE_REPORT
            if task.kind == TaskKind.CHANGE_REPORT
            else VersionBasis.STANDARD_CHANGE
            if task.kind == TaskKind.STANDARD_CHANGE
            else VersionBasis.REVIEW
        )
        outcome, version = _apply_reassessment(
            user,
            entitlement,
            assessment,
            basis=basis,
            note=note or str(task.get_kind_display()),
            grounds_if_ineligible=grounds,
        )
        if task.kind == TaskKind.PERIODIC_REVIEW:
            entitlement.review_class = review_class_for(entitlement.household, today)
            months = params.REVIEW_MONTHS[entitlement.review_class].at(today)
            entitlement.next_review_due = add_months_to_date(today, months.value if months else 12)
            entitlement.save(update_fields=["review_class", "next_review_due", "updated_at"])
        _finish_task(user, task, outcome, note, version)
    return task


def close_task(user: Any, task: ReviewTask, *, note: str) -> ReviewTask:
    """Close a task that needs no reassessment (a follow-up done, an age check where the
    person continues in school, an objection decided by ``cancel_termination`` or
    ``conclude_termination``), with a note of what was done.

    Raises:
        PermissionDenied; ValidationError: no note, or the task is not open.
    """
    note = _reason(note, "note")
    with transaction.atomic():
        task = ReviewTask.objects.select_for_update().select_related("entitlement").get(pk=task.pk)
        TASK.check(user, task, "close", clock.today())
        _finish_task(user, task, TaskOutcome.CLOSED, note)
    return task


def register_death(
    user: Any, entitlement: Entitlement, *, person: Person, died_on: dt.date, note: str = ""
) -> ReviewTask:
    """Open the check a member's death requires: the household's situation is checked within
    3 months of the death (2022 notice; ``params.DEATH_CHECK_MONTHS``). Registered by hand here;
    ``scheduled.scan_deaths`` does the same from the deaths feed.

    Raises:
        PermissionDenied; ValidationError: the person is not a member of the household, or the
            date is in the future.
    """
    if died_on > clock.today():
        raise ValidationError({"died_on": _("死亡日期不能晚于今天")})
    if not Membership.objects.filter(household_id=entitlement.household_id, person=person).exists():
        raise ValidationError({"person": _("该人员不是本家庭成员")})
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "death")
        task = open_task(
            user,
            entitlement,
            TaskKind.DEATH_CHECK,
            f"person:{person.pk}",
            death_check_due(died_on),
            due_rule=recorded(params.DEATH_CHECK_MONTHS.label),
            reason=recorded(
                "%(name)s 于 %(date)s 死亡（人工登记）%(note)s",
                name=person.name,
                date=died_on.isoformat(),
                note=note,
            ),
            person=person,
        )
    return task


def death_check_due(died_on: dt.date) -> dt.date:
    """Within 3 calendar months of the death (2022 notice)."""
    rule = params.DEATH_CHECK_MONTHS.at(died_on) or params.DEATH_CHECK_MONTHS.values[0]
    return add_months_to_date(died_on, rule.value)


# --- change reports --------------------------------------------------------------------------


def report_change(
    user: Any,
    entitlement: Entitlement,
    *,
    category: str,
    description: str,
    effective_on: dt.date,
    member_found_work: bool = False,
    system: RuleSystem | None = None,
) -> ChangeReport:
    """Record a household's report of a change (Art. 30) and reassess at once: the caseworker
    has entered the change in the registry (members, incomes, assets) before reporting it. The
    household is assessed on ``effective_on`` and a new amount applies from the month after the
    change (basis ``change_report``; a past month is paid or recovered by the payroll). A
    household no longer eligible gets a termination proposal; where a member found work and its
    income rose above the standard, the proposal says a gradual exit is possible (Art. 33).

    Raises:
        PermissionDenied; ValidationError: no description, a future date, a change starting in
            or before the current version's month, an entitlement not active or suspended, or an
            unknown parameter.
    """
    description = _reason(description, "description")
    today = clock.today()
    if effective_on > today:
        raise ValidationError({"effective_on": _("变化发生日期不能晚于今天")})
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "change_report")
        month = next_month(effective_on)
        latest = latest_version(entitlement)
        if latest is not None and month <= latest.valid_from:
            raise ValidationError(
                {
                    "effective_on": _(
                        "当前版本自 %(month)s 起，变化须发生在该月或之后（次月起调整）"
                    )
                    % {"month": latest.valid_from}
                }
            )
        report = ChangeReport.objects.create(
            entitlement=entitlement,
            category=category,
            description=description,
            effective_on=effective_on,
            reported_on=today,
            member_found_work=member_found_work,
            recorded_by=user,
        )
        assessment = reassess(entitlement, effective_on, month=month, system=system)
        grounds = (
            TerminationGrounds.INCOME_ASSETS
            if entitlement.program != Program.TEKUN
            else TerminationGrounds.OTHER
        )
        with record_language():
            note = _("家庭变化报告（%(category)s）：%(text)s") % {
                "category": report.get_category_display(),
                "text": description,
            }
            if member_found_work and assessment.income_above_standard:
                note += _("；成员就业后收入超过低保标准，可给予渐退期")
        report.outcome, report.version = _apply_reassessment(
            user,
            entitlement,
            assessment,
            basis=VersionBasis.CHANGE_REPORT,
            note=note,
            grounds_if_ineligible=grounds,
        )
        report.save(update_fields=["outcome", "version"])
        record(user, "entitlements.change_report", entitlement, outcome=report.outcome)
    return report


# --- suspension ------------------------------------------------------------------------------


def suspend(user: Any, entitlement: Entitlement, *, reason: str) -> Entitlement:
    """Suspend payment (暂停发放), e.g. while a review cannot reach the household. A suspended
    entitlement is not payable (``PAYABLE``) until resumed.

    Raises:
        PermissionDenied; ValidationError: no reason, or not active.
    """
    reason = _reason(reason)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "suspend")
        before = entitlement.status
        entitlement.status = Status.SUSPENDED
        _event(user, entitlement, "suspend", before, reason)
    return entitlement


def resume(user: Any, entitlement: Entitlement, *, reason: str) -> Entitlement:
    """Resume a suspended entitlement at its current version (payable again).

    Raises:
        PermissionDenied; ValidationError: no reason, or not suspended.
    """
    reason = _reason(reason)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "resume")
        before = entitlement.status
        entitlement.status = Status.ACTIVE
        _event(user, entitlement, "resume", before, reason)
    return entitlement


# --- gradual exit ----------------------------------------------------------------------------


def gradual_exit_rule(on: dt.date) -> params.DatedValue | None:
    """The gradual-exit period in force on ``on`` (None before Tianjin adopted it, 2024)."""
    return params.GRADUAL_EXIT_MONTHS.at(on)


def start_gradual_exit(
    user: Any, entitlement: Entitlement, *, reason: str, task: ReviewTask | None = None
) -> Entitlement:
    """Give a dibao household whose income rose above the standard after a member found work a
    gradual exit (渐退, 最低生活保障审核确认办法 Art. 33): its current amount is paid for the
    ``GRADUAL_EXIT_MONTHS`` months after this one (6 from 2024-01-01, confidence low), then the
    entitlement ends (``end_month`` = ``gradual_exit_until``). The months are recorded as a
    version (basis ``gradual_exit``) closed at the end.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: not dibao, not active, no
            reason, or no gradual exit in force today.
    """
    reason = _reason(reason)
    today = clock.today()
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "gradual_exit")
        rule = gradual_exit_rule(today)
        assert rule is not None  # the move's guard refuses a day without a gradual exit
        latest = latest_version(entitlement)
        start = next_month(today)
        until = add_months(start, rule.value)
        _add_version(
            user,
            entitlement,
            amount=latest.monthly_amount if latest else 0,
            valid_from=start,
            valid_to=until,
            basis=VersionBasis.GRADUAL_EXIT,
            reason=recorded(
                "渐退期 %(months)s 个月（%(start)s 至 %(until)s 前）：%(reason)s",
                months=rule.value,
                start=start,
                until=until,
                reason=reason,
            ),
            parameter_digest=latest.parameter_digest if latest else "",
        )
        before = entitlement.status
        entitlement.status = Status.GRADUAL_EXIT
        entitlement.gradual_exit_until = until
        entitlement.end_month = until
        entitlement.termination_grounds = TerminationGrounds.GRADUAL_EXIT_END
        entitlement.termination_reason = reason
        entitlement.terminated_on = today
        _event(
            user,
            entitlement,
            "gradual_exit",
            before,
            reason,
            until=until,
            months=rule.value,
            confidence=rule.confidence,
        )
        if task is not None:
            _finish_task(user, task, TaskOutcome.GRADUAL_EXIT, reason)
    return entitlement


# --- termination -----------------------------------------------------------------------------


def start_termination_notice(
    user: Any,
    entitlement: Entitlement,
    *,
    grounds: str,
    reason: str,
    task: ReviewTask | None = None,
) -> Entitlement:
    """Publish a proposed tekun termination for 7 days in the community (特困人员认定办法
    Art. 26), ending on a working day (``workflow.termination_notice``). Support continues
    during the notice.

    Raises:
        PermissionDenied; ValidationError: not tekun, not active or suspended, unknown grounds,
            no reason.
    """
    reason = _reason(reason)
    if grounds not in TerminationGrounds.values:
        raise ValidationError({"grounds": _("请选择终止原因")})
    today = clock.today()
    # 7 calendar days ending on a working day (provisional while its year's calendar is
    # missing: counted again when the year is entered, and not concluded before).
    notice = termination_notice(today)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "notice")
        before = entitlement.status
        entitlement.status = Status.TERMINATION_NOTICE
        entitlement.termination_grounds = grounds
        entitlement.termination_reason = reason
        entitlement.termination_proposed_on = entitlement.termination_proposed_on or today
        entitlement.notice_starts_on = notice.starts_on
        entitlement.notice_ends_on = notice.ends_on
        _event(user, entitlement, "termination_notice", before, reason, grounds=grounds)
        if task is None and grounds == TerminationGrounds.AGE:
            # The notice is what the age check asked for (Art. 24): it is done.
            task = entitlement.tasks.filter(kind=TaskKind.TEKUN_AGE, status=TaskStatus.OPEN).first()
        if task is not None:
            _finish_task(user, task, TaskOutcome.TERMINATION_PROPOSED, reason)
    return entitlement


def record_termination_objection(
    user: Any, entitlement: Entitlement, *, content: str, received_on: dt.date
) -> ReviewTask:
    """An objection to a tekun termination notice: it is investigated and decided within 15
    working days (counted with the holiday calendar; unknown while the year it reaches has no
    calendar, and counted when it is entered); the termination cannot be concluded while the
    task is open.

    Raises:
        PermissionDenied; ValidationError: no content, not in notice, a date outside the notice.
    """
    content = _reason(content, "content")
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "objection")
        if not (
            entitlement.notice_starts_on
            and entitlement.notice_ends_on
            and entitlement.notice_starts_on <= received_on <= entitlement.notice_ends_on
        ):
            raise ValidationError({"received_on": _("异议应在公示期内提出")})
        rule = params.TERMINATION_OBJECTION_WORKING_DAYS.at(received_on)
        days = rule.value if rule else 15
        earlier = entitlement.tasks.filter(kind=TaskKind.TERMINATION_OBJECTION).count()
        task = open_task(
            user,
            entitlement,
            TaskKind.TERMINATION_OBJECTION,
            f"objection:{earlier + 1}",
            working_days.due(received_on, days).on,
            due_from=received_on,
            due_working_days=days,
            due_rule=str(params.TERMINATION_OBJECTION_WORKING_DAYS.label),
            reason=content,
        )
        EntitlementEvent.objects.create(
            entitlement=entitlement,
            user=user,
            action="termination_objection",
            from_status=entitlement.status,
            to_status=entitlement.status,
            note=content,
        )
    return task


def cancel_termination(user: Any, entitlement: Entitlement, *, reason: str) -> Entitlement:
    """Withdraw a termination notice or proposal (an objection was upheld, or the
    investigation found the household still eligible): back to normal payment; open objection
    tasks are closed.

    Raises:
        PermissionDenied; ValidationError: no reason, nothing to cancel.
    """
    reason = _reason(reason)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "cancel")
        before = entitlement.status
        if entitlement.status == Status.TERMINATION_NOTICE:
            entitlement.status = Status.ACTIVE
        entitlement.termination_grounds = ""
        entitlement.termination_reason = ""
        entitlement.termination_proposed_on = None
        entitlement.notice_starts_on = None
        entitlement.notice_ends_on = None
        _event(user, entitlement, "cancel_termination", before, reason)
        for task in entitlement.tasks.filter(
            kind=TaskKind.TERMINATION_OBJECTION, status=TaskStatus.OPEN
        ):
            _finish_task(user, task, TaskOutcome.CLOSED, reason)
    return entitlement


def conclude_termination(user: Any, entitlement: Entitlement, *, note: str = "") -> Entitlement:
    """End a tekun entitlement after its 7-day notice ran without an open objection: support
    stops from the following month (Art. 26). For a minor who turned 18 (Art. 24) support runs
    to the month of the 18th birthday at least, so the stop is the later of the month after
    today and the month after the birthday. A follow-up task checks dibao or temporary
    assistance for the person, due by the first month without support.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: not in notice, the notice has
            not run 7 days, or an objection is still open.
    """
    today = clock.today()
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "conclude")
        end = next_month(today)
        if entitlement.termination_grounds == TerminationGrounds.AGE and entitlement.person:
            end = max(end, month_after_age_limit(entitlement.person.birth_date, today))
        _end(user, entitlement, end, note or entitlement.termination_reason, today)
        open_task(
            user,
            entitlement,
            TaskKind.FOLLOW_UP,
            "follow_up",
            first_day(end),
            due_rule=recorded("特困供养终止后，于停发前核查是否符合低保或临时救助"),
            reason=recorded(
                "特困人员救助供养终止（%(grounds)s），核查低保或临时救助",
                grounds=TerminationGrounds(entitlement.termination_grounds).label
                if entitlement.termination_grounds
                else "",
            ),
            person=entitlement.person,
        )
    return entitlement


def month_after_age_limit(
    birth_date: dt.date, on: dt.date, system: RuleSystem | None = None
) -> str:
    """The first month after the month a tekun minor reaches the age limit (18 in Tianjin:
    ``tekun.minor_age_limit``; 特困人员认定办法 Art. 24: support continues until 18)."""
    return add_months(month_of(add_years(birth_date, age_limit(on, system))), 1)


def age_limit(on: dt.date, system: RuleSystem | None = None) -> int:
    """The tekun minor age limit in force on ``on`` (years; the rules engine's
    ``tekun.minor_age_limit``: 16 nationally, 18 in Tianjin since the 2021 measures)."""
    value = (system or load_system("tianjin")).parameters["tekun.minor_age_limit"].at(on).value
    if not isinstance(value, int):
        raise ValueError(f"tekun.minor_age_limit is {value!r} on {on}")
    return value


def terminate(
    user: Any,
    entitlement: Entitlement,
    *,
    grounds: str,
    reason: str,
    notice_issued_on: dt.date,
) -> Entitlement:
    """End a dibao or near-dibao entitlement with a written notice giving the reasons
    (最低生活保障审核确认办法 Art. 32): payment stops from the following month.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: tekun (ends by notice), already
            ended, unknown grounds, no reasons, a notice date in the future.
    """
    reason = _reason(reason)
    if grounds not in TerminationGrounds.values:
        raise ValidationError({"grounds": _("请选择终止原因")})
    today = clock.today()
    if notice_issued_on > today:
        raise ValidationError({"notice_issued_on": _("送达日期不能晚于今天")})
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "terminate")
        entitlement.termination_grounds = grounds
        entitlement.notice_issued_on = notice_issued_on
        _end(user, entitlement, next_month(today), reason, today)
    return entitlement


def _end(user: Any, entitlement: Entitlement, end: str, reason: str, today: dt.date) -> None:
    """Decide the end: ``end_month`` is the first month not paid. The status stays payable until
    that month comes (``scheduled.finalise_terminations``), unless it has come already."""
    before = entitlement.status
    entitlement.end_month = end
    entitlement.terminated_on = today
    entitlement.termination_reason = reason
    if entitlement.status == Status.TERMINATION_NOTICE:
        entitlement.status = Status.ACTIVE
    if end <= month_of(today):
        entitlement.status = Status.TERMINATED
    latest = latest_version(entitlement)
    if latest is not None and (not latest.valid_to or latest.valid_to > end):
        latest.valid_to = max(end, latest.valid_from)
        latest.save(update_fields=["valid_to"])
    _event(user, entitlement, "terminate", before, reason, end_month=end)


# --- employment conditionality ---------------------------------------------------------------


def apply_employment_sanction(
    user: Any,
    entitlement: Entitlement,
    *,
    person: Person,
    refusals: int,
    good_reason: bool,
    share_percent: int = 100,
    note: str = "",
    system: RuleSystem | None = None,
) -> EmploymentSanction:
    """Reduce or stop the dibao of a member who refused suitable job offers from the public
    employment services 3 times in a row without good reason — his or her **own share** only
    (社会救助暂行办法 Art. 45; 最低生活保障审核确认办法 Art. 34; case C28).

    The share is the household amount / the members counted in the assistance unit (the rules
    engine's ``unit_members`` today), rounded down to the fen; ``share_percent`` of it is taken
    off (100: stopped). C28: 1,635 yuan for 3 members, share 545, stopped → 1,090 from next
    month (a new version, basis ``employment_sanction``).

    Raises:
        PermissionDenied: not a deciding role; ValidationError: fewer refusals than the rule, a
            good reason, not dibao, not active, a person not counted in the unit, a percentage
            outside 1–100, or an open sanction of the same person.
    """
    today = clock.today()
    rule = params.EMPLOYMENT_REFUSALS.at(today)
    needed = rule.value if rule else 3
    if good_reason:
        raise ValidationError({"good_reason": _("有正当理由拒绝的，不得减发")})
    if refusals < needed:
        raise ValidationError(
            {"refusals": _("须连续%(n)s次无正当理由拒绝介绍的工作") % {"n": needed}}
        )
    if not 1 <= share_percent <= 100:
        raise ValidationError({"share_percent": _("减发比例应在1%至100%之间")})
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "sanction")
        if entitlement.sanctions.filter(person=person, to_month="").exists():
            raise ValidationError({"person": _("该成员已在减发中")})
        month = next_month(today)
        current = latest_version(entitlement)
        if current is None:
            raise ValidationError(_("待遇没有版本"))
        base = reassess(entitlement, today, month=month, system=system)
        if not Membership.objects.filter(
            household_id=entitlement.household_id, person=person, valid_to__isnull=True
        ).exists():
            raise ValidationError({"person": _("该人员不是本家庭现有成员")})
        if base.unit_members <= 0:
            raise ValidationError({"person": _("救助单位没有计入的成员")})
        # The share of the amount actually paid, sanctions already in force included: one
        # member's refusal never takes more than his or her own part of what the household gets.
        reduction = member_share(current.monthly_amount, base.unit_members, share_percent)
        sanction = EmploymentSanction.objects.create(
            entitlement=entitlement,
            person=person,
            refusals=refusals,
            share_percent=share_percent,
            from_month=month,
            reason=note,
            created_by=user,
        )
        reason = recorded(
            "%(name)s 连续%(n)s次无正当理由拒绝介绍的工作：减发本人份额 %(share)s 元"
            "（月救助金 %(amount)s 元 ÷ %(members)s 人 × %(percent)s%%）",
            name=person.name,
            n=refusals,
            share=format_yuan(reduction),
            amount=format_yuan(current.monthly_amount),
            members=base.unit_members,
            percent=share_percent,
        )
        _add_version(
            user,
            entitlement,
            amount=current.monthly_amount - reduction,
            valid_from=month,
            basis=VersionBasis.EMPLOYMENT_SANCTION,
            reason=reason + (f"；{note}" if note else ""),
            parameter_digest=current.parameter_digest,
        )
        EntitlementEvent.objects.create(
            entitlement=entitlement,
            user=user,
            action="employment_sanction",
            from_status=entitlement.status,
            to_status=entitlement.status,
            note=reason,
        )
    return sanction


def lift_employment_sanction(
    user: Any,
    entitlement: Entitlement,
    *,
    person: Person,
    reason: str,
    system: RuleSystem | None = None,
) -> tuple[str, EntitlementVersion | None]:
    """End a member's employment sanction from next month — he or she took up work or an offer,
    or a good reason came to light — and restore the household amount: the household is
    reassessed with the rules engine on today's registry data and the sanctions still in force,
    as a review would (社会救助暂行办法 Art. 45; 最低生活保障审核确认办法 Art. 34).

    Returns the outcome (``TaskOutcome``: kept, new version from next month, or a termination
    proposal if the household no longer qualifies) and the new version, if any.

    Raises:
        PermissionDenied: not a deciding role; ValidationError: no reason, no sanction of the
            person in force, or a reassessment that cannot be made (unknown parameters,
            registry data the rules cannot read).
    """
    if not reason.strip():
        raise ValidationError({"reason": _("请填写解除减发的理由")})
    today = clock.today()
    month = next_month(today)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        _check(user, entitlement, "lift_sanction")
        sanction = (
            entitlement.sanctions.select_for_update()
            .filter(Q(to_month="") | Q(to_month__gt=month), person=person)
            .order_by("-from_month")
            .first()
        )
        if sanction is None:
            raise ValidationError({"person": _("该成员没有执行中的减发")})
        # A sanction that has not begun yet ends before its first month: it never applies.
        sanction.to_month = max(month, sanction.from_month)
        sanction.save(update_fields=["to_month"])
        assessment = reassess(entitlement, today, month=month, system=system)
        note = recorded(
            "解除%(name)s的拒绝就业减发（自 %(month)s 起）：%(reason)s",
            name=person.name,
            month=sanction.to_month,
            reason=reason,
        )
        outcome = _apply_reassessment(
            user,
            entitlement,
            assessment,
            basis=VersionBasis.EMPLOYMENT_SANCTION,
            note=note,
            grounds_if_ineligible=TerminationGrounds.INCOME_ASSETS,
        )
        _event(user, entitlement, "lift_employment_sanction", entitlement.status, note)
    return outcome


# --- standard change -------------------------------------------------------------------------


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Marker):
        return value.name
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def start_standard_change(
    user: Any,
    *,
    parameter_path: str,
    effective_month: str,
    description: str = "",
    system: RuleSystem | None = None,
) -> StandardChangeRun:
    """Recompute every active entitlement of the user's jurisdiction for a parameter value that
    takes effect in ``effective_month`` (``standard_change.recompute``) and keep the result for
    review: a ``StandardChangeRun`` with one ``StandardChangeItem`` per changed or flagged
    entitlement. Nothing changes until a second person approves it.

    Raises:
        PermissionDenied: not a district role; ValidationError: not a ``YYYY-MM`` month, an
            unknown parameter, or no value of it starting in that month.
    """
    _require(user, "entitlements.standard_change")
    if not is_month(effective_month):
        raise ValidationError({"effective_month": _("月份格式应为 YYYY-MM")})
    system = system or load_system("tianjin")
    if parameter_path not in system.parameters:
        raise ValidationError({"parameter_path": _("未知的参数")})
    value = parameter_value_starting(system, parameter_path, effective_month)
    if value is None:
        raise ValidationError(
            {"effective_month": _("该参数没有自所选月份起施行的新取值（请先发布参数）")}
        )
    start, new_value, reference, confidence = value
    result = recompute(effective_month, system=system, division_code=user.division_code)
    parameter = system.parameters[parameter_path]
    with transaction.atomic():
        run = StandardChangeRun.objects.create(
            parameter_path=parameter_path,
            parameter_label=parameter.description,
            parameter_value=_jsonable({"start": start, "value": new_value}),
            parameter_reference=reference,
            parameter_confidence=confidence,
            description=description,
            effective_month=effective_month,
            division_code=user.division_code,
            engine_version=ENGINE_VERSION,
            parameter_digest=result.parameter_digest,
            overrides=json.loads(json.dumps(_jsonable(dict(system.overrides)), default=str)),
            checked=result.rows.height,
            changed=result.changed.height,
            flagged=result.flagged.height,
            total_before=int(result.rows["old_amount"].sum() or 0),
            total_after=int(result.totals["after"].sum() or 0),
            totals=[
                {**row, "program_label": str(Program(row["program"]).label)}
                for row in result.totals.to_dicts()
            ],
            seconds=round(result.seconds, 3),
            created_by=user,
        )
        _write_items(run, result)
        record(
            user,
            "entitlements.standard_change.start",
            run,
            parameter=parameter_path,
            effective_month=effective_month,
            checked=run.checked,
            changed=run.changed,
        )
    return run


def _write_items(run: StandardChangeRun, result: Recomputation) -> None:
    rows = pl.concat([result.changed, result.flagged]).select(
        "entitlement_id",
        "version_id",
        "township_code",
        "program",
        "old_amount",
        "amount",
        "outcome",
    )
    items = [
        StandardChangeItem(
            run=run,
            entitlement_id=entitlement_id,
            version_id=version_id,
            township_code=township,
            program=program,
            old_amount=old,
            new_amount=new,
            outcome=outcome,
        )
        for entitlement_id, version_id, township, program, old, new, outcome in rows.iter_rows()
    ]
    StandardChangeItem.objects.bulk_create(items, batch_size=BATCH)


def approve_standard_change(
    user: Any, run: StandardChangeRun, *, note: str = ""
) -> StandardChangeRun:
    """Approve a run (maker–checker: never the person who started it) and apply it: each
    ``change`` item becomes a new version valid from the effective month (basis
    ``standard_change``, with the run's engine version and parameter digest), closing the open
    version. An entitlement changed since the run (another open version, or no longer active or
    suspended) is skipped; skipped and flagged entitlements get a review task, due on the first
    day of next month (before the next payroll). Bulk writes: a fixed number of queries per
    ``BATCH`` items.

    Raises:
        PermissionDenied: not a district role, or the starter approving; ValidationError: the
            run is not awaiting approval.
    """
    _require(user, "entitlements.approve_standard_change", run)
    today = clock.today()
    with transaction.atomic():
        run = StandardChangeRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError(_("该重算不在待审批状态"))
        if run.created_by_id == user.pk:
            raise PermissionDenied(_("发起重算的人员不能自行审批（审核与审批分离）"))
        items = list(
            run.items.values_list(
                "entitlement_id", "version_id", "new_amount", "outcome", "old_amount"
            ).order_by("entitlement_id")
        )
        fresh = _fresh_versions([(e, v) for e, v, _a, _o, _old in items])
        apply = [
            (e, v, int(a or 0), old)
            for e, v, a, o, old in items
            if o == ItemOutcome.CHANGE and (e, v) in fresh
        ]
        stale = [
            e for e, v, _a, o, _old in items if o == ItemOutcome.CHANGE and (e, v) not in fresh
        ]
        flagged = [e for e, _v, _a, o, _old in items if o != ItemOutcome.CHANGE]
        _apply_versions(user, run, apply)
        _flag(user, run, stale + flagged, today)
        run.status = RunStatus.APPROVED
        run.decided_by = user
        run.decided_at = timezone.now()
        run.decision_note = note
        run.applied = len(apply)
        run.skipped = len(stale)
        run.save()
        record(
            user,
            "entitlements.standard_change.approve",
            run,
            applied=run.applied,
            skipped=run.skipped,
            flagged=len(flagged),
        )
    return run


def _fresh_versions(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (entitlement, version) pairs whose version is still the open one of an active or
    suspended entitlement (locked for the update), in slices of ``BATCH``."""
    fresh: set[tuple[int, int]] = set()
    ids = [e for e, _v in pairs]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        list(Entitlement.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
        fresh |= set(
            EntitlementVersion.objects.filter(
                entitlement_id__in=chunk,
                valid_to="",
                entitlement__status__in=(Status.ACTIVE, Status.SUSPENDED),
            ).values_list("entitlement_id", "pk")
        )
    return fresh & set(pairs)


def _apply_versions(
    user: Any, run: StandardChangeRun, rows: list[tuple[int, int, int, int]]
) -> None:
    """Close each (entitlement, version, new amount, old amount) row's version at the effective
    month and insert the next, with one audit event per new version (bulk writes)."""
    numbers: dict[int, int] = {}
    divisions: dict[int, str] = {}
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        version_ids = [v for _e, v, _a, _o in chunk]
        numbers.update(
            EntitlementVersion.objects.filter(pk__in=version_ids).values_list("pk", "number")
        )
        divisions.update(
            Entitlement.objects.filter(pk__in=[e for e, *_ in chunk]).values_list(
                "pk", "division_code"
            )
        )
        EntitlementVersion.objects.filter(pk__in=version_ids).update(valid_to=run.effective_month)
    reason = recorded(
        "标准调整：%(label)s 自 %(month)s 起（重算批次 %(run)s）%(description)s",
        label=run.parameter_label or run.parameter_path,
        month=run.effective_month,
        run=run.pk,
        description=f"；{run.description}" if run.description else "",
    )
    EntitlementVersion.objects.bulk_create(
        [
            EntitlementVersion(
                entitlement_id=entitlement_id,
                number=numbers[version_id] + 1,
                valid_from=run.effective_month,
                monthly_amount=amount,
                basis=VersionBasis.STANDARD_CHANGE,
                reason=reason,
                engine_version=run.engine_version,
                parameter_digest=run.parameter_digest,
                created_by=user,
            )
            for entitlement_id, version_id, amount, _old in rows
        ],
        batch_size=BATCH,
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                user=user,
                action="entitlements.version",
                object_type=Entitlement._meta.label_lower,
                object_id=str(entitlement_id),
                division_code=divisions.get(entitlement_id, ""),
                before={"amount": old},
                after={"amount": amount},
                detail={
                    "basis": VersionBasis.STANDARD_CHANGE.value,
                    "valid_from": run.effective_month,
                    "run": run.pk,
                },
            )
            for entitlement_id, _version_id, amount, old in rows
        ],
        batch_size=BATCH,
    )


def _flag(user: Any, run: StandardChangeRun, entitlement_ids: list[int], today: dt.date) -> None:
    """A review task for every entitlement the run could not change by itself."""
    due = first_day(next_month(today))
    divisions: dict[int, str] = {}
    for start in range(0, len(entitlement_ids), BATCH):
        divisions.update(
            Entitlement.objects.filter(pk__in=entitlement_ids[start : start + BATCH]).values_list(
                "pk", "division_code"
            )
        )
    ReviewTask.objects.bulk_create(
        [
            ReviewTask(
                entitlement_id=entitlement_id,
                kind=TaskKind.STANDARD_CHANGE,
                key=f"run:{run.pk}",
                division_code=divisions[entitlement_id],
                due_on=due,
                due_rule=recorded("下次发放前"),
                reason=recorded(
                    "标准调整（%(path)s，%(month)s 起）未能自动适用，请核查",
                    path=run.parameter_path,
                    month=run.effective_month,
                ),
                created_by=user,
            )
            for entitlement_id in entitlement_ids
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def discard_standard_change(user: Any, run: StandardChangeRun, *, note: str) -> StandardChangeRun:
    """Discard a run awaiting approval (nothing was applied).

    Raises:
        PermissionDenied; ValidationError: no note, or not awaiting approval.
    """
    _require(user, "entitlements.approve_standard_change", run)
    note = _reason(note, "note")
    with transaction.atomic():
        run = StandardChangeRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError(_("该重算不在待审批状态"))
        run.status = RunStatus.DISCARDED
        run.decided_by = user
        run.decided_at = timezone.now()
        run.decision_note = note
        run.save()
        record(user, "entitlements.standard_change.discard", run, note=note)
    return run


__all__ = [
    "Reassessment",
    "age_limit",
    "apply_employment_sanction",
    "approve_standard_change",
    "cancel_termination",
    "close_task",
    "complete_review",
    "conclude_termination",
    "create_from_decision",
    "death_check_due",
    "discard_standard_change",
    "gradual_exit_rule",
    "latest_version",
    "month_after_age_limit",
    "reassess",
    "record_termination_objection",
    "register_death",
    "report_change",
    "resume",
    "review_class_for",
    "start_gradual_exit",
    "start_standard_change",
    "start_termination_notice",
    "suspend",
    "terminate",
]
