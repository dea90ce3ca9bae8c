"""The registry in the admin site, for administrators to correct data the pages cannot (a
wrong relation, a member to end): every change is a Django admin log entry.

ID numbers are read-only and masked here, and health details are not shown (the masking admin
site, ``privacy.admin_site``): an ID is corrected at the counter (the member's page, GB 11643
checked, audited), where a 15-digit number is also stored in its 18-digit form."""

from __future__ import annotations

from django.contrib import admin

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


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("name", "birth_date")
    # Not by ID number: the admin's search goes in the URL, where no full ID may be (issue 12).
    search_fields = ("name",)


@admin.register(Obligor)
class ObligorAdmin(admin.ModelAdmin[Obligor]):
    list_display = ("supported", "name", "birth_date")
    raw_id_fields = ("supported",)


admin.site.register(
    Income,
    list_display=("person", "component", "monthly_amount", "source"),
    raw_id_fields=("person",),
)
admin.site.register(Asset, list_display=("person", "amount", "source"), raw_id_fields=("person",))
