"""Payroll pages: the runs, a run with its steps, the bank files and the return upload, failed
payments and their re-issue, the monthly summary, a household's payment history.

Views validate forms and call actions (the one write path). Every view needs
``payments.view``; a township user sees its own households' rows only and no step; a run, a
payment or a household outside the jurisdiction answers 404.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core import clock
from jiuzhu.web.core.months import add_months, is_month, month_of
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import staff
from jiuzhu.web.core.views import add_errors, messages_of, post_only
from jiuzhu.web.payments import actions, exporters, layouts, reports
from jiuzhu.web.payments.forms import (
    DraftForm,
    ExportForm,
    ReasonForm,
    RepaymentForm,
    ReturnForm,
)
from jiuzhu.web.payments.models import (
    AccountStatus,
    BankAccount,
    BankFile,
    Kind,
    Payment,
    PaymentStatus,
    PayrollRun,
    RunStatus,
)
from jiuzhu.web.payments.queries import (
    monthly_summary,
    one_off_summary,
    payment_for,
    recovery_for,
    run_for,
    runs_for,
    scope_of,
    township_name,
)
from jiuzhu.web.payments.recoveries import record_repayment
from jiuzhu.web.payments.recovery_views import recoveries_of
from jiuzhu.web.payments.returns import corrected_account
from jiuzhu.web.payments.workflow import RUN, missing_accounts
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import household_for

PAGE_SIZE = 50
COMPARISON_ROWS = 200
"""Households listed in the comparison (the largest changes first); the workbook has all."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _can_view(request: HttpRequest) -> None:
    if not request.user.has_perm("payments.view"):
        raise PermissionDenied


def refusal(exc: ValidationError | NotPermitted) -> str:
    """An action's refusal as one line (a workflow refusal, a maker–checker rule, a field)."""
    return messages_of(exc) if isinstance(exc, ValidationError) else str(exc)


def run_list_view(request: HttpRequest) -> HttpResponse:
    """The runs, newest first, with their totals within the user's jurisdiction."""
    _can_view(request)
    code = request.user.division_code  # type: ignore[union-attr]
    scoped = Q(payments__division_code__startswith=code, payments__reissue_of__isnull=True)
    runs = runs_for(staff(request)).annotate(
        scoped_amount=Sum("payments__amount", filter=scoped),
        scoped_count=Count("payments", filter=scoped),
    )
    probe = PayrollRun(division_code=DISTRICT_CODE)
    can_draft = request.user.has_perm("payments.draft", probe)
    next_month = add_months(month_of(clock.today()), 1)
    return render(
        request,
        "payments/run_list.html",
        {
            "runs": runs.select_related("drafted_by", "checked_by", "approved_by"),
            "form": DraftForm(initial={"month": next_month}) if can_draft else None,
            "summary_month": month_of(clock.today()),
        },
    )


@post_only("payments:run_list")
def draft_view(request: HttpRequest) -> HttpResponse:
    _can_view(request)
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, messages_of(ValidationError(list(form.errors.values()))))
        return redirect("payments:run_list")
    try:
        run = actions.draft_run(
            staff(request), form.cleaned_data["month"], form.cleaned_data["program"]
        )
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
        return redirect("payments:run_list")
    messages.success(
        request,
        _("已生成 %(month)s 发放名册：%(n)s 笔") % {"month": run.month, "n": run.totals["count"]},
    )
    return redirect("payments:run", pk=run.pk)


def _comparison_rows(comparison: actions.Comparison) -> list[dict[str, Any]]:
    listed = (
        comparison.households.filter(pl.col("change") != "same")
        .with_columns(size=pl.col("diff").abs())
        .sort(["size", "household_id"], descending=[True, False])
        .head(COMPARISON_ROWS)
    )
    numbers = dict(
        Household.objects.filter(pk__in=listed["household_id"].to_list()).values_list(
            "pk", "number"
        )
    )
    labels = {"changed": _("金额变化"), "new": _("新增"), "stopped": _("停发")}
    return [
        {
            **row,
            "number": numbers.get(row["household_id"], ""),
            "label": labels[row["change"]],
            "regular": row["regular"] or 0,
            "arrears": row["arrears"] or 0,
            "recovery": row["recovery"] or 0,
        }
        for row in listed.iter_rows(named=True)
    ]


