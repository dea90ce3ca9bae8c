"""Load test of the case platform's caseworker pages (issue 4: p95 <= 300 ms under 20 users).

``N`` virtual users log in through the log-in form (CSRF token from the form and its cookie),
then, each in its own thread with its own session, request pages one after another for a fixed
time (``--duration``) or number of requests (``--requests``), after a warm-up that is not
counted. Each request is one of (weights ``--mix``):

* ``list``        the household list ``/registry/?page=k``, k drawn uniformly over all pages of
                  the user's jurisdiction;
* ``search``      ``/registry/?q=…``: a member's name, the last 6 digits of an ID number or a
                  household number (reported as ``search:name``, ``search:id6``,
                  ``search:number``);
* ``household``   ``/registry/households/<pk>/`` of the user's jurisdiction;
* ``applications`` the application list ``/applications/?page=k`` (first pages mostly);
* ``workbench``   ``/``, the user's task queue.

Names, ID numbers, household numbers and page counts are drawn from the database beforehand
(``DATABASE_URL``, as the server uses; the ORM is only used then, never during the run).

Users (``bench/web_seed.py`` creates them): ``--township-user`` (a township caseworker of the
largest township) and ``--district-user`` (a district officer); ``--district-users`` of the
``--users`` virtual users are district officers.

With ``--think 0`` (the default) every virtual user sends its next request as soon as the last
one answered: ``--users`` requests are always in flight, a stress well above 20 people at work.
``--think S`` waits a random 0–2·S seconds between requests, as a person reading a page does.

``--serve`` starts the server on ``--base-url``'s port first and stops it afterwards:
``gunicorn`` (``--workers``, ``--threads``) if importable, else Django's development server
``jiuzhu-web runserver --noreload`` (threaded, one process; not a production server; run with
``JIUZHU_CONN_MAX_AGE=0``, as its thread per request would otherwise leave a connection open per
request), with ``JIUZHU_DEBUG=0``, ``JIUZHU_CONN_MAX_AGE=60`` (gunicorn) and a random
``JIUZHU_SECRET_KEY`` unless set. gunicorn is not a dependency of the project:
``pip install gunicorn`` for a production-like measurement.

    python bench/web_load.py --serve --users 20 --duration 60
    python bench/web_load.py --base-url http://127.0.0.1:8000 --requests 5000 --json out.json

Only the standard library is used for HTTP (``urllib`` and ``http.cookiejar``).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

PAGE_SIZE = 25
"""Households and applications per list page (registry.views / cases.views PAGE_SIZE)."""

KINDS = ("list", "search", "household", "applications", "workbench")
DEFAULT_MIX = "list=2,search=3,household=3,applications=1,workbench=1"
DEFAULT_WSGI = "jiuzhu.web.config.wsgi:application"


# ---------------------------------------------------------------- what to request


@dataclass
class Jurisdiction:
    """What one user may see, drawn from the database beforehand."""

    username: str
    division_code: str
    households: int
    applications: int
    household_pks: list[int]
    names: list[str]
    id6: list[str]
    numbers: list[str]

    def url(self, kind: str, rng: random.Random) -> tuple[str, str]:
        """(label, path) of one request of ``kind``."""
        if kind == "list":
            pages = max(1, -(-self.households // PAGE_SIZE))
            return "list", f"/registry/?page={rng.randint(1, pages)}"
        if kind == "search":
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


def draw(usernames: list[str], sample: int, seed: int) -> dict[str, Jurisdiction]:
    """Households, names, ID endings and household numbers of each user's jurisdiction."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    import django  # noqa: PLC0415

    django.setup()
    from django.db import connection  # noqa: PLC0415

    from jiuzhu.web.accounts.models import User  # noqa: PLC0415
    from jiuzhu.web.cases.models import Application  # noqa: PLC0415
    from jiuzhu.web.registry.models import Household, Membership  # noqa: PLC0415

    rng = random.Random(seed)
    found = {}
    for username in usernames:
        user = User.objects.get(username=username)
        code = user.division_code
        households = Household.objects.filter(division_code__startswith=code)
        count = households.count()
        ids = list(households.values_list("id", flat=True))
        pks = rng.sample(ids, min(sample, len(ids)))
        members = list(
            Membership.objects.filter(household_id__in=pks, valid_to__isnull=True).values_list(
                "person__name", "person__resident_id"
            )
        )
        found[username] = Jurisdiction(
            username=username,
            division_code=code,
            households=count,
            applications=Application.objects.filter(division_code__startswith=code).count(),
            household_pks=pks,
            names=[name for name, _ in members],
            id6=[rid[-6:] for _, rid in members],
            numbers=list(Household.objects.filter(id__in=pks).values_list("number", flat=True)),
        )
    connection.close()
    return found


# ---------------------------------------------------------------- HTTP client


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as it is (to the log-in page: an error)


