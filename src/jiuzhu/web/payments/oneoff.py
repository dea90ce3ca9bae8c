"""Temporary assistance paid once: the township's reserve fund and help first (先行救助).

《社会救助暂行办法》（国务院令第649号）第四十八条 lets the procedure be simplified in an emergency;
民发〔2018〕23号 calls it 先行救助 — help at once, complete the review and approval afterwards —
and has each township keep a reserve fund, in Tianjin at least 1 yuan per registered resident
a year (``procedure.temporary_assistance.reserve_per_resident``). The township helps first
within its approval limit (6 months of the dibao standard) and the emergency cap (3 months a
person), both read from the rules for the household; the application is registered at once,
waiting for its materials, with the day by which its paperwork is to be complete
(``procedure.working_choice.fast_path_followup_working_days``, the bureau's choice: no text sets
it), shown on the workbench. A payment that leaves the fund short is made — an emergency is not
turned away for a ledger — and the shortage is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from jiuzhu.rules import registry
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.procedure import PREFIX, WORKING_CHOICE, rule
from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases.actions import submit_application
from jiuzhu.web.cases.models import Application, Channel, Stage
from jiuzhu.web.core import clock
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.payments.models import OneOffPayment, ReserveFund
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.workcalendar.working_days import due

RESERVE_PER_RESIDENT = PREFIX + "temporary_assistance.reserve_per_resident"
FOLLOWUP_DAYS = WORKING_CHOICE + "fast_path_followup_working_days"


@dataclass(frozen=True)
class Limits:
    """What the rules allow the household's emergency aid today (fen; None: unknown)."""

    cap: int | None
    township_limit: int | None


