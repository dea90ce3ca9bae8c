"""Forms of the workflow steps. They validate input; the actions enforce the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any, Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases import inputs
from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Channel, Objection, Opinion, SinglePersonChoice
from jiuzhu.web.core import clock
from jiuzhu.web.core.forms import Data, Files, FormOptions
from jiuzhu.web.core.programs import program_choices
from jiuzhu.web.registry.forms import YuanField


class ApplicationForm(forms.Form):
    program = forms.ChoiceField(label=_("救助项目"), choices=program_choices)
    applicant = forms.TypedChoiceField(label=_("申请人"), coerce=int)
    channel = forms.ChoiceField(
        label=_("申请方式"), choices=Channel.choices, initial=Channel.COUNTER
    )
    materials = forms.MultipleChoiceField(
        label=_("已提交材料"),
        choices=list(MATERIALS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    register_incomplete = forms.BooleanField(
        label=_("材料不全时仍登记申请，出具一次性告知书（待补齐后受理）"), required=False
    )
    relative_of_staff = forms.BooleanField(
        label=_("成员为经办人员或村（居）委会成员的近亲属（单独登记备案）"), required=False
    )
    relative_note = forms.CharField(label=_("近亲属关系说明"), required=False, max_length=200)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        members: list[tuple[int, str]],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["applicant"].choices = members  # type: ignore[attr-defined]
        # Each program's own inputs (cases.inputs), shown for the program chosen.
        self.input_groups = inputs.groups()
        for group in self.input_groups:
            for var in group.variables:
                self.fields[var.name] = inputs.form_field(var)

    def groups(self) -> list[tuple[inputs.Group, list[forms.BoundField]]]:
        """Each program's inputs with their bound fields (the template's fieldsets)."""
        return [(g, [self[name] for name in g.names]) for g in self.input_groups]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("relative_of_staff") and not data.get("relative_note", "").strip():
            self.add_error("relative_note", _("请说明与哪位人员是何种近亲属关系"))
        # Another program's inputs are not this application's: what was typed there is ignored.
        chosen = data.get("program")
        for group in self.input_groups:
            if group.program != chosen:
                for name in group.names:
                    self.errors.pop(name, None)
        return data

    def program_inputs(self) -> dict[str, object]:
        """The chosen program's inputs as typed (the action checks and stores them)."""
        program = self.cleaned_data.get("program", "")
        group = next((g for g in self.input_groups if g.program == program), None)
        return {name: self.cleaned_data.get(name) for name in (group.names if group else ())}


class MaterialsForm(forms.Form):
    materials = forms.MultipleChoiceField(
        label=_("补交材料"), choices=list(MATERIALS.items()), widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        missing: list[str] | None = None,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        if missing is not None:
            # Offer only what is still missing.
            self.fields["materials"].choices = [(m, MATERIALS[m]) for m in missing]  # type: ignore[attr-defined]


def _not_future(value: dt.date) -> None:
    if value > clock.today():
        raise forms.ValidationError(_("日期不能晚于今天"))


class HomeVisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("调查日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_future],
    )
    staff_1 = forms.CharField(label=_("调查人员一"), max_length=50)
    staff_2 = forms.CharField(label=_("调查人员二"), max_length=50, required=False)
    staff_3 = forms.CharField(label=_("调查人员三（可选）"), max_length=50, required=False)
    findings = forms.CharField(label=_("调查情况"), widget=forms.Textarea)
    # Asked, never pre-ticked: the visitors state what they found.
    living_conditions_match = forms.TypedChoiceField(
        label=_("实际生活状况与申报是否相符"),
        choices=[("yes", _("相符")), ("no", _("不相符"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    applicant_signed = forms.BooleanField(label=_("调查表已由申请人签字"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        names = [data.get(f"staff_{i}", "").strip() for i in (1, 2, 3)]
        named = [n for n in names if n]
        if len(named) >= 2 and len(set(named)) < len(named):
            self.add_error("staff_2", _("调查人员不能重复"))
        return data


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(
        label=_("审核意见"), choices=Opinion.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("意见说明"), widget=forms.Textarea, required=False)
    single_person_choice = forms.ChoiceField(
        label=_("单人户选择（评估提供时必填）"),
        choices=[("", "—"), *SinglePersonChoice.choices],
        required=False,
    )


class ObjectionForm(forms.Form):
    received_on = forms.DateField(
        label=_("收到日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_future],
    )
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea)


class ResolveObjectionForm(forms.Form):
    method = forms.ChoiceField(label=_("处理方式"), choices=Objection.Method.choices)
    upheld = forms.BooleanField(label=_("异议成立"), required=False)
    outcome = forms.CharField(label=_("处理结果"), widget=forms.Textarea)


class ProposalForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("拟确认结果"), choices=Opinion.choices, widget=forms.RadioSelect
    )
    monthly_amount = YuanField(label=_("月救助金（元）"))
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, once: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if once:  # temporary assistance: one payment, not a month's
            self.fields["monthly_amount"].label = _("救助金额（元，一次性）")


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class NoticeIssuedForm(forms.Form):
    issued_on = forms.DateField(
        label=_("送达日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_future],
    )
