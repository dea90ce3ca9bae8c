"""Bank accounts: what people type is checked like the feeds and the bank check it, every
account is recorded by one person and checked by another (the refusal says why and writes
nothing), a replacement takes effect only when checked, the payroll pays only accounts in force
(one waiting for its check is shown as such), the whole number is an audited look, the pages
answer bad input with a message and another township with 404, and the workbench lists the
accounts to check and the entitlements without one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core.transitions import NotPermitted, Refused
from jiuzhu.web.payments import actions, validation
from jiuzhu.web.payments.models import AccountStatus, BankAccount, PayrollRun, luhn_valid
from jiuzhu.web.payments.queries import work_items
from jiuzhu.web.registry.models import Household
from tests.web.conftest import ON, PASSWORD
from tests.web.payments.conftest import grant, holder_fields, households_of

# --- What people type ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        # Failed before: full-width digits were refused instead of read as 0–9 (NFKC).
        ("６２１７　００００１１１１", "621700001111"),
        ("６２１７００００１１１１２２２２３３７", "6217000011112222337"),
        ("6217 0000 1111 2222 337", "6217000011112222337"),
        ("6217-0000-1111-2220", "6217000011112220"),
        ("6217\u30000000\u00a01111", "621700001111"),
        ("12345678", "12345678"),
    ],
)
def test_an_account_number_keeps_its_digits(typed: str, cleaned: str) -> None:
    assert validation.clean_account_number(typed) == cleaned


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写银行账号"),
        ("٦٢١٧٠٠٠٠١١١١", "第1位“٦”是其他文字的数字"),
        ("6217०000111122", "第5位“०”是其他文字的数字"),
        ("6217O00011112222", "第5位“O”不是数字"),
        ("6217.0000.1111", "第5位“.”不是数字"),
        ("六二一七〇〇〇〇一一", "第1位“六”不是数字"),
        ("6217\u200b000011112222", "不可见"),
        ("6217\x07000011112222", "不可见"),
        ("6217\u202e000011112222", "不可见"),
        ("1234567", "现为7位"),
        ("1" * 33, "现为33位"),
        ("NaN", "第1位“N”不是数字"),
        ("6217000011112222", "校验码不符"),
        ("6217 0000 1111 2222 333", "校验码不符"),
    ],
)
def test_an_account_number_that_is_not_digits_is_refused_with_the_reason(
    typed: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        validation.clean_account_number(typed)


def test_another_card_number_failing_luhn_is_a_warning_not_a_refusal() -> None:
    """A UnionPay card (62…) with a wrong check digit is refused (above); a number of another
    scheme, or a passbook account, of a card's length is flagged to the checker only."""
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert validation.luhn_check_digit("621700001111222233") == "7"
    card = BankAccount(account_number=validation.clean_account_number("4111 1111 1111 1112"))
    assert card.card_check_failed
    assert not BankAccount(account_number="4111111111111111").card_check_failed
    # A passbook account of another length has no Luhn digit to check.
    assert not BankAccount(account_number="12345678901234567890").card_check_failed


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        (" 张三 ", "张三"),
        ("艾力·买买提", "艾力·买买提"),
        ("艾力•买买提", "艾力·买买提"),
        ("艾力・买买提", "艾力·买买提"),
        ("John  Smith", "John Smith"),
    ],
)
def test_a_holder_name_keeps_letters_and_the_middle_dot(typed: str, cleaned: str) -> None:
    assert validation.clean_holder_name(typed) == cleaned


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写户名"),
        ("张\u200b三", "不可见"),
        ("张三\x00", "不可见"),
        ("张3", "不能含数字"),
        ("张三<script>", "不能含数字或其他符号"),
        ("·张三", "间隔号"),
        ("张" * 51, "50"),
    ],
)
def test_a_holder_name_with_digits_symbols_or_invisible_characters_is_refused(
    typed: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        validation.clean_holder_name(typed)


def test_the_bank_and_the_holder_id_are_checked() -> None:
    assert validation.clean_bank_name(" 中国银行  宝坻支行 ") == "中国银行 宝坻支行"
    for bad, message in (("", "请填写"), ("中\u200b国银行", "不可见"), ("行", "2至60")):
        with pytest.raises(ValidationError, match=message):
            validation.clean_bank_name(bad)
    assert validation.clean_holder_id("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError, match="持卡人身份证号无效：校验码应为X"):
        validation.clean_holder_id("110105194912310021")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validation.clean_holder_id("1234")
    assert "must have 18 characters" in refused.value.messages[0]
    assert "位" not in refused.value.messages[0].split("：")[-1]


# --- Maker–checker, roles, jurisdiction ---------------------------------------------------------


def _household(townships: tuple[str, str]) -> Household:
    return households_of(townships[0], 1)[0]


@pytest.mark.django_db
def test_an_account_is_recorded_by_one_person_and_checked_by_another(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    fields = holder_fields(household, "6217 0000 1111 2222 337")
    for who, reason in (
        ("community", "登记银行账户由"),
        ("auditor", "登记银行账户由"),
        ("head", "登记银行账户由"),
        ("outsider", "登记银行账户由"),
    ):
        with pytest.raises(NotPermitted, match=reason):
            actions.record_account(users[who], household, **fields)
    assert not BankAccount.objects.filter(household=household).exists()
    account = actions.record_account(users["caseworker"], household, **fields)
    assert account.status == AccountStatus.AWAITING_CHECK
    assert account.account_number == "6217000011112222337"
    # The recorder may not check it, nor may a role that does not check accounts; the refusal
    # says which rule and nothing is written.
    with pytest.raises(NotPermitted, match="复核银行账户由乡镇（街道）负责人"):
        actions.check_account(users["caseworker"], account)
    with pytest.raises(NotPermitted):
        actions.check_account(users["outsider"], account)
    officer_account = BankAccount.objects.get(pk=account.pk)
    assert officer_account.status == AccountStatus.AWAITING_CHECK
    assert not AuditEvent.objects.filter(action="payments.check_account").exists()
    # A second account for the same payee waits until the first is checked or rejected.
    with pytest.raises(Refused, match="已有待复核的账户"):
        actions.record_account(
            users["officer"], household, **holder_fields(household, "6217000011112222444")
        )
    account = actions.check_account(users["head"], account)
    assert account.status == AccountStatus.IN_FORCE and account.checked_by == users["head"]
    assert AuditEvent.objects.filter(
        action="payments.check_account", object_id=str(account.pk)
    ).exists()
    with pytest.raises(Refused, match="“有效”时不能复核银行账户"):
        actions.check_account(users["officer"], account)


@pytest.mark.django_db
def test_a_district_officer_who_recorded_an_account_may_not_check_it(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    account = actions.record_account(
        users["officer"], household, **holder_fields(household, "62170000111122226")
    )
    with pytest.raises(NotPermitted, match="登记人不能复核自己登记的账户"):
        actions.check_account(users["officer"], account)
    with pytest.raises(NotPermitted, match="登记人不能复核自己登记的账户"):
        actions.reject_account(users["officer"], account, reason="号码错")
    assert BankAccount.objects.get(pk=account.pk).status == AccountStatus.AWAITING_CHECK
    assert actions.check_account(users["officer2"], account).status == AccountStatus.IN_FORCE


@pytest.mark.django_db
def test_a_rejected_account_keeps_its_reason_and_a_new_one_may_be_recorded(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    account = actions.record_account(
        users["caseworker"], household, **holder_fields(household, "62170000111122226")
    )
    with pytest.raises(ValidationError, match="请写明退回理由"):
        actions.reject_account(users["head"], account, reason="  ")
    account = actions.reject_account(users["head"], account, reason="账号与存折不符")
    assert account.status == AccountStatus.REJECTED
    assert account.rejection_reason == "账号与存折不符"
    again = actions.record_account(
        users["caseworker"], household, **holder_fields(household, "62170000111122234")
    )
    assert again.status == AccountStatus.AWAITING_CHECK


@pytest.mark.django_db
def test_the_holder_is_a_member_or_the_reason_is_stated(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    member = household.memberships.filter(valid_to__isnull=True).first().person
    outsider = Household.objects.exclude(pk=household.pk).first()
    stranger = outsider.memberships.filter(valid_to__isnull=True).first().person
    base = {"bank_name": "中国银行", "account_number": "62170000111122226"}
    with pytest.raises(ValidationError) as refused:
        actions.record_account(
            users["caseworker"],
            household,
            **base,
            holder_name=stranger.name,
            holder_id=stranger.resident_id,
        )
    assert "持卡人不是该家庭的现有成员" in str(refused.value.error_dict["holder_note"])
    with pytest.raises(ValidationError) as refused:
        actions.record_account(
            users["caseworker"], household, **base, holder_name="某某", holder_id=member.resident_id
        )
    assert member.name in str(refused.value.error_dict["holder_name"])
    # All the fields' problems at once.
    with pytest.raises(ValidationError) as refused:
        actions.record_account(
            users["caseworker"],
            household,
            bank_name="",
            account_number="12ab",
            holder_name="张3",
            holder_id="1234",
        )
    assert set(refused.value.error_dict) == {
        "bank_name",
        "account_number",
        "holder_name",
        "holder_id",
    }
    guardian = actions.record_account(
        users["caseworker"],
        household,
        **base,
        holder_name=stranger.name,
        holder_id=stranger.resident_id,
        holder_note="监护人代领",
    )
    assert guardian.holder_note == "监护人代领"
    assert not BankAccount.objects.exclude(pk=guardian.pk).filter(household=household).exists()


@pytest.mark.django_db
def test_a_person_account_is_held_by_that_person(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = next(
        h
        for h in households_of(townships[0], 30)
        if h.memberships.filter(valid_to__isnull=True).count() >= 2
    )
    first, second = (
        m.person for m in household.memberships.filter(valid_to__isnull=True).order_by("pk")[:2]
    )
    data = {"bank_name": "中国银行", "account_number": "62170000111122226"}
    with pytest.raises(ValidationError, match="不是该特困人员本人"):
        actions.record_account(
            users["caseworker"],
            household,
            person=first,
            holder_name=second.name,
            holder_id=second.resident_id,
            **data,
        )
    own = actions.record_account(
        users["caseworker"],
        household,
        person=first,
        holder_name=first.name,
        holder_id=first.resident_id,
        **data,
    )
    assert own.person == first
    # The household's own account is another payee: it may be recorded meanwhile.
    shared = actions.record_account(
        users["caseworker"], household, **holder_fields(household, "62170000111122242")
    )
    assert shared.person is None


@pytest.mark.django_db
def test_a_replacement_takes_effect_when_checked_and_payments_keep_their_account(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    grant([household], start="2025-08")
    old = household.bank_accounts.get()
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert run.payments.get().bank_account == old
    with pytest.raises(ValidationError, match="无需更换"):
        actions.record_account(
            users["caseworker"],
            household,
            **holder_fields(household, old.account_number),
        )
    new = actions.record_account(
        users["caseworker"], household, **holder_fields(household, "6230000011112223")
    )
    assert BankAccount.objects.get(pk=old.pk).status == AccountStatus.IN_FORCE
    actions.check_run(users["officer2"], run)  # the account in force is still the old one
    actions.check_account(users["head"], new)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == AccountStatus.REPLACED and old.replaced_at is not None
    assert new.replaces == old
    # Never edited: the payment keeps the account it was drafted with until the bank file,
    # which pays the account in force.
    assert run.payments.get().bank_account == old
    run = actions.approve_run(users["director"], run)
    bank_file = actions.export_run(users["officer"], run, "tjrcb-csv", "utf-8")
    assert "6230000011112223" in bytes(bank_file.content).decode("utf-8-sig")
    assert old.account_number not in bytes(bank_file.content).decode("utf-8-sig")
    assert run.payments.get().bank_account == new


# --- Pages ---------------------------------------------------------------------------------


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_the_account_pages_from_the_counter_to_the_check(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    grant([household], start="2025-11", with_accounts=False)
    caseworker = _client("caseworker")
    url = f"/payments/households/{household.pk}/accounts/"
    page = caseworker.get(url).content.decode()
    assert "无有效银行账户" in page and 'id="step-record"' in page
    fields = holder_fields(household, "6217 0000 1111 2222 337")
    response = caseworker.post(f"{url}record/", {**fields, "payee": ""})
    account = BankAccount.objects.get(household=household)
    assert response.status_code == 302
    assert response["Location"] == f"{url}{account.pk}/"
    page = caseworker.get(response["Location"]).content.decode()
    assert "6217***********2337" in page and "6217000011112222337" not in page
    assert "待复核" in page and "乡镇（街道）负责人" in page and 'id="step-check"' not in page
    assert "复核人不能是登记人（caseworker）" in page
    # The run's page and the household's page say "awaiting its check", not "no account".
    listing = caseworker.get(url).content.decode()
    assert "账户待复核" in listing
    head = _client("head")
    page = head.get(f"{url}{account.pk}/").content.decode()
    assert 'id="step-check"' in page and 'id="step-reject"' in page
    assert "已与存折或银行卡" in page and "checked" not in page.split('id="step-check"')[1][:600]
    refused = head.post(f"{url}{account.pk}/check/", {})
    assert refused.status_code == 400 and "请先与存折或银行卡" in refused.content.decode()
    assert head.post(f"{url}{account.pk}/check/", {"confirmed": "on"}).status_code == 302
    assert BankAccount.objects.get(pk=account.pk).status == AccountStatus.IN_FORCE
    page = caseworker.get(f"{url}{account.pk}/").content.decode()
    assert 'id="step-replace"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"account_number": "٦٢١٧٠٠٠٠١١١١"},
        {"account_number": "NaN"},
        {"account_number": "9" * 5000},
        {"account_number": ""},
        {"holder_name": "张\u200b三"},
        {"holder_id": "1" * 10_000},
        {"bank_name": "\x00"},
        {"payee": "999999"},
        {"payee": "-1"},
        {"payee": "１"},
    ],
)
def test_bad_input_at_the_counter_is_a_message_and_writes_nothing(
    users: dict[str, User], townships: tuple[str, str], changes: dict[str, str]
) -> None:
    household = _household(townships)
    data = {**holder_fields(household, "62170000111122226"), "payee": "", **changes}
    response = _client("caseworker").post(
        f"/payments/households/{household.pk}/accounts/record/", data
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not BankAccount.objects.filter(household=household).exists()


@pytest.mark.django_db
def test_a_refused_record_or_check_by_page_says_why(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    url = f"/payments/households/{household.pk}/accounts/"
    data = {**holder_fields(household, "62170000111122226"), "payee": ""}
    community = _client("community")
    assert 'id="step-record"' not in community.get(url).content.decode()
    refused = community.post(f"{url}record/", data, follow=True).content.decode()
    assert "登记银行账户由乡镇（街道）经办人、区民政局经办人办理" in refused
    account = actions.record_account(
        users["officer"], household, **holder_fields(household, "62170000111122226")
    )
    page = _client("officer").post(f"{url}{account.pk}/check/", {"confirmed": "on"}, follow=True)
    assert "登记人不能复核自己登记的账户" in page.content.decode()
    assert BankAccount.objects.get(pk=account.pk).status == AccountStatus.AWAITING_CHECK
    # A GET of a form's URL goes to the page; an unknown step too.
    assert _client("officer").get(f"{url}{account.pk}/check/").status_code == 302
    assert _client("officer").post(f"{url}{account.pk}/nonsense/").status_code == 302


@pytest.mark.django_db
def test_another_township_gets_404_and_unmasking_is_audited(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = _household(townships)
    other = households_of(townships[1], 1)[0]
    account = actions.record_account(
        users["caseworker"], household, **holder_fields(household, "62170000111122226")
    )
    url = f"/payments/households/{household.pk}/accounts/"
    outsider = _client("outsider")
    for path in (url, f"{url}{account.pk}/"):
        assert outsider.get(path).status_code == 404
    for path in (f"{url}record/", f"{url}{account.pk}/check/", f"{url}{account.pk}/unmask/"):
        assert outsider.post(path, {"confirmed": "on"}).status_code == 404
    # The account through another household's URL does not exist.
    assert (
        _client("officer")
        .get(f"/payments/households/{other.pk}/accounts/{account.pk}/")
        .status_code
        == 404
    )
    assert BankAccount.objects.get(pk=account.pk).status == AccountStatus.AWAITING_CHECK
    # Unmasking: roles above community worker, one audited look each.
    assert _client("community").post(f"{url}{account.pk}/unmask/").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.reveal_account(users["community"], account)
    shown = _client("head").post(f"{url}{account.pk}/unmask/")
    assert shown.content.decode() == "62170000111122226"
    assert (
        AuditEvent.objects.filter(
            action="payments.view_unmasked_account", object_id=str(account.pk)
        ).count()
        == 1
    )
    assert "62170000111122226" not in _client("head").get(url).content.decode()


@pytest.mark.django_db
def test_the_payroll_shows_an_account_awaiting_its_check_and_pays_only_accounts_in_force(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    waiting, missing = households_of(townships[0], 2)
    grant([waiting, missing], start="2025-08", with_accounts=False)
    account = actions.record_account(
        users["caseworker"], waiting, **holder_fields(waiting, "62170000111122226")
    )
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert not run.payments.exclude(bank_account=None).exists()
    page = _client("officer2").get(f"/payments/runs/{run.pk}/").content.decode()
    assert "2 户没有有效银行账户（其中 1 户的账户待复核）" in page
    rows = page.split('id="payments"')[1]
    assert rows.count("账户待复核") == 1 and rows.count("无账户") == 1
    ledger = _client("caseworker").get(f"/payments/households/{waiting.pk}/").content.decode()
    assert "待复核" in ledger
    actions.check_account(users["head"], account)
    run = actions.draft_run(users["officer"], "2025-10", "dibao")
    assert run.payments.get(household=waiting).bank_account == account
    assert run.payments.get(household=missing).bank_account is None
    assert PayrollRun.objects.get(pk=run.pk).status == "draft"


# --- Work items ------------------------------------------------------------------------------


def _lists(user: User) -> dict[str, Any]:
    return {str(work.kind): work for work in work_items(user, ON)}


@pytest.mark.django_db
def test_the_workbench_lists_accounts_to_check_and_entitlements_without_one(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    ours = households_of(townships[0], 3)
    theirs = households_of(townships[1], 1)
    grant(ours + theirs, start="2025-11", with_accounts=False)
    account = actions.record_account(
        users["caseworker"], ours[0], **holder_fields(ours[0], "62170000111122226")
    )
    caseworker = _lists(users["caseworker"])
    missing = caseworker["待遇没有有效银行账户"]
    assert missing.total == 3  # their township's household is not ours
    assert {item.state for item in missing.items} == {"账户待复核", "无有效银行账户"}
    assert all(item.url.endswith("/accounts/") for item in missing.items)
    assert "银行账户待复核" not in caseworker  # the caseworker does not check accounts
    head = _lists(users["head"])["银行账户待复核"]
    assert head.total == 1 and head.items[0].url.endswith(f"/accounts/{account.pk}/")
    assert "待遇没有有效银行账户" not in _lists(users["head"])
    officer = _lists(users["officer"])
    assert officer["待遇没有有效银行账户"].total == 4
    assert officer["银行账户待复核"].total == 1
    assert _lists(users["outsider"])["待遇没有有效银行账户"].total == 1
    assert _lists(users["community"]) == {}
    assert _lists(users["auditor"]) == {}
    # Who recorded it is not asked to check it.
    mine = actions.record_account(
        users["officer"], ours[1], **holder_fields(ours[1], "62170000111122234")
    )
    assert mine.pk not in {
        int(item.url.rstrip("/").rsplit("/", 1)[1])
        for item in _lists(users["officer"])["银行账户待复核"].items
    }
    assert _client("officer").get("/payments/accounts/").status_code == 200
