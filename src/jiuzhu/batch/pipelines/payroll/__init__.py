"""The monthly payroll as a pure pipeline (no Django, no database): the caller loads frames
(Polars), the pipeline computes, the caller stores the result under its run.

* ``plan`` — ``plan_month(MonthInputs, programs)``: the month's payments, one frame in
  ``ROW_SCHEMA`` — regular payments (the version in force, into the payee's account in force),
  arrears (back pay for earlier months paid short or missed) and recovery deductions (negative,
  capped). The programs are an argument (names, in order), never written here.
* ``comparison`` — ``compare(this, last)``: this month against last month per household (new,
  stopped, changed amount, same) and per township.
* ``ceiling`` — ``above_ceiling(...)``: the checker's flag on a dibao amount above its ceiling.
* ``bankrows`` — ``transfers(payments, accounts, prefix)``: the bank file's rows, one per
  transfer (netted per entitlement), with their references; cell values, encoding checks, the
  rows' checksum, and a card number's Luhn check digit.

Money is integer fen everywhere (Int64); months are ``YYYY-MM`` strings.

Policy: 最低生活保障审核确认办法（民发〔2021〕57号）第二十一条 (paid from the month after the
decision), 第二十五条、第二十六条 (paid monthly, socialised, into the household's bank account);
社会救助暂行办法（国务院令第649号）第六十八条 (an overpayment is recovered).
"""

from __future__ import annotations

from jiuzhu.batch.pipelines.payroll.bankrows import BankRow, Transfers, transfers
from jiuzhu.batch.pipelines.payroll.comparison import Comparison, compare, household_sums
from jiuzhu.batch.pipelines.payroll.plan import (
    ROW_SCHEMA,
    MonthInputs,
    Plan,
    UnknownProgram,
    plan_month,
)

__all__ = [
    "ROW_SCHEMA",
    "BankRow",
    "Comparison",
    "MonthInputs",
    "Plan",
    "Transfers",
    "UnknownProgram",
    "compare",
    "household_sums",
    "plan_month",
    "transfers",
]
