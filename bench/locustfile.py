"""Locust load test of the case platform's staff pages (issue 12: 50 staff, p95 ≤ 300 ms).

Each virtual user logs in through the log-in form (its CSRF token and cookie; a second factor's
form when the log-in leads to one, with a TOTP code computed from the account's device key),
then requests pages of the mix one after another, pausing between them as a person reading a
page does: a random 0–2·``--think`` seconds. The mix, the page names and the log-in (with its
second factor) are in ``bench/load_client.py``; the accounts and what they may see (page counts,
household pks, names, ID endings, household numbers) are drawn from the database beforehand by
``bench/load.py``.

``TownshipStaff`` are caseworkers of the largest township, ``DistrictStaff`` (``--district-users``
of them, spawned first) district officers. Every request is reported under its page's name
(``list``, ``search:name``, ``search:id6``, ``search:number``, ``household``, ``applications``,
``workbench``; the log-in's requests under ``login…``); a page that does not answer 200 (a
redirect to the log-in page included) is a failure.

``bench/load.py --serve`` runs it; alone, against a running server::

    python bench/load.py --draw /tmp/plan.json        # DATABASE_URL as the server's
    locust -f bench/locustfile.py --headless -u 10 -r 2 -t 60s --host http://127.0.0.1:8000 \\
        --load-data /tmp/plan.json --think 1 --district-users 2

(without ``--load-data`` the plan is drawn at start the same way).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

from load_client import (
    DEFAULT_MIX,
    GET_OK,
    POST_OK,
    REFUSALS,
    Account,
    Jurisdiction,
    Refused,
    log_in,
    parse_mix,
    plan_from_json,
)

HERE = Path(__file__).resolve().parent

_plan: dict[str, tuple[list[Account], Jurisdiction]] = {}
_weights: dict[str, float] = {}
_next_account = {"township": itertools.count(), "district": itertools.count()}
_steps_used: dict[str, int] = {}
"""The last TOTP time step used per account: a device accepts each code once, so virtual users
sharing an account wait for the next step (accounts with a device should not be shared)."""
_user_numbers = itertools.count()
_refused: list[str] = []
"""A log-in refused: the others do not try (django-axes locks the address after a few
failures, and every virtual user has the same address)."""


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    group = parser.add_argument_group("Jiuzhu")
    group.add_argument("--think", type=float, default=5.0, env_var="JIUZHU_LOAD_THINK",
                       help="mean pause between pages, s (uniform over 0–2× this)")  # fmt: skip
    group.add_argument("--district-users", type=int, default=0, env_var="JIUZHU_LOAD_DISTRICT",
                       help="how many of the users are district officers")  # fmt: skip
    group.add_argument("--mix", default=DEFAULT_MIX, help="weights of the page kinds")
    group.add_argument("--password", default="bench-load-2026", env_var="JIUZHU_LOAD_PASSWORD",
                       help="the bench accounts' password (bench/web_seed.py)")  # fmt: skip
    group.add_argument("--load-data", default="", env_var="JIUZHU_LOAD_DATA",
                       help="the plan of bench/load.py --draw (else drawn now)")  # fmt: skip
    group.add_argument("--seed", type=int, default=1, help="of the pages each user draws")


@events.init.add_listener
def _setup(environment: Any, **_kwargs: Any) -> None:
    options = environment.parsed_options
    if options is None:
        return
    _weights.update(parse_mix(options.mix))
    if options.load_data:
        with open(options.load_data, encoding="utf-8") as file:
            _plan.update(plan_from_json(json.load(file)))
    else:
        # Drawn in a child process: Django's database driver does not mix with gevent.
        with tempfile.TemporaryDirectory(prefix="jiuzhu-load-") as folder:
            path = os.path.join(folder, "plan.json")
            subprocess.run([sys.executable, str(HERE / "load.py"), "--draw", path], check=True)
            with open(path, encoding="utf-8") as file:
                _plan.update(plan_from_json(json.load(file)))
    # District officers are a fixed number, spawned first; the weighted rest are caseworkers.
    DistrictStaff.fixed_count = options.district_users
    DistrictStaff.weight = 0


class Staff(FastHttpUser):
    """A member of staff at work: logs in, then reads pages of the mix."""

    abstract = True
    role = ""

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.number = next(_user_numbers)
        self.rng = random.Random(options.seed * 1000 + self.number)
        self.think = options.think
        accounts, self.jurisdiction = _plan[self.role]
        account = accounts[next(_next_account[self.role]) % len(accounts)]
        if _refused:
            self._fail("login", f"not tried after the refusal of {_refused[0]}")
        try:
            log_in(_LocustHttp(self), account, options.password, _steps_used, gevent.sleep)
        except Refused as refusal:
            _refused.append(account.username)
            if refusal.reported:
                raise StopUser() from refusal
            self._fail(refusal.name, str(refusal))

    def wait_time(self) -> float:
        return self.rng.uniform(0, 2 * self.think)

    @task
    def page(self) -> None:
        kind = self.rng.choices(list(_weights), list(_weights.values()))[0]
        name, path = self.jurisdiction.url(kind, self.rng)
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"HTTP {response.status_code} {where}".strip())

    def _fail(self, name: str, message: str) -> NoReturn:
        """Report a failure that no request's status shows, and stop this user."""
        self.environment.events.request.fire(
            request_type="GET", name=name, response_time=0, response_length=0,
            response=None, context={}, exception=RuntimeError(message),
        )  # fmt: skip
        raise StopUser()


class _LocustHttp:
    """``load_client.Http`` over a virtual user's client: each request reported under its page
    name, a failure when its status is not what a log-in step expects."""

    def __init__(self, user: Staff) -> None:
        self.user = user

    def get(self, path: str, name: str) -> tuple[int, str, str]:
        with self.user.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in GET_OK:
                response.failure(f"HTTP {response.status_code}")
            location = response.headers.get("Location", "") or ""
            return response.status_code, location, response.text or ""

    def post(self, path: str, values: dict[str, str], name: str, page: str) -> tuple[int, str]:
        referer = (self.user.host or "").rstrip("/") + page
        with self.user.client.post(
            path, data=values, name=name, headers={"Referer": referer},
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code not in POST_OK:
                why = REFUSALS.get(response.status_code, "")
                response.failure(f"HTTP {response.status_code} {why}".strip())
            return response.status_code, response.headers.get("Location", "") or ""


class TownshipStaff(Staff):
    """A caseworker of the largest township."""

    role = "township"


class DistrictStaff(Staff):
    """A district officer (the whole district)."""

    role = "district"
