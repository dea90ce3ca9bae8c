"""Template helpers of the documents app.

``{% application_documents application as docs %}`` gives the application page's documents
section what it shows (so that ``cases`` needs no import of this app); ``|unset`` prints an
office value, or 未设置 where the administrator has not set it (never an invented value).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from jiuzhu.web.cases.models import Application
from jiuzhu.web.documents import storage
from jiuzhu.web.documents.forms import UploadForm
from jiuzhu.web.documents.queries import application_documents as _application_documents

register = template.Library()

UNSET = "未设置"
"""Printed in place of an office value not set (documents are Chinese, the record's language)."""


@register.filter
def unset(value: object) -> str:
    """The value, or 未设置 marked for the eye (``<span class="unset">``)."""
    if value in (None, ""):
        return format_html('<span class="unset">{}</span>', UNSET)
    return format_html("{}", value)


@register.simple_tag(takes_context=True)
def application_documents(context: template.Context, application: Application) -> dict[str, object]:
    """The checklist, the printable documents and the upload form of ``application`` for the
    request's user."""
    user = context["request"].user
    found = _application_documents(user, application)
    found["form"] = UploadForm(missing=list(application.missing_materials))
    found["max_mb"] = storage.max_bytes() // 1024 // 1024
    return found
