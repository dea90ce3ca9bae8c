"""Reviews and review tasks (动态管理; 最低生活保障审核确认办法 Art. 30–31; numbers
and sources in the rules' procedure tree, ``jiuzhu.rules.procedure``):

- **tasks** (``open_task``, ``close_task``): one open task per kind and key, closed with a note
  where no reassessment is needed;
- **reviews** (``complete_review``): the household is reassessed with the rules engine on the
  current registry data; an unchanged amount keeps the version (Art. 31: no adjustment without a
  material change), a changed one becomes a new version from the next month (basis ``review``),
  and a household no longer eligible gets a termination proposal — never an automatic cut;
- **deaths** (``register_death``): the check a member's death requires, within 3 months;
- **change reports** (``report_change``, Art. 30): the same reassessment on the date of the
  change, the new version from the month after it (basis ``change_report``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.procedure import DEATH_CHECK, review_cycle, rule
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import record_language, recorded
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.core import clock
from jiuzhu.web.core.months import (
    add_months_to_date,
)
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.granting import review_class_for
from jiuzhu.web.entitlements.actions.reassessment import _apply_reassessment, _propose_end, reassess
from jiuzhu.web.entitlements.actions.writes import _check, _locked, _reason, latest_version
from jiuzhu.web.entitlements.models import (
    ChangeReport,
    Entitlement,
    EntitlementVersion,
    ReviewTask,
    TaskKind,
    TaskOutcome,
    TaskStatus,
    TerminationGrounds,
    VersionBasis,
)
from jiuzhu.web.entitlements.workflow import TASK
from jiuzhu.web.registry.models import Membership, Person

APPLICANT_RELATIONS = ("01", "02")
"""GB/T 4761 本人 and 户主: the household's applicant (the engine needs exactly one)."""


# --- tasks -----------------------------------------------------------------------------------


def open_task(
    user: Staff,
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
    user: Staff,
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
    user: Staff,
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
            # The supported person died: nothing to assess (社会救助暂行办法 第十八条: death ends tekun).
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
            months = review_cycle(entitlement.program, entitlement.review_class).at(today)
            entitlement.next_review_due = add_months_to_date(today, months.whole if months else 12)
            entitlement.save(update_fields=["review_class", "next_review_due", "updated_at"])
        _finish_task(user, task, outcome, note, version)
    return task


def close_task(user: Staff, task: ReviewTask, *, note: str) -> ReviewTask:
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
    user: Staff, entitlement: Entitlement, *, person: Person, died_on: dt.date, note: str = ""
) -> ReviewTask:
    """Open the check a member's death requires: the household's situation is checked within
    3 months of the death (2022 notice; ``procedure.death_check_months``). Registered by hand here;
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
            due_rule=recorded(rule(DEATH_CHECK).label),
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
    return add_months_to_date(died_on, rule(DEATH_CHECK).number(died_on))


# --- change reports --------------------------------------------------------------------------


def report_change(
    user: Staff,
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


__all__ = [
    "close_task",
    "complete_review",
    "death_check_due",
    "open_task",
    "register_death",
    "report_change",
]
