"""The filter of a batch assessment's result list: a program and its result."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.programs import choices_with
from jiuzhu.web.jobs.models import Result


class ResultFilterForm(forms.Form):
    program = forms.ChoiceField(
        label=_("救助项目"), choices=choices_with(_("全部")), required=False
    )
    result = forms.ChoiceField(
        label=_("评估结果"),
        choices=[("", _("全部")), *Result.choices, ("invalid", _("数据有误未评估"))],
        required=False,
    )

    def clean(self) -> dict[str, str]:
        data = super().clean() or {}
        if data.get("result") in Result.values and not data.get("program"):
            self.add_error("program", _("请选择救助项目"))
        return data
