"""Registry upkeep pages: register a household at the counter, edit a member or the household,
record a member's move, death or absence, change the applicant, merge a duplicate person.

Each page shows its form (GET), validates it and calls one action (POST), then redirects to the
household page (post/redirect/get); an invalid form or a refused action re-renders the form
with the reason (status 400). Nothing here writes by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.web.core.clock import today
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.forms import Cleaned
from jiuzhu.web.core.idtext import ID_IN_URL_REFUSED, reveals_id
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import Staff, staff
from jiuzhu.web.core.views import add_errors
from jiuzhu.web.registry import membership as members
from jiuzhu.web.registry import upkeep
from jiuzhu.web.registry.forms import (
    AbsenceForm,
    ChangeApplicantForm,
    DeathForm,
    HouseholdForm,
    MemberEditForm,
    MemberForm,
    MergeForm,
    MoveOutForm,
    NewHouseholdForm,
    PersonForm,
    ReturnForm,
    community_choices,
)
from jiuzhu.web.registry.models import Household, Membership, Person
from jiuzhu.web.registry.queries import household_for, looks_like_id

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

PERSON_KEYS = tuple(PersonForm.base_fields)


def _may_change(request: HttpRequest, household: Household) -> None:
    if not request.user.has_perm("registry.change", household):
        raise PermissionDenied


def new_household_view(request: HttpRequest) -> HttpResponse:
    """登记新家庭: the household's address and division and its applicant, at the counter."""
    user = staff(request)
    if not community_choices(user) or not user.has_perm("registry.change"):
        raise PermissionDenied
    # Carried from the search's "register instead" button: posted, as the searched text may be a
    # whole ID number, which never goes into an address (an address with one is not taken).
    carried = request.POST.get("search") if request.method == "POST" else None
    data = request.POST if request.method == "POST" and carried is None else None
    query = (request.GET.get("q", "") if carried is None else carried).strip()
    if carried is None and reveals_id(query):
        messages.error(request, ID_IN_URL_REFUSED)
        query = ""
    initial: dict[str, object] = (
        {"resident_id": query} if looks_like_id(query) else ({"name": query} if query else {})
    )
    household_form = NewHouseholdForm(data, user=user, prefix="h")
    person_form = PersonForm(data, prefix="p", initial=initial)
    if data is not None and household_form.is_valid() and person_form.is_valid():
        try:
            household = upkeep.register_household(
                user, household=household_form.cleaned_data, applicant=person_form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(person_form if "resident_id" in _fields(exc) else household_form, exc)
        except NotPermitted as exc:
            household_form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已登记家庭 %(number)s。请继续添加其他成员、申报收入和财产，再受理申请。")
                % {"number": household.number},
            )
            return redirect("registry:household", pk=household.pk)
    return render(
        request,
        "registry/new_household.html",
        {"household_form": household_form, "person_form": person_form},
        status=400 if data is not None else 200,
    )


def _fields(exc: ValidationError) -> set[str]:
    return set(exc.error_dict) if hasattr(exc, "error_dict") else set()


def _membership(household: Household, membership_pk: int) -> Membership:
    """A current member of the household (404 otherwise)."""
    return get_object_or_404(
        Membership.objects.select_related("person", "household"),
        pk=membership_pk,
        household=household,
        valid_to__isnull=True,
    )


