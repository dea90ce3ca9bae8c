"""Registry forms: the household search, a household at the counter, a member's facts, the
household's facts, membership events (moving in and out, death, living apart), a new applicant, a
merge, and the declaration.

They use the feeds' rules for IDs, money and dates (``core.forms``); the actions enforce the
registry's own rules (one applicant, no person in two households).
"""

from __future__ import annotations

import datetime as dt
from typing import Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.reference import baodi_divisions
from jiuzhu.web.core.choices import code_choices as _choices
from jiuzhu.web.core.forms import (
    AreaField,
    CleanTextField,
    Data,
    Files,
    FormOptions,
    NameField,
    PastDateField,
    ResidentIdField,
    YuanField,
)
from jiuzhu.web.core.idtext import ID_IN_URL_REFUSED, reveals_id
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.models import Employment, MaritalStatus, Membership, WorkCapacity
from jiuzhu.web.registry.upkeep import ABSENCES, APPLICANT_RELATIONS


class SearchForm(forms.Form):
    """The household search: a member's name, an ID number (whole, or its last 4–6
    characters), a household number or part of an address. Posted, it takes any of these;
    in an address (``in_url``: a link, a bookmark, a GET) a text that reveals an ID is refused
    (``reveals_id``)."""

    q = forms.CharField(
        label=_("姓名、身份证号（或后4–6位）、家庭编号或住址"), required=False, max_length=100
    )

    def __init__(self, data: Data, *, in_url: bool) -> None:
        super().__init__(data)
        self.in_url = in_url

    def clean_q(self) -> str:
        text: str = self.cleaned_data["q"]
        if self.in_url and reveals_id(text):
            raise forms.ValidationError(ID_IN_URL_REFUSED)
        return text


GRADES = [("", "—"), (1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("四级"))]


def relation_choices(applicant: bool = False) -> list[tuple[str, str]]:
    """GB/T 4761 relations; the applicant's own (本人, 户主) only when ``applicant``."""
    return [
        (code, label)
        for code, label in _choices("relation")
        if (code in APPLICANT_RELATIONS) == applicant
    ]


def community_choices(user: Staff) -> list[tuple[str, str]]:
    """The communities (村/居) of the user's jurisdiction, by township."""
    return [
        (code, f"{d.township_name} {d.name}")
        for code, d in sorted(baodi_divisions().items())
        if len(code) == 12 and user.covers(code)
    ]


class PersonForm(forms.Form):
    """A person's registry facts. The birth date may be left blank: it is read from the ID."""

    resident_id = ResidentIdField()
    name = NameField(label=_("姓名"), max_length=50)
    birth_date = PastDateField(label=_("出生日期"), required=False)
    hukou_tianjin = forms.BooleanField(label=_("天津户籍"), required=False, initial=True)
    marital_status = forms.ChoiceField(
        label=_("婚姻状况"), choices=MaritalStatus.choices, initial=MaritalStatus.UNSTATED
    )
    disability_category = forms.ChoiceField(
        label=_("残疾类别"), choices=_choices("disability_category"), initial="none"
    )
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"), choices=GRADES, coerce=int, required=False, empty_value=None
    )
    serious_illness = forms.ChoiceField(
        label=_("重特大疾病病种"), choices=_choices("serious_illness"), initial="none"
    )
    special_outpatient_disease = forms.BooleanField(label=_("门诊特殊病"), required=False)
    student_level = forms.ChoiceField(
        label=_("在校学段（全日制）"), choices=_choices("student_level"), initial="none"
    )
    self_care = forms.ChoiceField(
        label=_("生活自理能力"), choices=_choices("self_care"), initial="self_caring"
    )
    work_capacity = forms.ChoiceField(
        label=_("劳动能力"), choices=WorkCapacity.choices, initial=WorkCapacity.UNASSESSED
    )
    employment = forms.ChoiceField(
        label=_("就业状况"), choices=Employment.choices, initial=Employment.UNKNOWN
    )
    unable_to_live_independently = forms.BooleanField(label=_("成年但不能独立生活"), required=False)
    # Minors only: what became of each parent (orphans and de facto unsupported children).
    father_situation = forms.ChoiceField(
        label=_("父亲情况（未成年人填写）"), choices=_choices("parent_situation"), initial="none"
    )
    father_situation_since = PastDateField(
        label=_("父亲情况起始日期（失联为公安机关受理报警之日）"), required=False
    )
    father_situation_until = forms.DateField(
        label=_("父亲刑期、戒毒期或限制期届满日期"), required=False
    )
    mother_situation = forms.ChoiceField(
        label=_("母亲情况（未成年人填写）"), choices=_choices("parent_situation"), initial="none"
    )
    mother_situation_since = PastDateField(
        label=_("母亲情况起始日期（失联为公安机关受理报警之日）"), required=False
    )
    mother_situation_until = forms.DateField(
        label=_("母亲刑期、戒毒期或限制期届满日期"), required=False
    )
    chooses_orphan_support = forms.BooleanField(
        label=_("选择孤儿或事实无人抚养儿童保障（不再认定为特困人员）"), required=False
    )

    DEFAULTED = (
        "marital_status",
        "disability_category",
        "serious_illness",
        "student_level",
        "self_care",
        "work_capacity",
        "employment",
        "father_situation",
        "mother_situation",
    )
    """Choices that may be left out: the form's initial value (none, unassessed …) applies."""

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        for name in self.DEFAULTED:
            self.fields[name].required = False

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in self.DEFAULTED:
            if not data.get(name) and name not in self.errors:
                data[name] = self.fields[name].initial
        number, born = data.get("resident_id"), data.get("birth_date")
        if number and not born and "birth_date" not in self.errors:
            data["birth_date"] = born = _birth(number)
        if number and born and number[6:14] != born.strftime("%Y%m%d"):
            self.add_error("birth_date", _("出生日期与身份证号不一致"))
        category, grade = data.get("disability_category"), data.get("disability_grade")
        if category and category != "none" and not grade:
            self.add_error("disability_grade", _("请填写残疾等级"))
        if category == "none" and grade:
            self.add_error("disability_grade", _("无残疾时不填等级"))
        for parent in ("father", "mother"):
            self._check_parent(data, parent)
        return data

    def _check_parent(self, data: dict[str, object], parent: str) -> None:
        """A parent out of contact needs the day the police accepted the report; a term's end
        is not before its start; no dates without a situation."""
        situation = data.get(f"{parent}_situation")
        since, until = data.get(f"{parent}_situation_since"), data.get(f"{parent}_situation_until")
        if situation == "out_of_contact" and not since:
            self.add_error(f"{parent}_situation_since", _("失联须填写公安机关受理报警之日"))
        if isinstance(since, dt.date) and isinstance(until, dt.date) and until < since:
            self.add_error(f"{parent}_situation_until", _("届满日期不能早于起始日期"))
        if situation == "none" and (since or until):
            self.add_error(f"{parent}_situation", _("填写日期时须选择父母情况"))


