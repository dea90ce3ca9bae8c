"""The scenario form: the new dibao standard and any other change, from when, on what grounds —
or a budget the standard must fit — and the decision's note."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.forms import CleanTextField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScenarioForm(forms.Form):
    label = CleanTextField(label=_("方案名称"), max_length=100)
    effective = forms.DateField(label=_("生效日期（某月1日）"), widget=DATE)
    reference = CleanTextField(label=_("测算依据"), max_length=200)
    document_number = CleanTextField(label=_("文号"), max_length=60, required=False)
    standard = forms.IntegerField(
        label=_("新的低保标准（元/人·月，城乡统一）"),
        required=False,
        min_value=1,
        max_value=1_000_000,
    )
    other_parameter = forms.ChoiceField(label=_("另调整一项参数（可选）"), required=False)
    other_value = CleanTextField(
        label=_("其取值（元、比例或 {代码: 值}）"), max_length=500, required=False
    )
    budget_annual = forms.IntegerField(
        label=_("年度预算（元）"), required=False, min_value=1, max_value=10**12
    )
    budget_low = forms.IntegerField(
        label=_("标准测算下限（元）"), required=False, min_value=1, max_value=1_000_000
    )
    budget_high = forms.IntegerField(
        label=_("标准测算上限（元）"), required=False, min_value=1, max_value=1_000_000
    )
    budget_programs = forms.MultipleChoiceField(
        label=_("预算涵盖的项目"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        programs: list[tuple[str, str]],
        parameters: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_programs"].choices = programs  # type: ignore[attr-defined]
        self.fields["other_parameter"].choices = [("", "—"), *parameters]  # type: ignore[attr-defined]

    def changes(self) -> dict[str, object]:
        """The changes asked for: ``{parameter path: value}`` as the policy files write it."""
        data = self.cleaned_data
        changes: dict[str, object] = {}
        if data.get("standard") is not None:
            changes["dibao.standard"] = data["standard"]
        if data.get("other_parameter"):
            changes[data["other_parameter"]] = data.get("other_value")
        return changes

    def clean_other_value(self) -> object:
        text = self.cleaned_data.get("other_value") or ""
        if not text.strip():
            return None
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
        if value is None or isinstance(value, list):
            raise ValidationError(_("取值格式不正确（如 1900、0.3 或 {urban: 1900}）"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        budget = [data.get(f) for f in ("budget_annual", "budget_low", "budget_high")]
        if any(v is not None for v in budget) and None in budget:
            raise ValidationError(_("预算测算须同时填写年度预算、标准下限和上限"))
        if None not in budget and budget[1] > budget[2]:  # type: ignore[operator]
            self.add_error("budget_high", _("上限不能低于下限"))
        if bool(data.get("other_parameter")) != (data.get("other_value") is not None):
            self.add_error("other_value", _("请同时选择参数并填写取值"))
        if None not in budget and data.get("standard") is not None:
            self.add_error("standard", _("预算测算由预算求标准：不要同时填写新的低保标准"))
        return data


class NoteForm(forms.Form):
    note = CleanTextField(label=_("意见"), max_length=500)
