"""``jiuzhu-web entitlement_checks [--on YYYY-MM-DD] [--division CODE]``: the daily checks of
dynamic management (reviews due, deaths, tekun minors reaching 18, terminations that take
effect). Idempotent: run it every day (cron or the worker host)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, Unpack

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.web.entitlements.scheduled import run_daily_checks


class Options(TypedDict):
    """The parsed arguments (Django adds its common ones, not read here)."""

    on: str | None
    division: str


class Command(BaseCommand):
    help = "Run the daily entitlement checks (定期核查排期、死亡信息、特困年满18周岁、到期终止)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="the day to check as of (default: today)")
        parser.add_argument("--division", default="", help="division code prefix (default: all)")

    def handle(self, *args: object, **options: Unpack[Options]) -> None:
        try:
            on = dt.date.fromisoformat(options["on"]) if options["on"] else None
        except ValueError as error:
            raise CommandError(f"--on: {error}") from error
        counts = run_daily_checks(None, on=on, division_code=options["division"])
        self.stdout.write(
            self.style.SUCCESS(
                f"定期核查 {counts['reviews']} 件，死亡核查 {counts['deaths']} 件，"
                f"特困年满18周岁核查 {counts['tekun_minors']} 件，到期终止 {counts['terminated']} 件"
            )
        )
