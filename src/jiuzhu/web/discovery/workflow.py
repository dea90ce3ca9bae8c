"""The alert's transition table (主动发现预警的处理流程).

Stages and moves::

    open ──assign──▶ assigned ──visit──▶ visited ──conclude──▶ closed (referred, dismissed)
    open ──visit──▶ visited                  visited ──include──▶ awaiting_application
    awaiting_application ──link_application──▶ closed (included, the application linked)

Side moves: ``reassign`` (assigned, visited or awaiting the application: the assignee changes,
the stage does not) and ``revisit`` (a further home visit before the outcome).

"Included in assistance" (纳入救助) is an outcome that leaves the alert open: the household is to
apply for the program, and the alert closes only when that application is registered and
linked (一户一条救助链). Until then it is on the workbench, overdue after its own deadline.

Deadlines: the visit and outcome by ``Alert.due_on`` (the signal's working days,
``deadline_working_days`` in the catalogue); the application by ``Alert.application_due_on``,
``APPLICATION_WORKING_DAYS`` working days after the outcome.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.transitions import Move, Text, Workflow
from jiuzhu.web.core.users import Staff
from jiuzhu.web.discovery.models import Alert, AlertStatus, Outcome

APPLICATION_WORKING_DAYS = 10
"""Working days, after the outcome "included in assistance", to register the household's
application. No legal text sets this time: it is the platform's own setting (the page says so);
a district that fixes another in writing changes it here."""

ACTIVE = frozenset({AlertStatus.OPEN, AlertStatus.ASSIGNED, AlertStatus.VISITED})
"""The stages before an outcome."""


def _registered_household(alert: Alert, user: Staff, today: dt.date) -> Text | None:
    if alert.household_id is None:
        return _("预警没有对应的登记家庭，请先在家庭档案中登记该家庭，再纳入救助")
    return None


def _assigned_note(alert: Alert) -> Text | None:
    if alert.assigned_to_id is None:
        return None
    return _("已分派给 %(name)s（%(role)s）") % {
        "name": alert.assigned_to,
        "role": alert.assigned_to.get_role_display(),  # type: ignore[union-attr]
    }


def _application_note(alert: Alert) -> Text | None:
    return _(
        "待该家庭的%(program)s申请登记后关联本预警（在新申请页登记时自动关联）；"
        "登记期限%(days)s个工作日为本平台设定，无法规依据"
    ) % {"program": alert.get_program_display(), "days": APPLICATION_WORKING_DAYS}


def _state_label(alert: Alert) -> str:
    label = str(alert.get_status_display())
    if alert.outcome:
        return f"{label}（{alert.get_outcome_display()}）"
    return label


ALERT = Workflow(
    [
        Move(
            "assign",
            frozenset({AlertStatus.OPEN}),
            "discovery.assign",
            _("分派"),
            target=AlertStatus.ASSIGNED,
        ),
        Move(
            "reassign",
            frozenset(
                {AlertStatus.ASSIGNED, AlertStatus.VISITED, AlertStatus.AWAITING_APPLICATION}
            ),
            "discovery.assign",
            _("改派"),
            main=False,
            form="assign",
        ),
        Move(
            "visit",
            frozenset({AlertStatus.OPEN, AlertStatus.ASSIGNED}),
            "discovery.handle",
            _("记录入户核实"),
            target=AlertStatus.VISITED,
            actor_note=_assigned_note,
        ),
        Move(
            "revisit",
            frozenset({AlertStatus.VISITED}),
            "discovery.handle",
            _("补充入户核实"),
            main=False,
            form="visit",
        ),
        Move(
            "conclude",
            frozenset({AlertStatus.VISITED}),
            "discovery.handle",
            _("记录处理结果"),
            target=AlertStatus.CLOSED,
            actor_note=_assigned_note,
        ),
        Move(
            "include",
            frozenset({AlertStatus.VISITED}),
            "discovery.handle",
            _("记录处理结果"),
            target=AlertStatus.AWAITING_APPLICATION,
            guard=_registered_household,
            form="conclude",
            listed=False,
        ),
        Move(
            "link_application",
            frozenset({AlertStatus.AWAITING_APPLICATION}),
            "discovery.link_application",
            _("关联救助申请"),
            target=AlertStatus.CLOSED,
            actor_note=_application_note,
            form="link",
        ),
    ],
    state=lambda alert: alert.status,
    state_label=_state_label,
    due=lambda alert, today: alert.deadline,
    assignee=lambda alert: alert.assigned_to,
)
"""The alert's transition table: every alert action checks its move here on the locked row,
the alert page offers the forms ``forms_allowed`` and shows ``next_step``, the workbench lists
what each user may do next."""


def outcome_move(outcome: str) -> str:
    """The move that records ``outcome``: ``include`` for "included in assistance" (the alert
    waits for the application), ``conclude`` for the others (the alert closes)."""
    return "include" if outcome == Outcome.INCLUDED else "conclude"
