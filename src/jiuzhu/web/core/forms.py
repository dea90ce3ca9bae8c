"""Form fields with the same rules as the feeds: resident IDs (GB 11643), money in yuan to
integer fen, dates that cannot lie in the future, and text without invisible characters.

Every refusal is a message in the user's language naming the rule; no input, however odd
(full-width or other-script digits, NaN, infinities, 1e400, zero-width characters), raises
anything but a form error.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, MutableMapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from jiuzhu.feeds import ids
from jiuzhu.web.core.clock import today

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

MAX_YUAN = Decimal(100_000_000)
"""A typo guard: no household declares a single item of 100 million yuan or more."""

INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs"})
"""Unicode categories never allowed in names and short texts: controls, format characters
(zero-width space and joiners, direction marks), private use, surrogates."""

Data = Mapping[str, object] | None
"""A form's submitted data (``request.POST``, ``request.GET`` or a dict in tests)."""

Files = MultiValueDict[str, UploadedFile[bytes]] | None
"""A form's uploaded files (``request.FILES``)."""


Cleaned = dict[str, Any]
"""A valid form's ``cleaned_data``: each field cleans to its own type, which Django's types
cannot follow from field to key (a TypedDict per form would restate every form)."""


class FormOptions(TypedDict, total=False):
    """The keyword arguments of Django's ``forms.Form`` that the apps pass on."""

    initial: MutableMapping[str, object]
    prefix: str


class FieldOptions(TypedDict, total=False):
    """The keyword arguments of Django's form fields that the apps pass to the fields below."""

    label: _StrPromise | str
    required: bool
    initial: object
    help_text: _StrPromise | str
    widget: forms.Widget
    error_messages: Mapping[str, _StrPromise | str]


class CharOptions(FieldOptions, total=False):
    max_length: int


class DecimalOptions(FieldOptions, total=False):
    max_digits: int
    decimal_places: int
    min_value: int
    max_value: int


def id_error(exc: ids.InvalidIdError) -> str:
    """An ID refusal in the user's language only (the feeds' message carries both)."""
    messages = {
        "length": _("身份证号应为18位（或15位旧号），实际%(length)s位"),
        "character": _(
            "身份证号第%(position)s位“%(character)s”（%(codepoint)s）不是半角数字，"
            "只有18位号码的末位可以是X"
        ),
        "province": _("地址码%(address)s不是有效的省级代码"),
        "birth_date": _("身份证号中的出生日期%(date)s不存在或不合理"),
        "future_birth_date": _("身份证号中的出生日期%(date)s晚于今天，请核对号码"),
        "check_character": _("校验码应为%(expected)s，实际为%(actual)s，请核对号码"),
    }
    template = messages.get(exc.code)
    return str(template) % exc.params if template else str(exc)


class CheckedId(str):
    """A resident ID as ``ResidentIdField`` cleans it (18 characters), remembering the 15-digit
    number typed if it was one, so that the action storing it records the conversion
    (``registry.upkeep.stored_id``)."""

    converted_from: str | None = None


class ResidentIdField(forms.CharField):
    """A resident ID as typed (spaces, lower-case x, full-width digits, 15-digit legacy numbers)
    cleaned to the 18-character form (a ``CheckedId``); digits of other scripts, a wrong check
    character and a birth date after today are refused."""

    def __init__(self, **kwargs: Unpack[CharOptions]) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", _("公民身份号码"))
        super().__init__(**kwargs)

    def clean(self, value: object) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            number = ids.normalise(text, today())
        except ids.InvalidIdError as exc:
            raise forms.ValidationError(id_error(exc)) from None
        checked = CheckedId(number.number)
        checked.converted_from = number.converted_from
        return checked


CHINESE_PUNCTUATION = "，！？：；（）～"
"""Full-width punctuation Chinese text is written with, which NFKC would turn into ASCII (a
statement or the facts of a decision printed "帮工,每月" instead of "帮工，每月")."""
_KEPT = {ord(char): chr(0xF0000 + index) for index, char in enumerate(CHINESE_PUNCTUATION)}
_RESTORED = {
    ord(kept): char for char, kept in zip(CHINESE_PUNCTUATION, _KEPT.values(), strict=True)
}


