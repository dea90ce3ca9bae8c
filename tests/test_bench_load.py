"""The load test's own logic (bench/load_client.py, bench/load.py): what it requests, the forms it
fills in, the TOTP codes it computes and the verdict it prints. Locust itself is not needed.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import load  # noqa: E402
from load_client import (  # noqa: E402
    PAGES,
    Account,
    Form,
    Jurisdiction,
    Refused,
    Totp,
    log_in,
    login_form,
    otp_form,
    parse_mix,
    plan_from_json,
    plan_to_json,
)

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_gives_the_codes_of_rfc_6238(now: int, code: str) -> None:
    totp = Totp(RFC_KEY, digits=8)  # RFC 6238 appendix B, HMAC-SHA1, 30 s steps
    assert totp.code(totp.counter(now)) == code


def test_totp_with_six_digits_gives_the_codes_of_rfc_4226() -> None:
    totp = Totp(RFC_KEY)
    assert [totp.code(c) for c in range(3)] == ["755224", "287082", "359152"]


def test_totp_counts_steps_from_t0() -> None:
    totp = Totp(RFC_KEY, step=60, t0=100)
    assert [totp.counter(t) for t in (100, 159.9, 160)] == [0, 0, 1]


def test_the_real_log_in_page_gives_the_form_the_users_fill_in(client: Client) -> None:
    response = client.get("/accounts/login/")
    form = login_form(response.content.decode())
    assert form is not None
    assert form.values["csrfmiddlewaretoken"]
    assert form.target("/accounts/login/") == "/accounts/login/"
    assert otp_form(response.content.decode()) is None


def test_a_two_factor_page_is_recognised_and_its_form_kept_whole() -> None:
    html = """
    <form method="post" action="/accounts/logout/"><input type="hidden"
      name="csrfmiddlewaretoken" value="a"><button>退出</button></form>
    <form method="post" action="verify/?next=%2F">
      <input type="hidden" name="csrfmiddlewaretoken" value="b">
      <select name="otp_device"><option value="dev-1">手机</option>
        <option value="dev-2" selected>备用</option></select>
      <input type="checkbox" name="remember" checked>
      <input name="otp_token" autocomplete="one-time-code">
    </form>"""
    found = otp_form(html)
    assert found is not None
    form, field = found
    assert field == "otp_token"
    assert form.values == {"csrfmiddlewaretoken": "b", "otp_device": "dev-2", "remember": "on"}
    assert form.target("/accounts/two-factor/") == "/accounts/two-factor/verify/?next=%2F"
    assert login_form(html) is None


def test_a_form_without_action_posts_back_to_its_page() -> None:
    assert Form("", "post").target("/accounts/login/?next=/") == "/accounts/login/?next=/"


class DjangoHttp:
    """``load_client.Http`` over Django's test client (cookies kept, no redirect followed)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.names: list[str] = []

    def get(self, path: str, name: str) -> tuple[int, str, str]:
        self.names.append(name)
        response = self.client.get(path)
        return response.status_code, response.headers.get("Location", ""), response.content.decode()

    def post(self, path: str, values: dict[str, str], name: str, page: str) -> tuple[int, str]:
        self.names.append(name)
        response = self.client.post(path, values, HTTP_REFERER=f"http://testserver{page}")
        return response.status_code, response.headers.get("Location", "")


def _staff(role: str, division: str) -> Any:
    from jiuzhu.web.accounts.models import User

    return User.objects.create_user("bench_x", password="bench-load-2026", role=role,
                                    division_code=division)  # fmt: skip


