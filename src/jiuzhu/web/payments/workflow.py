"""The payments app's transition tables: the payroll run (``RUN``) and the bank account
(``ACCOUNT``). Actions check their move here on the locked row; the pages offer the moves the
table allows and show ``next_step``; the workbench lists what waits for each user from them.

Payroll run (最低生活保障审核确认办法 Art. 25–26: paid monthly into the household's account)::

    draft ──check (another officer)──▶ checked ──approve (a third person)──▶ approved
    draft ◀──return (the checker, with a reason)── draft: redraft before the next check
    draft ◀──return (the approver, with a reason)── checked
    approved ──export──▶ exported ──reconcile──▶ reconciled ──close──▶ closed
    exported | reconciled: reissue a failed transfer (new payments linked to the failed ones),
        its re-issue file, reconcile the re-issue

Bank account::

    (new) ──record──▶ awaiting check ──check (another person)──▶ in force ──(its replacement
    checked)──▶ replaced;  awaiting check ──reject (with a reason)──▶ rejected

Maker–checker is a person guard: whoever drafted a run neither checks nor approves it, its
checker does not approve it, and whoever recorded an account does not check it. Every refusal
says which rule in words.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.months import first_day
from jiuzhu.web.core.transitions import Move, Text, Workflow
from jiuzhu.web.core.users import Staff
from jiuzhu.web.payments.models import (
    AccountStatus,
    BankAccount,
    Payment,
    PaymentStatus,
    PayrollRun,
    RunStatus,
)

NEW = ""
"""The state of an account not recorded yet (the ``record`` move's source)."""

# --- What the run's guards ask of the database (a few bounded queries each) ---------------------


def payments_without_account(run: PayrollRun) -> QuerySet[Payment]:
    """The run's payments still to be sent (pending, or failed and not re-issued) with no
    account, or with one no longer in force (replaced or, by bad data, anything but in force).
    A payment sent, paid or superseded by its re-issue keeps the account it was sent to."""
    return Payment.objects.filter(
        run=run, status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED]
    ).filter(Q(bank_account__isnull=True) | ~Q(bank_account__status=AccountStatus.IN_FORCE))


def missing_accounts(run: PayrollRun, division: str = "") -> tuple[int, int]:
    """Households of the run (within ``division``) without an account in force, and how many
    of them have one waiting for its check."""
    missing = payments_without_account(run)
    if division:
        missing = missing.filter(division_code__startswith=division)
    households = missing.values("household_id").distinct()
    waiting = BankAccount.objects.filter(
        household_id__in=households, status=AccountStatus.AWAITING_CHECK
    )
    return households.count(), waiting.values("household_id").distinct().count()


def open_payments(run: PayrollRun) -> QuerySet[Payment]:
    """Payments that keep the run open: neither paid nor superseded by a re-issue."""
    return Payment.objects.filter(run=run).exclude(
        status__in=[PaymentStatus.PAID, PaymentStatus.REISSUED]
    )


def awaiting_bank(run: PayrollRun) -> QuerySet[Payment]:
    """Payments sent to the bank and not answered yet (the initial file's, or a re-issue
    file's)."""
    return Payment.objects.filter(run=run, status=PaymentStatus.EXPORTED)


def reissues_waiting(run: PayrollRun) -> QuerySet[Payment]:
    """Re-issues (new payments linked to a failed one) not yet in a re-issue file."""
    return Payment.objects.filter(run=run, status=PaymentStatus.PENDING, reissue_of__isnull=False)


# --- The run's guards ---------------------------------------------------------------------------


