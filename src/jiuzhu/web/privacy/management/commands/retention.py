"""``jiuzhu-web retention [--apply]``: the data classes, their retention periods and sources,
and what is past its period (docs/retention.md). Without ``--apply`` nothing is changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from jiuzhu.web.core import clock
from jiuzhu.web.privacy import retention


class Command(BaseCommand):
    help = (
        "List the personal data past its retention period per data class (a dry run); with "
        "--apply, erase it in one transaction, audited. A class whose period no document "
        "sets is never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="erase what is past its period (audited)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        due = retention.due_applications(today)
        for data_class in retention.CLASSES:
            self.stdout.write(f"{data_class.label}（{data_class.covers}）")
            if data_class.months is None:
                self.stdout.write(
                    "  " + _("保存期限未知，不处理：%(source)s") % {"source": data_class.source}
                )
                continue
            self.stdout.write(
                "  "
                + _("保存期限 %(months)s 个月，自%(starts)s起算；依据：%(source)s")
                % {
                    "months": data_class.months,
                    "starts": data_class.starts,
                    "source": data_class.source,
                }
            )
            numbers = list(due.values_list("number", flat=True))
            self.stdout.write(
                "  "
                + _("已超过保存期限：%(count)s 件申请 %(numbers)s")
                % {"count": len(numbers), "numbers": "、".join(numbers[:20])}
            )
        if not options["apply"]:
            self.stdout.write(_("试运行：未做任何修改（加 --apply 执行删除）"))
            return
        applications, files = retention.apply(today)
        self.stdout.write(
            _("已删除：%(applications)s 件申请的文字说明和 %(files)s 份扫描材料")
            % {"applications": applications, "files": files}
        )