def set_reserve_fund(
    user: Staff, township_code: str, year: int, *, amount: int, registered_residents: int
) -> ReserveFund:
    """Record (or correct) the township's reserve fund for the year (fen).

    Raises:
        PermissionDenied; ValidationError: a negative amount or population, or an amount under
            the floor of the year (at least ``reserve_per_resident`` a resident).
    """
    probe = ReserveFund(township_code=township_code, year=year, amount=0, registered_residents=0)
    require(user, "payments.reserve_fund", probe)
    if registered_residents <= 0:
        raise ValidationError({"registered_residents": _("户籍人口应大于0")})
    floor = registered_residents * rule(RESERVE_PER_RESIDENT).number(dt.date(year, 12, 31))
    if amount < floor:
        raise ValidationError(
            {
                "amount": _("备用金不低于户籍人口每人每年%(each)s元，即%(floor)s元")
                % {"each": format_yuan(floor // registered_residents), "floor": format_yuan(floor)}
            }
        )
    with transaction.atomic():
        fund, _created = ReserveFund.objects.select_for_update().update_or_create(
            township_code=township_code,
            year=year,
            defaults={
                "amount": amount,
                "registered_residents": registered_residents,
                "recorded_by": user,
            },
        )
        record(user, "payments.reserve_fund", fund, amount=amount, residents=registered_residents)
    return fund


def fund_balance(fund: ReserveFund) -> int:
    """What is left of the fund (fen): the allotment less the payments made from it."""
    spent = fund.payments.aggregate(total=Sum("amount"))["total"] or 0
    return fund.amount - spent


def limits(household: Household, on: dt.date, persons: int | None = None) -> Limits:
    """The emergency cap and the township's approval limit for the household on ``on``, from
    the rules (``temporary_assistance_cap``, ``temporary_assistance_township_limit``)."""
    system = rules_system()
    frames = engine_frames(system, [household.pk], on)
    extra = {"temporary_assistance_type": "emergency", "temporary_assistance_persons": persons}
    frames["household"] = frames["household"].with_columns(
        pl.lit(value, dtype=system.variables[name].dtype).alias(name)
        for name, value in extra.items()
    )
    result = system.simulate(
        frames["household"],
        frames["person"],
        frames.get("obligor"),
        outputs=["temporary_assistance_cap", "temporary_assistance_township_limit"],
    )
    row = result.households.row(0, named=True)
    return Limits(row["temporary_assistance_cap"], row["temporary_assistance_township_limit"])


def _check_entry(emergency: str, amount: int, form: str, goods: str) -> None:
    errors: dict[str, str] = {}
    if not emergency.strip():
        errors["emergency"] = _("请写明急难情况（事件、时间、受困人员）")
    if amount <= 0:
        errors["amount"] = _("救助金额应大于0")
    if form not in OneOffPayment.Form.values:
        errors["form"] = _("请选择救助方式")
    if form == OneOffPayment.Form.IN_KIND and not goods.strip():
        errors["goods"] = _("实物或服务救助须写明内容")
    if errors:
        raise ValidationError(errors)


def _check_within_limits(
    household: Household, on: dt.date, amount: int, persons: int | None
) -> None:
    """The amount is within the emergency cap and the township's approval limit on ``on``."""
    found = limits(household, on, persons)
    if found.cap is None or found.township_limit is None:
        raise ValidationError(_("临时救助标准待定（所需参数未知），不能先行救助"))
    ceiling = min(found.cap, found.township_limit)
    if amount > ceiling:
        raise ValidationError(
            {
                "amount": _(
                    "超过先行救助上限%(ceiling)s元（急难型每人3个月低保标准、乡镇审批限额6个月"
                    "低保标准）：请按一般程序报区民政局审批"
                )
                % {"ceiling": format_yuan(ceiling)}
            }
        )


def help_first(
    user: Staff,
    household: Household,
    *,
    applicant: Person,
    emergency: str,
    amount: int,
    form: str,
    goods: str = "",
    persons: int | None = None,
    handled_in: str = "",
) -> tuple[Application, OneOffPayment]:
    """Help an emergency at once: register the temporary-assistance application (waiting for
    its materials, due for completion in the set working days) and record the one-off payment
    (fen; in kind: what was given and its value) from the township's reserve fund of the year.

    ``handled_in`` (a township code): the emergency happened there, to a household of another
    township of the district; that township helps, from its own fund (``submit_application``).

    Raises:
        PermissionDenied; ValidationError: no description of the emergency, a non-positive
            amount, goods in kind not described, an amount over the emergency cap or the
            township's limit (the district then decides through the ordinary procedure), or
            limits the rules cannot give (a parameter unknown); an open application already.
    """
    where = household if not handled_in else Application(division_code=handled_in)
    require(user, "payments.help_first", where)
    _check_entry(emergency, amount, form, goods)
    today = clock.today()
    _check_within_limits(household, today, amount, persons)
    with transaction.atomic():
        application = submit_application(
            user,
            household,
            program=Program.TEMPORARY_ASSISTANCE,
            applicant=applicant,
            channel=Channel.COUNTER,
            materials=[],
            handled_in=handled_in,
        )
        application.fast_path = True
        application.program_inputs = {
            **application.program_inputs,
            "temporary_assistance_type": "emergency",
            "temporary_assistance_requested": amount,
            **({"temporary_assistance_persons": persons} if persons else {}),
        }
        application.emergency = emergency.strip()
        application.followup_due_on = due(today, rule(FOLLOWUP_DAYS).number(today)).on
        application.helped_amount = amount
        application.save(
            update_fields=[
                "fast_path",
                "program_inputs",
                "emergency",
                "followup_due_on",
                "helped_amount",
            ]
        )
        payment = _pay(user, "payments.help_first", application, amount, form, goods)
    return application, payment


def _pay(
    user: Staff, action: str, application: Application, amount: int, form: str, goods: str
) -> OneOffPayment:
    """Record the one-off payment of ``application`` today (temporary assistance: from its
    township's reserve fund of the year if one is recorded), and the audit event ``action``
    (inside the caller's transaction). The township that handles the application pays: the
    household's, or the one where the emergency happened."""
    today = clock.today()
    payment = OneOffPayment.objects.create(
        application=application,
        household=application.household,
        division_code=application.division_code,
        program=application.program,
        form=form,
        amount=amount,
        goods=goods.strip(),
        # The reserve fund is temporary assistance's; funeral, heating and medical aid are
        # paid from their own budgets.
        fund=ReserveFund.objects.filter(
            township_code=application.division_code[:9], year=today.year
        ).first()
        if application.program == Program.TEMPORARY_ASSISTANCE
        else None,
        paid_on=today,
        recorded_by=user,
    )
    record(user, action, payment, application=application.number, amount=amount, form=form)
    return payment


def pay_once(user: Staff, application: Application, *, form: str, goods: str = "") -> OneOffPayment:
    """Pay an approved application of a program paid once (temporary assistance decided through
    the ordinary procedure, funeral, heating or medical assistance) its decided amount;
    temporary assistance from the township's reserve fund of the year.

    Raises:
        PermissionDenied; ValidationError: not approved, not a program paid once, already paid
            (help first pays before the decision), or goods in kind not described.
    """
    require(user, "payments.help_first", application)
    _check_entry("—", 1, form, goods)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.stage != Stage.APPROVED or not application.monthly_amount:
            raise ValidationError(_("只有已确认同意的申请才能发放"))
        if registry.program(application.program).monthly:
            raise ValidationError(_("按月发放的项目由发放名册发放"))
        if application.one_off_payments.exists():
            raise ValidationError(_("该申请已发放"))
        payment = _pay(
            user, "payments.pay_once", application, application.monthly_amount, form, goods
        )
    return payment