def _draft_complete(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if run.draft_completed_at is None:
        return _("名册尚未生成完毕，请重新生成后再复核")
    if run.returned:
        return _("名册已退回制单人（%(reason)s），须重新生成后才能复核") % {
            "reason": run.return_reason
        }
    return None


def _checkable(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    reason = _draft_complete(run, user, today)
    if reason is not None:
        return reason
    missing, waiting = missing_accounts(run)
    if missing:
        return _(
            "%(n)s 户没有有效的银行账户（其中 %(waiting)s 户的账户待复核），"
            "请登记并复核账户后重新生成名册"
        ) % {"n": missing, "waiting": waiting}
    return None


def _needs_redraft(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if run.draft_completed_at is None or run.returned:
        return None
    return _("名册已生成完毕，无需重新生成")


def _drafter_names(run: PayrollRun) -> str:
    return "、".join(str(u) for u in User.objects.filter(pk__in=run.drafters).order_by("pk"))


def _not_a_drafter(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if user is not None and user.pk in run.drafters:
        return _("制单人不能复核自己制作的名册（制单与复核分离）")
    return None


def _a_drafter(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if user is not None and user.pk not in run.drafters:
        return _("退回或未生成完毕的名册由制单人重新生成")
    return None


def _neither_drafter_nor_checker(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if user is None:
        return None
    if user.pk in run.drafters:
        return _("制单人不能审批自己制作的名册（制单、复核、审批三人分离）")
    if user.pk == run.checked_by_id:
        return _("复核人不能审批自己复核的名册（制单、复核、审批三人分离）")
    return None


def _checker_note(run: PayrollRun) -> Text | None:
    return _("复核人不能是制单人（%(names)s）") % {"names": _drafter_names(run)}


def _approver_note(run: PayrollRun) -> Text | None:
    return _("审批人不能是制单人（%(names)s）或复核人（%(checker)s）") % {
        "names": _drafter_names(run),
        "checker": run.checked_by,
    }


def _has_failed(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if not Payment.objects.filter(run=run, status=PaymentStatus.FAILED).exists():
        return _("没有发放失败的款项")
    return None


def _has_reissues(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if not reissues_waiting(run).exists():
        return _("没有待生成重新发放文件的款项")
    return None


def _has_sent(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    if not awaiting_bank(run).exists():
        return _("没有待银行回盘的发放")
    return None


def _all_settled(run: PayrollRun, user: Staff, today: dt.date) -> Text | None:
    counts = dict(
        open_payments(run).values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    if not counts:
        return None
    return _("尚有未完成的发放：失败 %(failed)s 笔，待重新生成银行文件或待回盘 %(other)s 笔") % {
        "failed": counts.get(PaymentStatus.FAILED, 0),
        "other": sum(n for s, n in counts.items() if s != PaymentStatus.FAILED),
    }


def _run_label(run: PayrollRun) -> str:
    label = str(run.get_status_display())
    if run.status == RunStatus.DRAFT and run.returned:
        return str(_("%(state)s（已退回，待重新生成）") % {"state": label})
    return label


def _run_due(run: PayrollRun, today: dt.date) -> dt.date | None:
    """Paid monthly (按月发放, Art. 25): the month's payment reaches the household within the
    month, so the run is due at the bank by the month's last day. The district's own pay day
    (the 10th, the 15th …) is not known here; the page shows the month's end."""
    if run.status not in (RunStatus.DRAFT, RunStatus.CHECKED, RunStatus.APPROVED):
        return None
    start = first_day(run.month)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


SENT = frozenset({RunStatus.EXPORTED, RunStatus.RECONCILED})

RUN = Workflow(
    [
        Move(
            "redraft",
            frozenset({RunStatus.DRAFT}),
            "payments.draft",
            _("重新生成名册"),
            target=RunStatus.DRAFT,
            main=False,
        ),
        # The same form, as the main step when the draft is incomplete or was sent back: then
        # its drafters are who acts next (and the workbench lists it for them); any officer
        # may still redraft (the side move above) and so become one of its makers.
        Move(
            "redraft_returned",
            frozenset({RunStatus.DRAFT}),
            "payments.draft",
            _("重新生成名册"),
            target=RunStatus.DRAFT,
            guard=_needs_redraft,
            person_guard=_a_drafter,
            form="redraft",
            listed=False,
        ),
        Move(
            "check",
            frozenset({RunStatus.DRAFT}),
            "payments.check",
            _("复核"),
            target=RunStatus.CHECKED,
            guard=_checkable,
            person_guard=_not_a_drafter,
            actor_note=_checker_note,
        ),
        Move(
            "return_draft",
            frozenset({RunStatus.DRAFT}),
            "payments.check",
            _("退回制单人"),
            target=RunStatus.DRAFT,
            main=False,
            guard=_draft_complete,
            person_guard=_not_a_drafter,
            form="return",
        ),
        Move(
            "approve",
            frozenset({RunStatus.CHECKED}),
            "payments.approve",
            _("审批"),
            target=RunStatus.APPROVED,
            person_guard=_neither_drafter_nor_checker,
            actor_note=_approver_note,
        ),
        Move(
            "return_checked",
            frozenset({RunStatus.CHECKED}),
            "payments.approve",
            _("退回制单人"),
            target=RunStatus.DRAFT,
            main=False,
            person_guard=_neither_drafter_nor_checker,
            form="return",
        ),
        Move(
            "export",
            frozenset({RunStatus.APPROVED}),
            "payments.export",
            _("生成银行文件"),
            target=RunStatus.EXPORTED,
        ),
        Move(
            "reissue",
            SENT,
            "payments.reissue",
            _("重新发放失败的款项"),
            guard=_has_failed,
            form="failed",
        ),
        Move(
            "reissue_file",
            SENT,
            "payments.export",
            _("生成重新发放文件"),
            guard=_has_reissues,
            form="export",
        ),
        Move(
            "reconcile",
            SENT,
            "payments.reconcile",
            _("导入银行回盘"),
            guard=_has_sent,
        ),
        Move(
            "close",
            frozenset({RunStatus.RECONCILED}),
            "payments.close",
            _("结账"),
            target=RunStatus.CLOSED,
            guard=_all_settled,
        ),
    ],
    state=lambda run: run.status,
    state_label=_run_label,
    due=_run_due,
    # Sent back (or left incomplete): the run waits for the one who drafted it.
    assignee=lambda run: run.drafted_by if run.status == RunStatus.DRAFT and run.returned else None,
)
"""The payroll run's transition table."""


# --- The bank account's table ---------------------------------------------------------------------


def payee_accounts(account: BankAccount) -> QuerySet[BankAccount]:
    """The accounts of the same payee: the household's own (no person), or one tekun person's."""
    return BankAccount.objects.filter(household_id=account.household_id, person=account.person_id)


def _none_waiting(account: BankAccount, user: Staff, today: dt.date) -> Text | None:
    waiting = payee_accounts(account).filter(status=AccountStatus.AWAITING_CHECK).first()
    if waiting is not None:
        return _("该收款人已有待复核的账户（%(account)s，%(user)s 登记），请先复核或退回") % {
            "account": waiting.masked,
            "user": waiting.created_by or "—",
        }
    return None


def _not_the_recorder(account: BankAccount, user: Staff, today: dt.date) -> Text | None:
    if user is not None and account.created_by_id == user.pk:
        return _("登记人不能复核自己登记的账户（登记与复核分离）")
    return None


def _recorder_note(account: BankAccount) -> Text | None:
    return _("复核人不能是登记人（%(name)s）") % {"name": account.created_by or "—"}


def _account_label(account: BankAccount) -> str:
    if account.pk is None:
        return str(_("尚未登记"))
    return str(account.get_status_display())


ACCOUNT = Workflow(
    [
        Move(
            "record",
            frozenset({NEW}),
            "payments.record_account",
            _("登记银行账户"),
            target=AccountStatus.AWAITING_CHECK,
            guard=_none_waiting,
        ),
        Move(
            "replace",
            frozenset({AccountStatus.IN_FORCE}),
            "payments.record_account",
            _("更换账户"),
            main=False,
            guard=_none_waiting,
        ),
        Move(
            "check",
            frozenset({AccountStatus.AWAITING_CHECK}),
            "payments.check_account",
            _("复核银行账户"),
            target=AccountStatus.IN_FORCE,
            person_guard=_not_the_recorder,
            actor_note=_recorder_note,
        ),
        Move(
            "reject",
            frozenset({AccountStatus.AWAITING_CHECK}),
            "payments.check_account",
            _("退回账户"),
            target=AccountStatus.REJECTED,
            main=False,
            person_guard=_not_the_recorder,
        ),
    ],
    state=lambda account: NEW if account.pk is None else account.status,
    state_label=_account_label,
)
"""The bank account's transition table (an unsaved account is ``NEW``: the record move)."""
