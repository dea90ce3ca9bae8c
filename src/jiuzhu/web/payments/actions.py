"""The payroll's write path: one function per step of a monthly run.

draft (district officer) → check (another officer) → approve (a third person: director or
officer) → export the bank file → reconcile the bank's return → close.

Policy: 最低生活保障审核确认办法 Art. 21 (paid from the month after the decision — the
entitlement's ``start_month``), Art. 25–26 (paid monthly into the household's bank account);
社会救助暂行办法 Art. 68 (fraud: recovery plus a fine of 1–3 times the amount, a separate path).

Each action checks the user's permission on the object (role and jurisdiction), checks the run's
state on the locked row, writes in one transaction and appends an audit event. The draft is the
exception: it writes in batches, each its own transaction, so that a crash keeps what was
committed — and a re-run completes the draft. The database guarantees exactly-once (see
``Payment``): a re-run recomputes the same rows, skips those that exist, and the unique
constraints refuse any duplicate that a concurrent run might try.

Maker–checker: everyone who ran the draft (``run.drafters``) may neither check nor approve; the
checker may not approve. Drafting and checking are district officers' work; approval is the
director's or a third officer's.

Money is integer fen; months are ``YYYY-MM``.
"""

from jiuzhu.web.payments.accounts import add_bank_account
from jiuzhu.web.payments.common import BATCH_SIZE
from jiuzhu.web.payments.draft import (
    Plan,
    draft_run,
    month_parameters,
    payable_entitlements,
    plan_run,
    run_totals,
)
from jiuzhu.web.payments.recoveries import record_recovery, settle_recovery
from jiuzhu.web.payments.review import (
    Comparison,
    approve_run,
    check_run,
    compare_with_previous,
    dibao_ceiling_exceeded,
)
from jiuzhu.web.payments.transfers import (
    close_run,
    export_run,
    open_payments,
    reconcile_run,
    reissue_payment,
)

__all__ = [
    "BATCH_SIZE",
    "Comparison",
    "Plan",
    "add_bank_account",
    "approve_run",
    "check_run",
    "close_run",
    "compare_with_previous",
    "dibao_ceiling_exceeded",
    "draft_run",
    "export_run",
    "month_parameters",
    "open_payments",
    "payable_entitlements",
    "plan_run",
    "reconcile_run",
    "record_recovery",
    "reissue_payment",
    "run_totals",
    "settle_recovery",
]