class CleanTextField(forms.CharField):
    """Text without control or invisible characters (a zero-width space in a name would make
    one person two and travel into bank files); NFKC-normalised (full-width letters and digits
    become ASCII) but for Chinese punctuation, whitespace collapsed."""

    def clean(self, value: object) -> str:
        text = super().clean(value) or ""
        if any(unicodedata.category(char) in INVISIBLE for char in text if char not in "\r\n\t"):
            raise forms.ValidationError(_("含有不可见字符或控制字符，请重新输入"))
        # The punctuation rides through NFKC as private-use characters, which the check above
        # refuses in input and NFKC leaves alone.
        normalised = unicodedata.normalize("NFKC", text.translate(_KEPT)).translate(_RESTORED)
        return " ".join(normalised.split())


YUAN_PATTERN = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?$")
"""Digits 0–9, optionally grouped by thousands (1,234,567), and a decimal part."""

NOT_A_NUMBER = re.compile(r"^[+-]?(?:s?nan|inf|infinity)$", re.IGNORECASE)
EXPONENT = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*e[+-]?\d+$", re.IGNORECASE)
"""Scientific notation (also with digits of other scripts: refused as notation first)."""


def yuan_to_fen(text: str) -> int:
    """An amount in yuan as people type it, to integer fen (never through a float).

    Full-width characters are read as their ASCII forms (NFKC); a trailing 元 and a ¥ sign and
    thousands separators (1,234.50) are allowed. Blank is 0.

    Raises:
        forms.ValidationError: NaN or an infinity, scientific notation (1e5), digits of another
            script, a negative amount, more than two decimals, 100 million yuan or more, or
            anything else that is not an amount — each with its own message.
    """
    text = unicodedata.normalize("NFKC", str(text))
    text = "".join(text.split()).removesuffix("元").removeprefix("¥")
    if not text:
        return 0
    if NOT_A_NUMBER.match(text):
        raise forms.ValidationError(_("金额须为数字，不能是 NaN 或无穷大"))
    if EXPONENT.match(text):
        raise forms.ValidationError(_("金额不能用科学计数法（如 1e5），请写出全部数字"))
    if text.startswith("-"):
        raise forms.ValidationError(_("金额不能为负数"))
    if any(c.isdigit() and c not in "0123456789" for c in text):
        raise forms.ValidationError(_("金额须使用数字 0–9"))
    if not YUAN_PATTERN.match(text.removeprefix("+")):
        raise forms.ValidationError(_("请输入金额（元），如 1234.50"))
    amount = Decimal(text.removeprefix("+").replace(",", ""))
    if amount > MAX_YUAN:
        raise forms.ValidationError(_("金额过大，请核对（单项不超过1亿元）"))
    if amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(_("金额最多两位小数"))
    return int(amount * 100)


class NameField(CleanTextField):
    """A person's name: as ``CleanTextField``, except that private-use characters are kept.
    Older systems and some ID card readers write a rare character of a name as a private-use
    code point (造字); refusing it would make the name impossible to register, and dropping it
    would register another name. Such a name is stored as typed and shown with the
    生僻字待核 flag (``jiuzhu.feeds.names.rare_characters``) for a person to check."""

    def clean(self, value: object) -> str:
        text = forms.CharField.clean(self, value) or ""
        hidden = INVISIBLE - {"Co"}
        if any(unicodedata.category(char) in hidden for char in text if char not in "\r\n\t"):
            raise forms.ValidationError(_("含有不可见字符或控制字符，请重新输入"))
        return " ".join(unicodedata.normalize("NFKC", text).split())


class YuanField(forms.CharField):
    """An amount in yuan with at most two decimals, cleaned to integer fen (never a float):
    ``yuan_to_fen``. Blank is 0 unless the field is required."""

    def __init__(self, **kwargs: Unpack[CharOptions]) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: object) -> int:
        return yuan_to_fen(super().clean(value) or "")


class PastDateField(forms.DateField):
    """A date (YYYY-MM-DD, a date picker) not after today and not before 1890."""

    def __init__(self, **kwargs: Unpack[FieldOptions]) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def clean(self, value: object) -> dt.date | None:
        day = super().clean(value)
        if day is None:
            return None
        if day > today():
            raise forms.ValidationError(_("日期不能晚于今天"))
        if day.year < 1890:
            raise forms.ValidationError(_("日期不合理，请核对"))
        return day


class AreaField(forms.DecimalField):
    """A floor area in square metres (0–100,000, two decimals)."""

    def __init__(self, **kwargs: Unpack[DecimalOptions]) -> None:
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100_000)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    # django-stubs give DecimalField.to_python IntegerField's return type (int | None); Django
    # returns a Decimal, which is what this override declares.
    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).replace(",", "").strip()
        result = super().to_python(value)
        if result is not None and not result.is_finite():
            raise forms.ValidationError(_("请输入数字"))
        return result