class Session:
    """One virtual user: its cookies (session and CSRF) and an opener that does not follow
    redirects. ``urllib`` opens a new connection per request (no keep-alive)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read(), response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("Location", "")

    def login(self, username: str, password: str) -> None:
        status, body, _ = self.request("/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or match is None:
            raise RuntimeError(f"log-in page: HTTP {status}, no CSRF token")
        cookie = {c.name for c in self.jar}
        if "csrftoken" not in cookie:
            raise RuntimeError("log-in page set no csrftoken cookie")
        status, _, location = self.request(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": password,
                "next": "",
            },
        )
        if status != 302 or "sessionid" not in {c.name for c in self.jar}:
            raise RuntimeError(f"log-in of {username} failed: HTTP {status} → {location!r}")


# ---------------------------------------------------------------- the run


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, seconds: float, ok: bool, note: str = "") -> None:
        with self.lock:
            self.times[label].append(seconds)
            if not ok:
                self.errors[label] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{label}: {note}")


def worker(
    base: str,
    jurisdiction: Jurisdiction,
    password: str,
    weights: dict[str, float],
    seed: int,
    think: float,
    start: threading.Barrier,
    clock: dict[str, float],
    budget: list[int],
    budget_lock: threading.Lock,
    results: Results,
) -> None:
    rng = random.Random(seed)
    session = Session(base)
    try:
        session.login(jurisdiction.username, password)
    except Exception as exc:
        print(f"log-in failed: {exc}", file=sys.stderr, flush=True)
        start.abort()
        raise
    kinds = list(weights)
    chances = [weights[k] for k in kinds]
    start.wait()
    while True:
        now = time.perf_counter()
        if now >= clock["stop"]:
            return
        counted = now >= clock["measure"]
        if counted and budget[0] >= 0:
            with budget_lock:
                if budget[0] == 0:
                    return
                budget[0] -= 1
        label, path = jurisdiction.url(rng.choices(kinds, chances)[0], rng)
        began = time.perf_counter()
        try:
            status, _body, location = session.request(path)
            ok, note = status == 200, f"HTTP {status} {path} {location}"
        except OSError as exc:
            ok, note = False, f"{type(exc).__name__} {exc} {path}"
        took = time.perf_counter() - began
        if counted:
            results.add(label, took, ok, note)
        if think > 0:
            time.sleep(rng.uniform(0, 2 * think))


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-share * len(ordered) // 1))))
    return ordered[rank - 1]


def summary(results: Results, elapsed: float) -> list[dict[str, Any]]:
    rows = []
    every: list[float] = []
    for label in sorted(results.times, key=lambda k: (KINDS.index(k.split(":")[0]), k)):
        values = results.times[label]
        every += values
        rows.append(_row(label, values, results.errors[label], elapsed))
    if every:
        rows.append(_row("all", every, sum(results.errors.values()), elapsed))
    return rows


def _row(label: str, values: list[float], errors: int, elapsed: float) -> dict[str, Any]:
    return {
        "page": label,
        "count": len(values),
        "per_s": len(values) / elapsed if elapsed else 0.0,
        "p50_ms": 1000 * percentile(values, 0.50),
        "p95_ms": 1000 * percentile(values, 0.95),
        "p99_ms": 1000 * percentile(values, 0.99),
        "max_ms": 1000 * max(values),
        "errors": errors,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'page':<16}{'count':>8}{'req/s':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'errors':>8}"
    )
    for r in rows:
        print(
            f"{r['page']:<16}{r['count']:>8}{r['per_s']:>8.1f}{r['p50_ms']:>9.1f}"
            f"{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['max_ms']:>9.1f}{r['errors']:>8}"
        )


# ---------------------------------------------------------------- the server


def serve(
    base: str, server: str, workers: int, threads: int, wsgi: str = DEFAULT_WSGI
) -> subprocess.Popen[bytes]:
    """Start the server on the base URL's host and port; return once it answers."""
    parsed = urllib.parse.urlparse(base)
    bind = f"{parsed.hostname}:{parsed.port or 80}"
    env = dict(os.environ)
    env.setdefault("JIUZHU_SECRET_KEY", secrets.token_urlsafe(40))
    env["JIUZHU_DEBUG"] = "0"
    env.setdefault("JIUZHU_CONN_MAX_AGE", "60")
    env.setdefault("JIUZHU_ALLOWED_HOSTS", f"{parsed.hostname},localhost,127.0.0.1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    if server == "auto":
        server = "gunicorn" if importlib.util.find_spec("gunicorn") else "runserver"
    if server == "gunicorn":
        command = [
            sys.executable, "-m", "gunicorn", wsgi,
            "--bind", bind, "--workers", str(workers), "--threads", str(threads),
            "--backlog", "256", "--log-level", "warning",
        ]  # fmt: skip
        what = f"gunicorn, {workers} workers × {threads} threads"
    else:
        # runserver serves each request in a new thread: persistent connections would pile
        # up (one per finished thread) until PostgreSQL refuses more clients.
        env["JIUZHU_CONN_MAX_AGE"] = "0"
        manage = shutil.which("jiuzhu-web") or "jiuzhu-web"
        command = [manage, "runserver", "--noreload", bind]
        what = "Django runserver (threaded development server, one process)"
    print(f"serving: {what} on {bind}", flush=True)
    process = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode})")
        try:
            with urllib.request.urlopen(base.rstrip("/") + "/accounts/login/", timeout=2):
                return process
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.3)
    stop(process)
    raise RuntimeError("the server did not answer within 60 s")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of the live processes of a process group (Linux /proc)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp …
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Load test of the case platform's list, search and household pages.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=20, help="concurrent virtual users")
    parser.add_argument("--district-users", type=int, default=4, help="of them district officers")
    parser.add_argument("--township-user", default="bench_township")
    parser.add_argument("--district-user", default="bench_district")
    parser.add_argument("--password", default="bench-load-2026")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--requests", type=int, default=0, help="stop after this many instead")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds not counted")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between requests")
    parser.add_argument("--mix", default=DEFAULT_MIX, help="weights of the page kinds")
    parser.add_argument("--sample", type=int, default=2000, help="households drawn per user")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", action="store_true", help="start (and stop) the server")
    parser.add_argument("--server", choices=("auto", "gunicorn", "runserver"), default="auto")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--wsgi", default=DEFAULT_WSGI, help="gunicorn's application")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    weights = {k: float(v) for k, v in (p.split("=") for p in args.mix.split(","))}
    unknown = set(weights) - set(KINDS)
    if unknown:
        parser.error(f"unknown page kinds in --mix: {sorted(unknown)}")
    usernames = [args.township_user] + ([args.district_user] if args.district_users else [])
    started = time.perf_counter()
    jurisdictions = draw(usernames, args.sample, args.seed)
    for j in jurisdictions.values():
        print(
            f"{j.username}: {j.division_code}, {j.households:,} households, "
            f"{j.applications:,} applications, {len(j.names):,} names drawn"
        )
    print(f"drawn in {time.perf_counter() - started:.1f} s", flush=True)

    def begin() -> dict[str, float]:
        return {
            "client": time.process_time(),
            "server": group_cpu_seconds(process.pid) if process is not None else 0.0,
            "load": os.getloadavg()[0],  # 1-minute average, own load included
        }

    cpu: dict[str, float] = {}
    idle_load = os.getloadavg()[0]  # others' work on the machine before this run
    process = (
        serve(args.base_url, args.server, args.workers, args.threads, args.wsgi)
        if args.serve
        else None
    )
    try:
        results = Results()
        start = threading.Barrier(args.users + 1)
        clock = {"measure": float("inf"), "stop": float("inf")}
        budget = [args.requests if args.requests else -1]
        budget_lock = threading.Lock()
        threads = []
        for i in range(args.users):
            who = args.district_user if i < args.district_users else args.township_user
            thread = threading.Thread(
                target=worker,
                args=(args.base_url, jurisdictions[who], args.password, weights,
                      args.seed * 1000 + i, args.think, start, clock, budget, budget_lock,
                      results),
                daemon=True,
            )  # fmt: skip
            thread.start()
            threads.append(thread)
        start.wait(timeout=120)
        now = time.perf_counter()
        clock["measure"] = now + args.warmup
        measure_timer = threading.Timer(args.warmup, lambda: cpu.update(begin()))
        measure_timer.start()
        clock["stop"] = float("inf") if args.requests else clock["measure"] + args.duration
        print(
            f"{args.users} users logged in ({args.district_users} district); warm-up "
            f"{args.warmup:.0f} s, then "
            + (f"{args.requests} requests" if args.requests else f"{args.duration:.0f} s"),
            flush=True,
        )
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - clock["measure"]
        measure_timer.cancel()
        end = begin()
    finally:
        if process is not None:
            stop(process)
    rows = summary(results, elapsed)
    print(f"\nmeasured {elapsed:.1f} s, {args.users} users, think {args.think} s (times in ms)")
    machine = {
        "cpus": os.cpu_count(),
        "load_before": idle_load,
        "load_after": end["load"],
        "client_cpu_s": end["client"] - cpu.get("client", end["client"]),
        "server_cpu_s": end["server"] - cpu.get("server", end["server"]) if process else None,
    }
    print(
        f"{machine['cpus']} CPUs; load average {machine['load_before']:.1f} → "
        f"{machine['load_after']:.1f}; CPU used by this client {machine['client_cpu_s']:.1f} s"
        + (f", by the server {machine['server_cpu_s']:.1f} s" if process else "")
    )
    print_table(rows)
    for sample in results.samples:
        print("error:", sample)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "users": args.users,
                    "district_users": args.district_users,
                    "think": args.think,
                    "elapsed_s": elapsed,
                    "server": args.server if args.serve else "external",
                    "machine": machine,
                    "jurisdictions": {
                        k: {"division_code": v.division_code, "households": v.households}
                        for k, v in jurisdictions.items()
                    },
                    "rows": rows,
                },
                out,
                indent=2,
            )


if __name__ == "__main__":
    main()
