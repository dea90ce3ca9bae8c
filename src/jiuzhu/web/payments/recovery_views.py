"""Recoveries on the household's payment history: a district officer decides one (an
overpayment deducted by the payrolls, or fraud repaid with a fine: 《社会救助暂行办法》第六十八条)
and records what is repaid; the fraud decision is printed by the documents app."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.payments.forms import RecoveryForm
from jiuzhu.web.payments.models import Recovery
from jiuzhu.web.payments.queries import recovery_for
from jiuzhu.web.payments.recoveries import owed, record_recovery, repaid
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import household_for


def recoveries_of(household: Household) -> list[dict[str, object]]:
    """The household's recoveries, latest first, each with what it orders repaid, what was
    repaid outside the payroll and what is left (fen)."""
    found = (
        Recovery.objects.filter(entitlement__household=household)
        .select_related("entitlement", "decided_by")
        .prefetch_related("repayments")
        .order_by("-decided_at", "-pk")
    )
    rows = []
    for recovery in found:
        total, paid = owed(recovery), repaid(recovery)
        rows.append({"recovery": recovery, "owed": total, "repaid": paid, "left": total - paid})
    return rows


def recovery_new_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    """Decide a recovery on one of the household's entitlements."""
    user = staff(request)
    household = household_for(user, household_pk)
    if not user.has_perm("payments.recovery", household):
        raise PermissionDenied
    entitlements = [
        (e.pk, f"{e.number} · {Program.label(e.program)}")
        for e in household.entitlements.order_by("-start_month", "-pk")
    ]
    form = RecoveryForm(request.POST or None, entitlements=entitlements)
    if entitlements and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recovery = record_recovery(
                user,
                household.entitlements.get(pk=data["entitlement"]),
                amount=data["amount"],
                reason=data["reason"],
                kind=data["kind"],
                fine_multiple=data["fine_multiple"],
                monthly_deduction=data["monthly_deduction"] or None,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已决定追回 %(amount)s 元%(fine)s")
                % {
                    "amount": format_yuan(recovery.amount),
                    "fine": _("，并处罚款 %(fine)s 元")
                    % {"fine": format_yuan(recovery.fine_amount)}
                    if recovery.fine_amount
                    else "",
                },
            )
            return redirect(
                reverse("payments:household_ledger", args=[household.pk]) + "#recoveries"
            )
    return render(
        request,
        "payments/recovery_new.html",
        {"household": household, "form": form if entitlements else None},
        status=400 if request.method == "POST" else 200,
    )


def recovery_redirect_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A recovery's place: its household's payment history."""
    recovery = recovery_for(staff(request), pk)
    if not request.user.has_perm("payments.view", recovery.entitlement.household):
        raise PermissionDenied
    ledger = reverse("payments:household_ledger", args=[recovery.entitlement.household_id])
    return redirect(f"{ledger}#recovery-{recovery.pk}")