def _form_page(
    request: HttpRequest,
    household: Household,
    form: forms.Form,
    title: str,
    run: Callable[[Cleaned], object],
    done: str,
    *,
    membership: Membership | None = None,
    hint: str = "",
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``run(cleaned_data)`` and go back to the household."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except NotPermitted as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("registry:household", pk=household.pk)
    return render(
        request,
        "registry/form.html",
        {
            "household": household,
            "membership": membership,
            "form": form,
            "title": title,
            "hint": hint,
        },
        status=400 if request.method == "POST" else 200,
    )


def add_member_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_for(staff(request), pk)
    _may_change(request, household)
    data = request.POST if request.method == "POST" else None
    form = MemberForm(data, initial={"on": today()})
    return _form_page(
        request,
        household,
        form,
        _("添加成员"),
        lambda d: members.add_member(staff(request), household, **d),
        _("已添加成员"),
        hint=_("已在登记库中、但目前不属于任何家庭的人员（如从外地迁入），按身份证号迁入本户。"),
    )


def edit_member_view(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    household = household_for(staff(request), pk)
    _may_change(request, household)
    membership = _membership(household, membership_pk)
    person = membership.person
    applicant = membership.relation in upkeep.APPLICANT_RELATIONS
    # Not the ID number: the form would show it in full (MemberEditForm).
    initial = {key: getattr(person, key) for key in PERSON_KEYS if key != "resident_id"}
    initial["relation"] = membership.relation
    data = request.POST if request.method == "POST" else None
    form = MemberEditForm(data, initial=initial, applicant=applicant, current_id=person.resident_id)

    def run(cleaned: Cleaned) -> Person:
        relation = cleaned.pop("relation", None) or None
        changes = {k: v for k, v in cleaned.items() if k in upkeep.PERSON_FIELDS}
        return upkeep.update_member(staff(request), membership, relation=relation, **changes)

    return _form_page(
        request,
        household,
        form,
        _("修改成员信息：%(name)s") % {"name": person.name},
        run,
        _("已保存成员信息"),
        membership=membership,
    )


EVENTS: dict[
    str,
    tuple[
        type[forms.Form], _StrPromise, Callable[[Staff, Membership, Cleaned], object], _StrPromise
    ],
] = {
    "move_out": (
        MoveOutForm,
        gettext_lazy("登记迁出：%(name)s"),
        lambda user, m, d: members.move_out(user, m, on=d["on"], reason=d["reason"]),
        gettext_lazy("已登记迁出"),
    ),
    "death": (
        DeathForm,
        gettext_lazy("登记死亡：%(name)s"),
        lambda user, m, d: members.record_death(user, m, died_on=d["died_on"]),
        gettext_lazy("已登记死亡；如家庭享受救助待遇，已生成家庭状况核查任务"),
    ),
    "absence": (
        AbsenceForm,
        gettext_lazy("登记离家（服刑、强制隔离戒毒、宣告失踪）：%(name)s"),
        lambda user, m, d: members.record_absence(
            user, m, reason=d["reason"], since=d["since"], note=d["note"]
        ),
        gettext_lazy("已登记离家情况"),
    ),
    "return": (
        ReturnForm,
        gettext_lazy("登记回家共同生活：%(name)s"),
        lambda user, m, d: members.end_absence(user, m, on=d["on"]),
        gettext_lazy("已登记回家共同生活"),
    ),
}


def member_event_view(
    request: HttpRequest, pk: int, membership_pk: int, event: str
) -> HttpResponse:
    """One membership event of a member: move out, death, living apart, coming back."""
    if event not in EVENTS:
        raise Http404
    household = household_for(staff(request), pk)
    _may_change(request, household)
    membership = _membership(household, membership_pk)
    form_class, title, action, done = EVENTS[event]
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial={"on": today(), "died_on": today(), "since": today()})
    return _form_page(
        request,
        household,
        form,
        str(title) % {"name": membership.person.name},
        lambda d: action(staff(request), membership, d),
        str(done),
        membership=membership,
    )


def edit_household_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_for(staff(request), pk)
    _may_change(request, household)
    initial = {field: getattr(household, field) for field in upkeep.HOUSEHOLD_FIELDS}
    for money in (
        "business_capital",
        "rigid_medical_expenditure",
        "rigid_education_expenditure",
        "rigid_disaster_expenditure",
        "rigid_accident_expenditure",
    ):
        initial[money] = f"{initial[money] / 100:.2f}"
    data = request.POST if request.method == "POST" else None
    form = HouseholdForm(data, initial=initial, user=staff(request))
    return _form_page(
        request,
        household,
        form,
        _("修改家庭信息"),
        lambda d: upkeep.update_household(staff(request), household, **d),
        _("已保存家庭信息"),
        hint=_("人均住房建筑面积按住房建筑面积合计和现有成员人数自动计算。"),
    )


def change_applicant_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_for(staff(request), pk)
    _may_change(request, household)
    current = list(household.current_memberships)  # type: ignore[attr-defined]
    data = request.POST if request.method == "POST" else None
    form = ChangeApplicantForm(data, members=current)

    def run(cleaned: Cleaned) -> Household:
        chosen = next(m for m in current if m.pk == cleaned["applicant"])
        return members.change_applicant(
            staff(request), household, applicant=chosen, relations=form.relations()
        )

    return _form_page(
        request,
        household,
        form,
        _("更换申请人"),
        run,
        _("已更换申请人"),
        hint=_("家庭关系以申请人为准（GB/T 4761），请逐一选择其他成员与新申请人的关系。"),
    )


def merge_view(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Merge a person registered twice (e.g. once with a mistyped ID) into one record."""
    household = household_for(staff(request), pk)
    _may_change(request, household)
    membership = _membership(household, membership_pk)
    data = request.POST if request.method == "POST" else None
    form = MergeForm(data)

    def run(cleaned: Cleaned) -> Person:
        other = Person.objects.filter(
            sealed_match("resident_id", cleaned["other_resident_id"])
        ).first()
        if other is None:
            raise ValidationError({"other_resident_id": _("登记库中没有这个身份证号")})
        this = membership.person
        keep, duplicate = (this, other) if cleaned["keep"] == "this" else (other, this)
        return members.merge_persons(staff(request), keep, duplicate, reason=cleaned["reason"])

    return _form_page(
        request,
        household,
        form,
        _("合并重复登记：%(name)s") % {"name": membership.person.name},
        run,
        _("已合并重复登记的人员"),
        membership=membership,
        hint=_(
            "同一人被登记了两次（如身份证号录入有误）时使用：两条记录的家庭、收入、申请和待遇等合并到保留的记录。"
        ),
    )
