"""Standard-change runs (标准调整): starting a run (``start_standard_change``, which recomputes in
batch with ``standard_change.recompute`` — the simulation pipeline with the rules before the new
value as baseline — and keeps the result under the run for review), approving it by a
second person (``approve_standard_change``: new versions from the effective month, review tasks
for what it could not change) or discarding it (``discard_standard_change``).
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.simulate import TOWNSHIP, before_change
from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.local_values import LOCAL_CONFIDENCE
from jiuzhu.rules.engine.parameters import Marker
from jiuzhu.rules.system import ENGINE_VERSION
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.core import clock
from jiuzhu.web.core.months import (
    first_day,
    is_month,
)
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.writes import BATCH, _reason
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    ItemOutcome,
    ReviewTask,
    RunStatus,
    StandardChangeItem,
    StandardChangeRun,
    Status,
    TaskKind,
    VersionBasis,
)
from jiuzhu.web.entitlements.standard_change import (
    Recomputation,
    parameter_value_starting,
    recompute,
)
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.localvalues.models import LocalValue
from jiuzhu.web.localvalues.models import Status as ValueStatus


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
    user: Staff,
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
    require(user, "entitlements.standard_change")
    if not is_month(effective_month):
        raise ValidationError({"effective_month": _("月份格式应为 YYYY-MM")})
    system = system or rules_system()
    if parameter_path not in system.parameters:
        raise ValidationError({"parameter_path": _("未知的参数")})
    value = parameter_value_starting(system, parameter_path, effective_month)
    if value is None:
        raise ValidationError(
            {"effective_month": _("该参数没有自所选月份起施行的新取值（请先发布参数）")}
        )
    start, new_value, reference, confidence = value
    result = recompute(
        effective_month,
        system=system,
        baseline=before_change(system, parameter_path, start),
        division_code=user.division_code,
    )
    parameter = system.parameters[parameter_path]
    with transaction.atomic():
        run = StandardChangeRun.objects.create(
            parameter_path=parameter_path,
            parameter_label=parameter.description,
            parameter_value=_jsonable({"start": start, "value": new_value}),
            parameter_reference=reference,
            parameter_confidence=confidence,
            local_value=_local_value(parameter_path, start, confidence),
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
            totals=_totals(result),
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


def _local_value(path: str, start: dt.date, confidence: str) -> LocalValue | None:
    """The district's value in force that the run's new value is (confidence ``local``), for
    its page to name the document and officers; None for a published value."""
    if confidence != LOCAL_CONFIDENCE:
        return None
    return (
        LocalValue.objects.filter(status=ValueStatus.IN_FORCE, parameter=path, start=start)
        .order_by("-pk")
        .first()
    )


def _totals(result: Recomputation) -> list[dict[str, object]]:
    """The run's totals by township and program (``standard_change.totals``), each with its
    program's label and the simulation's counts for the same township and program:
    ``newly_eligible`` and ``losing_eligibility`` (households, or persons for tekun, of the
    recomputed entitlements whose status differs between the rules before the change and
    after it)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    simulation = result.simulation
    if simulation is not None and simulation.by_township is not None:
        counts = {
            (row[TOWNSHIP], row["program"]): {
                "newly_eligible": row["newly_eligible"],
                "losing_eligibility": row["losing_eligibility"],
            }
            for row in simulation.by_township.to_dicts()
        }
    return [
        {
            **row,
            "program_label": str(Program.label(row["program"])),
            **counts.get(
                (row["township_code"], row["program"]),
                {"newly_eligible": 0, "losing_eligibility": 0},
            ),
        }
        for row in result.totals.to_dicts()
    ]


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
    user: Staff, run: StandardChangeRun, *, note: str = ""
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
    require(user, "entitlements.approve_standard_change", run)
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
    user: Staff, run: StandardChangeRun, rows: list[tuple[int, int, int, int]]
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


def _flag(user: Staff, run: StandardChangeRun, entitlement_ids: list[int], today: dt.date) -> None:
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


def discard_standard_change(user: Staff, run: StandardChangeRun, *, note: str) -> StandardChangeRun:
    """Discard a run awaiting approval (nothing was applied).

    Raises:
        PermissionDenied; ValidationError: no note, or not awaiting approval.
    """
    require(user, "entitlements.approve_standard_change", run)
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
    "approve_standard_change",
    "discard_standard_change",
    "start_standard_change",
]
