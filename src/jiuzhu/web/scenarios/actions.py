"""Scenarios: measure (one district officer), approve or send back (another).

Approving adopts the scenario's changes as dated parameters (``localvalues.actions.adopt``:
本地调整, in force for every assessment from their date, named in every explanation with the
scenario's reference and both officers) and starts the recomputation of every entitlement for
each month a change starts in (``entitlements.actions.standard_change_runs``), which a
district officer other than its starter approves before any amount changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.simulate import Scenario as Changes
from jiuzhu.batch.pipelines.simulate.scenario_file import Budget, read_changes
from jiuzhu.rules.engine.errors import ParameterFileError, RulesError
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.standard_change_runs import start_standard_change
from jiuzhu.web.localvalues.actions import adopt
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.localvalues.models import LocalValue
from jiuzhu.web.localvalues.models import Status as ValueStatus
from jiuzhu.web.scenarios.evaluation import evaluate
from jiuzhu.web.scenarios.models import Scenario, Status


def _checked_changes(raw: Mapping[str, Any], effective: dt.date) -> dict[str, Any]:
    """The changes as the parameters take them (ValidationError naming each problem)."""
    system = rules_system()
    problems: list[str] = []
    changes = read_changes(_("参数调整"), dict(raw), system, problems)
    if problems:
        raise ValidationError({"changes": problems})
    try:
        Changes(changes, effective).system(system)
    except (KeyError, ParameterFileError, ValueError) as exc:
        raise ValidationError({"changes": str(exc)}) from None
    return changes


def _checked_effective(effective: dt.date) -> None:
    if effective.day != 1:
        raise ValidationError(
            {"effective": _("标准自某月1日起施行（待遇按月计发，重算以月为单位）")}
        )
    if effective < clock.today().replace(day=1):
        # A past month's standard would rewrite what was paid under the published one; the
        # registry a scenario is measured on is today's.
        raise ValidationError({"effective": _("生效日期不能早于本月1日")})
    latest = latest_effective()
    if effective > latest:
        # A scenario is measured on today's registry: years ahead its figures say nothing, and
        # the far date would evaluate the rules in force (the baseline too) at that date.
        raise ValidationError(
            {
                "effective": _("生效日期不能晚于 %(d)s（下一年度的最后一个月）")
                % {"d": latest.isoformat()}
            }
        )
    if effective < rules_system().parameters.covers_from:
        raise ValidationError({"effective": _("早于规则覆盖的最早日期")})


def latest_effective() -> dt.date:
    """The latest effective date a scenario may take: the first of December of next year."""
    return dt.date(clock.today().year + 1, 12, 1)


def create_scenario(
    user: Staff,
    *,
    label: str,
    effective: dt.date,
    reference: str,
    changes: Mapping[str, Any],
    budget: Budget | None = None,
    document_number: str = "",
) -> Scenario:
    """Measure a scenario over the registry of the user's jurisdiction and keep it for another
    officer's decision.

    Raises:
        PermissionDenied: not a district officer. ValidationError: no label or reference, an
            effective date not the first of a month, before this month or the rules' coverage
            or after the end of next year (``latest_effective``), a change its
            parameter does not take, nothing to change.
    """
    require(user, "scenarios.create", Scenario())
    if not label.strip():
        raise ValidationError({"label": _("请填写方案名称")})
    if not reference.strip():
        raise ValidationError({"reference": _("请填写测算依据（如会议纪要、请示）")})
    _checked_effective(effective)
    checked = _checked_changes(changes, effective)
    if not checked and budget is None:
        raise ValidationError(_("没有要测算的调整：请填写新标准、其他参数或预算"))
    scenario = Changes(checked, effective, label.strip(), reference.strip())
    try:
        result = evaluate(rules_system(), scenario, user.division_code, budget)
    except RulesError as exc:
        raise ValidationError(str(exc)) from None
    with transaction.atomic():
        saved = Scenario.objects.create(
            label=label.strip(),
            effective=effective,
            reference=reference.strip(),
            document_number=document_number.strip(),
            changes=_json(result.changes),
            budget=_budget_json(budget),
            budget_fit=result.budget_fit,
            division_code=user.division_code,
            households=result.households,
            invalid_households=result.invalid,
            summary=result.summary,
            by_township=result.by_township,
            distribution=result.distribution,
            linked=result.linked,
            seconds=result.seconds,
            created_by=user,
        )
        record(user, "scenarios.create", saved, label=saved.label, effective=str(effective))
    return saved


def approve_scenario(user: Staff, scenario: Scenario, *, note: str = "") -> Scenario:
    """Approve a scenario: its changes become adopted dated parameters and the recomputation of
    every entitlement is started for each month a change starts in.

    Raises:
        PermissionDenied; ValidationError: not awaiting a decision, the officer who measured it,
            or a reason of ``approval_refusal`` (the budget, a passed month, a change another
            scenario put in force).
    """
    require(user, "scenarios.approve", scenario)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        _awaiting(user, scenario)
        refusal = approval_refusal(scenario)
        if refusal is not None:
            raise ValidationError(refusal)
        starts: dict[str, str] = {}
        for path, value in scenario.changes.items():
            for start, dated in _dated(value, scenario.effective):
                scenario.adopted_values.add(
                    adopt(
                        scenario.created_by,
                        user,
                        parameter=path,
                        start=start,
                        value=dated,
                        document=scenario.reference,
                        document_number=scenario.document_number,
                        note=_("测算方案 %(n)s：%(label)s")
                        % {"n": scenario.pk, "label": scenario.label},
                    )
                )
                starts.setdefault(start.strftime("%Y-%m"), path)
        scenario.status, scenario.decision_note = Status.APPROVED, note.strip()
        scenario.decided_by, scenario.decided_at = user, timezone.now()
        scenario.save()
        record(user, "scenarios.approve", scenario, label=scenario.label, runs=len(starts))
    # Each recomputation in a transaction of its own, after the adoption is committed: a
    # district's recomputation takes a while and must not hold the approval's write lock. One
    # that fails leaves the standard adopted; the officer starts it from the standard-change page.
    for month, path in sorted(starts.items()):
        scenario.runs.add(
            start_standard_change(
                user,
                parameter_path=path,
                effective_month=month,
                description=_("测算方案 %(n)s：%(label)s")
                % {"n": scenario.pk, "label": scenario.label},
            )
        )
    return scenario


def reject_scenario(user: Staff, scenario: Scenario, *, note: str) -> Scenario:
    """Send a scenario back with the reason; nothing changes.

    Raises:
        PermissionDenied; ValidationError: no reason, not awaiting a decision, or the officer
            who measured it.
    """
    require(user, "scenarios.approve", scenario)
    if not note.strip():
        raise ValidationError({"note": _("请写明退回理由")})
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        _awaiting(user, scenario)
        scenario.status, scenario.decision_note = Status.REJECTED, note.strip()
        scenario.decided_by, scenario.decided_at = user, timezone.now()
        scenario.save()
        record(user, "scenarios.reject", scenario, label=scenario.label, reason=note.strip())
    return scenario


def taken() -> set[tuple[str, dt.date]]:
    """The parameters and dates an approved scenario has put in force (adopted values)."""
    return set(
        LocalValue.objects.filter(status=ValueStatus.IN_FORCE, adopted=True).values_list(
            "parameter", "start"
        )
    )


def approval_refusal(
    scenario: Scenario, adopted: set[tuple[str, dt.date]] | None = None
) -> str | None:
    """Why approving ``scenario`` would now be refused whoever approves it, or None: a budget
    the lowest standard already exceeds; an effective month passed while it waited (its figures
    were measured on the registry of then); or a change whose parameter and date another
    approved scenario holds — a second adopted value would silently replace the first, whose
    recomputation would then pay a superseded standard. ``adopted``: ``taken()``, when the
    caller checks many scenarios."""
    if scenario.budget_fit and not scenario.budget_fit.get("fits"):
        return _("预算不足以支付测算下限的标准：请调整预算或下限后重新测算")
    if scenario.effective < clock.today().replace(day=1):
        return _("生效日期已过：测算依据的是当时的登记数据，请按新的生效日期重新测算")
    adopted = taken() if adopted is None else adopted
    for path, value in scenario.changes.items():
        for start, _value in _dated(value, scenario.effective):
            if (path, start) in adopted:
                return _(
                    "另一测算方案已自 %(d)s 起施行该参数：同一参数同一日期只能施行一个方案"
                ) % {"d": start.isoformat()}
    return None


def _awaiting(user: Staff, scenario: Scenario) -> None:
    if scenario.status != Status.AWAITING_CHECK:
        raise ValidationError(_("该方案不在待审批状态"))
    if scenario.created_by_id == user.pk:
        raise ValidationError(_("方案须由测算人以外的另一人审批"))


def _dated(value: Any, effective: dt.date) -> list[tuple[dt.date, Any]]:
    """A change's dated values: a ``{date: value}`` series as written (dates kept as ISO text in
    the JSON), else the value from the effective date."""
    if isinstance(value, dict) and value and all(_is_iso(k) for k in value):
        return sorted((dt.date.fromisoformat(k), v) for k, v in value.items())
    return [(effective, value)]


def _is_iso(key: object) -> bool:
    try:
        dt.date.fromisoformat(str(key))
    except ValueError:
        return False
    return True


def _json(value: Any) -> Any:
    """``value`` as JSON keeps it: dates as ISO text, exact decimals as text."""
    if isinstance(value, dict):
        return {
            str(k) if not isinstance(k, dt.date) else k.isoformat(): _json(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def _budget_json(budget: Budget | None) -> dict[str, object] | None:
    if budget is None:
        return None
    return {
        "parameter": budget.parameter,
        "annual": budget.annual // 100,
        "low": budget.low,
        "high": budget.high,
        "programs": [p.name for p in budget.programs],
    }
