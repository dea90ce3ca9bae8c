"""Pages of temporary assistance paid once: help first (先行救助) for a household, and the
townships' reserve funds with their balances.

Views validate a form and call one action (``payments.oneoff``); a refusal is shown on the page
in words and writes nothing. Everything outside the user's jurisdiction answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiuzhu.reference import baodi_divisions
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.cases.models import Application
from jiuzhu.web.core import clock
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.payments import oneoff
from jiuzhu.web.payments.models import OneOffPayment, ReserveFund
from jiuzhu.web.payments.oneoff_forms import HelpFirstForm, PayOnceForm, ReserveFundForm
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import household_for


def _members(household: Household) -> list[tuple[int, str]]:
    return [
        (m.person_id, m.person.name)
        for m in household.memberships.filter(valid_to__isnull=True).select_related("person")
    ]


def help_first_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    """The fast-path form: the emergency, the applicant, what is given; on success the
    application page, with the fund's balance if it ran short."""
    user = staff(request)
    household = household_for(user, household_pk)
    if not user.has_perm("payments.help_first", household):
        raise PermissionDenied
    members = _members(household)
    form = HelpFirstForm(request.POST or None, members=members, initial={"form": "cash"})
    limits = oneoff.limits(household, clock.today())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        applicant = household.memberships.get(
            person_id=data["applicant"], valid_to__isnull=True
        ).person
        try:
            application, payment = oneoff.help_first(
                user,
                household,
                applicant=applicant,
                emergency=data["emergency"],
                amount=data["amount"],
                form=data["form"],
                goods=data["goods"],
                persons=data["persons"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return helped(request, application, payment)
    return render(
        request,
        "payments/help_first.html",
        {"household": household, "form": form, "limits": limits},
    )


def helped(request: HttpRequest, application: Application, payment: OneOffPayment) -> HttpResponse:
    """After help first: what was given and the day the paperwork is due, the fund's shortage if
    any, and the application's page."""
    messages.success(
        request,
        _("已先行救助 %(amount)s 元（%(form)s），请于 %(due)s 前补齐审核审批手续")
        % {
            "amount": format_yuan(payment.amount),
            "form": payment.get_form_display(),
            "due": application.followup_due_on,
        },
    )
    warn_if_short(request, payment.fund)
    return redirect("cases:application", pk=application.pk)


def warn_if_short(request: HttpRequest, fund: ReserveFund | None) -> None:
    """Warn that the township has no fund of the year recorded, or that it is overspent."""
    if fund is None:
        messages.warning(request, _("本乡镇（街道）本年度尚未登记临时救助备用金，请报区民政局"))
        return
    balance = oneoff.fund_balance(fund)
    if balance < 0:
        messages.warning(
            request,
            _("临时救助备用金已超支 %(short)s 元，请报区民政局补足")
            % {"short": format_yuan(-balance)},
        )


def _townships(user: Staff) -> list[tuple[str, str]]:
    return [
        (code, division.name)
        for code, division in sorted(baodi_divisions().items())
        if len(code) == 9 and user.covers(code)
    ]


def reserve_funds_view(request: HttpRequest) -> HttpResponse:
    """Each township's reserve fund of the year in the user's jurisdiction, what was paid from
    it and what is left (short ones flagged); the district records a fund."""
    user = staff(request)
    if not user.has_perm("payments.view"):
        raise PermissionDenied
    year = clock.today().year
    form = ReserveFundForm(request.POST or None, townships=_townships(user), initial={"year": year})
    if request.method == "POST" and form.is_valid():
        try:
            oneoff.set_reserve_fund(user, **form.cleaned_data)
        except PermissionDenied:
            messages.error(request, _("临时救助备用金由区民政局登记"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记临时救助备用金"))
            return redirect("payments:reserve_funds")
    funds = []
    for fund in ReserveFund.objects.filter(year=year).order_by("township_code"):
        if user.covers(fund.township_code):
            balance = oneoff.fund_balance(fund)
            funds.append(
                {
                    "fund": fund,
                    "name": _township_name(fund),
                    "spent": fund.amount - balance,
                    "balance": balance,
                    "short": -balance,
                }
            )
    return render(
        request,
        "payments/reserve_funds.html",
        {
            "funds": funds,
            "year": year,
            "form": form,
            "can_record": user.has_perm("payments.reserve_fund"),
        },
    )


def _township_name(fund: ReserveFund) -> str:
    division = baodi_divisions().get(fund.township_code)
    return division.name if division else fund.township_code


def pay_once_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay an approved temporary-assistance application its decided amount (POST)."""
    user = staff(request)
    application = get_object_or_404(Application, pk=pk)
    if not user.has_perm("payments.help_first", application):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("cases:application", pk=pk)
    form = PayOnceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请选择救助方式"))
        payment = oneoff.pay_once(
            user, application, form=form.cleaned_data["form"], goods=form.cleaned_data["goods"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已发放 %(amount)s 元（%(form)s）")
            % {"amount": format_yuan(payment.amount), "form": payment.get_form_display()},
        )
        warn_if_short(request, payment.fund)
    return redirect("cases:application", pk=pk)
