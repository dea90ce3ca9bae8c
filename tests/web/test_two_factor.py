"""The second factor (issue 12): district staff and administrators give a TOTP code after the
password, enrol an authenticator app when they have none, can use a backup code once, are
throttled and audited when they get it wrong, and an administrator resets a lost phone."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.accounts.twofactor import code_at, normalise_code
from jiuzhu.web.accounts.twofactor_actions import enrol_with_key
from jiuzhu.web.audit.models import AuditEvent
from tests.web.conftest import PASSWORD, make_user
from tests.web.test_access import PUBLIC, _patterns, _url

KEY = "3132333435363738393031323334353637383930"  # RFC 6238's SHA-1 key "1234567890" × 2
VERIFY = "/accounts/two-factor/"
ENROL = "/accounts/two-factor/enrol/"
TWO_FACTOR_PAGES = {
    "accounts:twofactor_verify",
    "accounts:twofactor_enrol",
    "accounts:twofactor_qr",
    "accounts:logout",
}


@pytest.fixture(autouse=True)
def _second_factor_on(settings: Any) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "SECOND_FACTOR_REQUIRED": True}


@pytest.fixture
def admin_user(db: Any) -> User:
    user = make_user("sysadmin", Role.ADMINISTRATOR, DISTRICT_CODE)
    user.is_staff = True
    user.save()
    return user


def _events(action: str, user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(user.pk)).order_by("pk"))


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _verified(user: User, key: str = KEY) -> Client:
    """A client past both factors (the user enrolled with ``key``)."""
    enrol_with_key(user, key)
    client = _signed_in(user)
    response = client.post(VERIFY, {"code": code_at(key)})
    assert response.status_code == 302, response.content.decode()
    return client


def _unthrottle(user: User) -> None:
    """As if the throttle's wait were over (it is 2^(n-1) s after n failures)."""
    past = timezone.now() - dt.timedelta(hours=1)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)


def test_the_code_is_rfc_6238() -> None:
    """RFC 6238 appendix B, SHA-1, last 6 of the 8 digits: scripts can log in from a key."""
    assert code_at(KEY, 59) == "287082"
    assert code_at(KEY, 1111111109) == "081804"
    assert code_at(KEY, 2000000000) == "279037"
    assert normalise_code(" １２３ ４５６ ") == "123456"
    assert normalise_code("ABCD-EFGH") == "abcdefgh"


@pytest.mark.django_db
def test_township_roles_and_auditors_are_not_asked(users: dict[str, User]) -> None:
    for name in ("community", "caseworker", "head", "auditor"):
        assert _signed_in(users[name]).get("/").status_code == 200, name
    officer = _signed_in(users["officer"])
    assert officer.get("/")["Location"] == f"{ENROL}?next=%2F"


@pytest.mark.django_db
def test_the_setting_turns_the_second_factor_off(settings: Any, users: dict[str, User]) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "SECOND_FACTOR_REQUIRED": False}
    assert _signed_in(users["officer"]).get("/").status_code == 200
    assert _signed_in(users["officer"]).get(ENROL)["Location"] == "/"


