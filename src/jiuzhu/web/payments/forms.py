"""Payroll forms. They validate input; the actions enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.forms import CleanTextField, PastDateField, YuanField
from jiuzhu.web.core.programs import payroll_choices
from jiuzhu.web.payments import layouts
from jiuzhu.web.payments.models import MONTH_PATTERN, Recovery


class DraftForm(forms.Form):
    month = forms.RegexField(
        label=_("发放月份"),
        regex=MONTH_PATTERN,
        max_length=7,
        error_messages={"invalid": _("月份格式应为 YYYY-MM")},
        widget=forms.TextInput(attrs={"placeholder": "2025-11", "inputmode": "numeric"}),
    )
    program = forms.ChoiceField(label=_("救助项目"), choices=payroll_choices)


class ExportForm(forms.Form):
    """The bank file's layout (``payments.layouts``) and, for a text file, its encoding among
    those the layout declares (blank: the layout's default)."""

    layout = forms.ChoiceField(
        label=_("文件格式"),
        choices=[(key, layout.label) for key, layout in layouts.LAYOUTS.items()],
        initial=layouts.DEFAULT,
    )
    encoding = forms.ChoiceField(
        label=_("文件编码（CSV）"),
        choices=[
            (code, layouts.ENCODING_LABELS[code])
            for code in dict.fromkeys(
                code for layout in layouts.LAYOUTS.values() for code in layout.encodings if code
            )
        ],
        initial=layouts.get_layout(layouts.DEFAULT).encodings[0],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        layout = layouts.LAYOUTS.get(data.get("layout", ""))
        if layout is None:
            return data
        if layout.format == "xlsx":
            data["encoding"] = ""
        elif not data.get("encoding"):
            data["encoding"] = layout.encodings[0]
        elif data["encoding"] not in layout.encodings:
            self.add_error("encoding", _("该文件格式不支持此编码"))
        return data


class ReturnForm(forms.Form):
    file = forms.FileField(label=_("银行回盘文件（CSV：账号、金额、状态、原因）"))


class AccountForm(forms.Form):
    """A payee's bank account as typed at the counter; the action checks every field (digits,
    invisible characters, the holder's ID and membership) and puts its messages on the fields.
    Lengths here only keep a pasted paragraph out."""

    bank_name = forms.CharField(
        label=_("开户银行"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "banks", "autocomplete": "off"}),
    )
    account_number = forms.CharField(
        label=_("银行账号"),
        max_length=80,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder_name = forms.CharField(label=_("户名"), max_length=100)
    holder_id = forms.CharField(
        label=_("持卡人身份证号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    holder_note = forms.CharField(
        label=_("持卡人不是家庭成员（或特困人员本人）时的原因"),
        max_length=400,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：监护人")}),
    )


class NewAccountForm(AccountForm):
    """Record an account for the household or for one member (a tekun person paid alone)."""

    payee = forms.ChoiceField(label=_("收款人"))

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payee = self.fields["payee"]
        assert isinstance(payee, forms.ChoiceField)
        payee.choices = [
            ("", _("全户（家庭账户）")),
            *[
                (str(pk), _("%(name)s（个人账户，特困人员按人发放）") % {"name": name})
                for pk, name in members
            ],
        ]
        payee.required = False
        self.order_fields(["payee"])


class CheckAccountForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("已与存折或银行卡、持卡人身份证核对一致"),
        error_messages={"required": _("请先与存折或银行卡、持卡人身份证核对")},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class SummaryForm(forms.Form):
    month = forms.RegexField(label=_("发放月份"), regex=MONTH_PATTERN, max_length=7)


class RecoveryForm(forms.Form):
    """A recovery decided on one of the household's entitlements (the action checks the rest)."""

    entitlement = forms.TypedChoiceField(label=_("救助待遇"), coerce=int)
    kind = forms.ChoiceField(
        label=_("追回类型"), choices=Recovery.RecoveryKind.choices, widget=forms.RadioSelect
    )
    amount = YuanField(label=_("追回金额（元）"), required=True)
    fine_multiple = forms.DecimalField(
        label=_("罚款倍数（骗取的，骗取金额的1至3倍）"),
        required=False,
        max_digits=3,
        decimal_places=2,
    )
    monthly_deduction = YuanField(label=_("每月扣回上限（元，多发追回；空白为按月全额扣回）"))
    reason = forms.CharField(label=_("事实和理由"), widget=forms.Textarea, max_length=2000)

    def __init__(self, *args: Any, entitlements: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entitlement"].choices = entitlements  # type: ignore[attr-defined]


class RepaymentForm(forms.Form):
    amount = YuanField(label=_("缴回金额（元）"), required=True)
    paid_on = PastDateField(label=_("缴回日期"))
    note = forms.CharField(label=_("票据号或说明"), max_length=200)


def _lower_fine() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("决定的罚款倍数（空白为不变；不得高于告知的）"),
        required=False,
        max_digits=3,
        decimal_places=2,
    )


class StatementForm(forms.Form):
    """The party's statement and defence after the prior notice, and the bureau's finding."""

    received_on = PastDateField(label=_("陈述、申辩日期"))
    statement = CleanTextField(label=_("陈述、申辩的内容"), widget=forms.Textarea, max_length=4000)
    adopted = forms.TypedChoiceField(
        label=_("复核意见"),
        choices=[("yes", _("采纳")), ("no", _("不予采纳"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    finding = CleanTextField(
        label=_("采纳或者不予采纳的理由"), widget=forms.Textarea, max_length=4000
    )
    fine_multiple = _lower_fine()


class HearingRequestForm(forms.Form):
    """The day the party asked for a hearing."""

    requested_on = PastDateField(label=_("要求听证日期"))


class HearingOutcomeForm(forms.Form):
    """The hearing held and what it found."""

    held_on = PastDateField(label=_("听证日期"))
    outcome = CleanTextField(label=_("听证结果"), widget=forms.Textarea, max_length=4000)
    fine_multiple = _lower_fine()
