"""Benchmark the standard change (标准调整) recomputation: 20,000 active entitlements recomputed for
the dibao standard of 2025-09-01 (1,010 → 1,045 yuan, 津民规〔2025〕6号), reviewed and approved.
Issue 5's target: the recomputation of 20,000 active entitlements in at most 10 s on PostgreSQL.

    export JIUZHU_DATA_DIR=/tmp/jz_bench_sc       # SQLite, or:
    export DATABASE_URL=postgres://postgres@127.0.0.1:54333/postgres
    jiuzhu synth --scale 0.1 --out /tmp/jz_bench_sc/district --no-feeds   # ~27,000 households
    python bench/standard_change.py /tmp/jz_bench_sc/district --entitlements 20000

The registry is imported once (``registry.actions.import_district``; a re-run skips it). The
entitlements are bulk-inserted as confirmed decisions would leave them: one dibao entitlement
per household (the first ``--entitlements`` households), version 1 from 2025-06 at the amount the
rules give on 2025-08-01 (the old standard) where the household is eligible, a placeholder amount
otherwise (those the recomputation flags as no longer eligible). A re-run replaces them.

Printed: the setup, then the recomputation alone (``standard_change.recompute``) with its parts
(the open versions query; the registry's frames and the engine, in slices), the run with its
stored differences (``standard_change_runs.start_standard_change``), and the approval by a second person
(``standard_change_runs.approve_standard_change``: the new versions). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="jiuzhu synth output (households.parquet …)")
    parser.add_argument("--entitlements", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed recomputations")
    parser.add_argument(
        "--raise-to",
        type=int,
        metavar="YUAN",
        help="what-if: the 2025-09-01 standard set to this many yuan (most households become "
        "eligible, so the approval writes thousands of versions)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    import django  # noqa: PLC0415

    django.setup()
    import polars as pl  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415

    from jiuzhu.rules import load_system  # noqa: PLC0415
    from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User  # noqa: PLC0415
    from jiuzhu.web.entitlements.actions import standard_change_runs  # noqa: PLC0415
    from jiuzhu.web.entitlements.assessment import program_amounts  # noqa: PLC0415
    from jiuzhu.web.entitlements.models import (  # noqa: PLC0415
        Entitlement,
        EntitlementVersion,
        ReviewTask,
        StandardChangeRun,
        VersionBasis,
    )
    from jiuzhu.web.entitlements.standard_change import open_versions, recompute  # noqa: PLC0415
    from jiuzhu.web.registry.actions import import_district  # noqa: PLC0415
    from jiuzhu.web.registry.models import Household  # noqa: PLC0415

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    import dataclasses  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_calendar", verbosity=0)
    if Household.objects.exists():
        print("registry already loaded: import skipped")
    else:
        started = time.perf_counter()
        run = import_district(None, args.folder)
        print(
            f"import_district: {run.households:,} households, {run.persons:,} persons "
            f"in {time.perf_counter() - started:.1f} s"
        )

    # --- entitlements ---------------------------------------------------------------------
    started = time.perf_counter()
    with transaction.atomic():
        StandardChangeRun.objects.all().delete()
        ReviewTask.objects.all().delete()
        EntitlementVersion.objects.all().delete()
        Entitlement.objects.all().delete()
        households = list(
            Household.objects.order_by("pk").values_list("pk", "division_code")[: args.entitlements]
        )
        if len(households) < args.entitlements:
            sys.exit(f"only {len(households):,} households: synthesise a larger district")
        system = load_system("tianjin")
        frame = pl.DataFrame(
            {
                "entitlement_id": [pk for pk, _d in households],
                "program": ["dibao"] * len(households),
                "household_id": [pk for pk, _d in households],
                "person_id": [None] * len(households),
                "single_person": [False] * len(households),
            }
        )
        before = program_amounts(system, frame, dt.date(2025, 8, 1))
        amounts = dict(
            before.select(
                "household_id",
                pl.when(pl.col("eligible").fill_null(False))
                .then(pl.col("amount"))
                .otherwise(30_000),
            ).iter_rows()
        )
        eligible = int(before["eligible"].fill_null(False).sum())
        made = Entitlement.objects.bulk_create(
            [
                Entitlement(
                    number=f"BENCH{pk:08d}",
                    program="dibao",
                    household_id=pk,
                    division_code=division,
                    start_month="2025-06",
                )
                for pk, division in households
            ],
            batch_size=5_000,
        )
        EntitlementVersion.objects.bulk_create(
            [
                EntitlementVersion(
                    entitlement_id=e.pk,
                    number=1,
                    valid_from="2025-06",
                    monthly_amount=amounts[e.household_id],
                    basis=VersionBasis.DECISION,
                )
                for e in made
            ],
            batch_size=5_000,
        )
        maker, _ = User.objects.get_or_create(
            username="bench_sc_maker",
            defaults={"role": Role.DISTRICT_OFFICER, "division_code": DISTRICT_CODE},
        )
        checker, _ = User.objects.get_or_create(
            username="bench_sc_checker",
            defaults={"role": Role.DISTRICT_DIRECTOR, "division_code": DISTRICT_CODE},
        )
    print(
        f"setup: {len(made):,} dibao entitlements ({eligible:,} on households eligible on "
        f"2025-08-01) in {time.perf_counter() - started:.1f} s"
    )

    # --- the recomputation ----------------------------------------------------------------
    if args.raise_to:
        value = args.raise_to * 100  # the engine holds fen
        tree = system.parameters.with_value(
            "dibao.standard", dt.date(2025, 9, 1), {"urban": value, "rural": value}
        )
        system = dataclasses.replace(system, parameters=tree)
        print(f"what-if: dibao.standard {args.raise_to:,} yuan from 2025-09-01")
    for attempt in range(1, args.repeat + 1):
        started = time.perf_counter()
        versions = open_versions()
        read = time.perf_counter() - started
        started = time.perf_counter()
        program_amounts(
            system,
            versions.select(
                "entitlement_id", "program", "household_id", "person_id", "single_person"
            ),
            dt.date(2025, 9, 1),
        )
        engine = time.perf_counter() - started
        started = time.perf_counter()
        result = recompute("2025-09", system=system)
        whole = time.perf_counter() - started
        print(
            f"recompute #{attempt}: {result.rows.height:,} entitlements in {whole:.2f} s "
            f"(open versions {read:.2f} s; registry frames + engine {engine:.2f} s); "
            f"{result.changed.height:,} change, {result.flagged.height:,} flagged"
        )

    started = time.perf_counter()
    run = standard_change_runs.start_standard_change(
        maker, parameter_path="dibao.standard", effective_month="2025-09", system=system
    )
    print(
        f"start_standard_change (recompute + {run.changed + run.flagged:,} stored rows): "
        f"{time.perf_counter() - started:.2f} s; totals {run.total_before / 100:,.2f} → "
        f"{run.total_after / 100:,.2f} yuan/month over {len(run.totals)} township×program rows"
    )
    started = time.perf_counter()
    run = standard_change_runs.approve_standard_change(checker, run)
    print(
        f"approve_standard_change: {run.applied:,} new versions, "
        f"{ReviewTask.objects.count():,} review tasks in {time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main()