@pytest.mark.django_db
def test_a_district_user_enrols_with_the_qr_code_and_gets_backup_codes_once(
    users: dict[str, User],
) -> None:
    officer = users["officer"]
    client = _signed_in(officer)
    page = client.get(f"{ENROL}?next=/payments/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert 'src="/accounts/two-factor/enrol/qr.svg"' in html and 'id="secret"' in html
    assert "<script>" not in html and "style=" not in html and "data:" not in html
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    qr = client.get("/accounts/two-factor/enrol/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and "no-store" in qr["Cache-Control"]
    svg = qr.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    # The key for manual entry is the QR code's, in base32.
    secret = html.split('id="secret">')[1].split("<")[0].replace(" ", "")
    assert bytes.fromhex(device.key) == base64.b32decode(secret + "=" * (-len(secret) % 8))
    # A wrong code: refused on the field, audited; the device stays pending.
    wrong = client.post(ENROL, {"code": "000000", "next": "/payments/"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert _events("accounts.twofactor_failure", officer)[0].detail["enrolling"] is True
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    _unthrottle(officer)
    done = client.post(ENROL, {"code": code_at(device.key), "next": "/payments/"})
    assert done["Location"] == "/accounts/two-factor/backup-codes/?next=%2Fpayments%2F"
    codes_page = client.get(done["Location"])
    assert "no-store" in codes_page["Cache-Control"]
    shown = codes_page.content.decode()
    tokens = StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)
    assert len(tokens) == 10 and all(f"{t[:4]} {t[4:]}" in shown for t in tokens)
    assert client.get(done["Location"])["Location"] == "/payments/"  # shown once
    assert client.get("/payments/").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert _events("accounts.twofactor_enrol", officer)[0].detail["backup_codes"] == 10
    # Enrolled: the enrolment page shows no key again.
    assert client.get(ENROL)["Location"] == "/"
    assert client.get("/accounts/two-factor/enrol/qr.svg").status_code == 404


@pytest.mark.django_db
def test_after_the_password_the_code_is_asked_and_wrong_codes_are_throttled(
    users: dict[str, User],
) -> None:
    director = users["director"]
    enrol_with_key(director, KEY)
    client = Client()
    login = client.post("/accounts/login/", {"username": "director", "password": PASSWORD})
    assert login.status_code == 302
    asked = client.get(login["Location"])
    assert asked["Location"] == f"{VERIFY}?next=%2F"
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    page = client.get(asked["Location"])
    assert page.status_code == 200 and 'id="step-verify"' in page.content.decode()
    wrong = client.post(VERIFY, {"code": "123 456", "next": "/"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    # Straight after a failure even the right code waits (1 s, then 2, 4 …).
    throttled = client.post(VERIFY, {"code": code_at(KEY), "next": "/"})
    assert throttled.status_code == 400 and "连续输错 1 次" in throttled.content.decode()
    failures = _events("accounts.twofactor_failure", director)
    assert [(e.detail["throttled"], e.detail["failures"]) for e in failures] == [
        (False, 1),
        (True, 1),
    ]
    assert client.get("/").status_code == 302
    _unthrottle(director)
    session = client.cookies["sessionid"].value
    passed = client.post(VERIFY, {"code": code_at(KEY), "next": "/"})
    assert passed["Location"] == "/"
    assert client.cookies["sessionid"].value != session  # a new session key once verified
    assert client.get("/").status_code == 200
    assert len(_events("accounts.twofactor_verify", director)) == 1
    assert TOTPDevice.objects.get(user=director).throttling_failure_count == 0
    # The same code is never accepted twice (another session, same 30 s).
    again = _signed_in(director).post(VERIFY, {"code": code_at(KEY)})
    assert again.status_code == 400


@pytest.mark.django_db
def test_a_backup_code_works_once(users: dict[str, User]) -> None:
    officer = users["officer2"]
    client = _signed_in(officer)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=officer)
    client.post(ENROL, {"code": code_at(device.key)})
    token = StaticToken.objects.filter(device__user=officer).first()
    assert token is not None
    later = _signed_in(officer)
    used = later.post(VERIFY, {"code": f"{token.token[:4].upper()} {token.token[4:]}"})
    assert used["Location"] == "/"
    assert "还剩 9 个" in later.get("/").content.decode()
    assert _events("accounts.twofactor_backup_code", officer)[0].detail["remaining"] == 9
    refused = _signed_in(officer).post(VERIFY, {"code": token.token})
    assert refused.status_code == 400 and "备用码不正确或已使用" in refused.content.decode()
    assert _events("accounts.twofactor_failure", officer)[-1].detail["backup_code"] is True


@pytest.mark.django_db
def test_an_htmx_request_is_redirected_as_a_whole_page(users: dict[str, User]) -> None:
    enrol_with_key(users["officer"], KEY)
    response = _signed_in(users["officer"]).get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2F"


@pytest.mark.django_db
def test_without_the_second_factor_a_district_user_reaches_nothing_but_enrolment(
    users: dict[str, User], admin_user: User
) -> None:
    """The URL sweep: every URL but the two-factor pages, the log-out and the public pages
    redirects an unverified district user (and administrator) to enrolment."""
    values = {"pk": 1, "household_pk": 1, "person_pk": 1, "step": "verify"}
    events = AuditEvent.objects.exclude(action="accounts.login").count()
    for user in (users["officer"], admin_user):
        client = _signed_in(user)
        checked = 0
        for pattern, name in _patterns():
            url = _url(pattern, values)
            if url is None or name in PUBLIC or name in TWO_FACTOR_PAGES:
                continue
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 302, (name, url, response.status_code)
                assert response["Location"].startswith(ENROL), (name, url)
            checked += 1
        assert checked >= 100
        assert client.get(ENROL).status_code == 200
    assert (
        AuditEvent.objects.exclude(action="accounts.login").count() == events
    )  # nothing was done on the way


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_phone(users: dict[str, User], admin_user: User) -> None:
    officer = users["officer"]
    enrol_with_key(officer, "ab" * 20)
    admin = _verified(admin_user)
    page = admin.get("/accounts/two-factor/users/")
    assert page.status_code == 200 and f'id="user-{officer.pk}"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    done = admin.post(f"/accounts/two-factor/users/{officer.pk}/reset/", follow=True)
    assert "已重置" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = _events("accounts.twofactor_reset", officer)[0]
    assert event.user == admin_user and event.after == {"enrolled": False}
    # At the next request the officer enrols again.
    assert _signed_in(officer).get("/")["Location"].startswith(ENROL)
    # Nothing to reset, one's own, a non-administrator, an unknown user: refused, nothing written.
    count = AuditEvent.objects.filter(action="accounts.twofactor_reset").count()
    again = admin.post(f"/accounts/two-factor/users/{officer.pk}/reset/", follow=True)
    assert "无需重置" in again.content.decode()
    own = admin.post(f"/accounts/two-factor/users/{admin_user.pk}/reset/", follow=True)
    assert "不能重置自己的第二认证因素" in own.content.decode()
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    assert admin.post("/accounts/two-factor/users/999999/reset/").status_code == 404
    director = _verified(users["director"], "cd" * 20)
    assert director.get("/accounts/two-factor/users/").status_code == 403
    assert director.post(f"/accounts/two-factor/users/{admin_user.pk}/reset/").status_code == 403
    assert AuditEvent.objects.filter(action="accounts.twofactor_reset").count() == count
    assert admin.get(f"/accounts/two-factor/users/{officer.pk}/reset/").status_code == 302


@pytest.mark.django_db
def test_the_admin_action_resets_and_audits(users: dict[str, User], admin_user: User) -> None:
    admin_user.is_superuser = True  # the admin site's users' list (the demo's administrator)
    admin_user.save()
    enrol_with_key(users["director"], KEY)
    admin = _verified(admin_user, "ef" * 20)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor_action", "_selected_action": [users["director"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=users["director"]).exists()
    assert len(_events("accounts.twofactor_reset", users["director"])) == 1
    # django-otp's own device pages (an unaudited delete) are gone.
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code", ["", " ", "NaN", "12345", "1234567", "9" * 40, "x" * 500, "abcdefg!", "１２３４５"]
)
def test_odd_input_is_refused_on_the_field(users: dict[str, User], code: str) -> None:
    enrol_with_key(users["officer"], KEY)
    client = _signed_in(users["officer"])
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert client.post(ENROL, {"code": code}).status_code == 302  # enrolled: no enrolment
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_the_pages_follow_the_language_switch(users: dict[str, User]) -> None:
    enrol_with_key(users["director"], KEY)
    client = _signed_in(users["director"])
    switched = client.post("/i18n/setlang/", {"language": "en", "next": VERIFY})
    assert switched["Location"] == VERIFY  # the language switch is open before the code
    page = client.get(VERIFY).content.decode()
    assert "Enter your one-time code" in page and "输入动态验证码" not in page
    wrong = client.post(VERIFY, {"code": "000000"}).content.decode()
    assert "Wrong code: enter the 6 digits the app shows now" in wrong


@pytest.mark.django_db
def test_a_script_enrols_a_known_key_and_logs_in_with_its_code(users: dict[str, User]) -> None:
    """The load test's way in: a key it chose, the RFC 6238 code it computes."""
    officer = users["officer"]
    for bad in ("not hex", "ab" * 5 + "a", "ab" * 9, "ab" * 41):
        with pytest.raises(ValidationError):
            enrol_with_key(officer, bad)
    assert not TOTPDevice.objects.filter(user=officer).exists()
    key = hashlib.sha1(b"officer").hexdigest()
    enrol_with_key(officer, key)
    assert _events("accounts.twofactor_enrol", officer)[0].detail == {
        "backup_codes": 0,
        "script": True,
    }
    client = Client()
    client.post("/accounts/login/", {"username": "officer", "password": PASSWORD})
    assert client.post(VERIFY, {"code": code_at(key), "next": "/"})["Location"] == "/"
