"""Admin of the holiday table: an administrator adds a year the package does not cover yet."""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.workcalendar.models import CalendarDay, CalendarYear, Source
from jiuzhu.web.workcalendar.signals import calendar_changed

_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class YearFilter(admin.SimpleListFilter):
    """Filter the days by calendar year (the years present in the table)."""

    title = _("年份")
    parameter_name = "year"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[CalendarDay]
    ) -> list[tuple[str, str]]:
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


def _changed(request: HttpRequest, years: set[int]) -> None:
    """Tell the apps that store working-day deadlines to count them again (``signals``), for
    the complete years among ``years``."""
    complete = set(
        CalendarYear.objects.filter(year__in=years, complete=True).values_list("year", flat=True)
    )
    if complete:
        calendar_changed.send(sender=CalendarYear, years=tuple(sorted(complete)), user=request.user)


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
        before = CalendarDay.objects.filter(pk=obj.pk).values_list("date", flat=True).first()
        super().save_model(request, obj, form, change)
        _changed(request, {obj.date.year} | ({before.year} if before else set()))

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        year = obj.date.year
        super().delete_model(request, obj)
        _changed(request, {year})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        years = {day.year for day in queryset.values_list("date", flat=True)}
        super().delete_queryset(request, queryset)
        _changed(request, years)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = ("year", "complete", "notice", "notice_published", "source", "seeded_at")
    list_filter = ("source", "complete")
    search_fields = ("=year", "notice_number")
    readonly_fields = ("source", "seeded_at")
    # The notices are on gov.cn, served over https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = (
        "year",
        "complete",
        "notice_number",
        "notice_published_on",
        "notice_url",
        "notice_note",
        "source",
        "seeded_at",
    )

    @admin.display(description=_("放假通知文号"), ordering="notice_number")
    def notice(self, obj: CalendarYear) -> str:
        return obj.notice_number or str(_("未知"))

    @admin.display(description=_("放假通知发布日期"), ordering="notice_published_on")
    def notice_published(self, obj: CalendarYear) -> str:
        return obj.notice_published_on.isoformat() if obj.notice_published_on else str(_("未知"))

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: ModelForm[CalendarYear], change: bool
    ) -> None:
        # As for days: an administrator's year (and its 数据完整 flag) is kept by re-seeding.
        obj.source = Source.ADMINISTRATOR
        super().save_model(request, obj, form, change)
        if "complete" in form.changed_data or "year" in form.changed_data:
            # A year entered or completed: deadlines waiting for it, or counted without it.
            _changed(request, {obj.year})
