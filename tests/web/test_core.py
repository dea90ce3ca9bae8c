"""The web core's shared helpers: refusals that say why, masking, the row lock, the acting user,
and the order in which the apps above cases hear of a decision."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import RequestFactory

from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases.signals import decision_confirmed
from jiuzhu.web.core.forms import CleanTextField
from jiuzhu.web.core.locks import locked
from jiuzhu.web.core.masking import mask_account, mask_id, mask_name
from jiuzhu.web.core.require import require
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import staff
from jiuzhu.web.registry.models import Household


@pytest.mark.django_db
def test_require_lets_the_system_and_holders_through_and_refuses_others_with_a_reason(
    users: dict[str, User],
) -> None:
    household = Household.objects.filter(township_code=users["caseworker"].division_code).first()
    require(None, "registry.import")
    require(users["caseworker"], "registry.change", household)
    with pytest.raises(PermissionDenied, match=r"registry\.change"):
        require(users["outsider"], "registry.change", household)
    with pytest.raises(NotPermitted, match="由乡镇经办"):
        require(users["outsider"], "registry.change", household, reason="由乡镇经办人维护")


def test_masks_keep_only_what_the_pages_may_show() -> None:
    assert mask_id("12022419800101123X") == "120224********123X"
    assert mask_id("12345") == "*****"
    assert mask_name("张三丰") == "张**" and mask_name("欧阳修") == "欧阳*"
    assert mask_account("6222021234567890128") == "6222***********0128"


@pytest.mark.django_db
def test_locked_reads_the_row_again() -> None:
    household = Household.objects.first()
    assert household is not None
    Household.objects.filter(pk=household.pk).update(number="HX-locked")
    with transaction.atomic():
        again = locked(household)
    assert again.pk == household.pk and again.number == "HX-locked"


@pytest.mark.django_db
def test_staff_is_the_logged_in_member_and_refuses_no_one(users: dict[str, User]) -> None:
    request = RequestFactory().get("/")
    request.user = users["head"]
    assert staff(request) == users["head"]
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        staff(request)


def test_a_decision_grants_before_the_register_follows_it() -> None:
    """The register reads the entitlement the decision granted: entitlements' receiver first."""
    names = [
        getattr(receiver(), "__module__", "")
        for _key, receiver, *_rest in decision_confirmed.receivers
    ]
    assert names.index("jiuzhu.web.entitlements.receivers") < names.index(
        "jiuzhu.web.discovery.receivers"
    )


def test_free_text_keeps_chinese_punctuation_and_reads_full_width_letters_as_ascii() -> None:
    field = CleanTextField()
    typed = "务工收入系临时帮工，每月不足千元（约８００元）！问：是否属实？答：属实；  ＡＢ～"
    assert (
        field.clean(typed)
        == "务工收入系临时帮工，每月不足千元（约800元）！问：是否属实？答：属实； AB～"
    )
    with pytest.raises(forms.ValidationError):
        field.clean("帮工\u200b，每月")  # a zero-width space is still refused
    with pytest.raises(forms.ValidationError):
        field.clean("帮工\U000f0000")  # so is a private-use character (the kept marks' carrier)