@pytest.mark.django_db
def test_a_caseworker_logs_in_through_the_real_form_as_the_load_test_does(client: Client) -> None:
    from jiuzhu.web.accounts.models import Role

    client.enforce_csrf_checks = True  # as gunicorn would: the token must come from the form
    _staff(Role.TOWNSHIP_CASEWORKER, "120115002")
    http = DjangoHttp(client)
    assert log_in(http, Account("bench_x"), "bench-load-2026", {}) == "/"
    assert http.names == ["login: form", "login", "login: next pages"]
    assert client.get("/registry/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_is_refused_at_once(client: Client) -> None:
    from jiuzhu.web.accounts.models import Role

    _staff(Role.TOWNSHIP_CASEWORKER, "120115002")
    with pytest.raises(Refused) as refused:
        log_in(DjangoHttp(client), Account("bench_x"), "wrong-password", {})
    assert (refused.value.name, refused.value.reported) == ("login", True)
    assert "wrong password" in str(refused.value)


@pytest.mark.django_db
def test_a_district_officer_gives_the_code_of_the_device_the_bench_reads(
    client: Client, settings: Any
) -> None:
    from django.apps import apps

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        pytest.skip("the second factor is not installed on this branch")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jiuzhu.web.accounts.models import DISTRICT_CODE, Role

    settings.JIUZHU = {**settings.JIUZHU, "SECOND_FACTOR_REQUIRED": True}
    client.enforce_csrf_checks = True
    device = TOTPDevice.objects.create(
        user=_staff(Role.DISTRICT_OFFICER, DISTRICT_CODE), name="bench", confirmed=True
    )
    account = Account("bench_x", load._totp(device.user))
    assert account.totp == Totp(bytes(device.bin_key))
    http = DjangoHttp(client)
    assert log_in(http, account, "bench-load-2026", {}) == "/"
    assert "login: two-factor" in http.names
    assert client.get("/registry/").status_code == 200


class ScriptedHttp:
    """A server that asks for a second factor, as django-otp's pages do."""

    def __init__(self) -> None:
        self.codes: list[tuple[str, dict[str, str]]] = []

    def get(self, path: str, name: str) -> tuple[int, str, str]:
        if path == "/accounts/login/":
            return (
                200,
                "",
                (
                    '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">'
                    '<input name="username"><input name="password" type="password"></form>'
                ),
            )
        if path == "/" and len(self.codes) < 1:
            return 302, "/accounts/two-factor/?next=/", ""
        if path.startswith("/accounts/two-factor/"):
            return (
                200,
                "",
                (
                    '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="u">'
                    '<input name="code"><input type="hidden" name="next" value="/"></form>'
                ),
            )
        return 200, "", "<h1>工作台</h1>"

    def post(self, path: str, values: dict[str, str], name: str, page: str) -> tuple[int, str]:
        if name == "login: two-factor":
            self.codes.append((path, values))
        return 302, "/"


def test_the_second_factor_is_given_once_per_step_per_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    totp, now = Totp(RFC_KEY), [59.0]
    monkeypatch.setattr("load_client.time.time", lambda: now[0])
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    http, used = ScriptedHttp(), {}
    account = Account("bench_district", totp)
    assert log_in(http, account, "pw", used, sleep) == "/"
    path, values = http.codes[0]
    assert path == "/accounts/two-factor/?next=/"
    assert values == {"csrfmiddlewaretoken": "u", "next": "/", "code": totp.code(1)}
    http.codes.clear()
    log_in(http, account, "pw", used, sleep)  # the same step: waits for the next
    assert waits and 1.0 <= waits[0] <= 1.1
    assert http.codes[0][1]["code"] == totp.code(2)


def test_a_code_asked_of_an_account_without_device_is_a_refusal() -> None:
    with pytest.raises(Refused) as refused:
        log_in(ScriptedHttp(), Account("bench_township"), "pw", {})
    assert refused.value.name == "login: two-factor"
    assert refused.value.reported is False


JURISDICTION = Jurisdiction(
    division_code="120115002",
    households=1001,
    applications=30,
    household_pks=[7, 8],
    names=["周刚"],
    id6=["23016X"],
    numbers=["H0032631"],
)


def test_the_mix_requests_the_pages_of_the_old_script_by_get() -> None:
    rng = random.Random(1)
    seen = {}
    for kind in ("list", "search", "household", "applications", "workbench") * 60:
        name, path = JURISDICTION.url(kind, rng)
        seen.setdefault(name, set()).add(path)
    assert set(seen) == set(PAGES)
    assert seen["search:id6"] == {"/registry/?q=23016X"}  # six characters, never a full ID
    assert seen["search:name"] == {"/registry/?q=%E5%91%A8%E5%88%9A"}
    assert {p.split("=")[1] for p in seen["list"]} <= {str(n) for n in range(1, 42)}
    assert "/registry/?page=41" in seen["list"]  # 1,001 households, 25 a page
    assert seen["household"] == {"/registry/households/7/", "/registry/households/8/"}
    assert seen["workbench"] == {"/"}


def test_the_mix_is_parsed_and_checked() -> None:
    assert parse_mix("list=2, search=3") == {"list": 2.0, "search": 3.0}
    for bad in ("list", "lists=1", "list=-1", "list=0,search=0"):
        with pytest.raises(ValueError):
            parse_mix(bad)


def test_the_plan_keeps_accounts_and_their_totp_keys() -> None:
    roles = {"district": ([Account("a", Totp(b"\x01\xff", 30, 0, 6)), Account("b")], JURISDICTION)}
    again = plan_from_json(json.loads(json.dumps(plan_to_json(roles, {"seed": 1}))))
    assert again == roles


def _entry(name: str, times: dict[int, int], failures: int = 0) -> dict[str, object]:
    # As locust's --json-file writes it: the histogram's keys become strings.
    return {
        "name": name,
        "method": "GET",
        "num_requests": sum(times.values()),
        "num_failures": failures,
        "response_times": {str(k): v for k, v in times.items()},
    }


def test_the_table_gives_percentiles_per_page_and_the_verdict() -> None:
    entries = [
        _entry("list", {10: 94, 250: 1, 900: 5}),
        _entry("workbench", {20: 95, 310: 5}),
        _entry("login", {2900: 3}),
        _entry("login: form", {40: 3}),
    ]
    rows = {r["page"]: r for r in load.summary(entries, 300)}
    assert list(rows) == ["list", "workbench", "all pages", "login", "login: form"]
    assert (rows["list"]["p50_ms"], rows["list"]["p95_ms"], rows["list"]["max_ms"]) == (
        10,
        250,
        900,
    )
    assert rows["list"]["verdict"] == "PASS"
    assert rows["workbench"]["p95_ms"] == 20
    assert rows["workbench"]["p99_ms"] == 310
    assert rows["all pages"]["requests"] == 200
    assert rows["all pages"]["p95_ms"] == 250  # the 190th of 200: 94 + 95 below it
    assert rows["login"]["verdict"] == "PASS"  # no time target for the password hash


def test_a_slow_page_or_any_failure_fails() -> None:
    entries = [
        _entry("household", {100: 90, 400: 10}),
        _entry("list", {10: 100}),
        _entry("login", {100: 1}, failures=1),
    ]
    rows = {r["page"]: r for r in load.summary(entries, 300)}
    assert rows["household"]["p95_ms"] == 400
    assert rows["household"]["verdict"] == "FAIL"
    assert rows["list"]["verdict"] == "PASS"
    assert rows["login"]["verdict"] == "FAIL"


def test_percentile_is_nearest_rank() -> None:
    assert load.percentile({1: 19, 2: 1}, 0.95) == 1
    assert load.percentile({1: 18, 2: 2}, 0.95) == 2
    assert load.percentile({5: 1}, 0.5) == 5
