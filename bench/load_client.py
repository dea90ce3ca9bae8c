"""What a virtual user of the load test does, apart from locust (``bench/locustfile.py`` runs it):
the pages of the mix and how they are drawn, the forms it fills in (the log-in form, a second
factor's form) and the TOTP codes it computes (RFC 6238). Standard library only, so that the
tests import it without locust installed.

The page mix is that of the hand-written load test it replaces (issue 4): weights
``list=2, search=3, household=3, applications=1, workbench=1``; a search is by a member's name,
the last six characters of an ID number or a household number, one of the three at random. Each
request is reported under its page's name (``PAGES``), so that locust gives percentiles per page.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import struct
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any, Protocol

PAGE_SIZE = 25
"""Households and applications per list page (registry.views / cases.views PAGE_SIZE)."""

KINDS = ("list", "search", "household", "applications", "workbench")
DEFAULT_MIX = "list=2,search=3,household=3,applications=1,workbench=1"
PAGES = (
    "list",
    "search:name",
    "search:id6",
    "search:number",
    "household",
    "applications",
    "workbench",
)
"""The names under which the pages of the mix are reported (the staff pages of the target)."""

OTP_FIELDS = ("otp_token", "token", "otp_code", "code")
"""Names a second factor's code field may have (django-otp's forms call it ``otp_token``)."""


def parse_mix(text: str) -> dict[str, float]:
    """``"list=2,search=3"`` → ``{"list": 2.0, "search": 3.0}``.

    Raises ValueError on an unknown page kind, a missing ``=`` or a negative or all-zero weight.
    """
    weights: dict[str, float] = {}
    for part in text.split(","):
        kind, sep, value = part.strip().partition("=")
        if not sep or kind not in KINDS:
            raise ValueError(f"mix: {part!r} is not one of {', '.join(KINDS)} with =weight")
        weights[kind] = float(value)
        if weights[kind] < 0:
            raise ValueError(f"mix: negative weight for {kind}")
    if not any(weights.values()):
        raise ValueError("mix: every weight is zero")
    return weights


@dataclass(frozen=True)
class Jurisdiction:
    """What the users of one role may see, drawn from the database beforehand."""

    division_code: str
    households: int
    applications: int
    household_pks: list[int]
    names: list[str]
    id6: list[str]
    numbers: list[str]

    def url(self, kind: str, rng: random.Random) -> tuple[str, str]:
        """(page name, path) of one request of ``kind``."""
        if kind == "list":
            pages = max(1, -(-self.households // PAGE_SIZE))
            return "list", f"/registry/?page={rng.randint(1, pages)}"
        if kind == "search":
            # Never a full ID: that search goes by POST (issue 12); the last six stay in the URL.
            how = rng.choice(("name", "id6", "number"))
            text = rng.choice({"name": self.names, "id6": self.id6, "number": self.numbers}[how])
            return f"search:{how}", "/registry/?" + urllib.parse.urlencode({"q": text})
        if kind == "household":
            return "household", f"/registry/households/{rng.choice(self.household_pks)}/"
        if kind == "applications":
            pages = max(1, -(-self.applications // PAGE_SIZE))
            # Most of the time the first pages, as people read a newest-first list.
            page = 1 if rng.random() < 0.5 else rng.randint(1, pages)
            return "applications", f"/applications/?page={page}"
        if kind == "workbench":
            return "workbench", "/"
        raise ValueError(kind)


# ---------------------------------------------------------------- second factor


@dataclass(frozen=True)
class Totp:
    """A TOTP generator (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1) with a device's parameters:
    ``step`` and ``t0`` in seconds, ``digits`` of the code (django-otp's defaults: 30, 0, 6)."""

    key: bytes
    step: int = 30
    t0: int = 0
    digits: int = 6

    def counter(self, now: float) -> int:
        """The time step ``now`` (Unix seconds) falls in."""
        return int((now - self.t0) // self.step)

    def code(self, counter: int) -> str:
        """The code of one time step, zero-padded to ``digits``."""
        mac = hmac.new(self.key, struct.pack(">Q", counter), hashlib.sha1).digest()
        offset = mac[-1] & 0x0F
        number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
        return str(number % 10**self.digits).zfill(self.digits)


@dataclass(frozen=True)
class Account:
    """A staff account the virtual users log in as; ``totp`` when it has a TOTP device."""

    username: str
    totp: Totp | None = None


# ---------------------------------------------------------------- forms


@dataclass
class Form:
    """One ``<form>`` of a page: where it posts, the values it would send as it stands (hidden
    inputs, a select's first or selected option, checked boxes) and the names of all its
    fields (text and password inputs included, which start empty)."""

    action: str
    method: str
    values: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)

    def target(self, page_path: str) -> str:
        """The path to post to: the action resolved against the page it was read from."""
        joined = urllib.parse.urljoin(page_path, self.action or page_path)
        parts = urllib.parse.urlsplit(joined)
        return urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], a.get("name", "")
        if tag in ("input", "textarea", "select") and name:
            form.names.append(name)
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "hidden" or (kind in ("checkbox", "radio") and "checked" in a):
                form.values[name] = a.get("value", "on")
        elif tag == "select":
            self._select = name
        elif (
            tag == "option"
            and self._select
            and (self._select not in form.values or "selected" in a)
        ):
            form.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms(html: str) -> list[Form]:
    """Every form of a page."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def login_form(html: str) -> Form | None:
    """The form that asks for a username and a password, if the page has one."""
    return next((f for f in forms(html) if {"username", "password"} <= set(f.names)), None)


def otp_form(html: str) -> tuple[Form, str] | None:
    """The form that asks for a second factor's code, and the name of its code field."""
    for form in forms(html):
        for name in OTP_FIELDS:
            if name in form.names and "password" not in form.names:
                return form, name
    return None


