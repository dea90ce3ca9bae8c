"""The audit trail in the admin site: read-only."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from jiuzhu.web.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = (
        "sequence",
        "at",
        "user",
        "action",
        "object_type",
        "object_id",
        "division_code",
        "household_id",
    )
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "division_code", "user__username")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
