"""The rows of a bank file (代发文件): one per transfer — the net of one entitlement's payments in
a run (regular + arrears − recovery; a bank cannot credit a negative amount) — with the account
in full, the payee's ID number and the bank reference; the cell values a layout writes, what an
encoding cannot carry, the rows' checksum, and the Luhn check digit of a card number.

Money is integer fen; a bank file shows yuan with two decimals (``yuan_text``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from jiuzhu.feeds import ids

REFERENCE_DIGITS = 10
"""Zero-padded entitlement id in a reference: ``202511DB0000001234``."""

UNKNOWN_PROGRAM_CODE = "XX"
"""The reference's program letters for a program without a code."""

UNIONPAY_PREFIX = "62"
"""The issuer identification numbers of UnionPay (银联) cards begin with 62; their card numbers
are 16 to 19 digits and end with a Luhn check digit (JR/T 0008《银行卡发卡行标识代码及卡号》,
which follows ISO/IEC 7812)."""


@dataclass(frozen=True)
class BankRow:
    account_number: str
    holder_name: str
    id_number: str
    """The holder's resident ID, as recorded with the account."""
    bank_name: str
    amount: int
    """fen; positive."""
    reference: str


PAYMENTS = pl.Schema(
    {
        "entitlement_id": pl.Int64,
        "division_code": pl.String,
        "amount": pl.Int64,
        "bank_account_id": pl.Int64,
        "household_id": pl.Int64,
    }
)
"""The payments a file carries (fen; ``bank_account_id`` null when none)."""

ACCOUNTS = pl.Schema(
    {
        "bank_account_id": pl.Int64,
        "account_number": pl.String,
        "holder_name": pl.String,
        "holder_id": pl.String,
        "bank_name": pl.String,
    }
)
"""The accounts in force the payments are paid into, as stored."""


@dataclass
class Transfers:
    """A file's content: ``rows`` (one per transfer with something to pay, by division code and
    entitlement), the household of each (same order), the entitlements whose transfer a
    recovery netted to nothing (``zero``), and how many transfers have no account in force
    (``unpaid``: the file must then be refused)."""

    rows: list[BankRow]
    households: list[int]
    zero: list[int]
    unpaid: int


def reference_prefix(month: str, program: str, codes: Mapping[str, str]) -> str:
    """``2025-11`` and dibao → ``202511DB``: the month and the program's two letters (``codes``:
    program name → letters, from the programs' registry; ``XX`` for a program without)."""
    return f"{month.replace('-', '')}{codes.get(program, UNKNOWN_PROGRAM_CODE)}"


def reference(prefix: str, entitlement_id: int, suffix: str = "") -> str:
    """The bank reference of one transfer: prefix (``reference_prefix``), entitlement, and
    ``R<n>`` for the n-th re-issue file."""
    return f"{prefix}{entitlement_id:0{REFERENCE_DIGITS}d}{suffix}"


def transfers(
    payments: pl.DataFrame, accounts: pl.DataFrame, prefix: str, suffix: str = ""
) -> Transfers:
    """The transfers of ``payments`` (``PAYMENTS``) into ``accounts`` (``ACCOUNTS``): each
    entitlement's payments netted, ordered by division code and entitlement; references from
    ``prefix`` and ``suffix`` (``reference``)."""
    netted = payments.group_by("entitlement_id").agg(
        pl.col("division_code").first(),
        pl.col("amount").sum(),
        pl.col("bank_account_id").max(),
        pl.col("household_id").first(),
    )
    found = netted.join(accounts, on="bank_account_id", how="left").sort(
        "division_code", "entitlement_id"
    )
    unpaid = found.filter(pl.col("account_number").is_null()).height
    paying = found.filter((pl.col("amount") > 0) & pl.col("account_number").is_not_null())
    rows = [
        BankRow(
            account_number=number,
            holder_name=holder,
            id_number=holder_id,
            bank_name=bank,
            amount=amount,
            reference=reference(prefix, entitlement, suffix),
        )
        for entitlement, amount, number, holder, holder_id, bank in paying.select(
            "entitlement_id", "amount", *list(ACCOUNTS)[1:]
        ).iter_rows()
    ]
    zero = found.filter(pl.col("amount") == 0)["entitlement_id"].to_list()
    return Transfers(rows, paying["household_id"].to_list(), zero, unpaid)


def yuan_text(fen: int) -> str:
    """104500 → ``1045.00`` (no thousands separator: a bank field, not a display)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def row_checksum(rows: Sequence[BankRow]) -> str:
    """SHA-256 (hex) over the UTF-8 bytes of ``account|name|id|amount|reference\\n`` of every
    row in file order: the same for every layout and encoding."""
    digest = hashlib.sha256()
    for r in rows:
        line = f"{r.account_number}|{r.holder_name}|{r.id_number}|{yuan_text(r.amount)}|"
        digest.update(f"{line}{r.reference}\n".encode())
    return digest.hexdigest()


def row_cells(row: BankRow, sequence: int) -> dict[str, str]:
    """The value of every field a layout's column may carry, as written (``sequence``: 1, 2, …
    in file order)."""
    return {
        "sequence": str(sequence),
        "account": row.account_number,
        "name": row.holder_name,
        "id_number": row.id_number,
        "bank": row.bank_name,
        "amount": yuan_text(row.amount),
        "reference": row.reference,
    }


def unencodable(value: str, encoding: str) -> list[str]:
    """The characters of ``value`` that ``encoding`` cannot carry, in order."""
    found = []
    for character in value:
        try:
            character.encode(encoding)
        except UnicodeEncodeError:
            found.append(character)
    return found


def byte_width(value: str, encoding: str) -> int:
    """``value``'s length in bytes of ``encoding`` (a fixed-width column counts bytes)."""
    return len(value.encode(encoding))


def ids_as_stored_valid(numbers: Sequence[str]) -> list[bool]:
    """For each holder's ID as stored: valid (GB 11643, ``jiuzhu.feeds.ids``) and already in
    its normal form, so that a bank file can carry it as it is. Checked in one vectorised pass
    (a bank file has one per row); a False needs a closer look for the reason."""
    if not numbers:
        return []
    raw = pl.Series(list(numbers), dtype=pl.String)
    number = ids.normalise_series(raw).struct.field("number")
    return (number == raw).fill_null(False).to_list()


def luhn_check_digit(body: str) -> str:
    """The Luhn check digit that completes ``body`` (ASCII digits) into a card number
    (ISO/IEC 7812)."""
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit)
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


def luhn_valid(number: str) -> bool:
    """The Luhn check digit of a card number (ISO/IEC 7812) is right (``number``: ASCII
    digits)."""
    return luhn_check_digit(number[:-1]) == number[-1:]


def is_unionpay_card(number: str) -> bool:
    """A UnionPay card number by its form: 62… and 16–19 digits."""
    return number.startswith(UNIONPAY_PREFIX) and 16 <= len(number) <= 19
