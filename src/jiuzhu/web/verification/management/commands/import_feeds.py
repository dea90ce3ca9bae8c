"""``jiuzhu-web import_feeds [FOLDER]``: load the departments' files for verification (核对)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypedDict, Unpack

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.feeds.base import FeedRejected
from jiuzhu.web.verification.actions import FeedImportError, import_feeds
from jiuzhu.web.verification.models import FeedImport


class Options(TypedDict):
    """The parsed arguments (Django adds its common ones, not read here)."""

    folder: Path | None
    received_at: dt.datetime | None


class Command(BaseCommand):
    help = (
        "Import every department file (CSV or xlsx) of a folder into the verification records. "
        "Each file replaces the previous delivery of its source; a file with any bad row is "
        "rejected whole (its report is printed) and the command exits with an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder",
            nargs="?",
            type=Path,
            help="folder of the feed files (default: settings.JIUZHU['FEEDS_DIR'])",
        )
        parser.add_argument(
            "--received-at",
            type=dt.datetime.fromisoformat,
            help="when the files arrived, ISO 8601 (default: now; naive = Beijing time)",
        )

    def handle(self, *args: object, **options: Unpack[Options]) -> None:
        folder: Path = options["folder"] or Path(str(settings.JIUZHU["FEEDS_DIR"]))
        if not folder.is_dir():
            raise CommandError(f"没有这个文件夹 (no such folder): {folder}")

        def tell(path: Path, outcome: FeedImport | FeedRejected, seconds: float) -> None:
            if isinstance(outcome, FeedImport):
                self.stdout.write(
                    f"{path.name:<28} {outcome.source:<18} 接收 {outcome.accepted:>9,} 行，"
                    f"重复 {outcome.duplicates:,}，不在登记库 {outcome.unknown_ids:,}，"
                    f"所属期 {outcome.first_period or '—'}—{outcome.last_period or '—'}"
                    f"（{seconds:.1f} 秒）"
                )
            else:
                self.stdout.write(
                    self.style.ERROR(f"{path.name:<28} 未导入 (rejected)（{seconds:.1f} 秒）")
                )
                self.stdout.write(outcome.report.text(limit=20))

        try:
            imports = import_feeds(None, folder, options["received_at"], progress=tell)
        except FeedImportError as error:
            raise CommandError(
                f"{len(error.problems)} 个文件未导入，{len(error.imports)} 个文件已导入 "
                f"({len(error.problems)} rejected, {len(error.imports)} imported)"
            ) from error
        total = sum(i.accepted for i in imports)
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {len(imports)} 个文件，共 {total:,} 行 (imported)")
        )
