"""The report's period: the months of the trend tables (the township tables show the last)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.months import add_months, first_day, is_month
from jiuzhu.web.payments.models import MONTH_PATTERN

DEFAULT_MONTHS = 12
"""The default period: the last 12 months, the current one included."""
MAX_MONTHS = 36
"""The longest period a page counts (three years of monthly rows)."""


def _month_field(label: Any) -> forms.RegexField:
    return forms.RegexField(
        label=label,
        regex=MONTH_PATTERN,
        max_length=7,
        required=False,
        error_messages={"invalid": _("月份格式应为 YYYY-MM")},
        widget=forms.TextInput(attrs={"placeholder": "2025-10", "inputmode": "numeric"}),
    )


FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The years a period may name."""


class PeriodForm(forms.Form):
    start = _month_field(_("起始月份"))
    end = _month_field(_("截止月份"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start") or "", data.get("end") or ""
        for name, month in (("start", start), ("end", end)):
            if month and not is_month(month):
                self.add_error(name, _("月份格式应为 YYYY-MM"))
                return data
            # The months around it are computed too: keep far from year 1 and year 9999.
            if month and not FIRST_YEAR <= int(month[:4]) <= LAST_YEAR:
                self.add_error(
                    name, _("月份须在 %(a)s 至 %(b)s 年之间") % {"a": FIRST_YEAR, "b": LAST_YEAR}
                )
                return data
        if start and end:
            if start > end:
                self.add_error("start", _("起始月份不能晚于截止月份"))
            elif add_months(start, MAX_MONTHS - 1) < end:
                self.add_error("start", _("统计期最长 %(n)s 个月") % {"n": MAX_MONTHS})
        return data


def months_between(start: str, end: str) -> list[str]:
    """``start`` to ``end`` inclusive (YYYY-MM, ``start`` ≤ ``end``)."""
    first = first_day(start)
    count = (int(end[:4]) - first.year) * 12 + int(end[5:]) - first.month + 1
    return [add_months(start, n) for n in range(count)]
