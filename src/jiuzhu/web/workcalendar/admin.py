"""Admin of the holiday table: an administrator adds a year the package does not cover yet."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear, Source

_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class YearFilter(admin.SimpleListFilter):
    """Filter the days by calendar year (the years present in the table)."""

    title = _("年份")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CalendarDay]
    ) -> QuerySet[CalendarDay]:
        value = self.value()
        if not value or not value.isdigit():  # a hand-edited URL must not raise
            return queryset
        year = int(value)
        return queryset.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ("date", "weekday", "is_working_day", "name", "source", "updated_at")
    list_filter = ("source", YearFilter, "is_working_day")
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("source", "updated_at")

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return _WEEKDAYS[obj.date.weekday()]

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: ModelForm[CalendarDay], change: bool
    ) -> None:
        # Anything saved here is the administrator's word: re-seeding must keep it.
        obj.source = Source.ADMINISTRATOR
        super().save_model(request, obj, form, change)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = ("year", "complete", "source", "seeded_at")
    list_filter = ("source", "complete")
    search_fields = ("=year",)
    readonly_fields = ("source", "seeded_at")

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: ModelForm[CalendarYear], change: bool
    ) -> None:
        # As for days: an administrator's year (and its 数据完整 flag) is kept by re-seeding.
        obj.source = Source.ADMINISTRATOR
        super().save_model(request, obj, form, change)
