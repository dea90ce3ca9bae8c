"""The month's payroll plan: regular payments, arrears (补发) and recovery deductions (扣回), one
frame of rows in ``ROW_SCHEMA``, from frames the caller loads (no database here).

Policy: 最低生活保障审核确认办法（民发〔2021〕57号）第二十一条 (paid from the month after the
decision), 第二十五条、第二十六条 (paid monthly into the household's bank account);
社会救助暂行办法（国务院令第649号）第六十八条 (an overpayment is recovered).

Money is integer fen (Int64); months are ``YYYY-MM`` strings (String), compared as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

REGULAR = "regular"
"""A month's own payment (当月发放); the values of ``kind`` are those of the payments' store."""
ARREARS = "arrears"
"""Back pay for an earlier month (补发)."""
RECOVERY = "recovery"
"""A deduction of an overpayment (扣回): a negative amount."""

ROW_SCHEMA = pl.Schema(
    {
        "entitlement_id": pl.Int64,
        "household_id": pl.Int64,
        "division_code": pl.String,
        "version_id": pl.Int64,
        "month": pl.String,
        "kind": pl.String,
        "amount": pl.Int64,
        "recovery_id": pl.Int64,
        "bank_account_id": pl.Int64,
    }
)
"""One planned payment: ``amount`` in fen (negative for a recovery), ``month`` the month it is
for (an earlier one for arrears), ``bank_account_id`` null when the payee has no account in
force, ``recovery_id`` set on a recovery only."""

ENTITLEMENTS = pl.Schema(
    {
        "entitlement_id": pl.Int64,
        "program": pl.String,
        "household_id": pl.Int64,
        "person_id": pl.Int64,
        "division_code": pl.String,
    }
)
VERSIONS = pl.Schema(
    {
        "entitlement_id": pl.Int64,
        "version_id": pl.Int64,
        "amount": pl.Int64,
        "valid_from": pl.String,
        "valid_to": pl.String,
    }
)
ACCOUNTS = pl.Schema({"household_id": pl.Int64, "person_id": pl.Int64, "account_id": pl.Int64})
FROZEN_RUNS = pl.Schema({"run_month": pl.String(), "drafted_at": pl.Datetime("us", "UTC")})
RETROACTIVE = pl.Schema({"entitlement_id": pl.Int64, "since": pl.String})
LATE = pl.Schema(
    {
        "entitlement_id": pl.Int64(),
        "created_at": pl.Datetime("us", "UTC"),
        "start_month": pl.String(),
        "end_month": pl.String(),
    }
)
PAID = pl.Schema(
    {"entitlement_id": pl.Int64, "month": pl.String, "kind": pl.String, "amount": pl.Int64}
)
HISTORY_VERSIONS = pl.Schema(
    {
        "entitlement_id": pl.Int64,
        "version_id": pl.Int64,
        "valid_from": pl.String,
        "valid_to": pl.String,
        "due": pl.Int64,
    }
)
RECOVERIES = pl.Schema(
    {"recovery_id": pl.Int64, "entitlement_id": pl.Int64, "owed": pl.Int64, "cap": pl.Int64}
)
DEDUCTED = pl.Schema({"recovery_id": pl.Int64, "deducted": pl.Int64})


def _empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class MonthInputs:
    """What the plan of ``month`` is computed from (each frame in the schema of the same name
    above; an omitted frame is empty).

    ``entitlements`` (``ENTITLEMENTS``) — the entitlements payable in the month (a payable
        status, started, not ended, not past a gradual exit); ``person_id`` null for a
        household's entitlement.
    ``versions`` (``VERSIONS``) — their versions: ``amount`` fen per month, valid from
        ``valid_from`` to before ``valid_to`` (blank: open). The one in force in the month is
        paid; if bad data made two valid, the later start wins.
    ``accounts`` (``ACCOUNTS``) — the bank accounts in force of their households
        (``person_id`` set for a person's own account).
    ``frozen_runs`` (``FROZEN_RUNS``) — the program's runs of earlier months past their draft,
        with when they were drafted. None: no arrears.
    ``retroactive`` (``RETROACTIVE``) — entitlements with a version made retroactively, from
        the earliest month ``since`` it covers, whose arrears are not paid yet.
    ``late`` (``LATE``) — entitlements created after the draft of a month they are payable in,
        not paid arrears yet.
    ``paid`` (``PAID``) — what the retroactive and late entitlements were paid as due before the
        month in other runs (regular and arrears, fen).
    ``history_versions`` (``HISTORY_VERSIONS``) — every version of those entitlements
        (``due``: fen per month).
    ``recoveries`` (``RECOVERIES``) — open overpayment recoveries of the payable entitlements:
        ``owed`` fen in all, ``cap`` fen at most per month (null: no cap).
    ``deducted`` (``DEDUCTED``) — what was deducted of each in other runs (negative fen).
    """

    month: str
    entitlements: pl.DataFrame
    versions: pl.DataFrame
    accounts: pl.DataFrame
    frozen_runs: pl.DataFrame = field(default_factory=lambda: _empty(FROZEN_RUNS))
    retroactive: pl.DataFrame = field(default_factory=lambda: _empty(RETROACTIVE))
    late: pl.DataFrame = field(default_factory=lambda: _empty(LATE))
    paid: pl.DataFrame = field(default_factory=lambda: _empty(PAID))
    history_versions: pl.DataFrame = field(default_factory=lambda: _empty(HISTORY_VERSIONS))
    recoveries: pl.DataFrame = field(default_factory=lambda: _empty(RECOVERIES))
    deducted: pl.DataFrame = field(default_factory=lambda: _empty(DEDUCTED))


@dataclass
class Plan:
    """The payments of the month (``rows``, ``ROW_SCHEMA`` plus ``program``) and what was left
    out (``skipped``: ``no_version``, ``zero_amount`` — counts of entitlements)."""

    rows: pl.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)


class UnknownProgram(ValueError):
    """A program the caller did not name among the programs it pays."""


def plan_month(inputs: MonthInputs, programs: Sequence[str]) -> Plan:
    """Every payment of ``inputs.month`` for the entitlements of ``programs`` (names, in the
    order the rows are planned; the programs' registry gives them — nothing here knows a
    program by name).

    *Regular*: one per payable entitlement, the amount of the version in force, into its
    account (``resolve_accounts``); none for an entitlement without a version or paying 0.
    *Arrears*: see ``arrears``. *Recovery*: see ``deductions``.

    Raises:
        UnknownProgram: an entitlement's program is not in ``programs`` (the caller loaded the
            wrong frame).
    """
    entitlements = inputs.entitlements
    unknown = set(entitlements["program"].unique().to_list()) - set(programs)
    if unknown:
        raise UnknownProgram(f"entitlements of programs not planned: {sorted(unknown)}")
    order = {name: position for position, name in enumerate(programs)}
    entitlements = entitlements.with_row_index("_row").sort(
        pl.col("program").replace_strict(order, return_dtype=pl.Int64), "_row"
    )
    regular, skipped = _regular(inputs.month, entitlements, inputs.versions)
    accounts = resolve_accounts(regular, inputs.accounts)
    regular = regular.join(accounts, on="entitlement_id", how="left").with_columns(
        month=pl.lit(inputs.month), kind=pl.lit(REGULAR), recovery_id=pl.lit(None, pl.Int64)
    )
    owed = arrears(inputs, regular)
    gross = pl.concat(
        [regular.select("entitlement_id", "amount"), owed.select("entitlement_id", "amount")]
    )
    recovered = deductions(inputs, regular, gross)
    columns = [*ROW_SCHEMA, "program"]
    schema = pl.Schema([*ROW_SCHEMA.items(), ("program", pl.String())])
    rows = pl.concat(
        [frame.select(columns).cast(schema) for frame in (regular, owed, recovered)]
    ).select(*ROW_SCHEMA, "program")
    return Plan(rows=rows, skipped=skipped)


def _regular(
    month: str, entitlements: pl.DataFrame, versions: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, int]]:
    """The month's regular payments (entitlement, household, person, division, program,
    version_id, amount in fen) and the entitlements skipped."""
    in_force = (
        versions.filter(
            (pl.col("valid_from") <= month)
            & ((pl.col("valid_to") == "") | (pl.col("valid_to") > month))
        )
        # Versions never overlap; if bad data made two valid, the later start wins.
        .sort("valid_from", descending=True)
        .unique("entitlement_id", keep="first")
        .select("entitlement_id", "version_id", "amount")
    )
    regular = entitlements.drop("_row").join(in_force, on="entitlement_id", how="left")
    skipped = {
        "no_version": regular.filter(pl.col("version_id").is_null()).height,
        "zero_amount": regular.filter(pl.col("amount") == 0).height,
    }
    return regular.filter(pl.col("amount") > 0), skipped


def resolve_accounts(
    wanted: pl.DataFrame, accounts: pl.DataFrame, key: str = "entitlement_id"
) -> pl.DataFrame:
    """The account each row of ``wanted`` (``key``, ``household_id``, ``person_id``) is paid
    into: the person's own account (a tekun person's), else the household's, else the
    household's only account in force. Returns ``key`` and ``bank_account_id`` (Int64; null
    when none — the checker refuses the run until one is recorded). ``accounts``:
    ``ACCOUNTS``, in force only."""
    own = accounts.filter(pl.col("person_id").is_not_null()).rename({"account_id": "own"})
    household = accounts.filter(pl.col("person_id").is_null()).select(
        "household_id", pl.col("account_id").alias("household_account")
    )
    only = (
        accounts.group_by("household_id")
        .agg(pl.col("account_id").min().alias("only"), pl.len().alias("n"))
        .filter(pl.col("n") == 1)
        .drop("n")
    )
    return (
        wanted.select(key, "household_id", "person_id")
        .join(own, on=["household_id", "person_id"], how="left")
        .join(household, on="household_id", how="left")
        .join(only, on="household_id", how="left")
        .select(key, pl.coalesce("own", "household_account", "only").alias("bank_account_id"))
    )


def arrears_candidates(retroactive: pl.DataFrame, late: pl.DataFrame) -> list[int]:
    """The entitlements whose history ``arrears`` needs (``paid``, ``history_versions``)."""
    return sorted(
        set(retroactive["entitlement_id"].to_list()) | set(late["entitlement_id"].to_list())
    )


def arrears(inputs: MonthInputs, regular: pl.DataFrame) -> pl.DataFrame:
    """The shortfall (fen, > 0) of every earlier month of an entitlement paid this month
    (``regular``): months paid under an older version than the one now valid (from the
    retroactive version's ``since``), and months whose run was drafted before the entitlement
    was created (from its ``start_month`` to before its ``end_month``). Due is the amount of
    the version in force that month; paid is the regular and arrears paid for it. Arrears go
    to this month's account, with the household and division of this month's payment."""
    empty = regular.clear().with_columns(kind=pl.lit(ARREARS))
    frozen = inputs.frozen_runs
    if frozen.is_empty() or regular.is_empty():
        return empty
    if not arrears_candidates(inputs.retroactive, inputs.late):
        return empty
    paid = inputs.paid
    months_retro = (
        paid.filter(pl.col("kind") == REGULAR)
        .join(inputs.retroactive, on="entitlement_id")
        .filter(pl.col("month") >= pl.col("since"))
        .select("entitlement_id", "month")
    )
    months_late = (
        inputs.late.join(frozen, how="cross")
        .filter(
            (pl.col("drafted_at") < pl.col("created_at"))
            & (pl.col("run_month") >= pl.col("start_month"))
            & ((pl.col("end_month") == "") | (pl.col("run_month") < pl.col("end_month")))
        )
        .select("entitlement_id", pl.col("run_month").alias("month"))
    )
    months = pl.concat([months_retro, months_late]).unique()
    due = (
        months.join(inputs.history_versions, on="entitlement_id")
        .filter(
            (pl.col("valid_from") <= pl.col("month"))
            & ((pl.col("valid_to") == "") | (pl.col("valid_to") > pl.col("month")))
        )
        .sort("valid_from", descending=True)
        .unique(["entitlement_id", "month"], keep="first")
        .select("entitlement_id", "month", "version_id", "due")
    )
    paid_by_month = paid.group_by("entitlement_id", "month").agg(
        pl.col("amount").sum().alias("paid")
    )
    shortfall = (
        due.join(paid_by_month, on=["entitlement_id", "month"], how="left")
        .with_columns(amount=pl.col("due") - pl.col("paid").fill_null(0))
        .filter(pl.col("amount") > 0)
    )
    current = regular.select(
        "entitlement_id", "household_id", "division_code", "bank_account_id", "program"
    )
    return shortfall.join(current, on="entitlement_id").with_columns(
        kind=pl.lit(ARREARS), recovery_id=pl.lit(None, pl.Int64)
    )


def deductions(inputs: MonthInputs, regular: pl.DataFrame, gross: pl.DataFrame) -> pl.DataFrame:
    """The month's recovery deductions (negative fen): per entitlement paid this month, the
    oldest open recovery still outstanding (owed + deductions so far > 0), at most its
    monthly ``cap`` and at most the entitlement's gross this month (``gross``: its regular and
    arrears rows), so that a transfer is never negative."""
    base = regular.select(
        "entitlement_id",
        "household_id",
        "division_code",
        "version_id",
        "bank_account_id",
        "program",
    )
    recoveries = inputs.recoveries
    if recoveries.is_empty():
        return base.clear().with_columns(
            month=pl.lit(inputs.month),
            kind=pl.lit(RECOVERY),
            amount=pl.lit(0, pl.Int64),
            recovery_id=pl.lit(None, pl.Int64),
        )
    gross_by = gross.group_by("entitlement_id").agg(pl.col("amount").sum().alias("gross"))
    return (
        recoveries.join(inputs.deducted, on="recovery_id", how="left")
        # Deductions are negative payments: outstanding = owed + Σ deductions.
        .with_columns(outstanding=pl.col("owed") + pl.col("deducted").fill_null(0))
        .filter(pl.col("outstanding") > 0)
        # One deduction per entitlement and month: the oldest recovery first.
        .sort("recovery_id")
        .unique("entitlement_id", keep="first")
        .join(gross_by, on="entitlement_id")
        .with_columns(
            take=pl.min_horizontal(
                "outstanding", pl.col("cap").fill_null(pl.col("outstanding")), "gross"
            )
        )
        .filter(pl.col("take") > 0)
        .join(base, on="entitlement_id")
        .with_columns(month=pl.lit(inputs.month), kind=pl.lit(RECOVERY), amount=-pl.col("take"))
    )