def _birth(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


class MemberForm(PersonForm):
    """A new member (or a registered person moving in) from a date."""

    relation = forms.ChoiceField(
        label=_("与申请人关系"),
        error_messages={"invalid_choice": _("请选择新成员与申请人的关系（本户已有申请人本人）")},
    )
    on = PastDateField(label=_("成为家庭成员日期（不填为今天）"), required=False)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["relation"].choices = [("", "—"), *relation_choices()]  # type: ignore[attr-defined]


class MemberEditForm(PersonForm):
    """A member's facts and, for members other than the applicant, the relation.

    The stored ID number (``current_id``) is never put in the form, which would show it in full
    (issue 12: masked everywhere; the household page reveals it, audited): the field starts
    blank, its placeholder shows the number masked, and left blank the number stays as it is."""

    relation = forms.ChoiceField(label=_("与申请人关系"), required=False)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        applicant: bool = False,
        current_id: str = "",
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.current_id = current_id
        if len(current_id) == 18:
            self.fields["resident_id"].required = False
            self.fields["resident_id"].widget.attrs["placeholder"] = _(
                "现为 %(masked)s；不修改请留空"
            ) % {"masked": mask_id(current_id)}
        else:  # a 15-digit number still stored: the 18-digit one is typed (and converted)
            self.fields["resident_id"].widget.attrs["placeholder"] = _(
                "登记的是15位旧号码，请填写18位号码"
            )
        if applicant:
            del self.fields["relation"]
        else:
            self.fields["relation"].choices = relation_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("resident_id") or len(self.current_id) != 18:
            return data
        data.pop("resident_id", None)
        born = data.get("birth_date")
        if born is None and "birth_date" not in self.errors:
            data["birth_date"] = _birth(self.current_id)
        elif isinstance(born, dt.date) and self.current_id[6:14] != born.strftime("%Y%m%d"):
            self.add_error("birth_date", _("出生日期与身份证号不一致"))
        return data


class HouseholdForm(forms.Form):
    """Where the household lives and what it owns and spends (money in yuan)."""

    division_code = forms.ChoiceField(label=_("村（居）"))
    address = CleanTextField(label=_("住址"), max_length=200)
    area_type = forms.ChoiceField(label=_("城乡类别"), choices=_choices("area_type"))
    homes = forms.IntegerField(label=_("住房套数"), min_value=0, max_value=50, initial=0)
    floor_area = AreaField(label=_("住房建筑面积合计（平方米）"))
    vehicles = forms.IntegerField(label=_("机动车数量"), min_value=0, max_value=50, initial=0)
    disability_mobility_vehicles = forms.IntegerField(
        label=_("其中残疾人功能性补偿代步机动车"), min_value=0, max_value=50, initial=0
    )
    business_capital = YuanField(label=_("经营资本（元）"))
    rigid_medical_expenditure = YuanField(label=_("近12个月医疗支出（元，扣除报销）"))
    rigid_education_expenditure = YuanField(label=_("近12个月教育支出（元）"))
    rigid_disaster_expenditure = YuanField(label=_("近12个月灾害支出（元）"))
    rigid_accident_expenditure = YuanField(label=_("近12个月意外事故支出（元）"))
    non_residential_property = forms.BooleanField(label=_("拥有非住宅房产"), required=False)
    non_essential_luxury_goods = forms.BooleanField(
        label=_("拥有非生活必需高档用品"), required=False
    )
    self_funded_study_abroad = forms.BooleanField(label=_("成员自费出国留学"), required=False)
    single_parent_family = forms.BooleanField(label=_("单亲家庭"), required=False)
    family_planning_special_support = forms.BooleanField(
        label=_("享受计划生育特别扶助金"), required=False
    )
    has_no_children = forms.BooleanField(label=_("无子女"), required=False)
    district_designated_hardship = forms.BooleanField(label=_("区定其他困难情形"), required=False)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        user: Staff,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["division_code"].choices = [("", "—"), *community_choices(user)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        vehicles, mobility = data.get("vehicles"), data.get("disability_mobility_vehicles")
        if vehicles is not None and mobility is not None and mobility > vehicles:
            self.add_error("disability_mobility_vehicles", _("不能多于机动车总数"))
        return data


class NewHouseholdForm(forms.Form):
    """The few household facts the counter asks first (the rest can follow)."""

    division_code = forms.ChoiceField(label=_("村（居）"))
    address = CleanTextField(label=_("住址"), max_length=200)
    area_type = forms.ChoiceField(label=_("城乡类别"), choices=_choices("area_type"))
    homes = forms.IntegerField(label=_("住房套数"), min_value=0, max_value=50, initial=0)
    floor_area = AreaField(label=_("住房建筑面积合计（平方米）"))

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        user: Staff,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["division_code"].choices = [("", "—"), *community_choices(user)]  # type: ignore[attr-defined]


class MoveOutForm(forms.Form):
    on = PastDateField(label=_("迁出日期"))
    reason = CleanTextField(label=_("迁出原因"), max_length=200)


class DeathForm(forms.Form):
    died_on = PastDateField(label=_("死亡日期"))


class AbsenceForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("离家原因"),
        choices=[(c, label) for c, label in _choices("absence_reason") if c in ABSENCES],
    )
    since = PastDateField(label=_("起始日期"))
    note = CleanTextField(label=_("说明（如判决书、宣告失踪判决）"), max_length=200, required=False)


class ReturnForm(forms.Form):
    on = PastDateField(label=_("回家共同生活日期"))


class ChangeApplicantForm(forms.Form):
    """The new applicant, and every other member's relation to them."""

    applicant = forms.TypedChoiceField(label=_("新申请人"), coerce=int)

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        members: list[Membership],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.members = members
        self.fields["applicant"].choices = [(m.pk, m.person.name) for m in members]  # type: ignore[attr-defined]
        for membership in members:
            self.fields[f"relation_{membership.pk}"] = forms.ChoiceField(
                label=_("%(name)s 与新申请人的关系") % {"name": membership.person.name},
                choices=[("", "—"), *relation_choices()],
                required=False,
            )

    def relations(self) -> dict[int, str]:
        return {
            m.pk: self.cleaned_data.get(f"relation_{m.pk}", "")
            for m in self.members
            if m.pk != self.cleaned_data["applicant"]
        }


class MergeForm(forms.Form):
    """The other record of the same person (by full ID number), which one to keep, and why."""

    other_resident_id = ResidentIdField(label=_("重复登记人员的公民身份号码"))
    keep = forms.ChoiceField(
        label=_("保留哪条记录"),
        choices=[("this", _("保留本条记录")), ("other", _("保留另一条记录"))],
        widget=forms.RadioSelect,
        initial="this",
    )
    reason = CleanTextField(label=_("合并理由"), max_length=200)


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

__all__ = [
    "AbsenceForm",
    "ChangeApplicantForm",
    "DeathForm",
    "DeclarationFormSet",
    "HouseholdForm",
    "MemberEditForm",
    "MemberForm",
    "MergeForm",
    "MoveOutForm",
    "NewHouseholdForm",
    "PersonForm",
    "ReturnForm",
    "YuanField",
]
