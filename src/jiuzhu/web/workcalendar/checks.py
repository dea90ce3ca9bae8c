"""System check: the calendar must cover this year and next year before deadlines reach them."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError, connections, router
from django.utils import timezone

from jiuzhu.web.workcalendar.models import CalendarYear


def check_calendar_years(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """``workcalendar.W001`` when this year or next year has no complete ``CalendarYear``.

    Deadlines of cases accepted late in the year run into the next one, so next year is needed
    as soon as the State Council publishes it (usually in November). Silent before the table
    exists (a fresh database before ``migrate``) and when the database cannot be reached: the
    check is advisory, and the computations themselves raise ``CalendarMissingError``.
    """
    if app_configs is not None and not any(c.label == "workcalendar" for c in app_configs):
        return []
    this_year = timezone.localdate().year  # TIME_ZONE (Asia/Shanghai), not UTC
    needed = [this_year, this_year + 1]
    connection = connections[router.db_for_read(CalendarYear)]
    try:
        if CalendarYear._meta.db_table not in connection.introspection.table_names():
            return []
        covered = set(
            CalendarYear.objects.using(connection.alias)
            .filter(year__in=needed, complete=True)
            .values_list("year", flat=True)
        )
    except DatabaseError:
        return []
    missing = [year for year in needed if year not in covered]
    if not missing:
        return []
    listed = "、".join(str(year) for year in missing)
    return [
        checks.Warning(
            f"工作日历缺少 {listed} 年的完整数据：到期日落在这些年份的办理时限将无法计算。",
            hint=(
                "运行 `jiuzhu-web seed_calendar --year YYYY`（chinesecalendar 已收录的年份），"
                "或在管理后台“工作日历”中按国务院办公厅放假通知录入节假日和调休上班日，"
                "再在“日历年份”中勾选“数据完整”。"
            ),
            id="workcalendar.W001",
        )
    ]
