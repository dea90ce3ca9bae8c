"""Bank account pages: a household's accounts and what its entitlements are paid into, one
account with who acts next, the forms to record, replace, check or reject an account, an
audited look at a whole number, and the jurisdiction's accounts waiting for work.

Views validate a form and call one action (``payments.accounts``); a refusal is shown on the
page in words and writes nothing. Everything outside the user's jurisdiction answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.web.core import clock
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors, post_only
from jiuzhu.web.payments import actions
from jiuzhu.web.payments.forms import AccountForm, CheckAccountForm, NewAccountForm, ReasonForm
from jiuzhu.web.payments.models import AccountStatus, BankAccount
from jiuzhu.web.payments.queries import (
    account_for,
    accounts_for,
    payable_soon,
    without_account,
)
from jiuzhu.web.payments.validation import BANKS
from jiuzhu.web.payments.views import refusal
from jiuzhu.web.payments.workflow import ACCOUNT
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import household_for

LISTED = 200
"""Rows per table on the page of the jurisdiction's pending accounts."""


def _household(request: HttpRequest, household_pk: int) -> Household:
    household = household_for(staff(request), household_pk)
    if not request.user.has_perm("payments.view", household):
        raise PermissionDenied
    return household


def _members(household: Household) -> list[tuple[int, str]]:
    return [
        (m.person_id, m.person.name)
        for m in household.current_memberships  # type: ignore[attr-defined]
    ]


def _payees(household: Household, accounts: list[BankAccount]) -> list[dict[str, Any]]:
    """The household's entitlements paid now or from next month, and the account the payroll
    pays each into (as the draft resolves it), or the one waiting for its check."""
    in_force = [a for a in accounts if a.status == AccountStatus.IN_FORCE]
    waiting = [a for a in accounts if a.status == AccountStatus.AWAITING_CHECK]
    rows = []
    for entitlement in payable_soon(clock.today()).filter(household=household):
        person = entitlement.person_id
        account = (
            next((a for a in in_force if person and a.person_id == person), None)
            or next((a for a in in_force if a.person_id is None), None)
            or (in_force[0] if len(in_force) == 1 else None)
        )
        rows.append(
            {
                "entitlement": entitlement,
                "account": account,
                "waiting": None
                if account
                else next((a for a in waiting if a.person_id in (person, None)), None),
            }
        )
    return rows


def accounts_view(
    request: HttpRequest, household_pk: int, form: Form | None = None
) -> HttpResponse:
    """A household's accounts: masked, their status, who recorded and checked them and when;
    what each entitlement is paid into; the form to record (or replace) an account."""
    household = _household(request, household_pk)
    accounts = list(household.bank_accounts.select_related("person", "created_by", "checked_by"))
    probe = BankAccount(household=household)
    return render(
        request,
        "payments/accounts.html",
        {
            "household": household,
            "accounts": accounts,
            "payees": _payees(household, accounts),
            "form": form or NewAccountForm(members=_members(household)),
            # Who may record at all (role and jurisdiction); which payee may have a new account
            # now is the action's answer (one waits for its check …).
            "can_record": ACCOUNT.person_refusal(probe, "record", request.user, clock.today())
            is None,
            "can_unmask": request.user.has_perm("payments.view_unmasked", household),
            "banks": BANKS,
        },
        status=400 if form is not None else 200,
    )


@post_only("payments:accounts", household_pk="household_pk")
def record_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    """Record an account for the household or one member (a replacement if one is in force)."""
    household = _household(request, household_pk)
    form = NewAccountForm(request.POST, members=_members(household))
    if not form.is_valid():
        return accounts_view(request, household_pk, form)
    data = dict(form.cleaned_data)
    payee = data.pop("payee")
    person = next(
        (
            m.person
            for m in household.current_memberships  # type: ignore[attr-defined]
            if str(m.person_id) == payee
        ),
        None,
    )
    try:
        account = actions.record_account(staff(request), household, person=person, **data)
    except NotPermitted as exc:
        messages.error(request, str(exc))
        return redirect("payments:accounts", household_pk=household_pk)
    except ValidationError as exc:
        add_errors(form, exc)
        return accounts_view(request, household_pk, form)
    return _recorded(request, account)


