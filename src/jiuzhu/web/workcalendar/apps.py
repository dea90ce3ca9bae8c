from django.apps import AppConfig
from django.core import checks


class WorkCalendarConfig(AppConfig):
    name = "jiuzhu.web.workcalendar"
    label = "workcalendar"
    verbose_name = "工作日历"

    def ready(self) -> None:
        # Imported here because the check module imports the models.
        from jiuzhu.web.workcalendar.checks import check_calendar_years  # noqa: PLC0415

        # Not tagged ``database``: such checks only run with ``check --database``, and the
        # point is that runserver and check show the warning. The check guards itself against
        # a missing table or database.
        checks.register(check_calendar_years)
