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
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record
from jiuzhu.web.cases import clock
from jiuzhu.web.months import add_months, is_month, month_of
from jiuzhu.web.payments import actions, exporters, reports
from jiuzhu.web.payments.forms import AccountForm, DraftForm, ExportForm, ReturnForm
from jiuzhu.web.payments.models import (
    RUN_ORDER,
    BankFile,
    Kind,
    Payment,
    PaymentStatus,
    PayrollRun,
    RunStatus,
)
from jiuzhu.web.payments.queries import (
    monthly_summary,
    payment_for,
    run_for,
    runs_for,
    scope_of,
    township_name,
)
from jiuzhu.web.registry.models import Household
from jiuzhu.web.registry.queries import household_for

PAGE_SIZE = 50
COMPARISON_ROWS = 200
"""Households listed in the comparison (the largest changes first); the workbook has all."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _can_view(request: HttpRequest) -> None:
    if not request.user.has_perm("payments.view"):
        raise PermissionDenied


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def run_list_view(request: HttpRequest) -> HttpResponse:
    """The runs, newest first, with their totals within the user's jurisdiction."""
    _can_view(request)
    code = request.user.division_code  # type: ignore[union-attr]
    runs = runs_for(request.user).annotate(
        scoped_amount=Sum("payments__amount", filter=Q(payments__division_code__startswith=code)),
        scoped_count=Count("payments", filter=Q(payments__division_code__startswith=code)),
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


@require_POST
def draft_view(request: HttpRequest) -> HttpResponse:
    _can_view(request)
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
        return redirect("payments:run_list")
    try:
        run = actions.draft_run(
            request.user, form.cleaned_data["month"], form.cleaned_data["program"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("payments:run_list")
    messages.success(
        request,
        _("已生成 %(month)s 发放名册：%(n)s 笔") % {"month": run.month, "n": run.totals["count"]},
    )
    return redirect("payments:run", pk=run.pk)


def _allowed(user: Any, run: PayrollRun) -> dict[str, bool]:
    """The steps this user may take on the run now (the actions check again)."""
    reissues_waiting = run.reached(RunStatus.EXPORTED) and (
        Payment.objects.filter(
            run=run, status=PaymentStatus.REISSUED, bank_file__isnull=True
        ).exists()
    )
    return {
        "redraft": run.status == RunStatus.DRAFT and user.has_perm("payments.draft", run),
        "check": run.status == RunStatus.DRAFT
        and run.draft_completed_at is not None
        and user.pk not in run.drafters
        and user.has_perm("payments.check", run),
        "approve": run.status == RunStatus.CHECKED
        and user.pk not in run.drafters
        and user.pk != run.checked_by_id
        and user.has_perm("payments.approve", run),
        "export": (run.status == RunStatus.APPROVED or reissues_waiting)
        and user.has_perm("payments.export", run),
        "download": user.has_perm("payments.export", run),
        "reconcile": run.status in (RunStatus.EXPORTED, RunStatus.RECONCILED)
        and user.has_perm("payments.reconcile", run),
        "reissue": run.status in (RunStatus.EXPORTED, RunStatus.RECONCILED)
        and user.has_perm("payments.reissue", run),
        "close": run.status == RunStatus.RECONCILED
        and user.has_perm("payments.close", run)
        and not actions.open_payments(run).exists(),
    }


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


def run_view(request: HttpRequest, pk: int, **forms_: Any) -> HttpResponse:
    _can_view(request)
    run = run_for(request.user, pk)
    scope = scope_of(request.user, run)
    totals = actions.run_totals(run, scope)
    comparison = actions.compare_with_previous(run, scope)
    allowed = _allowed(request.user, run)
    payments = Paginator(reports.run_payments(request.user, run), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    failed = (
        Payment.objects.filter(
            run=run, status=PaymentStatus.FAILED, division_code__startswith=scope
        )
        .select_related("household", "failed_account", "entitlement")
        .order_by("household_id", "kind")
    )
    flagged = actions.dibao_ceiling_exceeded(run, scope)
    current = RUN_ORDER.index(run.status)
    steps = [
        {"label": label, "state": "done" if i < current else "current" if i == current else ""}
        for i, (_value, label) in enumerate(RunStatus.choices)
    ]
    return render(
        request,
        "payments/run_detail.html",
        {
            "run": run,
            "steps": steps,
            "totals": totals,
            "kinds": [(label, totals["by_kind"].get(value)) for value, label in Kind.choices],
            "comparison": comparison,
            "comparison_summary": comparison.summary(),
            "comparison_rows": _comparison_rows(comparison),
            "townships": [
                {**row, "name": township_name(row["township"])}
                for row in comparison.townships.iter_rows(named=True)
            ],
            "parameters": run.totals.get("parameters", {}),
            "flagged": flagged.height,
            "allowed": allowed,
            "files": run.bank_files.defer("content").select_related("created_by")
            if allowed["download"]
            else [],
            "returns": run.returns.select_related("uploaded_by"),
            "failed": failed,
            "payments": payments,
            "export_form": forms_.get("export_form") or ExportForm(),
            "return_form": forms_.get("return_form") or ReturnForm(),
            "account_form": AccountForm(auto_id=False),
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


@require_POST
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Check, approve, close, or run the draft again (which completes it)."""
    _can_view(request)
    run = run_for(request.user, pk)
    done: Any
    try:
        if step == "redraft":
            run = actions.draft_run(request.user, run.month, run.program)
            done = _("已重新生成名册：%(n)s 笔") % {"n": run.totals["count"]}
        elif step in STEPS:
            action, done = STEPS[step]
            action(request.user, run)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("payments:run", pk=pk)
    messages.success(request, str(done))
    return redirect("payments:run", pk=pk)


@require_POST
def export_view(request: HttpRequest, pk: int) -> HttpResponse:
    _can_view(request)
    run = run_for(request.user, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return run_view(request, pk, export_form=form)
    try:
        bank_file = actions.export_run(
            request.user, run, form.cleaned_data["exporter"], form.cleaned_data["encoding"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
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
    run = run_for(request.user, pk)
    if not request.user.has_perm("payments.export", run):
        raise PermissionDenied
    try:
        bank_file = run.bank_files.get(pk=file_pk)
    except BankFile.DoesNotExist:
        raise Http404 from None
    record(request.user, "payments.download_bank_file", bank_file, division_code=run.division_code)
    writer = exporters.EXPORTERS.get(bank_file.format)
    response = HttpResponse(
        bytes(bank_file.content),
        content_type=writer.content_type if writer else "application/octet-stream",
    )
    response["Content-Disposition"] = f'attachment; filename="{bank_file.filename}"'
    return response


@require_POST
def reconcile_view(request: HttpRequest, pk: int) -> HttpResponse:
    _can_view(request)
    run = run_for(request.user, pk)
    form = ReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        return run_view(request, pk, return_form=form)
    upload = form.cleaned_data["file"]
    try:
        result = actions.reconcile_run(request.user, run, upload.read(), upload.name)
    except ValidationError as exc:
        form.add_error("file", exc)
        return run_view(request, pk, return_form=form)
    messages.success(
        request,
        _("已导入回盘：成功 %(ok)s 笔，失败 %(bad)s 笔")
        % {"ok": result.succeeded, "bad": result.failed},
    )
    return redirect("payments:run", pk=pk)


@require_POST
def reissue_view(request: HttpRequest, payment_pk: int) -> HttpResponse:
    """Record the corrected account and re-issue the failed transfer into it."""
    _can_view(request)
    payment = payment_for(request.user, payment_pk)
    form = AccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
        return redirect("payments:run", pk=payment.run_id)
    try:
        # One outcome: the corrected account is kept only if the re-issue goes through.
        with transaction.atomic():
            account = actions.add_bank_account(
                request.user,
                payment.household,
                person=payment.bank_account.person if payment.bank_account else None,
                **form.cleaned_data,
            )
            actions.reissue_payment(request.user, payment, account)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("payments:run", pk=payment.run_id)
    messages.success(
        request,
        _("已更正账户并重新发放（%(account)s），请生成重新发放的银行文件")
        % {"account": account.masked},
    )
    return redirect("payments:run", pk=payment.run_id)


def run_workbook_view(request: HttpRequest, pk: int) -> HttpResponse:
    _can_view(request)
    run = run_for(request.user, pk)
    response = HttpResponse(reports.run_workbook(request.user, run), content_type=XLSX)
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
    rows = monthly_summary(request.user, month)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.summary_workbook(month, rows), content_type=XLSX)
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
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
        },
    )


def household_ledger_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    """A household's payment history: month, program, amount, kind, entitlement version and
    status (for a link from the household page)."""
    household = household_for(request.user, household_pk)
    if not request.user.has_perm("payments.view", household):
        raise PermissionDenied
    rows = reports.household_ledger(household)
    accounts = household.bank_accounts.select_related("person").order_by("-active", "-created_at")
    return render(
        request,
        "payments/ledger.html",
        {
            "household": household,
            "rows": rows,
            "accounts": accounts,
            "total": sum(r.amount for r in rows),
        },
    )
