"""What people type for a bank account, checked like the feeds and the bank check it: the
account number, the holder's name and ID, the bank.

Each cleaner returns the normalised value or raises ``ValidationError`` with a message that
says what to fix (in the user's language). Full-width characters are read as their ASCII forms
first (NFKC), as for ID numbers; nothing else is guessed: a digit of another script, a letter or
an invisible character pasted from another system is refused, not silently dropped, because
the bank would refuse the transfer a month later.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.payroll.bankrows import (
    is_unionpay_card,
    luhn_check_digit,
    luhn_valid,
)
from jiuzhu.feeds import ids

__all__ = [
    "BANKS",
    "MAX_DIGITS",
    "MIN_DIGITS",
    "clean_account_number",
    "clean_bank_name",
    "clean_holder_id",
    "clean_holder_name",
    "file_problems",
    "is_unionpay_card",
    "luhn_check_digit",
    "luhn_valid",
]

MIN_DIGITS = 8
MAX_DIGITS = 32
"""Account numbers of Chinese banks: passbook and settlement accounts from about 8 digits (some
rural credit cooperatives), cards 16–19 (the bank card standard), corporate-style settlement
accounts up to 20–25; 32 leaves room without letting a pasted paragraph through."""

SEPARATORS = frozenset("-‐‑‒–—－")
"""Hyphens people type between digit groups (spaces of any kind are separators too)."""

MIDDLE_DOTS = frozenset("·•・‧∙⋅．")
"""The middle dot of minority and foreign names (艾力·买买提), as typed on various keyboards;
stored as U+00B7, the form on the resident ID card."""

BANKS = (
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "中国邮政储蓄银行",
    "天津农村商业银行",
    "天津银行",
    "渤海银行",
)
"""The banks the form suggests (the district's usual ones); any other may be typed. Their
registered Chinese names, whatever the page's language: the name is kept in the record and
goes into the bank file."""


def _invisible(character: str) -> bool:
    """Control, format (zero-width, direction marks), separator-line, private-use, surrogate
    or unassigned characters."""
    return unicodedata.category(character) in {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


# A UnionPay card number (62…, 16–19 digits) whose Luhn check digit is wrong is refused. Any
# other number of a card's length failing Luhn is only flagged to the checker
# (``BankAccount.card_check_failed``): a passbook (存折) account has no check digit, and we know
# no bank's rule that says which of its account numbers have one.


def clean_account_number(text: str) -> str:
    """The account number as ASCII digits: read after NFKC (full-width digits become 0–9),
    spaces and hyphens between groups removed; a UnionPay card number's check digit tested.

    Raises:
        ValidationError: blank; an invisible character; a character that is not a digit 0–9
            after NFKC (digits of other scripts, letters, symbols: the message names it and
            its position); fewer than 8 or more than 32 digits; a UnionPay card number
            (``is_unionpay_card``) whose Luhn check digit is wrong.
    """
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if not text:
        raise ValidationError(_("请填写银行账号"))
    if any(_invisible(c) for c in text):
        raise ValidationError(
            _("银行账号含有不可见的控制字符或零宽字符（常见于从其他系统复制），请删除后重新输入")
        )
    number = "".join(c for c in text if c not in SEPARATORS and unicodedata.category(c) != "Zs")
    for position, character in enumerate(number, start=1):
        if character not in "0123456789":
            message = (
                _("银行账号第%(position)s位“%(character)s”是其他文字的数字，须使用数字 0–9")
                if character.isdigit()
                else _("银行账号第%(position)s位“%(character)s”不是数字，银行账号只能包含数字 0–9")
            )
            raise ValidationError(message % {"position": position, "character": character})
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS:
        raise ValidationError(
            _("银行账号应为%(low)s至%(high)s位数字，现为%(n)s位")
            % {"low": MIN_DIGITS, "high": MAX_DIGITS, "n": len(number)}
        )
    if is_unionpay_card(number) and not luhn_valid(number):
        raise ValidationError(_("银联卡号（62开头）的末位校验码不符，请与银行卡逐位核对"))
    return number


def clean_holder_name(text: str) -> str:
    """The holder's name as the bank has it: letters, the middle dot of minority names (stored
    as ·) and single spaces between words of a foreign name.

    Raises:
        ValidationError: blank, too long, an invisible character, a digit or another symbol.
    """
    text = str(text).strip()
    if not text:
        raise ValidationError(_("请填写户名"))
    if any(_invisible(c) for c in text):
        raise ValidationError(_("户名含有不可见的控制字符或零宽字符，请删除后重新输入"))
    name = " ".join("".join("·" if c in MIDDLE_DOTS else c for c in text).split())
    if (
        any(not (unicodedata.category(c)[0] in "LM" or c in "· ") for c in name)
        or name.startswith("·")
        or name.endswith("·")
    ):
        raise ValidationError(_("户名只能包含文字和少数民族姓名的间隔号“·”，不能含数字或其他符号"))
    if len(name) > 50:
        raise ValidationError(_("户名不能超过50个字"))
    return name


def clean_bank_name(text: str) -> str:
    """The bank and branch as typed (2–60 characters, no invisible characters).

    Raises:
        ValidationError: blank, too short or long, or an invisible character.
    """
    text = " ".join(str(text).split())
    if not text:
        raise ValidationError(_("请填写开户银行"))
    if any(_invisible(c) for c in text):
        raise ValidationError(_("开户银行含有不可见的控制字符或零宽字符，请删除后重新输入"))
    if not 2 <= len(text) <= 60:
        raise ValidationError(_("开户银行应为2至60个字"))
    return text


def clean_holder_id(text: str) -> str:
    """The holder's resident ID, normalised and checked (GB 11643, ``jiuzhu.feeds.ids``).

    Raises:
        ValidationError: blank or invalid (the message says why, in the user's language).
    """
    if not str(text).strip():
        raise ValidationError(_("请填写持卡人身份证号"))
    try:
        return ids.normalise(str(text)).number
    except ids.InvalidIdError as exc:
        # The feeds' messages carry both languages ("中文 / English"): keep the user's.
        chinese, _slash, english = str(exc).partition(" / ")
        reason = english if (get_language() or "").startswith("en") and english else chinese
        raise ValidationError(_("持卡人身份证号无效：%(reason)s") % {"reason": reason}) from None


def file_problems(
    account_number: str,
    holder_name: str,
    holder_id: str,
    bank_name: str,
    *,
    id_known_valid: bool = False,
) -> list[str]:
    """What a bank file cannot carry of an account **as stored** (one recorded before these
    checks, or by another path than the form): each field the form's cleaner refuses today or
    would write differently (full-width digits, a zero-width character, a name's stray
    spaces), and a missing holder's ID (the file carries it). Messages in the user's language;
    the account number is never repeated in them. ``id_known_valid``: the ID was found valid
    and normal already (``payroll.bankrows.ids_as_stored_valid``, one pass for a whole file),
    so it is not checked again.
    """
    found: list[str] = []
    if not holder_id:
        found.append(_("未登记持卡人身份证号"))
    checks = (
        (_("银行账号"), clean_account_number, account_number),
        (_("户名"), clean_holder_name, holder_name),
        (_("持卡人身份证号"), clean_holder_id, holder_id),
        (_("开户银行"), clean_bank_name, bank_name),
    )
    for label, cleaner, value in checks:
        if cleaner is clean_holder_id and (id_known_valid or not value):
            continue
        try:
            cleaned = cleaner(value)
        except ValidationError as exc:
            found += exc.messages
            continue
        if cleaned != value:
            found.append(_("%(field)s的写法不规范（如全角数字、多余的空格）") % {"field": label})
    return found