# ---------------------------------------------------------------- the log-in

LOGIN = "/accounts/login/"
REFUSALS = {
    200: "the form came back: wrong password or code",
    403: "forbidden: CSRF",
    429: "locked out (django-axes)",
}


class Refused(Exception):
    """A log-in that did not go through: the page's name, and whether the request was already
    reported as a failure (by its status) or only its content was wrong."""

    def __init__(self, name: str, message: str, reported: bool) -> None:
        super().__init__(message)
        self.name, self.reported = name, reported


class Http(Protocol):
    """What the log-in needs of an HTTP client that keeps cookies and follows no redirect. A
    GET answering other than 200 or a redirect, or a POST other than a redirect, is reported
    as a failure by the client itself."""

    def get(self, path: str, name: str) -> tuple[int, str, str]:
        """(status, Location, text)."""
        ...

    def post(self, path: str, values: dict[str, str], name: str, page: str) -> tuple[int, str]:
        """Post a form read from ``page`` (sent as the Referer): (status, Location)."""
        ...


GET_OK, POST_OK = (200, 301, 302, 303), (302, 303)


def log_in(
    http: Http,
    account: Account,
    password: str,
    steps_used: dict[str, int],
    sleep: Callable[[float], Any] = time.sleep,
    second_factor: bool = True,
) -> str:
    """Log in as a person does: the form (its CSRF token), the password, then, while the pages
    after it redirect or ask for a second factor's code, the code of ``account``'s TOTP device.
    Returns the path of the first page that is neither (with ``second_factor`` false: where
    the password led). ``steps_used`` (username → TOTP step) is shared by the callers: a device
    takes each code once, so a second log-in in the same step waits for the next one.

    Raises Refused when a step does not go through.
    """
    status, _, html = http.get(LOGIN, "login: form")
    form = login_form(html) if status == 200 else None
    if form is None:
        raise Refused("login: form", "no username and password form", status == 200)
    values = {**form.values, "username": account.username, "password": password}
    status, where = http.post(form.target(LOGIN), values, "login", LOGIN)
    if status not in POST_OK:
        raise Refused("login", f"{account.username}: {REFUSALS.get(status, status)}", True)
    for _ in range(5 if second_factor else 0):
        status, location, html = http.get(where, "login: next pages")
        if status != 200:
            if status not in GET_OK:
                raise Refused("login: next pages", f"HTTP {status} at {where}", True)
            where = location
            continue
        found = otp_form(html)
        if found is None:
            if login_form(html) is not None:
                raise Refused("login: next pages", f"back on the log-in form at {where}", False)
            return where
        form, field = found
        code = _code(account, steps_used, sleep)
        status, location = http.post(
            form.target(where), {**form.values, field: code}, "login: two-factor", where
        )
        if status not in POST_OK:
            raise Refused("login: two-factor", f"{account.username}: code refused", True)
        where = location
    if second_factor:
        raise Refused("login: next pages", "more than five redirects after the log-in", False)
    return where


def _code(account: Account, steps_used: dict[str, int], sleep: Callable[[float], Any]) -> str:
    """The account's TOTP code for a step no log-in of this process has used yet."""
    totp = account.totp
    if totp is None:
        raise Refused(
            "login: two-factor",
            f"{account.username} is asked for a code but has no TOTP device (bench/web_seed.py)",
            False,
        )
    step = totp.counter(time.time())
    while step <= steps_used.get(account.username, -1):
        sleep(totp.t0 + (step + 1) * totp.step - time.time() + 0.05)
        step = totp.counter(time.time())
    steps_used[account.username] = step
    return totp.code(step)


# ---------------------------------------------------------------- the plan of a run


def plan_to_json(
    roles: dict[str, tuple[list[Account], Jurisdiction]], meta: dict[str, Any]
) -> dict[str, Any]:
    """The JSON that ``bench/load.py --draw`` writes and ``bench/locustfile.py`` reads (TOTP
    keys in hex)."""
    out: dict[str, Any] = {"meta": meta, "roles": {}}
    for role, (accounts, jurisdiction) in roles.items():
        out["roles"][role] = {
            "accounts": [
                {
                    "username": a.username,
                    "totp": None if a.totp is None else {**asdict(a.totp), "key": a.totp.key.hex()},
                }
                for a in accounts
            ],
            "jurisdiction": asdict(jurisdiction),
        }
    return out


def plan_from_json(data: dict[str, Any]) -> dict[str, tuple[list[Account], Jurisdiction]]:
    """The inverse of ``plan_to_json`` (its ``meta`` aside)."""
    roles = {}
    for role, entry in data["roles"].items():
        accounts = [
            Account(
                a["username"],
                None
                if a["totp"] is None
                else Totp(**{**a["totp"], "key": bytes.fromhex(a["totp"]["key"])}),
            )
            for a in entry["accounts"]
        ]
        roles[role] = (accounts, Jurisdiction(**entry["jurisdiction"]))
    return roles
