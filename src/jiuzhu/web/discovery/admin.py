"""Read-only admin pages: alerts, visits, runs and the register are written by the actions
only (audited); the admin shows them for support."""

from __future__ import annotations

from typing import Generic, TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from jiuzhu.web.discovery.models import Alert, AlertVisit, DiscoveryRun, RegisterEntry

M = TypeVar("M", bound=models.Model)


class ReadOnly(admin.ModelAdmin[M], Generic[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnly[Alert]):
    list_display = (
        "alert_key",
        "signal",
        "category",
        "severity",
        "division_code",
        "status",
        "due_on",
    )
    list_filter = ("category", "severity", "status", "owner_level")
    search_fields = ("alert_key", "signal", "household_key")


@admin.register(AlertVisit)
class AlertVisitAdmin(ReadOnly[AlertVisit]):
    list_display = ("alert", "visited_on", "recorded_by")


@admin.register(DiscoveryRun)
class DiscoveryRunAdmin(ReadOnly[DiscoveryRun]):
    list_display = ("month", "division_code", "status", "found", "created", "already_open")


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnly[RegisterEntry]):
    list_display = ("person", "household", "category", "receiving", "included_on", "ends_on")
    list_filter = ("category", "receiving")
    search_fields = ("household__number", "key")
