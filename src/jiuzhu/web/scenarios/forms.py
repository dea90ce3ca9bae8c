"""The scenario form: the new dibao standard and any other change, from when, on what grounds —
or a budget the standard must fit — and the decision's note."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from jiuzhu.rules.engine.parameters import ParameterTree
from jiuzhu.web.core import parameter_input
from jiuzhu.web.core.forms import CleanTextField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WholeYuanField(forms.IntegerField):
    """Whole yuan as people type them: full-width digits, thousands separators (1,000,000) and
    a trailing 元 are read; its bounds are refused in yuan with separators."""

    def to_python(self, value: object) -> int | None:
        if isinstance(value, str):
            value = parameter_input.bare(unicodedata.normalize("NFKC", value))
            if re.fullmatch(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+", value):
                value = value.replace(",", "")
        return super().to_python(value)

    def bounded(self) -> None:
        """Word the bounds' refusals in the active language (a form calls this per request:
        the messages name the limits as money is shown, 1,000,000)."""
        if self.max_value is not None:
            self.error_messages["max_value"] = _g("不能超过 %(n)s 元") % {
                "n": f"{self.max_value:,}"
            }
        if self.min_value is not None:
            self.error_messages["min_value"] = _g("不能少于 %(n)s 元") % {
                "n": f"{self.min_value:,}"
            }


class ScenarioForm(forms.Form):
    label = CleanTextField(label=_("方案名称"), max_length=100)
    effective = forms.DateField(label=_("生效日期（某月1日）"), widget=DATE)
    reference = CleanTextField(label=_("测算依据"), max_length=200)
    document_number = CleanTextField(label=_("文号"), max_length=60, required=False)
    standard = WholeYuanField(
        label=_("新的低保标准（元/人·月，城乡统一）"),
        required=False,
        min_value=1,
        max_value=1_000_000,
    )
    other_parameter = forms.ChoiceField(label=_("另调整一项参数（可选）"), required=False)
    other_value = CleanTextField(
        label=_("该参数的新取值"),
        max_length=500,
        required=False,
        help_text=_(
            "金额填元，如 1900；比例填小数或百分数，如 0.3 或 30%。分类别的参数（见下）填一个数"
            "即各类别相同；各类别不同时每个类别写一行或用分号隔开，如“城镇：1900；农村：1600”，"
            "未写的类别保持生效日期的现行值。"
        ),
    )
    budget_annual = WholeYuanField(
        label=_("年度预算（元）"), required=False, min_value=1, max_value=10**12
    )
    budget_low = WholeYuanField(
        label=_("标准测算下限（元）"), required=False, min_value=1, max_value=1_000_000
    )
    budget_high = WholeYuanField(
        label=_("标准测算上限（元）"), required=False, min_value=1, max_value=1_000_000
    )
    budget_programs = forms.MultipleChoiceField(
        label=_("预算涵盖的项目"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则涵盖下列全部项目（按月发放、有金额的项目；单人户是备选，不计入）。"),
    )

    def __init__(
        self,
        *args: Any,
        programs: list[tuple[str, str]],
        parameters: list[tuple[str, str]],
        tree: ParameterTree,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tree = tree
        for field in self.fields.values():
            if isinstance(field, WholeYuanField):
                field.bounded()
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
        """The value as the parameter files write it (yuan, a ratio, or ``{code: value}`` for
        some of a breakdown's codes), from what a user types (``parameter_input.parse``)."""
        text = self.cleaned_data.get("other_value") or ""
        path = self.cleaned_data.get("other_parameter")
        if not text.strip() or not path:
            return text.strip() or None
        return parameter_input.parse(self.tree, path, text)

    def breakdowns(self) -> list[tuple[str, list[str]]]:
        """The parameters offered that are broken down by categories, with their categories."""
        choices = self.fields["other_parameter"].choices  # type: ignore[attr-defined]
        return parameter_input.breakdowns(self.tree, choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = ("budget_annual", "budget_low", "budget_high")
        budget = [data.get(f) for f in names]
        blank = [f for f in names if f not in self.errors and data.get(f) is None]
        # A field refused for its value has its own error: only a blank one lacks the budget.
        if blank and len(blank) < len(names):
            raise ValidationError(_("预算测算须同时填写年度预算、标准下限和上限"))
        if None not in budget and budget[1] > budget[2]:  # type: ignore[operator]
            self.add_error("budget_high", _("上限不能低于下限"))
        other = data.get("other_value")
        if bool(data.get("other_parameter")) != (other is not None) and not self.has_error(
            "other_value"
        ):
            self.add_error("other_value", _("请同时选择参数并填写取值"))
        elif isinstance(other, dict) and data.get("effective"):
            data["other_value"] = parameter_input.fill(
                self.tree, data["other_parameter"], other, data["effective"]
            )
        if None not in budget and data.get("standard") is not None:
            self.add_error("standard", _("预算测算由预算求标准：不要同时填写新的低保标准"))
        return data


class NoteForm(forms.Form):
    note = CleanTextField(label=_("意见"), max_length=500)
