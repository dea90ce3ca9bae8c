"""Admin of verification data: read-only (records come from deliveries, runs from the workflow;
both are evidence and are changed by nobody)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from jiuzhu.web.verification.models import (
    DepartmentRecord,
    Discrepancy,
    FeedImport,
    VerificationAnswer,
    VerificationRun,
)


class ReadOnly:
    """Viewing only: no adding, changing or deleting through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(FeedImport)
class FeedImportAdmin(ReadOnly, admin.ModelAdmin[FeedImport]):
    list_display = (
        "source",
        "label",
        "received_at",
        "accepted",
        "duplicates",
        "unknown_ids",
        "first_period",
        "last_period",
        "imported_by",
        "imported_at",
        "superseded_by",
    )
    list_filter = ("source",)
    search_fields = ("path", "source")


@admin.register(DepartmentRecord)
class DepartmentRecordAdmin(ReadOnly, admin.ModelAdmin[DepartmentRecord]):
    list_display = ("source", "resident_id", "period", "received_at", "feed_import")
    list_filter = ("source",)
    # Not searched by ID number: the admin's search goes in the URL, where no full ID may be.
    show_full_result_count = False  # millions of rows: no COUNT(*) on every page
    list_select_related = ("feed_import",)


class AnswerInline(ReadOnly, admin.TabularInline[VerificationAnswer, VerificationRun]):
    model = VerificationAnswer
    fields = ("person", "source", "found", "summary")
    readonly_fields = fields
    extra = 0


class DiscrepancyInline(ReadOnly, admin.TabularInline[Discrepancy, VerificationRun]):
    model = Discrepancy
    fields = ("person", "label", "declared", "found", "unit", "severity", "period", "note")
    readonly_fields = fields
    extra = 0


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnly, admin.ModelAdmin[VerificationRun]):
    list_display = ("application", "requested_by", "requested_at", "members", "warnings")
    search_fields = ("application__number",)
    list_select_related = ("application", "requested_by")
    inlines = (DiscrepancyInline, AnswerInline)
