"""The referral form. It validates input; the action decides and records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.referrals.models import Kind


class ReferralForm(forms.Form):
    person = forms.TypedChoiceField(label=_("转介人员"), coerce=int)
    kind = forms.ChoiceField(label=_("转介事项"), choices=Kind.choices, widget=forms.RadioSelect)
    matter = forms.CharField(
        label=_("需要帮助的事项"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("如：追索劳动报酬、人身损害赔偿、刑事案件被害人生活困难"),
    )
    receiving_body = forms.CharField(
        label=_("接收机构"), max_length=100, initial=_("宝坻区法律援助中心")
    )
    assistance_certified = forms.BooleanField(
        label=_("持有其他社会救助、司法救助或优抚对象证明（如临时救助）"), required=False
    )
    no_fixed_livelihood = forms.BooleanField(
        label=_("无固定生活来源（未成年人、老年人、残疾人）"), required=False
    )
    migrant_worker_claim = forms.BooleanField(
        label=_("进城务工人员请求支付劳动报酬或工伤赔偿"), required=False
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = members  # type: ignore[attr-defined]
