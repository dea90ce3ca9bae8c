"""What may be done with materials and numbered notices, and why not.

``MATERIAL`` is the transition table of a scanned material: an active scan may be replaced or
withdrawn while its application is open; a replaced or withdrawn scan stays in the history.
Uploading (a move of the application, which belongs to ``cases``) and issuing a numbered notice
are asked here too, so that actions, views and templates give the same answer and reason.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.web.cases.models import OPEN_STAGES, Application, Stage
from jiuzhu.web.core import clock
from jiuzhu.web.core.transitions import Move, Text, Workflow, roles_text
from jiuzhu.web.core.users import Visitor
from jiuzhu.web.documents.models import DocumentKind, MaterialFile, MaterialStatus
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments.models import Recovery
from jiuzhu.web.payments.penalty import decision_refusal

Subject = Application | Entitlement | Recovery
"""What a numbered notice is issued for: an application's decision, an entitlement's
termination, a fraud's recovery and fine."""


def _application_open(material: MaterialFile, user: Visitor, today: dt.date) -> Text | None:
    if material.application.stage not in OPEN_STAGES:
        return gettext_lazy("申请已办结，材料扫描件不能再更改")
    return None


MATERIAL = Workflow(
    [
        Move(
            "replace",
            frozenset({MaterialStatus.ACTIVE}),
            "cases.apply",
            gettext_lazy("替换扫描件"),
            main=False,
            guard=_application_open,
        ),
        Move(
            "withdraw",
            frozenset({MaterialStatus.ACTIVE}),
            "cases.apply",
            gettext_lazy("撤回扫描件"),
            main=False,
            guard=_application_open,
        ),
    ],
    state=lambda material: material.status,
    state_label=lambda material: str(material.get_status_display()),
)
"""The scanned material's transition table (``replace`` and ``withdraw`` on an active scan)."""


def upload_refusal(user: Visitor, application: Application) -> str | None:
    """Why ``user`` may not attach a scan to ``application`` now, or None."""
    if application.stage not in OPEN_STAGES:
        return _("申请已%(stage)s，不能再上传材料") % {"stage": application.get_stage_display()}
    if not user.has_perm("cases.apply", application):
        return _("上传材料由%(roles)s办理") % {"roles": roles_text("cases.apply", application)}
    return None


DECIDED: dict[str, str] = {
    DocumentKind.APPROVAL: Stage.APPROVED,
    DocumentKind.REFUSAL: Stage.REJECTED,
}
"""The stage an application's decision notice needs."""


def notice_state_refusal(kind: str, subject: Subject) -> str | None:
    """Why the notice of ``kind`` cannot exist for ``subject`` (yet), or None."""
    if kind in (DocumentKind.FRAUD_DECISION, DocumentKind.PENALTY_NOTICE):
        if not isinstance(subject, Recovery) or subject.kind != Recovery.RecoveryKind.FRAUD:
            return _("只有骗取救助资金的追回出具%(title)s") % {"title": DocumentKind(kind).label}
        # The decision waits for the prior notice and the party's statement (or its period).
        return (
            decision_refusal(subject, clock.today())
            if kind == DocumentKind.FRAUD_DECISION
            else None
        )
    if kind == DocumentKind.TERMINATION:
        if not isinstance(subject, Entitlement) or subject.terminated_on is None:
            return _("尚未作出终止决定，不能出具终止通知书")
        return None
    if not isinstance(subject, Application) or subject.stage != DECIDED.get(kind):
        return _("申请尚未作出该决定，不能出具%(title)s") % {"title": DocumentKind(kind).label}
    return None


def issue_permission(kind: str) -> str:
    """The permission that issues a numbered notice of ``kind`` (a fraud decision: the district
    officers who decide recoveries)."""
    if kind in (DocumentKind.FRAUD_DECISION, DocumentKind.PENALTY_NOTICE):
        return "payments.recovery"
    return "documents.issue_termination" if kind == DocumentKind.TERMINATION else "cases.notify"


def issue_refusal(user: Visitor, kind: str, subject: Subject) -> str | None:
    """Why ``user`` may not issue (number) the notice of ``kind`` for ``subject`` now, or None.
    The office's missing values are checked by the action (they are data, not a state)."""
    reason = notice_state_refusal(kind, subject)
    if reason:
        return reason
    permission = issue_permission(kind)
    if not user.has_perm(permission, subject):
        return _("%(title)s由%(roles)s出具") % {
            "title": DocumentKind(kind).label,
            "roles": roles_text(permission, subject),
        }
    return None
