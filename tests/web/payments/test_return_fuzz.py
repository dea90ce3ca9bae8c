"""The reader fuzz (issue 10) of the bank return file, with plausible files: each line answers a
transfer of the run as a bank or a spreadsheet writes it (full-width digits, ="…" and ' around
the account, thousands separators, 元, summary lines, GB18030), with a drawn share of dirt.

``test_bank_files`` fuzzes the reader with arbitrary bytes and cells, most of which are refused;
this one makes the accepting path common. A file is reconciled — every stored account ASCII
digits, every answered payment paid or failed as the file said — or refused with messages that
name the line (or the file's fault), leaving everything as it was; a clean file is always
reconciled.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jiuzhu.web.accounts.models import User
from jiuzhu.web.payments import actions
from jiuzhu.web.payments.models import BankReturn, BankReturnRow, PaymentStatus, PayrollRun
from tests.feeds.dirty import full_width, mutated, rarely
from tests.web.payments.test_bank_files import _state, approved, exported  # noqa: F401

HEADERS = (
    ["账号", "金额", "状态", "原因"],
    ["银行账号", "金额（元）", "处理状态", "失败原因", "业务参考号"],
    ["account", "amount", "status", "reason"],
)
LINE = re.compile(r"第 [0-9]+ 行")


@st.composite
def plausible_returns(
    draw: st.DrawFn, transfers: list[tuple[str, str, int]]
) -> tuple[bytes, dict[str, bool], bool]:
    """A return file answering some of ``transfers`` (reference, account, fen), what it says
    of each reference answered (True: paid), and whether it is clean (no cell spoilt)."""
    header = draw(st.sampled_from(HEADERS))
    dirty = rarely(draw, 3)
    rows: list[list[str]] = []
    answers: dict[str, bool] = {}
    for reference, account, fen in transfers:
        if rarely(draw, 5):
            continue  # not answered yet
        paid = draw(st.booleans())
        answers[reference] = paid
        shown = draw(
            st.sampled_from(
                [account, full_width(account), f'="{account}"', f"'{account}", f" {account} "]
            )
        )
        yuan = f"{fen // 100}.{fen % 100:02d}"
        amount = draw(st.sampled_from([yuan, f"{fen // 100:,}.{fen % 100:02d}", yuan + "元"]))
        row = [shown, amount, "成功" if paid else "失败", "" if paid else "户名不符"]
        if len(header) == 5:
            row.append(reference)
        if dirty and rarely(draw, 2):
            at = draw(st.integers(0, len(row) - 1))
            row[at] = draw(mutated(row[at]))
        rows.append(row)
    if rows and rarely(draw, 3):
        rows.append(["合计", "", "", ""])
    out = io.StringIO()
    csv.writer(out).writerows([header, *draw(st.permutations(rows))])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return out.getvalue().encode(encoding, "replace"), answers, not dirty


@pytest.mark.django_db
def test_a_plausible_return_file_is_reconciled_or_refused_by_line(
    users: dict[str, User],
    exported: PayrollRun,  # noqa: F811
) -> None:
    transfers = list(
        exported.payments.order_by("pk").values_list(
            "reference", "bank_account__account_number", "amount"
        )
    )
    before = _state(exported)

    @settings(
        deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(plausible_returns(transfers))
    def read(file: tuple[bytes, dict[str, bool], bool]) -> None:
        content, answers, clean = file
        with transaction.atomic():
            try:
                actions.reconcile_run(users["officer"], exported, content, "回盘.csv")
            except ValidationError as exc:
                assert exc.messages and all(m.strip() for m in exc.messages)
                assert all(LINE.search(m) for m in exc.messages if "文件" not in m), exc.messages
                assert not clean, f"a clean return was refused: {exc.messages}"
                assert _state(exported) == before, "a refused return wrote something"
                event("return refused", payload=exc.messages[0][:30])
            else:
                event("return reconciled")
                stored = BankReturnRow.objects.filter(bank_return__run=exported)
                assert all(
                    a.isascii() and a.isdigit()
                    for a in stored.values_list("account_number", flat=True)
                )
                statuses = dict(exported.payments.values_list("reference", "status"))
                for reference, paid in answers.items():
                    wanted = PaymentStatus.PAID if paid else PaymentStatus.FAILED
                    assert statuses[reference] == wanted, reference
                assert BankReturn.objects.count() == before[0] + 1
            transaction.set_rollback(True)
        assert _state(exported) == before

    read()


@pytest.mark.django_db
def test_a_return_titled_with_full_width_parentheses_is_read(
    users: dict[str, User],
    exported: PayrollRun,  # noqa: F811
) -> None:
    """Found by the fuzz: the header was compared after NFKC (金额(元)) with the titles as
    written (金额（元）), so a file with the listed title 金额（元） was refused as having no
    amount column."""
    transfers = exported.payments.values_list("bank_account__account_number", "amount")
    out = io.StringIO()
    csv.writer(out).writerows(
        [["银行账号", "金额（元）", "处理状态"]]
        + [[account, f"{fen / 100:.2f}", "成功"] for account, fen in transfers]
    )
    result = actions.reconcile_run(users["officer"], exported, out.getvalue().encode("gb18030"))
    assert (result.succeeded, result.failed) == (len(transfers), 0)
