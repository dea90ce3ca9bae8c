"""``jiuzhu-web import_workbook FILE``: load a caseworker's workbook into the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypedDict, Unpack

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.batch.inputs import InputFileError
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core import clock
from jiuzhu.web.registry.actions import import_workbook


class Options(TypedDict):
    """The parsed arguments (Django adds its common ones, not read here)."""

    path: Path
    on: str | None


class Command(BaseCommand):
    help = "Load a workbook (sheets 家庭, 成员, 义务人; docs/input-format.md) into the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--on", help="Membership start date (default: today).")

    def handle(self, *args: object, **options: Unpack[Options]) -> None:
        on = dt.date.fromisoformat(options["on"]) if options["on"] else clock.today()
        try:
            run = import_workbook(None, options["path"], on)
        except InputFileError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems[:200])) from None
        self.stdout.write(f"导入 {run.households} 户、{run.persons} 人 (imported)")
        # What the import recorded to check: IDs converted, cells read as text, rare
        # characters in names (生僻字待核).
        event = AuditEvent.objects.filter(
            action="registry.import_workbook", object_id=str(run.pk)
        ).first()
        for warning in (event.detail or {}).get("warnings", []) if event else []:
            self.stdout.write(f"提示 (warning): {warning}")
