"""Payroll benchmark: 20,000 active dibao entitlements with bank accounts; times the monthly run
draft → check → approve → export (the bank file). Target: ≤ 10 s on PostgreSQL.

    # PostgreSQL (the target): a throwaway database ``jiuzhu_bench_payroll`` is created on the
    # server of DATABASE_URL and dropped at the end (``--keep`` to keep it)
    DATABASE_URL=postgres://postgres@127.0.0.1:54332/postgres python bench/payroll.py
    # SQLite (without DATABASE_URL): a fresh file in a temporary folder
    python bench/payroll.py

The data are bulk-inserted (households, entitlements with version 1, bank accounts), then the
previous month is drafted and checked (not timed) so that the measured month has a comparison,
and 10 % of the entitlements get a retroactive version from the previous month (a standard rise
published late) so that the measured draft also pays arrears.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "jiuzhu_bench_payroll"
T = TypeVar("T")
NAME_DIGITS = "甲乙丙丁戊己庚辛壬癸"
"""A holder's name carries no digits (the bank file refuses them): the pk spelt in stems."""


def _card(pk: int) -> str:
    """A UnionPay card number (19 digits) with its Luhn check digit, as the bank file requires."""
    from jiuzhu.web.payments.validation import luhn_check_digit  # noqa: PLC0415

    body = f"6231{pk:014d}"
    return body + luhn_check_digit(body)


def _resident_id(pk: int) -> str:
    """A valid Baodi resident ID (GB 11643 check character) for the account's holder."""
    from jiuzhu.feeds.ids import check_character  # noqa: PLC0415

    first17 = f"120115{1950 + pk % 40}0101{pk % 1000:03d}"
    return first17 + check_character(first17)


def _database(keep: bool) -> Callable[[], None]:
    """Point Django at a fresh database; returns the clean-up."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        folder = tempfile.mkdtemp(prefix="jz_payroll_")
        os.environ["JIUZHU_DATA_DIR"] = folder
        print(f"database: SQLite (no DATABASE_URL), {folder}/jiuzhu.sqlite3")
        return lambda: None
    import psycopg  # noqa: PLC0415

    parsed = urlparse(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{BENCH_DATABASE}"))
    print(f"database: PostgreSQL {parsed.hostname}:{parsed.port}/{BENCH_DATABASE}")

    def drop() -> None:
        if keep:
            return
        from django.db import connections  # noqa: PLC0415

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")

    return drop


def _timed(label: str, work: Callable[[], T], timings: dict[str, float]) -> T:
    started = time.perf_counter()
    result = work()
    timings[label] = time.perf_counter() - started
    print(f"  {label:<8} {timings[label]:6.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entitlements", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    cleanup = _database(args.keep)
    os.environ["JIUZHU_TODAY"] = "2025-10-20"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django  # noqa: PLC0415

    django.setup()
    try:
        _run(args.entitlements)
    finally:
        cleanup()


def _run(count: int) -> None:
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from jiuzhu.reference import baodi_divisions  # noqa: PLC0415
    from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User  # noqa: PLC0415
    from jiuzhu.web.entitlements.models import (  # noqa: PLC0415
        Entitlement,
        EntitlementVersion,
        Status,
        VersionBasis,
    )
    from jiuzhu.web.payments import actions  # noqa: PLC0415
    from jiuzhu.web.payments.models import AccountStatus, BankAccount  # noqa: PLC0415
    from jiuzhu.web.registry.models import Household  # noqa: PLC0415

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")

    def user(name: str, role: str) -> Any:
        return User.objects.create_user(
            username=name, password="bench-payroll-2026", role=role, division_code=DISTRICT_CODE
        )

    officer = user("officer", Role.DISTRICT_OFFICER)
    officer2 = user("officer2", Role.DISTRICT_OFFICER)
    director = user("director", Role.DISTRICT_DIRECTOR)

    started = time.perf_counter()
    communities = sorted(
        code for code, d in baodi_divisions().items() if d.level not in ("township", "district")
    )
    households = Household.objects.bulk_create(
        [
            Household(
                number=f"B{i:08d}",
                division_code=communities[i % len(communities)],
                township_code=communities[i % len(communities)][:9],
                area_type="rural" if i % 3 else "urban",
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    entitlements = Entitlement.objects.bulk_create(
        [
            Entitlement(
                number=f"EB{h.pk:010d}",
                program="dibao",
                household=h,
                division_code=h.division_code,
                status=Status.ACTIVE,
                start_month="2025-01",
            )
            for h in households
        ],
        batch_size=5000,
    )
    EntitlementVersion.objects.bulk_create(
        [
            EntitlementVersion(
                entitlement=e,
                number=1,
                valid_from="2025-01",
                monthly_amount=50_000 + (e.pk % 500) * 100,
                basis=VersionBasis.DECISION,
            )
            for e in entitlements
        ],
        batch_size=5000,
    )
    BankAccount.objects.bulk_create(
        [
            BankAccount(
                household=h,
                bank_name="天津农商银行宝坻支行",
                account_number=_card(h.pk),
                holder_name="户主" + "".join(NAME_DIGITS[int(d)] for d in str(h.pk)),
                holder_id=_resident_id(h.pk),
                status=AccountStatus.IN_FORCE,
            )
            for h in households
        ],
        batch_size=5000,
    )
    print(
        f"data: {len(households):,} households, entitlements and bank accounts "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    september = actions.draft_run(officer, "2025-09", "dibao")
    actions.check_run(officer2, september)
    print(f"previous month (2025-09) drafted and checked: {time.perf_counter() - started:.1f} s")
    # A standard rise from September published late: 10 % of the entitlements, September paid.
    raised = entitlements[::10]
    EntitlementVersion.objects.filter(entitlement__in=raised).update(valid_to="2025-09")
    EntitlementVersion.objects.bulk_create(
        [
            EntitlementVersion(
                entitlement=e,
                number=2,
                valid_from="2025-09",
                monthly_amount=50_000 + (e.pk % 500) * 100 + 3_500,
                basis=VersionBasis.STANDARD_CHANGE,
            )
            for e in raised
        ],
        batch_size=5000,
    )

    print(f"2025-10 on {connection.vendor}:")
    timings: dict[str, float] = {}
    run = _timed("draft", lambda: actions.draft_run(officer, "2025-10", "dibao"), timings)
    run = _timed("check", lambda: actions.check_run(officer2, run), timings)
    run = _timed("approve", lambda: actions.approve_run(director, run), timings)
    bank_file = _timed(
        "export", lambda: actions.export_run(officer, run, "tjrcb-csv", "gb18030"), timings
    )
    total = sum(timings.values())
    print(f"  {'total':<8} {total:6.2f} s  (target ≤ 10 s on PostgreSQL)")
    by_kind = run.totals["by_kind"]
    print(
        f"payments: {run.totals['count']:,} ({by_kind['regular']['count']:,} regular, "
        f"{by_kind.get('arrears', {}).get('count', 0):,} arrears); "
        f"bank file: {bank_file.rows:,} rows, {bank_file.total / 100:,.2f} yuan, "
        f"{len(bytes(bank_file.content)) / 1e6:.1f} MB, sha256 {bank_file.checksum[:16]}…"
    )
    print(
        f"check: {run.check_report['changed']:,} changed, {run.check_report['new']:,} new, "
        f"{run.check_report['stopped']:,} stopped against {run.check_report['previous_month']}"
    )


if __name__ == "__main__":
    main()
