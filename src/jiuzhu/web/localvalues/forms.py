"""The form a district officer enters a local value with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.rules.engine.parameters import ParameterTree
from jiuzhu.web.core import parameter_input
from jiuzhu.web.core.forms import CleanTextField


class LocalValueForm(forms.Form):
    """The parameter (those the rules mark unknown or low), from when, the value as people
    write it (``parameter_input``), and the document it comes from."""

    parameter = forms.ChoiceField(label=_("参数"))
    start = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    value = CleanTextField(
        label=_("取值"),
        max_length=500,
        help_text=_(
            "金额填元，如 53000；比例填小数或百分数，如 0.3 或 30%；是否类参数填“是”或“否”。"
            "分类别的参数（见下）填一个值即各类别相同；各类别不同时每个类别写一行或用分号隔开，"
            "如“城镇：1900；农村：1600”，未写的类别不变。"
        ),
    )
    document = CleanTextField(label=_("依据文件"), max_length=200)
    document_number = CleanTextField(label=_("文号"), max_length=60, required=False)
    note = CleanTextField(label=_("说明"), max_length=500, required=False)

    def __init__(
        self, *args: Any, parameters: list[tuple[str, str]], tree: ParameterTree, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tree = tree
        self.fields["parameter"].choices = parameters  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        path, text = data.get("parameter"), data.get("value")
        if path and text:
            try:
                data["value"] = parameter_input.parse(self.tree, path, text)
            except forms.ValidationError as exc:
                self.add_error("value", exc)
        return data

    def breakdowns(self) -> list[tuple[str, list[str]]]:
        """The parameters offered that are broken down by categories, with their categories."""
        choices = self.fields["parameter"].choices  # type: ignore[attr-defined]
        return parameter_input.breakdowns(self.tree, choices)


class ReasonForm(forms.Form):
    reason = CleanTextField(label=_("退回理由"), max_length=500)
