"""The code form of the second factor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.accounts.twofactor import BACKUP_CODE, TOTP_CODE, normalise_code


class CodeForm(forms.Form):
    """A 6-digit code of the authenticator app, or (``backup_allowed``) a backup code.
    Full-width digits, spaces and dashes are accepted as typed."""

    code = forms.CharField(label=_("验证码"), max_length=40, strip=True)

    def __init__(self, *args: Any, backup_allowed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.backup_allowed = backup_allowed

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if TOTP_CODE.match(code) or (self.backup_allowed and BACKUP_CODE.match(code)):
            return code
        if self.backup_allowed:
            raise ValidationError(_("请输入验证器显示的6位数字，或一个8位备用码"))
        raise ValidationError(_("请输入验证器显示的6位数字"))
