"""Payroll forms. They validate input; the actions enforce the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.models import Program
from jiuzhu.web.payments import exporters
from jiuzhu.web.payments.models import MONTH_PATTERN


class DraftForm(forms.Form):
    month = forms.RegexField(
        label=_("发放月份"),
        regex=MONTH_PATTERN,
        max_length=7,
        error_messages={"invalid": _("月份格式应为 YYYY-MM")},
        widget=forms.TextInput(attrs={"placeholder": "2025-11", "inputmode": "numeric"}),
    )
    program = forms.ChoiceField(label=_("救助项目"), choices=Program.choices)


class ExportForm(forms.Form):
    exporter = forms.ChoiceField(
        label=_("文件格式"),
        choices=[(name, e.label) for name, e in exporters.EXPORTERS.items()],
        initial="csv",
    )
    encoding = forms.ChoiceField(
        label=_("CSV 编码"),
        choices=[("utf-8", "UTF-8"), ("gb18030", "GB18030")],
        initial="utf-8",
    )


class ReturnForm(forms.Form):
    file = forms.FileField(label=_("银行回盘文件（CSV：账号、金额、状态、原因）"))


class AccountForm(forms.Form):
    bank_name = forms.CharField(label=_("开户银行"), max_length=60)
    account_number = forms.CharField(label=_("银行账号"), max_length=40)
    holder_name = forms.CharField(label=_("户名"), max_length=50)


class SummaryForm(forms.Form):
    month = forms.RegexField(label=_("发放月份"), regex=MONTH_PATTERN, max_length=7)
