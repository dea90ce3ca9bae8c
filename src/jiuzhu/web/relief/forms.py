"""Forms of the rescue station's records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.forms import CleanTextField, PastDateField
from jiuzhu.web.relief.models import Service, StayStatus


class AdmitForm(forms.Form):
    voluntary = forms.BooleanField(label=_("本人自愿接受救助"), required=False)
    division_code = forms.ChoiceField(label=_("发现地"))
    found_at = CleanTextField(label=_("发现地点"), max_length=200)
    name = CleanTextField(label=_("姓名（自述或查明，可不填）"), max_length=50, required=False)
    resident_id = CleanTextField(label=_("公民身份号码（如有）"), max_length=18, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=[("1", _("男")), ("2", _("女"))])
    apparent_age = forms.IntegerField(
        label=_("年龄（约）"), min_value=0, max_value=120, required=False
    )
    description = CleanTextField(
        label=_("体貌特征（身高、衣着、口音、疤痕等）"), max_length=1000, widget=forms.Textarea
    )
    arrived_on = PastDateField(label=_("入站日期（不填为今天）"), required=False)

    def __init__(self, *args: Any, divisions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = divisions  # type: ignore[attr-defined]


class UpdateForm(forms.Form):
    services = forms.MultipleChoiceField(
        label=_("救助服务"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    family_contact = CleanTextField(
        label=_("亲属或所在单位联系情况"), max_length=1000, widget=forms.Textarea, required=False
    )
    extension_reason = CleanTextField(label=_("超过10天的说明"), max_length=200, required=False)


class EndForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("离站方式"),
        choices=[(s.value, s.label) for s in StayStatus if s != StayStatus.STAYING],
        widget=forms.RadioSelect,
    )
    left_on = PastDateField(label=_("离站日期（不填为今天）"), required=False)
    destination = CleanTextField(label=_("返乡目的地"), max_length=200, required=False)
    ticket = CleanTextField(label=_("乘车凭证（车次、票号）"), max_length=100, required=False)
    referred_to = CleanTextField(label=_("转户籍地安置接收单位"), max_length=200, required=False)
