"""The plan registers' forms. They read what was typed; the actions decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.forms import CleanTextField, PastDateField
from jiuzhu.web.plan.actions import MAX_BEDS
from jiuzhu.web.plan.models import Kind, Medical, Outcome, Status, Venue

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FacilityForm(forms.Form):
    """A facility: where, what, who runs it, beds, its medical arrangement and status."""

    division_code = forms.ChoiceField(label=_("所在乡镇（街道）"))
    name = CleanTextField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices)
    operator = CleanTextField(label=_("运营方"), max_length=100)
    beds = forms.IntegerField(
        label=_("床位数"),
        min_value=0,
        max_value=MAX_BEDS,
        initial=0,
        help_text=_("养老机构的床位；日间照料中心的床位不计入床位指标"),
    )
    medical = forms.ChoiceField(
        label=_("医疗卫生服务方式"), choices=Medical.choices, widget=forms.RadioSelect
    )
    medical_partner = CleanTextField(label=_("签约医疗机构"), max_length=100, required=False)
    medical_start = forms.DateField(
        label=_("医疗服务起始日期（签约协议生效日期）"), required=False, widget=DATE
    )
    medical_end = forms.DateField(label=_("签约协议到期日期"), required=False, widget=DATE)
    opened_on = PastDateField(label=_("开业日期"))
    status = forms.ChoiceField(label=_("运营状态"), choices=Status.choices)
    closed_on = PastDateField(label=_("停业日期"), required=False)

    def __init__(self, *args: Any, townships: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = townships  # type: ignore[attr-defined]


class InspectionForm(forms.Form):
    inspected_on = PastDateField(label=_("检查日期"))
    inspector = CleanTextField(label=_("检查人员或单位"), max_length=100)
    outcome = forms.ChoiceField(label=_("检查结果"), choices=Outcome.choices)
    findings = forms.CharField(
        label=_("发现的问题"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PointForm(forms.Form):
    """A counselling place: the registry or a township's service point."""

    venue = forms.ChoiceField(
        label=_("服务场所类别"), choices=Venue.choices, widget=forms.RadioSelect
    )
    division_code = forms.ChoiceField(
        label=_("所在乡镇（街道）"), required=False, help_text=_("婚姻登记机关不必选择")
    )
    name = CleanTextField(label=_("服务场所名称"), max_length=100)
    provider = CleanTextField(label=_("服务提供方"), max_length=100, required=False)
    started_on = PastDateField(label=_("开展服务起始日期"))
    ended_on = PastDateField(label=_("停止服务日期"), required=False)

    def __init__(
        self, *args: Any, townships: list[tuple[str, str]], district: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = [("", "—"), *townships]  # type: ignore[attr-defined]
        if not district:  # the registry is the district's: a township user keeps its points
            self.fields["venue"].choices = [(Venue.TOWNSHIP, Venue.TOWNSHIP.label)]  # type: ignore[attr-defined]