def _recorded(request: HttpRequest, account: BankAccount) -> HttpResponse:
    messages.success(
        request,
        _("已登记账户 %(account)s，待另一人复核后生效") % {"account": account.masked},
    )
    if account.card_check_failed:
        messages.warning(
            request,
            _(
                "提示：该号码按银行卡号规则校验不符，请与存折或银行卡再核对一遍（存折账号可不符合此规则）"
            ),
        )
    return redirect("payments:account", household_pk=account.household_id, pk=account.pk)


def account_view(request: HttpRequest, household_pk: int, pk: int, **forms_: Form) -> HttpResponse:
    """One account: its stage and who acts next, its facts (masked), and the forms this user
    may submit now (check, reject, replace)."""
    _household(request, household_pk)
    account = account_for(staff(request), household_pk, pk)
    user, today = request.user, clock.today()
    return render(
        request,
        "payments/account.html",
        {
            "account": account,
            "household": account.household,
            "next": ACCOUNT.next_step(user, account, today),
            "allowed": ACCOUNT.forms_allowed(user, account, today),
            "can_unmask": user.has_perm("payments.view_unmasked", account),
            "banks": BANKS,
            "forms": {
                "check": CheckAccountForm(),
                "reject": ReasonForm(),
                "replace": AccountForm(),
                **forms_,
            },
        },
        status=400 if forms_ else 200,
    )


@post_only("payments:account", household_pk="household_pk", pk="pk")
def account_step_view(request: HttpRequest, household_pk: int, pk: int, step: str) -> HttpResponse:
    """Check, reject or replace one account."""
    _household(request, household_pk)
    account = account_for(staff(request), household_pk, pk)
    forms = {"check": CheckAccountForm, "reject": ReasonForm, "replace": AccountForm}
    if step not in forms:
        return redirect("payments:account", household_pk=household_pk, pk=pk)
    form = forms[step](request.POST)
    if not form.is_valid():
        return account_view(request, household_pk, pk, **{step: form})
    try:
        if step == "check":
            actions.check_account(staff(request), account)
            messages.success(request, _("账户已复核，自即日起发放至该账户"))
        elif step == "reject":
            actions.reject_account(staff(request), account, reason=form.cleaned_data["reason"])
            messages.success(request, _("账户已退回，请登记人重新登记"))
        else:
            new = actions.record_account(
                staff(request), account.household, person=account.person, **form.cleaned_data
            )
            return _recorded(request, new)
    except NotPermitted as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_errors(form, exc)
            return account_view(request, household_pk, pk, **{step: form})
        messages.error(request, refusal(exc))
    return redirect("payments:account", household_pk=household_pk, pk=pk)


@post_only("payments:account", household_pk="household_pk", pk="pk")
def unmask_view(request: HttpRequest, household_pk: int, pk: int) -> HttpResponse:
    """The whole number of one account (htmx swaps it in); every look is audited."""
    account = account_for(staff(request), household_pk, pk)
    return HttpResponse(actions.reveal_account(staff(request), account))


def account_work_view(request: HttpRequest) -> HttpResponse:
    """The jurisdiction's accounts waiting for their check and its entitlements paid now or
    next month without an account in force (the workbench lists the first of each)."""
    if not request.user.has_perm("payments.view"):
        raise PermissionDenied
    user = staff(request)
    waiting = (
        accounts_for(user)
        .filter(status=AccountStatus.AWAITING_CHECK)
        .select_related("household", "person", "created_by")
        .order_by("created_at", "pk")
    )
    missing = (
        without_account(
            payable_soon(clock.today()).filter(division_code__startswith=user.division_code)
        )
        .select_related("household", "person")
        .order_by("start_month", "pk")
    )
    return render(
        request,
        "payments/account_work.html",
        {
            "waiting": waiting[:LISTED],
            "waiting_count": waiting.count(),
            "missing": missing[:LISTED],
            "missing_count": missing.count(),
        },
    )
