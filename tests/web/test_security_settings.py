"""Production settings are secure by default (issue 12): DEBUG off unless set, a missing secret
key or host list stops the start in one line, TLS cookies, HSTS and the headers behind TLS,
``check --deploy`` clean; a strict Content-Security-Policy with no inline script or style in any
template; ``Cache-Control: no-store`` on everything a signed-in user receives.

The settings are read in a fresh process (``jiuzhu-web`` or Python) with the environment of a
production server: the test process itself runs with ``JIUZHU_DEBUG=1`` (pyproject's pytest
``env``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.http import HttpResponse
from django.test import Client

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.crypto import new_key
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD

WEB = Path(__file__).resolve().parents[2] / "src" / "jiuzhu" / "web"
MANAGE = "from jiuzhu.web.manage import main; main()"
POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}
"""The Content-Security-Policy's directives (django-csp writes them in no fixed order)."""
FILE_POLICY = {"frame-ancestors 'none'"}
"""A file's (PDF, scan, workbook): Chrome's PDF viewer is a plugin with inline styles."""


def directives(header: str | None) -> set[str]:
    return {part.strip() for part in (header or "").split(";") if part.strip()}


def production(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production server: none of the development variables, a strong
    secret key and the host names, plus ``extra`` (an empty value unsets a variable)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JIUZHU_") and k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env |= {
        "JIUZHU_DATA_DIR": str(tmp_path),
        "JIUZHU_SECRET_KEY": secrets.token_urlsafe(50),
        "JIUZHU_ALLOWED_HOSTS": "jiuzhu.example.gov.cn",
        # The keys of the personal data sealed at rest (docs/keys.md), fresh ones.
        "JIUZHU_DATA_KEYS": f"k1:{new_key()}",
        "JIUZHU_SEARCH_KEY": new_key(),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env |= extra
    return {k: v for k, v in env.items() if v}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", MANAGE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
)


