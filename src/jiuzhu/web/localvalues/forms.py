"""The form a district officer enters a local value with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.forms import CleanTextField


class LocalValueForm(forms.Form):
    """The parameter (those the rules mark unknown or low), from when, the value as written in
    the parameter files, and the document it comes from."""

    parameter = forms.ChoiceField(label=_("参数"))
    start = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    value = CleanTextField(label=_("取值（元、比例或 {代码: 值}）"), max_length=500)
    document = CleanTextField(label=_("依据文件"), max_length=200)
    document_number = CleanTextField(label=_("文号"), max_length=60, required=False)
    note = CleanTextField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: object, parameters: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["parameter"].choices = parameters  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = CleanTextField(label=_("退回理由"), max_length=500)
