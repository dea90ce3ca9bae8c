"""Monthly payroll: exactly one payment per entitlement and month, checked and approved by two
more people, exported to the bank and reconciled from its return file; and the bank accounts
it pays into, each recorded by one person and checked by another.

Policy: 最低生活保障审核确认办法 Art. 21 (paid from the month after the decision), Art. 25–26
(paid monthly, socialised, into the household's bank account); 社会救助暂行办法 Art. 68 (fraud:
recovery and a fine of 1–3 times the amount, a separate path from the payroll).

Design, in short (details in the modules):

* ``models`` — ``BankAccount`` (awaiting check → in force → replaced, or rejected; stored whole,
  masked everywhere but the bank file), ``PayrollRun`` (draft → checked → approved → exported →
  reconciled → closed, one per month and program) and its history ``RunEvent``, ``Payment``
  (regular / arrears / recovery; money in fen; **a recovery is a negative payment**, checked by
  the database; **a re-issue is a new payment** linked to the failed one, ``reissue_of``),
  ``BankFile``, ``BankReturn`` with its rows, ``Recovery``.
* ``workflow`` — the two transition tables (``RUN``, ``ACCOUNT``) that actions, views,
  templates and the workbench ask: who may make which move now, why not (maker–checker in
  words), who acts next and by when.
* Exactly-once is the database's: a regular payment (and a recovery deduction) at most once per
  entitlement and month; arrears at most once per run, entitlement and month they are for; a
  failed payment re-issued at most once. Sums count the payments as due (``AS_DUE``), so a
  failed payment and its re-issue count once.
* The domain work is ``jiuzhu.batch.pipelines.payroll``, pure (no Django): the month's plan
  (regular, arrears, recovery), the comparison with the previous month, the dibao ceiling flag,
  and the bank file's rows (netted transfers, references, cells, checksum, Luhn). The actions
  load its frames from the database, call it, and store its result under the run.
* ``actions`` — the one write path, re-exporting one module per step: ``draft`` (set-based,
  ``bulk_create(ignore_conflicts=True)`` in batches, each its own transaction: a crash keeps the
  committed batches and a re-run completes the draft), ``review`` (check, approve, send back),
  ``bankfiles`` (written whole or not at all), ``returns`` (reconcile, re-issue, close),
  ``recoveries``, ``accounts``.
  Maker–checker: whoever ran the draft neither checks nor approves; the checker does not
  approve; whoever recorded an account does not check it. Only accounts in force are paid.
* ``validation`` — account numbers (ASCII digits after NFKC, a UnionPay card's Luhn digit),
  holders' names and IDs, banks, checked as typed, and again as stored before a bank file.
* ``layouts`` — the bank file layouts as data, one entry per bank and format (columns,
  encodings, title and summary rows, fixed widths in bytes); 天津农商银行 CSV is the default,
  and what we do not know of the bank's own specification is said there and on the page.
* ``exporters`` — writes any layout: one row per transfer (an entitlement's payments in the
  run, netted) with the payee's ID; accounts and IDs kept as text (quoted in CSV, text cells in
  xlsx); the checksum, SHA-256 over ``account|name|id|amount|reference`` of every row, the same
  for every layout, kept with the file.
* ``views``, ``account_views`` — runs, a run with who acts next, its steps and history, the
  comparison with the previous month, bank files, the return upload, failed payments and their
  re-issue, the monthly summary, a household's payment history (``payments:household_ledger``)
  and its bank accounts (``payments:accounts``), one account (``payments:account``), the
  jurisdiction's accounts waiting for work (``payments:account_work``). A township user reads
  its own households' rows and acts on no run.
* ``queries.work_items`` — what waits for each user: runs at their step, accounts to check,
  entitlements without an account in force.
* ``jiuzhu-web draft_payroll`` — the draft from the command line.
"""
