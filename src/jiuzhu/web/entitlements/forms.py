"""Forms of the entitlement pages. They validate input; the actions enforce the rules."""

from __future__ import annotations

import datetime as dt
from typing import Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core import clock
from jiuzhu.web.core.forms import Data, Files, FormOptions
from jiuzhu.web.core.programs import choices_with
from jiuzhu.web.entitlements.models import ChangeCategory, Status, TerminationGrounds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_future(value: dt.date) -> None:
    if value > clock.today():
        raise forms.ValidationError(_("日期不能晚于今天"))


class FilterForm(forms.Form):
    program = forms.ChoiceField(
        label=_("救助项目"), choices=choices_with(_("全部")), required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *Status.choices], required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("处理说明"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ChangeReportForm(forms.Form):
    category = forms.ChoiceField(label=_("变化类别"), choices=ChangeCategory.choices)
    description = forms.CharField(
        label=_("变化情况（请先在家庭档案中登记变化）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    effective_on = forms.DateField(label=_("变化发生日期"), widget=DATE, validators=[_not_future])
    member_found_work = forms.BooleanField(label=_("因成员就业收入增加"), required=False)


class MemberChoiceForm(forms.Form):
    """A form with a ``person`` chosen among the household's members."""

    person = forms.TypedChoiceField(label=_("成员"), coerce=int)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        members: list[tuple[int, str]],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["person"].choices = members  # type: ignore[attr-defined]


class DeathForm(MemberChoiceForm):
    died_on = forms.DateField(label=_("死亡日期"), widget=DATE, validators=[_not_future])
    note = forms.CharField(label=_("信息来源"), max_length=200, required=False)


class SanctionForm(MemberChoiceForm):
    refusals = forms.IntegerField(label=_("连续拒绝介绍工作次数"), min_value=0, initial=3)
    good_reason = forms.BooleanField(label=_("有正当理由"), required=False)
    share_percent = forms.IntegerField(
        label=_("减发本人份额比例（%，100为停发本人份额）"),
        min_value=1,
        max_value=100,
        initial=100,
    )
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class LiftSanctionForm(MemberChoiceForm):
    reason = forms.CharField(label=_("解除理由"), widget=forms.Textarea(attrs={"rows": 2}))


class TerminationNoticeForm(forms.Form):
    grounds = forms.ChoiceField(label=_("终止原因"), choices=TerminationGrounds.choices)
    reason = forms.CharField(label=_("终止理由"), widget=forms.Textarea(attrs={"rows": 2}))


class TerminateForm(TerminationNoticeForm):
    notice_issued_on = forms.DateField(
        label=_("书面告知送达日期"), widget=DATE, validators=[_not_future]
    )


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE, validators=[_not_future])
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 2}))


class StandardChangeForm(forms.Form):
    parameter_path = forms.ChoiceField(label=_("调整的参数"))
    effective_month = forms.RegexField(
        label=_("生效月份（如 2025-10）"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("月份格式应为 YYYY-MM")},
    )
    description = forms.CharField(
        label=_("调整说明（文号、发布日期）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        parameters: list[tuple[str, str]],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["parameter_path"].choices = parameters  # type: ignore[attr-defined]
