"""Seed the case platform for the load test (``bench/load.py``): the full synthetic Baodi
registry, the holiday calendar, the users of the measured roles and a few hundred applications.

    export DATABASE_URL=postgres://postgres@127.0.0.1:54331/postgres JIUZHU_DATA_DIR=/tmp/jz_bench
    jiuzhu synth --scale 1.0 --out /tmp/jz_bench/district
    python bench/web_seed.py /tmp/jz_bench/district

Creates (password ``--password``, default ``bench-load-2026``):

* ``bench_township`` — township caseworker of the township with the most households;
* ``bench_district``, ``bench_district_02`` … ``bench_district_NN`` — ``--district-officers``
  district officers (the whole district): one account per district virtual user, as each
  needs its own second factor (a TOTP code is accepted once);
* ``bench_tw_<code>`` — a township caseworker per other township (to spread applications).

When the second factor is installed (django-otp's TOTP), each district officer without one
gets a confirmed TOTP device with a random key, which ``bench/load.py`` reads to compute the
codes (bench accounts only: a real officer enrols on the enrolment page).

Applications are registered through ``cases.actions.submit_application`` (the one write path),
``--applications`` in the largest township and ``--per-township`` in each other one.

The workbench computes deadlines up to the next year; when the holiday calendar does not cover
it yet (``chinesecalendar`` publishes a year in its November), a Monday–Friday placeholder year is
entered so that the workbench is measured doing its real work (``--no-placeholder-year`` not to).
Re-running on a loaded database skips the import and only tops up users and applications.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="jiuzhu synth output (households.parquet …)")
    parser.add_argument("--password", default="bench-load-2026")
    parser.add_argument("--applications", type=int, default=400)
    parser.add_argument("--per-township", type=int, default=20)
    parser.add_argument("--district-officers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--feeds", action="store_true", help="also import the department feeds")
    parser.add_argument("--no-placeholder-year", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.db.models import Count  # noqa: PLC0415

    from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User  # noqa: PLC0415
    from jiuzhu.web.cases.actions import submit_application  # noqa: PLC0415
    from jiuzhu.web.cases.models import Application, Channel  # noqa: PLC0415
    from jiuzhu.web.core import clock  # noqa: PLC0415
    from jiuzhu.web.core.programs import Program  # noqa: PLC0415
    from jiuzhu.web.registry.actions import import_district  # noqa: PLC0415
    from jiuzhu.web.registry.models import Household, Membership  # noqa: PLC0415
    from jiuzhu.web.workcalendar.models import CalendarYear  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_calendar", verbosity=0)
    next_year = clock.today().year + 1
    if (
        not args.no_placeholder_year
        and not CalendarYear.objects.filter(year=next_year, complete=True).exists()
    ):
        CalendarYear.objects.update_or_create(year=next_year, defaults={"complete": True})
        print(f"calendar {next_year}: placeholder, Monday–Friday without holidays (bench only)")
    if Household.objects.exists():
        print("registry already loaded: import skipped")
    else:
        started = time.perf_counter()
        run = import_district(None, args.folder)
        took = time.perf_counter() - started
        print(
            f"import_district: {run.households:,} households, {run.persons:,} persons "
            f"in {took:.1f} s ({connection.vendor})"
        )
        if args.feeds:
            from jiuzhu.web.verification.actions import import_feeds  # noqa: PLC0415

            started = time.perf_counter()
            imports = import_feeds(None, args.folder / "feeds")
            print(f"import_feeds: {len(imports)} files in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    townships = list(
        Household.objects.values("township_code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("township_code", "n")
    )
    largest = townships[0][0]

    def user(username: str, role: str, division: str) -> User:
        found = User.objects.filter(username=username).first()
        if found is None:
            found = User.objects.create_user(
                username, password=args.password, role=role, division_code=division
            )
        return found

    officers = [
        user(name, Role.DISTRICT_OFFICER, DISTRICT_CODE)
        for name in ["bench_district"]
        + [f"bench_district_{i:02d}" for i in range(2, args.district_officers + 1)]
    ]
    second_factor(officers)
    plan = [(user("bench_township", Role.TOWNSHIP_CASEWORKER, largest), largest, args.applications)]
    for code, _n in townships[1:]:
        plan.append(
            (user(f"bench_tw_{code}", Role.TOWNSHIP_CASEWORKER, code), code, args.per_township)
        )

    rng = random.Random(args.seed)
    programs = [Program.DIBAO, Program.NEAR_DIBAO, Program.TEKUN, Program.RIGID_EXPENDITURE]
    complete = [
        "application_form",
        "income_asset_declaration",
        "verification_authorisation",
        "truthfulness_undertaking",
        "medical_bills",
        "diagnosis",
    ]
    started = time.perf_counter()
    made = 0
    for caseworker, code, wanted in plan:
        have = Application.objects.filter(division_code__startswith=code).count()
        if have >= wanted:
            continue
        ids = list(
            Household.objects.filter(township_code=code)
            .order_by("?")
            .values_list("id", flat=True)[: 3 * (wanted - have)]
        )
        for household in Household.objects.filter(id__in=ids):
            if have >= wanted:
                break
            applicant = (
                Membership.objects.filter(household=household, valid_to__isnull=True)
                .order_by("relation", "person_id")
                .select_related("person")
                .first()
            )
            if applicant is None:
                continue
            # Most applications arrive complete; a fifth wait for materials.
            materials = complete if rng.random() < 0.8 else complete[:2]
            submit_application(
                caseworker,
                household,
                program=rng.choice(programs),
                applicant=applicant.person,
                channel=Channel.COUNTER,
                materials=materials,
            )
            have += 1
            made += 1
    print(
        f"applications: {made} new in {time.perf_counter() - started:.1f} s, "
        f"{Application.objects.count()} in all; largest township {largest}"
    )


def second_factor(users: list[Any]) -> None:
    """A confirmed TOTP device for each user without one, if the second factor is installed."""
    from django.apps import apps  # noqa: PLC0415

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    made = 0
    for user in users:
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            made += 1
    print(f"second factor: {made} TOTP device(s) made for {len(users)} district officer(s)")


if __name__ == "__main__":
    sys.exit(main())
