"""The administrator edits the issuing offices here (a value left blank prints as 未设置); the
issued notices and the scans are written by the actions only (audited) and shown read-only."""

from __future__ import annotations

from typing import Generic, TypeVar

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiuzhu.reference import baodi_divisions
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.documents.models import IssuedDocument, MaterialFile, Office


def _office_choices() -> list[tuple[str, str]]:
    townships = sorted(
        (d for d in baodi_divisions().values() if d.level == "township"), key=lambda d: d.code
    )
    return [(DISTRICT_CODE, str(_("宝坻区民政局（区级）")))] + [
        (d.code, f"{d.name}（{d.code}）") for d in townships
    ]


class OfficeForm(forms.ModelForm[Office]):
    division_code = forms.ChoiceField(label=_("乡镇（街道）或区"), choices=_office_choices)

    class Meta:
        model = Office
        fields = ["division_code", "name", "address", "phone", "review_body", "court"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin[Office]):
    form = OfficeForm
    list_display = ("division_code", "name", "phone", "review_body", "court", "updated_at")
    search_fields = ("division_code", "name")


M = TypeVar("M", bound=models.Model)


class ReadOnly(admin.ModelAdmin[M], Generic[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnly[IssuedDocument]):
    list_display = ("number", "kind", "township_code", "year", "issued_by", "issued_at")
    list_filter = ("kind", "year")
    search_fields = ("number",)


@admin.register(MaterialFile)
class MaterialFileAdmin(ReadOnly[MaterialFile]):
    list_display = ("application", "material", "file_type", "size", "status", "uploaded_at")
    list_filter = ("status", "file_type")
