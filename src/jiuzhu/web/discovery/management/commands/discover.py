"""``jiuzhu-web discover --month YYYY-MM``: run proactive discovery for a month over the whole
district (the register refreshed, the month's feeds read from ``JIUZHU_FEEDS_DIR``, every signal
evaluated, the alerts written once) and print the counts. Running a month again writes no
duplicate alert."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.web.discovery.actions import import_register, run_discovery


class Options(TypedDict):
    """The parsed arguments (Django adds its common ones, not read here)."""

    month: str
    feeds: Path | None
    register: Path | None


class Command(BaseCommand):
    help = "Run proactive discovery (主动发现) for a month and write the alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--feeds", type=Path, default=None, help="Feeds folder (default: JIUZHU_FEEDS_DIR)."
        )
        parser.add_argument(
            "--register",
            type=Path,
            default=None,
            help="Load a register file first (Parquet in REGISTER_SCHEMA, e.g. register.parquet).",
        )

    def handle(self, *args: object, **options: Unpack[Options]) -> None:
        if options["register"] is not None:
            imported = import_register(None, options["register"])
            self.stdout.write(
                f"低收入人口库：新增 {imported.created}，更新 {imported.updated}，"
                f"未匹配 {imported.ended} (register imported: new, updated, unmatched)"
            )
        try:
            run = run_discovery(None, options["month"], folder=options["feeds"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{run.month}: 发现 {run.found}，新增 {run.created}，已有未办结 {run.already_open}，"
            f"已办结 {run.already_closed}，新开核查任务 {run.tasks_opened}；"
            f"低收入人口库 {run.register_size} 人；{run.seconds:.1f} 秒 "
            f"(found, new, already open, already closed, verification tasks; register; seconds)"
        )
