"""The procedure before a fraud's fine, step by step on one page (《中华人民共和国行政处罚法》第四十四条
to 第四十五条, 第六十三条 to 第六十四条): where it stands (the prior notice, the statement period, the
statement and the finding, a hearing asked for and held, the decision) and a form for the step
that is open. Each form calls one action of ``payments.penalty``; a refusal is shown on the form
and writes nothing. Outside the jurisdiction the page answers 404, to readers without the right
to decide it shows the state only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core import clock
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.payments import penalty
from jiuzhu.web.payments.forms import HearingOutcomeForm, HearingRequestForm, StatementForm
from jiuzhu.web.payments.models import Recovery
from jiuzhu.web.payments.queries import recovery_for
from jiuzhu.web.workcalendar.working_days import CalendarMissingError

STEPS: dict[str, type[Form]] = {
    "statement": StatementForm,
    "hearing_request": HearingRequestForm,
    "hearing_outcome": HearingOutcomeForm,
}
DATES = ("received_on", "requested_on", "held_on")
DONE = {
    "statement": _("已登记陈述、申辩及复核意见"),
    "hearing_request": _("已登记听证要求，作出决定前须登记听证结果"),
    "hearing_outcome": _("已登记听证结果"),
}


def penalty_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The fraud recovery's penalty procedure; POST ``step`` records one of ``STEPS``."""
    user = staff(request)
    recovery = recovery_for(user, pk)
    if not user.has_perm("payments.view", recovery.entitlement.household):
        raise PermissionDenied
    if recovery.kind != Recovery.RecoveryKind.FRAUD:
        return redirect("payments:recovery_redirect", pk=pk)
    may_decide = user.has_perm("payments.recovery", recovery)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step and (step not in STEPS or not may_decide):
        raise PermissionDenied
    # The dates start at today's: a statement or hearing is most often recorded on its day.
    today = clock.today()
    forms = {
        name: form_type(auto_id=f"{name}-%s", initial=dict.fromkeys(DATES, today))
        for name, form_type in STEPS.items()
    }
    if step:
        bound = STEPS[step](request.POST, auto_id=f"{step}-%s")
        forms[step] = bound
        if bound.is_valid() and _record(user, recovery, step, bound):
            messages.success(request, DONE[step])
            return redirect("payments:penalty", pk=pk)
    return render(
        request,
        "payments/penalty.html",
        {
            "recovery": recovery,
            "household": recovery.entitlement.household,
            "forms": forms if may_decide else {},
            "open": _open_steps(recovery),
            **_state(recovery),
        },
        status=400 if step else 200,
    )


def _record(user: Staff, recovery: Recovery, step: str, form: Form) -> bool:
    """Run the step's action with the form's data; its refusal goes onto the form."""
    data = form.cleaned_data
    try:
        if step == "statement":
            penalty.record_statement(user, recovery, **data)
        elif step == "hearing_request":
            penalty.record_hearing_request(user, recovery, **data)
        else:
            penalty.record_hearing_outcome(user, recovery, **data)
    except ValidationError as exc:
        add_errors(form, exc)
        return False
    return True


def _open_steps(recovery: Recovery) -> set[str]:
    """The steps that may be recorded now: none before the prior notice or after the decision;
    a statement once; a hearing outcome only once one was asked for."""
    if recovery.notified_on is None or recovery.penalty_decided_on is not None:
        return set()
    steps = set()
    if recovery.statement_on is None:
        steps.add("statement")
    if recovery.hearing_requested_on is None:
        steps.add("hearing_request")
    elif not recovery.hearing_outcome:
        steps.add("hearing_outcome")
    return steps


def _state(recovery: Recovery) -> dict[str, object]:
    """The statement period's last day and why the decision may not be issued yet (if so)."""
    try:
        ends = penalty.statement_ends(recovery)
    except CalendarMissingError as exc:
        return {"period_ends": None, "refusal": str(exc)}
    refusal = (
        None
        if recovery.penalty_decided_on is not None
        else penalty.decision_refusal(recovery, clock.today())
    )
    return {"period_ends": ends, "refusal": refusal}
