"""Log-in security (issue 12): lockout of repeated failures per username and per address, the
locked-out page, an administrator's unlock, every log-in, failure, lockout, log-out and expiry
audited, the staff password policy and the password change, idle and end-of-day expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jiuzhu.web.accounts import actions, expiry
from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core import clock
from tests.web.conftest import PASSWORD, make_user

# The day end's own tests: the working day ends at the settings' 20:00 (tests/web/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.day_end]
LOGIN = "/accounts/login/"
WRONG = "wrong-password-xyz"
BEIJING = expiry.BEIJING


def _post_login(client: Client, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _cool_off_passes() -> None:
    """Time passes: every failure on record is one minute older than the cool-off."""
    from django.conf import settings

    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )


# --- lockout -----------------------------------------------------------------------------------


def test_thirty_wrong_passwords_then_the_right_one_is_not_a_login(users: dict[str, User]) -> None:
    client = Client()
    for _ in range(30):
        response = _post_login(client, "caseworker", WRONG)
        assert response.status_code in (200, 429)
    response = _post_login(client, "caseworker", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "宝坻区社会救助综合管理信息平台" in page
    locked_at = AccessAttempt.objects.get().attempt_time.astimezone(BEIJING)
    assert f"请于北京时间 {locked_at + dt.timedelta(minutes=15):%Y-%m-%d %H:%M} 之后再试" in page

    failed = _events("accounts.login_failed")
    assert len(failed) == 31  # the right password, refused while locked, is a failure too
    assert all(e.detail["username"] == "caseworker" for e in failed)
    assert all(e.detail["client"] == "127.0.0.1" for e in failed)
    assert all(e.user is None and e.object_id == str(users["caseworker"].pk) for e in failed)
    assert [e.detail["locked"] for e in failed[:5]] == [False] * 5
    assert all(e.detail["locked"] for e in failed[5:])
    # The password tried is never kept, right or wrong.
    assert not AuditEvent.objects.filter(detail__icontains=WRONG).exists()
    assert not [e for e in AuditEvent.objects.all() if PASSWORD in str(e.detail)]
    assert not AccessAttempt.objects.filter(post_data__contains=WRONG).exists()
    lockouts = _events("accounts.lockout")
    assert len(lockouts) == 1 and lockouts[0].detail["failures"] == 5
    assert not _events("accounts.login")


def test_after_the_cool_off_the_right_password_works(users: dict[str, User]) -> None:
    client = Client()
    for _ in range(6):
        _post_login(client, "caseworker", WRONG)
    assert _post_login(client, "caseworker", PASSWORD).status_code == 429
    _cool_off_passes()
    response = _post_login(client, "caseworker", PASSWORD)
    assert response.status_code == 302 and _logged_in(client)
    assert _events("accounts.login")[0].detail["client"] == "127.0.0.1"


def test_four_failures_do_not_lock(users: dict[str, User]) -> None:
    client = Client()
    for _ in range(4):
        assert _post_login(client, "caseworker", WRONG).status_code == 200
    assert _post_login(client, "caseworker", PASSWORD).status_code == 302


def test_a_username_is_locked_from_every_address(users: dict[str, User]) -> None:
    for n in range(5):
        _post_login(Client(), "head", WRONG, address=f"10.0.0.{n + 1}")
    assert _post_login(Client(), "head", PASSWORD, address="10.0.9.9").status_code == 429
    # Another user from a fresh address is not affected.
    assert _post_login(Client(), "caseworker", PASSWORD, address="10.0.9.9").status_code == 302


def test_colleagues_behind_one_address_are_not_locked_out(users: dict[str, User]) -> None:
    for n in range(5):
        _post_login(Client(), f"guess{n}", WRONG, address="10.1.1.1")
    assert _post_login(Client(), "caseworker", PASSWORD, address="10.1.1.1").status_code == 302
    unknown = _events("accounts.login_failed")[0]
    assert unknown.object_id == "" and unknown.division_code == DISTRICT_CODE


def test_an_address_is_locked_for_every_username_where_set(
    users: dict[str, User], settings: Any
) -> None:
    settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
    for n in range(5):
        _post_login(Client(), f"guess{n}", WRONG, address="10.1.1.1")
    assert _post_login(Client(), "caseworker", PASSWORD, address="10.1.1.1").status_code == 429
    assert _post_login(Client(), "caseworker", PASSWORD, address="10.1.1.2").status_code == 302
    unknown = _events("accounts.login_failed")[0]
    assert unknown.object_id == "" and unknown.division_code == DISTRICT_CODE


def test_client_login_is_subject_to_the_lockout(users: dict[str, User]) -> None:
    client = Client()
    for _ in range(5):
        assert not client.login(username="officer", password=WRONG)
    assert not client.login(username="officer", password=PASSWORD)


def test_the_locked_out_page_in_english(users: dict[str, User]) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = _post_login(client, "caseworker", WRONG)
    assert response.status_code == 429
    page = response.content.decode()
    assert "locked" in page.lower() and "登录已暂时锁定" not in page


def test_the_login_settings_take_effect(users: dict[str, User], settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    _post_login(client, "caseworker", WRONG)
    assert _post_login(client, "caseworker", WRONG).status_code == 429


def _administrator() -> User:
    user = make_user("site_admin", Role.ADMINISTRATOR, DISTRICT_CODE)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_an_administrator_unlocks_a_user_and_it_is_audited(users: dict[str, User]) -> None:
    admin = _administrator()
    for n in range(5):
        _post_login(Client(), "caseworker", WRONG, address=f"10.2.0.{n}")
    assert _post_login(Client(), "caseworker", PASSWORD, address="10.2.1.1").status_code == 429
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "unlock", "_selected_action": [users["caseworker"].pk]},
    )
    assert response.status_code == 302
    event = _events("accounts.unlock")[0]
    assert event.user == admin and event.object_id == str(users["caseworker"].pk)
    assert event.detail["cleared"] == 5
    assert _post_login(Client(), "caseworker", PASSWORD, address="10.2.1.1").status_code == 302


def test_the_users_list_shows_who_is_locked_out(users: dict[str, User]) -> None:
    for _ in range(5):
        _post_login(Client(), "caseworker", WRONG, address="10.5.0.1")
    _post_login(Client(), "head", WRONG, address="10.5.0.2")
    client = Client()
    client.force_login(_administrator())
    page = client.get("/admin/accounts/user/").content.decode()
    until = AccessAttempt.objects.filter(username="caseworker").get().attempt_time
    ends = (until + dt.timedelta(minutes=15)).astimezone(BEIJING)
    assert f"锁定至 {ends:%H:%M}" in page and "近期失败 1 次" in page


def test_only_an_administrator_unlocks(users: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        actions.unlock(users["director"], users["caseworker"])
    assert not _events("accounts.unlock")


# --- logins and logouts audited ----------------------------------------------------------------


def test_login_and_logout_are_audited(users: dict[str, User]) -> None:
    client = Client()
    response = _post_login(client, "caseworker", PASSWORD, address="10.3.3.3")
    assert response.status_code == 302
    # The log-in ends when the browser closes: the cookie has no expiry date.
    assert not response.cookies["sessionid"]["expires"]
    login = _events("accounts.login")[0]
    assert login.user == users["caseworker"] and login.detail == {"client": "10.3.3.3"}
    assert login.division_code == users["caseworker"].division_code
    assert client.post("/accounts/logout/", REMOTE_ADDR="10.3.3.3").status_code == 302
    logout = _events("accounts.logout")[0]
    assert logout.user == users["caseworker"] and logout.detail == {"client": "10.3.3.3"}


def test_the_audit_log_shows_login_events_in_words(users: dict[str, User]) -> None:
    _post_login(Client(), "nobody-such", WRONG, address="10.4.4.4")
    _post_login(Client(), "caseworker", PASSWORD, address="10.4.4.4")
    client = Client()
    client.force_login(users["auditor"])
    page = client.get(reverse("audit:log")).content.decode()
    assert "登录失败" in page and "尝试登录的用户名" in page and "nobody-such" in page
    assert "10.4.4.4" in page


# --- password policy ---------------------------------------------------------------------------


def test_officer1_is_refused_with_reasons_in_chinese_and_english(users: dict[str, User]) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password("officer1", users["officer"])
    text = " ".join(refused.value.messages)
    assert "12" in text and "至少3类" in text
    with translation.override("en"), pytest.raises(ValidationError) as refused_en:
        validate_password("officer1", users["officer"])
    english = " ".join(refused_en.value.messages)
    assert "at least 3 of" in english and not any("\u4e00" <= c <= "\u9fff" for c in english)


@pytest.mark.parametrize(
    "password",
    [
        "abcdefghijklmn",  # one class
        "abcdefgh12345",  # two classes
        "123456789012345",  # all digits
        "Officer1.2024",  # like the username
        "Qwerty123456",  # common (Django's list)
    ],
)
def test_weak_passwords_are_refused(users: dict[str, User], password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, users["officer"])


def test_a_strong_password_is_accepted(users: dict[str, User]) -> None:
    validate_password("Baodi-Jiuzhu-7319", users["officer"])
    validate_password("宝坻民政Ab12345678", users["officer"])


def test_staff_change_their_own_password_and_it_is_audited(users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users["caseworker"])
    home = client.get("/").content.decode()
    assert reverse("accounts:password_change") in home
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "至少3类" in page.content.decode()
    weak = {"old_password": PASSWORD, "new_password1": "officer1", "new_password2": "officer1"}
    response = client.post(reverse("accounts:password_change"), weak)
    assert response.status_code == 400 and "至少3类" in response.content.decode()
    assert not _events("accounts.password_changed")
    wrong_old = {"old_password": WRONG, "new_password1": "Baodi-Jiuzhu-7319"}
    wrong_old["new_password2"] = wrong_old["new_password1"]
    assert client.post(reverse("accounts:password_change"), wrong_old).status_code == 400
    good = {**wrong_old, "old_password": PASSWORD}
    response = client.post(reverse("accounts:password_change"), good)
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still logged in on this browser
    assert _events("accounts.password_changed")[0].user == users["caseworker"]
    assert Client().login(username="caseworker", password="Baodi-Jiuzhu-7319")


def test_the_admin_applies_the_policy_and_audits_a_password_set(users: dict[str, User]) -> None:
    admin = _administrator()
    client = Client()
    client.force_login(admin)
    url = f"/admin/accounts/user/{users['head'].pk}/password/"
    weak = {"password1": "officer1", "password2": "officer1", "usable_password": "true"}
    response = client.post(url, weak)
    assert response.status_code == 200 and "至少3类" in response.content.decode()
    assert not _events("accounts.password_set")
    strong = {"password1": "Baodi-Head-4821", "password2": "Baodi-Head-4821"}
    response = client.post(url, {**strong, "usable_password": "true"})
    assert response.status_code == 302
    event = _events("accounts.password_set")[0]
    assert event.user == admin and event.object_id == str(users["head"].pk)
    assert Client().login(username="head", password="Baodi-Head-4821")


def test_the_admin_add_form_applies_the_policy(users: dict[str, User]) -> None:
    client = Client()
    client.force_login(_administrator())
    data = {
        "username": "newstaff",
        "password1": "officer1",
        "password2": "officer1",
        "usable_password": "true",
        "role": Role.AUDITOR,
        "division_code": DISTRICT_CODE,
    }
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200 and not User.objects.filter(username="newstaff").exists()


# --- session expiry ----------------------------------------------------------------------------


@pytest.fixture
def set_now(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Move ``core.clock.now`` to a Beijing time."""

    def move(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return move


def _beijing(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 10, day, hour, minute, tzinfo=BEIJING)


def test_a_login_ends_after_thirty_idle_minutes(
    users: dict[str, User], set_now: Callable[[dt.datetime], None]
) -> None:
    client = Client()
    set_now(_beijing(15, 9))
    assert client.login(username="caseworker", password=PASSWORD)
    for minute in (20, 40, 60, 80):  # active every 20 minutes: still logged in
        set_now(_beijing(15, 9, minute) if minute < 60 else _beijing(15, 10, minute - 60))
        assert client.get("/").status_code == 200
    set_now(_beijing(15, 10, 51))  # 31 minutes after the last request
    response = client.get("/registry/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?expired=idle")
    assert not _logged_in(client)
    event = _events("accounts.session_expired")[0]
    assert event.user == users["caseworker"] and event.detail["ended"] == "idle"
    assert not _events("accounts.logout")
    page = client.get(response["Location"]).content.decode()
    assert "30分钟没有操作" in page


def test_the_idle_limit_is_a_setting(
    users: dict[str, User], set_now: Callable[[dt.datetime], None], settings: Any
) -> None:
    settings.JIUZHU_IDLE_MINUTES = 5
    client = Client()
    set_now(_beijing(15, 9))
    client.force_login(users["caseworker"])
    set_now(_beijing(15, 9, 6))
    assert client.get("/").status_code == 302


def test_a_login_ends_at_the_end_of_the_working_day(
    users: dict[str, User], set_now: Callable[[dt.datetime], None]
) -> None:
    client = Client()
    set_now(_beijing(15, 15))
    client.force_login(users["caseworker"])
    for hour, minute in ((15, 25), (15, 50), (16, 15), (16, 40), (17, 5), (17, 30), (17, 55)):
        set_now(_beijing(15, hour, minute))
        assert client.get("/").status_code == 200
    for hour, minute in ((18, 20), (18, 45), (19, 10), (19, 35), (19, 59)):
        set_now(_beijing(15, hour, minute))
        assert client.get("/").status_code == 200
    set_now(_beijing(15, 20, 0))
    response = client.get("/")
    assert response["Location"].startswith(f"{LOGIN}?expired=day_end")
    assert _events("accounts.session_expired")[0].detail["ended"] == "day_end"
    assert "工作日结束" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("started", "ends"),
    [
        (_beijing(15, 15), _beijing(15, 20)),  # before the day end: at it
        (_beijing(15, 8), _beijing(15, 16)),  # never longer than SESSION_COOKIE_AGE (8 h)
        (_beijing(15, 20, 30), _beijing(16, 4, 30)),  # after it: capped by the 8 h
        (_beijing(15, 19, 59), _beijing(15, 20)),
    ],
)
def test_when_a_login_ends(started: dt.datetime, ends: dt.datetime) -> None:
    assert expiry.day_end(started) == ends


