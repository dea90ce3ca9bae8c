"""Registry forms: a new member, and the household's declared income and assets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.feeds import ids
from jiuzhu.web.cases import clock
from jiuzhu.web.registry.models import Person, _choices

MAX_YUAN = Decimal(100_000_000)
"""A typo guard: no household declares a single item of 100 million yuan or more."""


class YuanField(forms.CharField):
    """An amount in yuan with at most two decimals, cleaned to integer fen (never a float)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        text = (super().clean(value) or "0").replace(",", "").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("请输入金额（元），如 1234.50")) from None
        if amount < 0:
            raise forms.ValidationError(_("金额不能为负数"))
        if amount > MAX_YUAN:
            raise forms.ValidationError(_("金额过大，请核对（单项不超过1亿元）"))
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("金额最多两位小数"))
        return int(amount * 100)


class MemberForm(forms.Form):
    """Add a person to a household (ID checked against GB 11643; birth date from the ID)."""

    resident_id = forms.CharField(label=_("公民身份号码"), max_length=20)
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.ChoiceField(
        label=_("与申请人关系"), choices=[("", "—"), *_choices("relation")]
    )
    birth_date = forms.DateField(
        label=_("出生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    disability_category = forms.ChoiceField(
        label=_("残疾类别"),
        choices=_choices("disability_category"),
        initial="none",
    )
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"),
        choices=[("", "—"), (1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def clean_resident_id(self) -> str:
        try:
            return ids.normalise(self.cleaned_data["resident_id"]).number
        except ids.InvalidIdError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_birth_date(self) -> dt.date:
        born = self.cleaned_data["birth_date"]
        if born > clock.today():
            raise forms.ValidationError(_("出生日期不能晚于今天"))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number, born = data.get("resident_id"), data.get("birth_date")
        if number and born and number[6:14] != born.strftime("%Y%m%d"):
            self.add_error("birth_date", _("出生日期与身份证号不一致"))
        category, grade = data.get("disability_category"), data.get("disability_grade")
        if category and category != "none" and not grade:
            self.add_error("disability_grade", _("请填写残疾等级"))
        if category == "none" and grade:
            self.add_error("disability_grade", _("无残疾时不填等级"))
        if number and Person.objects.filter(resident_id=number).exists():
            self.add_error("resident_id", _("该身份证号已在登记库中"))
        return data


class DeclarationForm(forms.Form):
    """One member's declared monthly income (yuan) and monetary assets."""

    person_id = forms.IntegerField(widget=forms.HiddenInput)
    wage_income = YuanField(label=_("工资性收入（元/月）"))
    business_net_income = YuanField(label=_("经营净收入（元/月）"))
    employee_pension = YuanField(label=_("离退休金（元/月）"))
    support_received = YuanField(label=_("赡养费等（元/月）"))
    other_transfer_income = YuanField(label=_("其他转移性收入（元/月）"))
    monetary_assets = YuanField(label=_("货币财产（元）"))


DeclarationFormSet = forms.formset_factory(DeclarationForm, extra=0)
