"""Reassessing an entitlement with the rules engine on the current registry data
(``reassess``), and applying the result: an unchanged amount keeps the version (Art. 31: no
adjustment without a material change), a changed one becomes a new version, and a household no
longer eligible gets a termination proposal — never an automatic cut. Used by reviews, change
reports and the employment sanction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiuzhu.rules import RuleSystem
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.cases.workflow import next_month
from jiuzhu.web.core import clock
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.writes import _add_version, _event, latest_version
from jiuzhu.web.entitlements.assessment import (
    apply_sanctions,
    program_amounts,
    sanctions_in_force,
)
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementVersion,
    TaskOutcome,
)
from jiuzhu.web.localvalues.actions import system as rules_system


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
    system = system or rules_system()
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
    user: Staff,
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
        latest = latest_version(entitlement)
        if latest is not None and latest.valid_from >= assessment.month:
            # A version already starts then (an approved standard change, say): this month's
            # rules cannot set the amount of a month whose version was decided with its own.
            raise ValidationError(
                _(
                    "本待遇已有自 %(month)s 起的新版本（如已批准的标准调整），本次结果不能早于它"
                    "生效：请于 %(month)s 起再完成本次核查"
                )
                % {"month": latest.valid_from}
            )
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
    user: Staff, entitlement: Entitlement, grounds: str, reason: str, **detail: object
) -> tuple[str, EntitlementVersion | None]:
    """Record a termination proposal (a deciding role then ends it, or grants a gradual exit,
    or withdraws it): nothing stops by itself."""
    entitlement.termination_proposed_on = clock.today()
    entitlement.termination_grounds = grounds
    entitlement.termination_reason = reason
    _event(user, entitlement, "propose_termination", entitlement.status, reason, **detail)
    return TaskOutcome.TERMINATION_PROPOSED, None


__all__ = [
    "Reassessment",
    "reassess",
]
