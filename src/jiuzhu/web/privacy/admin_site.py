"""The admin site with personal data masked (issue 12: "masked by role everywhere … the admin").

The administrator keeps the system running; no task of that role needs a resident's full ID
number, bank account or health details, and the counter's pages correct them (with their
audited, role-checked reveal). So on every admin page, whichever app registered the model:

* ID numbers and account numbers (``SENSITIVE_FIELDS``) are read-only, never a form input;
* health details (``HEALTH_FIELDS``) and department records' contents are left out of lists and
  forms;
* the rendered page — lists, forms, inlines, titles, JSON of the audit events — is masked as a
  whole (``redaction.mask_text``), so a number inside an object's name or a JSON value is masked
  too.

No admin page shows a full value, so none needs an unmasking event; the full value is shown only
by the registry's and the payments' reveal, which records one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse

from jiuzhu.web.core.redaction import mask_text

SENSITIVE_FIELDS = frozenset({"resident_id", "holder_id", "account_number", "resident_key"})
"""Fields holding an ID number or an account number, whatever the model: read-only and masked."""

HEALTH_FIELDS = frozenset(
    {
        "disability_category",
        "disability_grade",
        "serious_illness",
        "special_outpatient_disease",
        "self_care",
        # A child's parents: death, prison, rehabilitation, illness (criminal and health
        # details of third persons, sensitive under PIPL Art. 28).
        "father_situation",
        "father_situation_since",
        "father_situation_until",
        "mother_situation",
        "mother_situation_since",
        "mother_situation_until",
    }
)
"""Fields holding a health or custody detail (disability, illness, self-care, a parent's
situation): not in the admin at all."""

HIDDEN_CONTENTS = {"verification.departmentrecord": frozenset({"data"})}
"""Model fields whose contents the admin never shows (a department record's row: incomes,
deposits, illnesses)."""

View = TypeVar("View", bound=Callable[..., Any])

_MASKED_TYPES = ("text/html", "application/json", "text/plain")


def _field_names(model: type[models.Model]) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


class PrivacyAdminMixin:
    """Makes ``SENSITIVE_FIELDS`` read-only and leaves the hidden fields out; mixed into every
    ``ModelAdmin`` and inline the masking site registers."""

    model: type[models.Model]

    def _hidden(self) -> set[str]:
        names = _field_names(self.model)
        hidden = HEALTH_FIELDS | HIDDEN_CONTENTS.get(self.model._meta.label_lower, frozenset())
        return set(hidden & names)

    def _sensitive(self) -> set[str]:
        return set(SENSITIVE_FIELDS & _field_names(self.model))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[Any]:
        fields = [f for f in super().get_readonly_fields(request, obj) if f not in self._hidden()]  # type: ignore[misc]
        return [*fields, *sorted(self._sensitive() - set(fields))]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        excluded = list(super().get_exclude(request, obj) or ())  # type: ignore[misc]
        return [*excluded, *sorted(self._hidden() - set(excluded))]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[Any]:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        return [f for f in fields if f not in self._hidden()]

    def get_list_display(self, request: HttpRequest) -> Sequence[Any]:
        return [f for f in super().get_list_display(request) if f not in self._hidden()]  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> Sequence[Any]:
        return [f for f in super().get_list_filter(request) if f not in self._hidden()]  # type: ignore[misc]


def with_privacy(admin_class: type[Any]) -> type[Any]:
    """``admin_class`` (a model admin or an inline) with ``PrivacyAdminMixin``, its inlines too."""
    attrs: dict[str, object] = {"__module__": admin_class.__module__}
    if issubclass(admin_class, admin.ModelAdmin):
        attrs["inlines"] = [with_privacy(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (PrivacyAdminMixin, admin_class), attrs)


def _masked(response: HttpResponseBase) -> HttpResponseBase:
    """The response with its text masked (files and redirects pass unchanged)."""
    content_type = response.get("Content-Type", "")
    if not isinstance(response, HttpResponse) or not content_type.startswith(_MASKED_TYPES):
        return response
    charset = response.charset or "utf-8"
    response.content = mask_text(response.content.decode(charset)).encode(charset)
    return response


class MaskedAdminSite(admin.AdminSite):
    """``admin.site``: every model admin registered with ``PrivacyAdminMixin``, every admin view's
    page masked."""

    def register(
        self,
        model_or_iterable: type[models.Model] | Iterable[type[models.Model]],
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        super().register(
            model_or_iterable, with_privacy(admin_class or admin.ModelAdmin), **options
        )

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def masked_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = inner(request, *args, **kwargs)
            if isinstance(response, TemplateResponse) and not response.is_rendered:
                response.add_post_render_callback(_masked)
                return response
            return _masked(response)

        return cast(View, masked_view)