def test_after_the_day_end_a_login_lasts_until_the_next_day_end(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 48 * 3600
    assert expiry.day_end(_beijing(15, 21)) == _beijing(16, 20)
    settings.JIUZHU_DAY_END = "18:30"
    assert expiry.day_end(_beijing(15, 9)) == _beijing(15, 18, 30)


def test_an_htmx_request_gets_a_redirect_header(
    users: dict[str, User], set_now: Callable[[dt.datetime], None]
) -> None:
    client = Client()
    set_now(_beijing(15, 9))
    client.force_login(users["caseworker"])
    set_now(_beijing(15, 9, 45))
    response = client.get("/jobs/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN}?expired=idle"


def test_a_post_after_expiry_writes_nothing_and_lands_on_the_login_page(
    users: dict[str, User], set_now: Callable[[dt.datetime], None]
) -> None:
    client = Client()
    set_now(_beijing(15, 9))
    client.force_login(users["caseworker"])
    set_now(_beijing(15, 10))
    change = {"old_password": PASSWORD, "new_password1": "Baodi-Jiuzhu-7319"}
    change["new_password2"] = change["new_password1"]
    response = client.post(reverse("accounts:password_change"), change)
    assert response["Location"] == f"{LOGIN}?expired=idle"
    users["caseworker"].refresh_from_db()
    assert users["caseworker"].check_password(PASSWORD)
    assert not _events("accounts.password_changed")


def test_a_session_without_a_clock_has_ended(users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users["caseworker"])
    session = client.session
    del session[expiry.STARTED]
    session.save()
    assert client.get("/")["Location"].startswith(f"{LOGIN}?expired=day_end")


def test_the_login_page_ignores_an_unknown_reason() -> None:
    response = Client().get(f"{LOGIN}?expired=<script>")
    assert response.status_code == 200 and "login-ended" not in response.content.decode()


@pytest.mark.parametrize("username", ["x" * 10_000, "case\x00worker", "ｃａｓｅｗｏｒｋｅｒ", ""])
def test_odd_usernames_are_no_server_error(users: dict[str, User], username: str) -> None:
    response = _post_login(Client(), username, WRONG)
    assert response.status_code == 200
