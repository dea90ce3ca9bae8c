"""The registry in the admin site, for administrators to correct data the pages cannot (a
wrong relation, a member to end): every change is a Django admin log entry.

ID numbers typed here follow the counter's rules (``core.forms.ResidentIdField``, GB 11643): a
15-digit number is stored in its 18-digit form, and that conversion is an audit event, as for
the numbers migration 0003 converted; an invalid number is refused."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.fields import SealedSearchAdmin
from jiuzhu.web.core.forms import ResidentIdField
from jiuzhu.web.core.users import staff
from jiuzhu.web.registry.actions import record_id_conversion
from jiuzhu.web.registry.models import Asset, Household, Income, Membership, Obligor, Person


class MembershipInline(admin.TabularInline[Membership, Household]):
    model = Membership
    extra = 0
    raw_id_fields = ("person",)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin[Household]):
    list_display = ("number", "division_code", "address", "area_type")
    search_fields = ("number", "address", "division_code")
    inlines = (MembershipInline,)


class PersonAdminForm(forms.ModelForm[Person]):
    resident_id = ResidentIdField()

    class Meta:
        model = Person
        fields = "__all__"


class ObligorAdminForm(forms.ModelForm[Obligor]):
    resident_id = ResidentIdField(label=_("义务人身份证号"), required=False)

    class Meta:
        model = Obligor
        fields = "__all__"


def _record_conversion(request: HttpRequest, obj: Person | Obligor, form: forms.BaseForm) -> None:
    """The audit event of a 15-digit number the administrator typed (stored in 18 digits)."""
    # Also when the field was left as it was: a 15-digit number still stored (one migration
    # 0003 could not convert) is converted on this save.
    legacy = getattr(form.cleaned_data.get("resident_id"), "converted_from", None)
    if legacy:
        record_id_conversion(staff(request), obj, legacy)


@admin.register(Person)
class PersonAdmin(SealedSearchAdmin, admin.ModelAdmin[Person]):
    form = PersonAdminForm
    list_display = ("name", "birth_date", "disability_category", "serious_illness")
    search_fields = ("name",)
    sealed_search_fields = ("resident_id",)  # a whole ID, through its hash

    def save_model(
        self, request: HttpRequest, obj: Person, form: forms.ModelForm[Person], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        _record_conversion(request, obj, form)


@admin.register(Obligor)
class ObligorAdmin(admin.ModelAdmin[Obligor]):
    form = ObligorAdminForm
    list_display = ("supported", "name", "birth_date")
    raw_id_fields = ("supported",)

    def save_model(
        self, request: HttpRequest, obj: Obligor, form: forms.ModelForm[Obligor], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        _record_conversion(request, obj, form)


admin.site.register(
    Income,
    list_display=("person", "component", "monthly_amount", "source"),
    raw_id_fields=("person",),
)
admin.site.register(Asset, list_display=("person", "amount", "source"), raw_id_fields=("person",))
