"""Forms of temporary assistance paid once: help first (先行救助) and the reserve fund."""

from __future__ import annotations

from typing import Any, Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.forms import CleanTextField, FormOptions, YuanField
from jiuzhu.web.payments.models import OneOffPayment


class HelpFirstForm(forms.Form):
    """The emergency, who is helped, and what is given (cash, or goods and their value)."""

    applicant = forms.TypedChoiceField(label=_("申请人"), coerce=int)
    emergency = CleanTextField(
        label=_("急难情况（事件、时间、受困人员）"), max_length=500, widget=forms.Textarea
    )
    persons = forms.IntegerField(
        label=_("受困人数（不填为全部家庭成员）"), min_value=1, max_value=50, required=False
    )
    form = forms.ChoiceField(
        label=_("救助方式"), choices=OneOffPayment.Form.choices, widget=forms.RadioSelect
    )
    amount = YuanField(label=_("金额或实物折价（元）"), required=True)
    goods = CleanTextField(label=_("实物或服务内容"), max_length=200, required=False)

    def __init__(
        self, data: Any = None, *, members: list[tuple[int, str]], **kwargs: Unpack[FormOptions]
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["applicant"].choices = members  # type: ignore[attr-defined]


class ReserveFundForm(forms.Form):
    """A township's reserve fund for a year, as the district allots it."""

    township_code = forms.ChoiceField(label=_("乡镇（街道）"))
    year = forms.IntegerField(label=_("年度"), min_value=2014, max_value=2100)
    registered_residents = forms.IntegerField(label=_("户籍人口"), min_value=1)
    amount = YuanField(label=_("备用金额度（元）"), required=True)

    def __init__(
        self, data: Any = None, *, townships: list[tuple[str, str]], **kwargs: Unpack[FormOptions]
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["township_code"].choices = townships  # type: ignore[attr-defined]


class PayOnceForm(forms.Form):
    """How an approved one-off amount is given: cash, or goods and services (what)."""

    form = forms.ChoiceField(
        label=_("救助方式"), choices=OneOffPayment.Form.choices, widget=forms.RadioSelect
    )
    goods = CleanTextField(label=_("实物或服务内容"), max_length=200, required=False)
