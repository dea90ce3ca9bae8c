"""``jiuzhu-web seed_calendar [--year YYYY ...]``: fill the holiday table from chinesecalendar."""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.web.workcalendar.seed import seed_from_chinesecalendar, supported_years


class Options(TypedDict):
    """The parsed arguments (Django adds its common ones, not read here)."""

    years: list[int] | None


class Command(BaseCommand):
    help = (
        "Seed the working-day calendar (法定节假日 and 调休) from the chinesecalendar package; "
        "rows maintained by an administrator are kept."
    )

    # The check would warn about the very years this command is about to seed.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        covered = supported_years()
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            metavar="YYYY",
            help=f"year to seed, repeatable (default: all years the package covers, "
            f"{covered[0]}–{covered[-1]})",
        )

    def handle(self, *args: object, **options: Unpack[Options]) -> None:
        try:
            seeded = seed_from_chinesecalendar(options["years"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"工作日历已导入：{'、'.join(map(str, seeded))} 年"))
