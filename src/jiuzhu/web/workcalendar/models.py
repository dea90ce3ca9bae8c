"""The holiday table: exceptions to the Monday–Friday rule, and the years it covers.

A date is a working day when it has a ``CalendarDay`` row saying so, or, without a row, when it
falls on Monday to Friday. The rule is only trusted for years with a complete ``CalendarYear``:
a year the table does not cover raises ``CalendarMissingError`` instead of silently falling back
to Monday–Friday (``working_days.py``).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a row comes from. Seeding never overwrites an administrator's row."""

    CHINESECALENDAR = "chinesecalendar", _("内置日历")
    ADMINISTRATOR = "administrator", _("管理员维护")


# Fields are annotated explicitly so that mypy knows their types with or without the
# django-stubs plugin.


class CalendarDay(models.Model):
    """One day whose status differs from Monday–Friday (or an administrator's explicit override).

    Seeding stores holidays falling on Monday–Friday (``is_working_day=False``) and 调休 working
    Saturdays and Sundays (``is_working_day=True``). An administrator's row may also restate the
    ordinary status of a day: that is how a wrong seeded exception is corrected for good.
    """

    date: models.DateField[datetime.date, datetime.date] = models.DateField(_("日期"), unique=True)
    is_working_day: models.BooleanField[bool, bool] = models.BooleanField(_("是否工作日"))
    name: models.CharField[str, str] = models.CharField(_("名称"), max_length=100, blank=True)
    source: models.CharField[str, str] = models.CharField(
        _("来源"), max_length=16, choices=Source.choices, default=Source.ADMINISTRATOR
    )
    updated_at: models.DateTimeField[datetime.datetime, datetime.datetime] = models.DateTimeField(
        _("更新时间"), auto_now=True
    )

    class Meta:
        ordering = ("date",)
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self) -> str:
        status = "上班" if self.is_working_day else "休息"
        return f"{self.date:%Y-%m-%d} {status} {self.name}".rstrip()


class CalendarYear(models.Model):
    """A year the table covers, with the State Council notice it transcribes (文号 and
    publication date; blank where unknown, never guessed). Only a ``complete`` year is used for
    computations."""

    year: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        _("年份"), unique=True
    )
    complete: models.BooleanField[bool, bool] = models.BooleanField(
        _("数据完整"),
        default=False,
        help_text=_("该年全部法定节假日和调休上班日已录入后再勾选；未勾选的年份不参与工作日计算。"),
    )
    source: models.CharField[str, str] = models.CharField(
        _("来源"), max_length=16, choices=Source.choices, default=Source.ADMINISTRATOR
    )
    seeded_at: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(_("导入时间"), null=True, blank=True)
    )
    notice_number: models.CharField[str, str] = models.CharField(
        _("放假通知文号"),
        max_length=40,
        blank=True,
        help_text=_(
            "国务院办公厅关于该年部分节假日安排的通知的文号，如 国办发明电〔2025〕7号；不知道的留空（显示为未知）。"
        ),
    )
    notice_published_on: models.DateField[datetime.date | None, datetime.date | None] = (
        models.DateField(_("放假通知发布日期"), null=True, blank=True)
    )
    notice_url: models.URLField[str, str] = models.URLField(
        _("放假通知来源网址"), max_length=300, blank=True
    )
    notice_note: models.CharField[str, str] = models.CharField(
        _("放假通知说明"),
        max_length=300,
        blank=True,
        help_text=_("如该年另有调整放假的通知，在此注明。"),
    )

    class Meta:
        ordering = ("year",)
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")

    def __str__(self) -> str:
        return f"{self.year}{'' if self.complete else '（不完整）'}"
