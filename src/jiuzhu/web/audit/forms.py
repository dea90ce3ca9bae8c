"""The audit log's filters: user, action, object, household and dates. Anything typed that does
not name a user, an action, a record or a household of the jurisdiction, or a real date, is a
message on its field, never a server error."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiuzhu.web.audit import objects
from jiuzhu.web.audit.labels import action_choices
from jiuzhu.web.audit.queries import Filters, users_for
from jiuzhu.web.core.forms import Data
from jiuzhu.web.core.users import Visitor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    """Bound to the query string of the log (and of its export)."""

    user = forms.TypedChoiceField(label=_("人员"), coerce=int, required=False, empty_value=None)
    action = forms.ChoiceField(label=_("操作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object = forms.CharField(
        label=_("对象编号"),
        required=False,
        max_length=40,
        help_text=_("申请、家庭、待遇编号，身份证号，或记录序号"),
    )
    household = forms.CharField(label=_("家庭编号"), required=False, max_length=30)
    date_from = forms.DateField(
        label=pgettext_lazy("start of a period", "起始日期"), required=False, widget=DATE
    )
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DATE)

    def __init__(self, viewer: Visitor, data: Data = None) -> None:
        super().__init__(data)
        self.viewer = viewer
        users = [
            (u.pk, f"{u}（{u.get_role_display()}）" if u.role else str(u))
            for u in users_for(viewer)
        ]
        self.fields["user"].choices = [("", _("全部")), *users]  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("全部")), *action_choices()]  # type: ignore[attr-defined]
        self.fields["object_type"].choices = [("", _("全部")), *objects.type_choices()]  # type: ignore[attr-defined]

    def clean_object(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data.get("object") or "").strip()

    def clean_household(self) -> int | None:
        """The pk of the household of the jurisdiction with that number."""
        number = unicodedata.normalize("NFKC", self.cleaned_data.get("household") or "").strip()
        if not number:
            return None
        household = apps.get_model("registry", "Household")
        found = (
            household.objects.filter(
                number__iexact=number,
                division_code__startswith=getattr(self.viewer, "division_code", "") or "-",
            )
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise forms.ValidationError(
                _("辖区内没有家庭编号为 %(number)s 的家庭"), params={"number": number}
            )
        return int(found)

    def clean(self) -> dict[str, Any]:  # a field named ``object`` hides the builtin here
        data = super().clean() or {}
        object_type, text = data.get("object_type", ""), data.get("object", "")
        data["object_id"] = ""
        if text and not object_type:
            self.add_error("object_type", _("请选择对象类型"))
        elif text:
            try:
                data["object_id"] = objects.find(object_type, text)
            except objects.UnknownObject:
                self.add_error(
                    "object",
                    _("没有编号或序号为 %(text)s 的%(kind)s")
                    % {"text": text, "kind": objects.type_label(object_type)},
                )
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def filters(self) -> Filters:
        """The valid form's filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return Filters(
            user_id=data.get("user"),
            action=data.get("action", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            household_id=data.get("household"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