def _failed_rows(run: PayrollRun, scope: str) -> list[dict[str, Any]]:
    """The run's failed payments (within ``scope``) and, for each, where its correction stands:
    the corrected account in force (re-issue now), one waiting for its check, or none yet."""
    failed = list(
        Payment.objects.filter(
            run=run, status=PaymentStatus.FAILED, division_code__startswith=scope
        )
        .select_related("household", "failed_account", "entitlement")
        .order_by("household_id", "kind")
    )
    waiting = dict(
        BankAccount.objects.filter(
            household_id__in={p.household_id for p in failed},
            status=AccountStatus.AWAITING_CHECK,
        ).values_list("household_id", "pk")
    )
    return [
        {"payment": p, "corrected": corrected_account(p), "waiting": waiting.get(p.household_id)}
        for p in failed
    ]


def run_view(request: HttpRequest, pk: int, **forms_: Any) -> HttpResponse:
    """A run: its stage and who acts next, the steps the user may take, its totals, the
    comparison with the previous month, its files, failures and history, and its payments."""
    _can_view(request)
    run = run_for(staff(request), pk)
    user, today = staff(request), clock.today()
    scope = scope_of(user, run)
    totals = actions.run_totals(run, scope)
    comparison = actions.compare_with_previous(run, scope)
    allowed = RUN.forms_allowed(user, run, today)
    payments = Paginator(reports.run_payments(user, run), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    order = list(RunStatus.values)
    steps = [
        {
            "label": label,
            "state": "done"
            if i < order.index(run.status)
            else "current"
            if i == order.index(run.status)
            else "",
        }
        for i, (_value, label) in enumerate(RunStatus.choices)
    ]
    missing, waiting = missing_accounts(run, scope)
    failed = _failed_rows(run, scope)
    # Failed at the bank and not re-issued yet: due, but not received (the total counts them).
    unpaid = {"count": len(failed), "amount": sum(row["payment"].amount for row in failed)}
    labels = {name: move.label for name, move in RUN.moves.items()} | {"draft": _("生成名册")}
    can_download = user.has_perm("payments.export", run)
    return render(
        request,
        "payments/run_detail.html",
        {
            "run": run,
            "steps": steps,
            "next": RUN.next_step(user, run, today),
            "totals": totals,
            "missing": missing,
            "missing_waiting": waiting,
            "unpaid": unpaid,
            "kinds": [(label, totals["by_kind"].get(value)) for value, label in Kind.choices],
            "comparison": comparison,
            "comparison_summary": comparison.summary(),
            "comparison_rows": _comparison_rows(comparison),
            "townships": [
                {**row, "name": township_name(row["township"])}
                for row in comparison.townships.iter_rows(named=True)
            ],
            "parameters": run.totals.get("parameters", {}),
            "flagged": actions.dibao_ceiling_exceeded(run, scope).height,
            "allowed": allowed,
            "files": run.bank_files.defer("content").select_related("created_by")
            if can_download
            else [],
            "returns": run.returns.select_related("uploaded_by"),
            "failed": failed,
            "history": [
                {"event": event, "label": labels.get(event.move, event.move)}
                for event in run.events.select_related("user")
            ],
            "payments": payments,
            "export_form": forms_.get("export_form") or ExportForm(),
            "layouts": layouts.LAYOUTS.values(),
            "return_form": forms_.get("return_form") or ReturnForm(),
            "reason_form": forms_.get("reason_form") or ReasonForm(),
            "scoped": scope != run.division_code,
            "scope_name": township_name(scope),
        },
        status=400 if forms_ else 200,
    )


STEPS = {
    "check": (actions.check_run, gettext_lazy("已复核")),
    "approve": (actions.approve_run, gettext_lazy("已审批")),
    "close": (actions.close_run, gettext_lazy("已结账")),
}


@post_only("payments:run", pk="pk")
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Check, approve, close, send back with a reason, or run the draft again (which completes
    it). A refusal is shown on the run's page, in words; nothing is written."""
    _can_view(request)
    run = run_for(staff(request), pk)
    done: Any
    try:
        if step == "redraft":
            run = actions.draft_run(staff(request), run.month, run.program)
            done = _("已重新生成名册：%(n)s 笔") % {"n": run.totals["count"]}
        elif step == "return":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return run_view(request, pk, reason_form=form)
            actions.return_run(staff(request), run, reason=form.cleaned_data["reason"])
            done = _("已退回制单人，待重新生成名册")
        elif step in STEPS:
            action, done = STEPS[step]
            action(staff(request), run)
        else:
            raise Http404
    except (ValidationError, NotPermitted) as exc:
        messages.error(request, refusal(exc))
        return redirect("payments:run", pk=pk)
    messages.success(request, str(done))
    return redirect("payments:run", pk=pk)


@post_only("payments:run", pk="pk")
def export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the bank file (or the re-issue file). A file that cannot be written is refused as a
    whole, and the page lists the accounts to replace (status 400)."""
    _can_view(request)
    run = run_for(staff(request), pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return run_view(request, pk, export_form=form)
    try:
        bank_file = actions.export_run(
            staff(request), run, form.cleaned_data["layout"], form.cleaned_data["encoding"]
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return run_view(request, pk, export_form=form)
    except NotPermitted as exc:
        messages.error(request, refusal(exc))
        return redirect("payments:run", pk=pk)
    messages.success(
        request,
        _("已生成银行文件 %(name)s：%(rows)s 笔，合计 %(total)s 元")
        % {
            "name": bank_file.filename,
            "rows": bank_file.rows,
            "total": exporters.yuan_text(bank_file.total),
        },
    )
    return redirect("payments:run", pk=pk)


def bank_file_view(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """Download a bank file: it carries the account numbers in full, so only roles that may
    export may have it, and every download is an audit event."""
    _can_view(request)
    run = run_for(staff(request), pk)
    if not request.user.has_perm("payments.export", run):
        raise PermissionDenied
    try:
        bank_file = run.bank_files.get(pk=file_pk)
    except BankFile.DoesNotExist:
        raise Http404 from None
    record(request.user, "payments.download_bank_file", bank_file, division_code=run.division_code)
    extension = bank_file.filename.rpartition(".")[2]
    response = HttpResponse(
        bytes(bank_file.content),
        content_type=layouts.CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["Content-Disposition"] = f'attachment; filename="{bank_file.filename}"'
    return response


@post_only("payments:run", pk="pk")
def reconcile_view(request: HttpRequest, pk: int) -> HttpResponse:
    _can_view(request)
    run = run_for(staff(request), pk)
    form = ReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        return run_view(request, pk, return_form=form)
    upload = form.cleaned_data["file"]
    try:
        result = actions.reconcile_run(staff(request), run, upload.read(), upload.name)
    except ValidationError as exc:
        form.add_error("file", exc)
        return run_view(request, pk, return_form=form)
    except NotPermitted as exc:
        messages.error(request, str(exc))
        return redirect("payments:run", pk=pk)
    messages.success(
        request,
        _("已导入回盘：成功 %(ok)s 笔，失败 %(bad)s 笔")
        % {"ok": result.succeeded, "bad": result.failed},
    )
    return redirect("payments:run", pk=pk)


def _payment_run(request: HttpRequest, payment_pk: int) -> HttpResponse:
    """Where a GET of a payment's re-issue URL goes: its run's page."""
    return redirect("payments:run", pk=payment_for(staff(request), payment_pk).run_id)


def reissue_view(request: HttpRequest, payment_pk: int) -> HttpResponse:
    """Re-issue a failed transfer into the payee's corrected account, once it is in force."""
    _can_view(request)
    if request.method != "POST":
        return _payment_run(request, payment_pk)
    payment = payment_for(staff(request), payment_pk)
    try:
        reissued = actions.reissue_payment(staff(request), payment)
    except (ValidationError, NotPermitted) as exc:
        messages.error(request, refusal(exc))
        return redirect("payments:run", pk=payment.run_id)
    account = reissued[0].bank_account
    messages.success(
        request,
        _("已重新发放至更正后的账户 %(account)s，请生成重新发放文件")
        % {"account": account.masked if account else "—"},
    )
    return redirect("payments:run", pk=payment.run_id)


def run_workbook_view(request: HttpRequest, pk: int) -> HttpResponse:
    _can_view(request)
    run = run_for(staff(request), pk)
    record(request.user, "payments.export_run", run, division_code=run.division_code)
    response = HttpResponse(reports.run_workbook(staff(request), run), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="payments-{run.month}-{run.program}.xlsx"'
    )
    return response


def summary_view(request: HttpRequest) -> HttpResponse:
    """Payments of a month by township and program (``?format=xlsx``: the workbook)."""
    _can_view(request)
    month = request.GET.get("month", "") or month_of(clock.today())
    if not is_month(month):
        month = month_of(clock.today())
    rows = monthly_summary(staff(request), month)
    once = one_off_summary(staff(request), month)
    if request.GET.get("format") == "xlsx":
        record(
            request.user,
            "payments.export_summary",
            object_type="payments.payrollrun",
            division_code=staff(request).division_code,
            month=month,
        )
        response = HttpResponse(reports.summary_workbook(month, rows, once), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="payments-summary-{month}.xlsx"'
        return response
    total = {
        key: sum(getattr(r, key) for r in rows)
        for key in ("households", "count", "regular", "arrears", "recovery", "amount")
    }
    return render(
        request,
        "payments/summary.html",
        {
            "month": month,
            "rows": rows,
            "total": total,
            "once": once,
            "once_total": {
                key: sum(getattr(r, key) for r in once)
                for key in ("households", "count", "cash", "in_kind", "amount")
            },
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
        },
    )


def household_ledger_view(
    request: HttpRequest,
    household_pk: int,
    repayment: tuple[int, RepaymentForm] | None = None,
) -> HttpResponse:
    """A household's payment history: month, program, amount, kind, entitlement version and
    status (for a link from the household page), with its accounts in force or waiting.
    ``repayment``: a recovery's repayment form refused, shown with its errors (400)."""
    household = household_for(staff(request), household_pk)
    if not request.user.has_perm("payments.view", household):
        raise PermissionDenied
    rows = reports.household_ledger(household)
    accounts = household.bank_accounts.filter(
        status__in=[AccountStatus.IN_FORCE, AccountStatus.AWAITING_CHECK]
    ).select_related("person")
    recoveries = recoveries_of(household)
    for row in recoveries:
        bound = repayment is not None and repayment[0] == getattr(row["recovery"], "pk", None)
        row["form"] = repayment[1] if repayment and bound else RepaymentForm(auto_id=False)
    return render(
        request,
        "payments/ledger.html",
        {
            "household": household,
            "rows": rows,
            "accounts": accounts,
            # A failed payment and its re-issue are the same money: counted once; a failed one
            # not re-issued yet was not received: shown apart.
            "total": sum(r.amount for r in rows if not r.superseded and not r.unpaid),
            "unpaid": sum(r.amount for r in rows if r.unpaid),
            "one_off": household.one_off_payments.select_related(
                "application", "recorded_by"
            ).order_by("paid_on", "pk"),
            "recoveries": recoveries,
            "may_recover": request.user.has_perm("payments.recovery", household)
            and household.entitlements.exists(),
        },
        status=400 if repayment else 200,
    )


@post_only("payments:recovery_redirect", pk="pk")
def repayment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record money repaid on a recovery; back to the household's payment history (shown again
    with the form's errors when refused)."""
    user = staff(request)
    recovery = recovery_for(user, pk)
    if not user.has_perm("payments.recovery", recovery):
        raise PermissionDenied
    household = recovery.entitlement.household_id
    form = RepaymentForm(request.POST, auto_id=False)
    if form.is_valid():
        try:
            record_repayment(user, recovery, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记缴回"))
            ledger = reverse("payments:household_ledger", args=[household])
            return redirect(f"{ledger}#recovery-{recovery.pk}")
    return household_ledger_view(request, household, repayment=(recovery.pk, form))