def read_settings(env: dict[str, str]) -> dict[str, Any]:
    """The security settings as a process with ``env`` reads them."""
    script = (
        "import json, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'jiuzhu.web.config.settings'\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SETTINGS!r}}}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_production_is_the_default_and_secure(tmp_path: Path) -> None:
    found = read_settings(production(tmp_path))
    assert found["DEBUG"] is False
    assert found["SESSION_COOKIE_SECURE"] and found["CSRF_COOKIE_SECURE"]
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] == 31_536_000
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SECURE_PROXY_SSL_HEADER"] is None  # not trusted unless behind a proxy
    assert found["X_FRAME_OPTIONS"] == "DENY"
    assert found["SECURE_REFERRER_POLICY"] == "same-origin"
    assert found["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert found["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert found["ALLOWED_HOSTS"] == ["jiuzhu.example.gov.cn"]


def test_every_security_setting_comes_from_the_environment(tmp_path: Path) -> None:
    behind_proxy = read_settings(
        production(
            tmp_path,
            JIUZHU_BEHIND_PROXY="1",
            JIUZHU_SSL_REDIRECT="0",
            JIUZHU_HSTS_SECONDS="600",
            JIUZHU_HSTS_INCLUDE_SUBDOMAINS="0",
            JIUZHU_HSTS_PRELOAD="1",
            JIUZHU_ALLOWED_HOSTS="a.example.cn, b.example.cn",
            JIUZHU_CSRF_TRUSTED_ORIGINS="https://a.example.cn",
            JIUZHU_REFERRER_POLICY="no-referrer",
        )
    )
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind_proxy["SECURE_SSL_REDIRECT"] is False
    assert behind_proxy["SECURE_HSTS_SECONDS"] == 600
    assert behind_proxy["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert behind_proxy["SECURE_HSTS_PRELOAD"] is True
    assert behind_proxy["ALLOWED_HOSTS"] == ["a.example.cn", "b.example.cn"]
    assert behind_proxy["CSRF_TRUSTED_ORIGINS"] == ["https://a.example.cn"]
    assert behind_proxy["SECURE_REFERRER_POLICY"] == "no-referrer"
    # A plain-HTTP server (a local load test): no Secure cookie, no redirect, no HSTS.
    plain = read_settings(production(tmp_path, JIUZHU_TLS="0"))
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["SECURE_SSL_REDIRECT"]
    assert plain["SECURE_HSTS_SECONDS"] == 0 and plain["DEBUG"] is False
    # Development (the demo, the tests): no TLS settings, the development key is allowed.
    development = read_settings(production(tmp_path, JIUZHU_DEBUG="1", JIUZHU_SECRET_KEY=""))
    assert development["DEBUG"] is True and not development["SECURE_SSL_REDIRECT"]


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ("JIUZHU_SECRET_KEY", "JIUZHU_SECRET_KEY 未设置"),
        ("JIUZHU_ALLOWED_HOSTS", "JIUZHU_ALLOWED_HOSTS 未设置"),
    ],
)
def test_production_without_a_key_or_hosts_stops_with_one_line(
    tmp_path: Path, unset: str, named: str
) -> None:
    done = manage(production(tmp_path, **{unset: ""}), "check")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreadable_flag_stops_with_one_line(tmp_path: Path) -> None:
    done = manage(production(tmp_path, JIUZHU_TLS="maybe"), "check")
    assert done.returncode == 1 and done.stderr.strip().count("\n") == 0
    assert "JIUZHU_TLS='maybe'" in done.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    done = manage(production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING" not in output.upper() and "System check identified no issues" in output


def test_the_demo_runs_in_development_mode_by_itself(tmp_path: Path) -> None:
    from jiuzhu.web.manage import DEVELOPMENT_COMMANDS

    assert {"demo", "makemessages", "makemigrations"} <= DEVELOPMENT_COMMANDS
    assert not DEVELOPMENT_COMMANDS & {"runserver", "migrate", "shell", "db_worker", "check"}
    script = (
        "import os, sys\n"
        "sys.argv = ['jiuzhu-web', 'demo', '--help']\n"
        "from jiuzhu.web.manage import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(os.environ.get('JIUZHU_DEBUG'))\n"
    )
    env = production(tmp_path, JIUZHU_SECRET_KEY="", JIUZHU_ALLOWED_HOSTS="")
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip().endswith("1"), done.stderr


# ---------------------------------------------------------------- headers


def _signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def security_header_problems(response: HttpResponse) -> list[str]:
    """What a response lacks of the headers every page carries (the page sweep calls this on
    every response, tests/web/test_page_scan.py)."""
    problems = []
    page = response.get("Content-Type", "").startswith("text/html")
    if directives(response.get("Content-Security-Policy")) != (POLICY if page else FILE_POLICY):
        problems.append(f"Content-Security-Policy: {response.get('Content-Security-Policy')!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options DENY")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options nosniff")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append("no Referrer-Policy same-origin")
    cache = response.get("Cache-Control", "")
    if "no-store" not in cache or response.get("Pragma") != "no-cache":
        problems.append(f"Cache-Control {cache!r} for a signed-in user")
    return problems


ADDRESS = re.compile(r'\b(?:href|action|src|hx-get|hx-post|hx-push-url)="([^"]*)"')
ID_TOKEN = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")


def whole_ids(text: str) -> list[str]:
    """The valid resident ID numbers (GB 11643, 18 or 15 characters) written in ``text``."""
    from jiuzhu.feeds.ids import InvalidIdError, normalise

    found = []
    for token in ID_TOKEN.findall(text):
        try:
            normalise(token)
        except InvalidIdError:
            continue
        found.append(token)
    return found


def id_in_address_problems(response: HttpResponse) -> list[str]:
    """The addresses a response leads to (its redirects, and on a page every link, form and
    htmx address) that hold a whole ID number (the page sweep calls this on every response)."""
    addresses = [url for url, _status in getattr(response, "redirect_chain", [])]
    if response.get("Content-Type", "").startswith("text/html"):
        addresses += ADDRESS.findall(response.content.decode())
    return [f"a whole ID number in {url!r}" for url in addresses if whole_ids(unquote(url))]


def test_the_address_check_finds_a_whole_id() -> None:
    number = "11010519491231002X"
    assert whole_ids(f"/registry/?q={number}") == [number]
    assert whole_ids("/registry/?q=110105491231002") == ["110105491231002"]
    assert not whole_ids("/registry/?q=1101051949123100") and not whole_ids("/x/?q=231002")
    assert not whole_ids("/registry/?q=110105********002X")


@pytest.mark.django_db
def test_pages_carry_the_policy_and_the_headers(users: dict[str, User]) -> None:
    anonymous = Client().get("/accounts/login/")
    assert anonymous.status_code == 200
    assert directives(anonymous["Content-Security-Policy"]) == POLICY
    assert anonymous["Cross-Origin-Opener-Policy"] == "same-origin"
    client = _signed_in(users["caseworker"])
    for path in ("/", "/registry/", "/no-such-page/"):
        response = client.get(path)
        assert response.status_code in (200, 404)
        assert not security_header_problems(response), (path, security_header_problems(response))


@pytest.mark.django_db
def test_behind_tls_cookies_are_secure_and_http_is_redirected(
    users: dict[str, User], settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client()  # a new client: the security middleware reads the settings at its start
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.cookies["csrftoken"]["secure"]
    response = client.post(
        "/accounts/login/",
        {"username": users["caseworker"].username, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302 and response.cookies["sessionid"]["secure"]


# ---------------------------------------------------------------- Cache-Control


@pytest.mark.django_db
def test_nothing_a_signed_in_user_receives_is_stored(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    from jiuzhu.web.documents.actions import fill_example_offices
    from tests.web.documents.conftest import _eligible, submit

    fill_example_offices()
    application = submit(users, Household.objects.get(pk=_eligible(townships[0])))
    caseworker = _signed_in(users["caseworker"])
    responses = {
        "page": caseworker.get(f"/registry/households/{application.household_id}/"),
        "fragment": caseworker.get("/registry/", {"q": "H0"}, headers={"HX-Request": "true"}),
        "pdf": caseworker.get(f"/documents/applications/{application.pk}/acceptance.pdf"),
        "download": _signed_in(users["auditor"]).get("/audit/export.xlsx"),
        "refusal": caseworker.get("/audit/"),
    }
    for what, response in responses.items():
        assert response.status_code in (200, 403), (what, response.status_code)
        assert "no-store" in response["Cache-Control"], what
        assert response["Pragma"] == "no-cache", what
    assert responses["pdf"]["Content-Type"] == "application/pdf"
    # A file has its own policy: Chrome's PDF viewer would be blocked by object-src 'none'.
    assert not security_header_problems(responses["pdf"])
    assert directives(responses["pdf"]["Content-Security-Policy"]) == FILE_POLICY
    assert directives(responses["page"]["Content-Security-Policy"]) == POLICY
    # Static files stay cacheable.
    static = caseworker.get("/static/jiuzhu/site.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")


# ---------------------------------------------------------------- no inline script or style

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
HTMX_CODE = re.compile(r"\shx-on[:-]|\shx-vars\s*=|\bjs:", re.IGNORECASE)


def templates() -> list[Path]:
    return sorted(p for p in WEB.rglob("templates/**/*") if p.is_file())


def test_no_template_has_an_inline_script_style_or_handler() -> None:
    found = []
    assert len(templates()) > 50
    for path in templates():
        text = path.read_text(encoding="utf-8")
        # The documents' print templates render PDFs with WeasyPrint too; the browser sees them
        # through the same policy, so they follow the same rule.
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("<style> element", STYLE_ELEMENT),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("on…= handler", HANDLER),
            ("javascript: address", JAVASCRIPT_URL),
            ("htmx code (hx-on, hx-vars, js:)", HTMX_CODE),
        ):
            found += [
                f"{path.relative_to(WEB)}: {name}: {m.group(0).strip()!r}"
                for m in pattern.finditer(text)
            ]
    assert not found, "\n".join(found)


def test_the_scan_finds_what_it_looks_for() -> None:
    bad = (
        '<script>alert(1)</script><div style="x"></div><select onchange="f()">'
        '<a href="javascript:f()"><style>p{}</style><button hx-on:click="f()">'
    )
    assert INLINE_SCRIPT.search(bad) and STYLE_ATTRIBUTE.search(bad) and HANDLER.search(bad)
    assert JAVASCRIPT_URL.search(bad) and STYLE_ELEMENT.search(bad) and HTMX_CODE.search(bad)
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert not HANDLER.search('<input name="one" data-autosubmit>')


def test_htmx_injects_no_style_and_evaluates_no_code() -> None:
    base = (WEB / "templates" / "base.html").read_text(encoding="utf-8")
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', base)
    assert config is not None
    assert json.loads(config.group(1)) == {"includeIndicatorStyles": False, "allowEval": False}
    css = (WEB / "static" / "jiuzhu" / "site.css").read_text(encoding="utf-8")
    assert ".htmx-indicator" in css and ".htmx-request" in css


# ---------------------------------------------------------------- no full ID in an address


def _member(household: Household) -> Any:
    return household.memberships.filter(valid_to__isnull=True).first().person


@pytest.mark.django_db
def test_a_search_by_a_whole_id_is_posted_and_answered_without_a_redirect(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    household = Household.objects.filter(township_code=townships[0]).first()
    number = _member(household).resident_id
    client = _signed_in(users["caseworker"])
    page = client.get("/registry/").content.decode()
    assert 'method="post" action="/registry/"' in page and 'hx-post="/registry/"' in page
    response = client.post("/registry/", {"q": number})
    assert response.status_code == 200  # the results themselves, not a redirect
    assert f"/registry/households/{household.pk}/" in response.content.decode()
    fragment = client.post("/registry/", {"q": number.lower()}, headers={"HX-Request": "true"})
    assert f"/registry/households/{household.pk}/" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    # The last six digits stay on GET (links, bookmarks, the load test's search:id6).
    ending = client.get("/registry/", {"q": number[-6:]})
    assert ending.status_code == 200
    assert f"/registry/households/{household.pk}/" in ending.content.decode()
    # Another township's ID finds nothing, posted or not.
    outsider = _signed_in(users["outsider"]).post("/registry/", {"q": number})
    assert f"/registry/households/{household.pk}/" not in outsider.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["whole", "lower", "full-width", "old 15 digits", "17 digits"])
def test_a_whole_id_in_the_address_is_refused_and_not_logged(
    users: dict[str, User],
    townships: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    household = Household.objects.filter(township_code=townships[0]).first()
    number = _member(household).resident_id
    text = {
        "whole": number,
        "lower": number.lower(),
        "full-width": number.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "old 15 digits": number[:6] + number[8:17],
        "17 digits": number[1:],
    }[kind]
    client = _signed_in(users["caseworker"])
    with caplog.at_level("DEBUG"):
        response = client.get("/registry/", {"q": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "身份证号不能出现在网址中" in page and 'id="q-errors"' in page
    assert f"/registry/households/{household.pk}/" not in page  # nothing searched
    logged = [(r.getMessage(), repr(r.args)) for r in caplog.records]
    assert not [entry for entry in logged if text in str(entry) or number in str(entry)]
    # The registration form does not take one from its address either.
    form = client.get("/registry/households/new/", {"q": text})
    assert form.status_code == 200 and "身份证号不能出现在网址中" in form.content.decode()
    assert f'value="{text}"' not in form.content.decode()


@pytest.mark.django_db
def test_nothing_on_the_search_pages_puts_a_whole_id_in_an_address(
    users: dict[str, User], townships: tuple[str, str]
) -> None:
    """The results' links (pages, "register instead") carry a posted ID in a form, never in
    a link; an ID not in the registry is posted to the registration form."""
    client = _signed_in(users["caseworker"])
    absent = "120224198001013011"
    page = client.post("/registry/", {"q": absent}).content.decode()
    assert "没有符合条件的家庭" in page and 'id="register-instead"' in page
    links = re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', page)
    assert links and not [link for link in links if absent in link]
    form = client.post("/registry/households/new/", {"search": absent})
    assert form.status_code == 200 and f'value="{absent}"' in form.content.decode()
    # Further pages of a list or a name stay links (a whole ID's are posted: a form).
    assert 'href="?q=&page=2"' in client.get("/registry/").content.decode()


@pytest.mark.django_db
def test_odd_search_input_never_errs(users: dict[str, User]) -> None:
    client = _signed_in(users["caseworker"])
    for data in ({"q": "x" * 5000}, {"q": "１２０２２４"}, {"q": ""}, {"page": "NaN"}, {}):
        assert client.post("/registry/", data).status_code in (200, 400), data
        assert client.get("/registry/", data).status_code in (200, 400), data
