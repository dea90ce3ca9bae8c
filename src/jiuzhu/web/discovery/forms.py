"""Forms of the discovery pages. They validate input; the actions enforce the rules (a dismissal
without a reason is refused by the action as well as here)."""

from __future__ import annotations

from typing import Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.forms import Data, Files, FormOptions
from jiuzhu.web.core.programs import choices_with
from jiuzhu.web.discovery.models import (
    AlertCategory,
    AlertStatus,
    Department,
    Outcome,
    RegisterCategory,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPEN = "open_all"
"""The inbox's default status filter: every alert not yet closed."""


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(OPEN, _("未办结")), ("", _("全部")), *AlertStatus.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *AlertCategory.choices], required=False
    )
    signal = forms.ChoiceField(label=_("预警信号"), required=False)
    overdue = forms.BooleanField(label=_("仅看已超期"), required=False)
    mine = forms.BooleanField(label=_("仅看分派给我的"), required=False)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        signals: list[tuple[str, str]],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["signal"].choices = [("", _("全部")), *signals]  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("分派给"), coerce=int)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        staff: list[tuple[int, str]],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["assignee"].choices = staff  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    """入户核实 by at least two staff, like an application's home visit (the action refuses
    fewer as well)."""

    visited_on = forms.DateField(label=_("核实日期"), widget=DATE)
    staff_1 = forms.CharField(label=_("核实人员一"), max_length=50)
    staff_2 = forms.CharField(label=_("核实人员二"), max_length=50, required=False)
    staff_3 = forms.CharField(label=_("核实人员三（可选）"), max_length=50, required=False)
    findings = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 3}))

    def staff(self) -> list[str]:
        return [
            name
            for name in (self.cleaned_data.get(f"staff_{i}", "").strip() for i in (1, 2, 3))
            if name
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        names = self.staff()
        if len(set(names)) < len(names):
            self.add_error("staff_2", _("核实人员不能重复"))
        elif "staff_1" in data and len(names) < 2:
            self.add_error("staff_2", _("入户核实人员不得少于2人"))
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    program = forms.ChoiceField(
        label=_("纳入的救助项目"), choices=choices_with("—"), required=False
    )
    referred_to = forms.ChoiceField(
        label=_("转介部门"), choices=[("", "—"), *Department.choices], required=False
    )
    note = forms.CharField(
        label=_("说明（不予处理时必填理由）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == Outcome.DISMISSED and not data.get("note", "").strip():
            self.add_error("note", _("不予处理须说明理由"))
        if outcome == Outcome.INCLUDED and not data.get("program"):
            self.add_error("program", _("请选择纳入的救助项目"))
        if outcome == Outcome.REFERRED and not data.get("referred_to"):
            self.add_error("referred_to", _("请选择转介部门"))
        return data


class LinkForm(forms.Form):
    """The application registered for an alert concluded "included in assistance" (one of the
    household's applications of that program)."""

    application = forms.TypedChoiceField(label=_("救助申请"), coerce=int)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        applications: list[tuple[int, str]],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["application"].choices = applications  # type: ignore[attr-defined]


class RunForm(forms.Form):
    month = forms.RegexField(
        label=_("数据月份"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("月份格式应为 YYYY-MM")},
        widget=forms.TextInput(attrs={"placeholder": "2025-10", "inputmode": "numeric"}),
    )


class RegisterFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *RegisterCategory.choices], required=False
    )
    township = forms.ChoiceField(label=_("乡镇（街道）"), required=False)
    current = forms.ChoiceField(
        label=_("在库状态"),
        choices=[("1", _("在库")), ("0", _("已退出"))],
        required=False,
    )
    q = forms.CharField(label=_("家庭编号或姓名"), required=False, max_length=50)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        townships: list[tuple[str, str]],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["township"].choices = [("", _("全部")), *townships]  # type: ignore[attr-defined]
