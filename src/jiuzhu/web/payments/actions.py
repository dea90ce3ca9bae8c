"""The payments app's write path, one function per change; each lives in the module of its step
and is re-exported here:

* ``draft`` — draft (district officer), or redraft, a month's run;
* ``review`` — check (another officer), approve (a third person: director or officer), or send
  the run back to its drafters with a reason;
* ``bankfiles`` — the bank file, and the re-issue files;
* ``returns`` — reconcile the bank's return, re-issue a failed transfer, close;
* ``recoveries`` — overpayments deducted, fraud recovered with a fine (a separate path);
* ``accounts`` — record, replace, check or reject a payee's bank account; an audited look at
  the whole number.

Policy: 最低生活保障审核确认办法 Art. 21 (paid from the month after the decision — the
entitlement's ``start_month``), Art. 25–26 (paid monthly into the household's bank account);
社会救助暂行办法 Art. 68 (fraud: recovery plus a fine of 1–3 times the amount, a separate path).

Each action checks its move in the transition table (``payments.workflow``: role, jurisdiction,
state, maker–checker) on the locked row, writes in one transaction and appends an audit event
(and, for a run, a step of its history); a refusal says why and writes nothing. The draft is
the exception: it writes in batches, each its own transaction, so that a crash keeps what was
committed — and a re-run completes the draft. The database guarantees exactly-once (see
``Payment``): a re-run recomputes the same rows, skips those that exist, and the unique
constraints refuse any duplicate that a concurrent run might try.

Money is integer fen; months are ``YYYY-MM``.
"""

from jiuzhu.batch.pipelines.payroll import Plan
from jiuzhu.web.payments.accounts import (
    check_account,
    record_account,
    reject_account,
    reveal_account,
)
from jiuzhu.web.payments.bankfiles import export_run
from jiuzhu.web.payments.common import BATCH_SIZE
from jiuzhu.web.payments.draft import (
    draft_run,
    month_parameters,
    payable_entitlements,
    plan_run,
    run_totals,
)
from jiuzhu.web.payments.recoveries import record_recovery, record_repayment, settle_recovery
from jiuzhu.web.payments.returns import close_run, reconcile_run, reissue_payment
from jiuzhu.web.payments.review import (
    Comparison,
    approve_run,
    check_run,
    compare_with_previous,
    dibao_ceiling_exceeded,
    return_run,
)

__all__ = [
    "BATCH_SIZE",
    "Comparison",
    "Plan",
    "approve_run",
    "check_account",
    "check_run",
    "close_run",
    "compare_with_previous",
    "dibao_ceiling_exceeded",
    "draft_run",
    "export_run",
    "month_parameters",
    "payable_entitlements",
    "plan_run",
    "reconcile_run",
    "record_account",
    "record_recovery",
    "record_repayment",
    "reissue_payment",
    "reject_account",
    "return_run",
    "reveal_account",
    "run_totals",
    "settle_recovery",
]
