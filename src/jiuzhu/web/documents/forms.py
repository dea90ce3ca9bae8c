"""Forms of the materials page. They read input; the actions check the file (type by content,
size, emptiness) and the rules."""

from __future__ import annotations

from typing import Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.core.forms import Data, Files, FormOptions


def _file_field() -> forms.FileField:
    # Empty files reach the action, which refuses them with the app's own message.
    return forms.FileField(
        label=_("扫描件（PDF、JPEG 或 PNG）"),
        allow_empty_file=True,
        error_messages={"required": _("请选择要上传的文件")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class UploadForm(forms.Form):
    material = forms.ChoiceField(label=_("材料"), choices=list(MATERIALS.items()))
    file = _file_field()

    def __init__(
        self,
        data: Data = None,
        files: Files = None,
        *,
        missing: list[str] | None = None,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        if missing:
            self.fields["material"].initial = missing[0]


class ReplaceForm(forms.Form):
    file = _file_field()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=200)
