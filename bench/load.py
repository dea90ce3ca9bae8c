"""Load test of the case platform's staff pages with locust (issue 12: 50 staff for 10 minutes,
0 errors, p95 ≤ 300 ms per page).

1. Draws from the database (``DATABASE_URL``, as the server uses) what the virtual users will
   request: per role, its accounts (with their TOTP device keys, if any), page counts, household
   pks, members' names, ID endings and household numbers (``--sample`` households).
2. With ``--serve``, starts gunicorn (``--workers`` × ``--threads``) on ``--base-url``'s port with
   production settings: ``JIUZHU_DEBUG=0``, a random ``JIUZHU_SECRET_KEY`` unless set,
   ``JIUZHU_CONN_MAX_AGE=60``, plain HTTP (``JIUZHU_TLS=0`` unless set: a proxy terminates TLS
   in production); the rest of the environment (the encryption keys…) passes through.
3. Logs each account in once with its password (``check_logins``): a wrong password stops the
   run after one failed log-in instead of locking the address out for everyone.
4. Runs ``bench/locustfile.py`` headless in its own process: ``--users`` staff, ``--district-users``
   of them district officers, spawned at ``--spawn-rate`` per second, for ``--run-time``; each logs
   in through the form and reads pages of the mix, pausing 0–2·``--think`` s between pages.
5. Prints a table per page (requests, failures, p50, p95, p99, max in ms) with the target and
   PASS/FAIL: every page of the mix p95 ≤ ``--target-ms``, and no failure anywhere (log-ins
   included, whose time is the password hash's and has no target). The whole run is counted,
   the spawning included. The server's and this client's CPU time and the machine's load
   average are printed as well. Into ``--out``: ``summary.json`` and ``summary.csv`` (the
   table and the machine), locust's own ``locust.json`` (every page's response-time histogram)
   and ``locust_*.csv``.

Users (``bench/web_seed.py`` creates them): ``--township-user`` (a caseworker of the largest
township) and ``--district-user`` (a district officer), each with the numbered accounts
``<user>_02``, ``<user>_03``… that exist; the virtual users of a role take its accounts in turn.

    export DATABASE_URL=postgres://…/bench JIUZHU_DATA_DIR=/tmp/jz_bench
    python bench/load.py --serve                                  # 50 users, 10 minutes
    python bench/load.py --serve --users 10 --district-users 2 --run-time 60s
    python bench/load.py --base-url http://127.0.0.1:8000 --run-time 5m   # a running server

Locust reports times to the millisecond below 100 ms, to 10 ms below 1 s and to 100 ms above.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import json
import math
import os
import random
import re
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from load_client import (
    DEFAULT_MIX,
    LOGIN,
    PAGES,
    Account,
    Jurisdiction,
    Refused,
    Totp,
    log_in,
    parse_mix,
    plan_from_json,
    plan_to_json,
)

HERE = Path(__file__).resolve().parent
DEFAULT_WSGI = "jiuzhu.web.config.wsgi:application"
LOGIN_TARGET = "0 failures (no time target)"

# ---------------------------------------------------------------- what to request


def draw(users: dict[str, str], sample: int, seed: int) -> dict[str, Any]:
    """The plan (``load_client.plan_to_json``) for the roles of ``users`` (role → username)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    # This process only reads the database: the development settings do (the production ones
    # want a secret key and host names); the server gets production's (serve).
    os.environ.setdefault("JIUZHU_DEBUG", "1")
    import django  # noqa: PLC0415

    django.setup()
    from django.db import connection  # noqa: PLC0415

    from jiuzhu.web.accounts.models import User  # noqa: PLC0415
    from jiuzhu.web.cases.models import Application  # noqa: PLC0415
    from jiuzhu.web.registry.models import Household, Membership  # noqa: PLC0415

    rng = random.Random(seed)
    roles = {}
    for role, username in users.items():
        numbered = re.compile(rf"{re.escape(username)}(_\d+)?")
        found = sorted(
            (u for u in User.objects.filter(username__startswith=username, is_active=True)
             if numbered.fullmatch(u.username)),
            key=lambda u: (len(u.username), u.username),
        )  # fmt: skip
        if not found or found[0].username != username:
            raise SystemExit(f"no active user {username}: run bench/web_seed.py first")
        code = found[0].division_code
        households = Household.objects.filter(division_code__startswith=code)
        ids = list(households.values_list("id", flat=True))
        pks = rng.sample(ids, min(sample, len(ids)))
        members = list(
            Membership.objects.filter(household_id__in=pks, valid_to__isnull=True).values_list(
                "person__name", "person__resident_id"
            )
        )
        jurisdiction = Jurisdiction(
            division_code=code,
            households=len(ids),
            applications=Application.objects.filter(division_code__startswith=code).count(),
            household_pks=pks,
            names=[name for name, _ in members],
            id6=[rid[-6:] for _, rid in members],
            numbers=list(Household.objects.filter(id__in=pks).values_list("number", flat=True)),
        )
        roles[role] = ([Account(u.username, _totp(u)) for u in found], jurisdiction)
    connection.close()
    return plan_to_json(roles, {"seed": seed, "sample": sample})


def _totp(user: Any) -> Totp | None:
    """The user's confirmed TOTP device (django-otp), if the second factor is installed."""
    from django.apps import apps  # noqa: PLC0415

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    # The device in use: the latest confirmed one (accounts.twofactor.confirmed_device).
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    if device is None:
        return None
    return Totp(bytes(device.bin_key), int(device.step), int(device.t0), int(device.digits))


# ---------------------------------------------------------------- the server


def serve(base: str, workers: int, threads: int, wsgi: str) -> subprocess.Popen[bytes]:
    """Start gunicorn on the base URL's host and port; return once it answers."""
    parsed = urllib.parse.urlparse(base)
    bind = f"{parsed.hostname}:{parsed.port or 80}"
    env = dict(os.environ)
    env.setdefault("JIUZHU_SECRET_KEY", secrets.token_urlsafe(40))
    env["JIUZHU_DEBUG"] = "0"
    env.setdefault("JIUZHU_CONN_MAX_AGE", "60")
    env.setdefault("JIUZHU_ALLOWED_HOSTS", f"{parsed.hostname},localhost,127.0.0.1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    # Plain HTTP on the loopback: in production a proxy in front terminates TLS; without this
    # the settings would redirect every request to HTTPS.
    env.setdefault("JIUZHU_TLS", "0")
    command = [
        sys.executable, "-m", "gunicorn", wsgi,
        "--bind", bind, "--workers", str(workers), "--threads", str(threads),
        "--backlog", "256", "--log-level", "warning",
    ]  # fmt: skip
    print(f"serving: gunicorn, {workers} workers × {threads} threads on {bind}", flush=True)
    process = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited ({process.returncode})")
        try:
            with urllib.request.urlopen(base.rstrip("/") + LOGIN, timeout=2):
                return process
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.3)
    stop(process)
    raise SystemExit("the server did not answer within 60 s")


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


# ---------------------------------------------------------------- the run


def check_logins(base: str, plan: dict[str, Any], password: str) -> None:
    """Log in once with each account's password, one after another, before the load starts.

    Failed log-ins lock out a username and the address (django-axes, 5 in 15 minutes by
    default); every virtual user comes from this one address, so a wrong ``--password`` tried
    by 50 users at once would lock the address for everyone. Checked here, it costs one failure
    per account. The second factor is not given (each code is accepted once).
    """
    for role, (accounts, _) in plan_from_json(plan).items():
        for account in accounts:
            try:
                log_in(_UrllibHttp(base), account, password, {}, second_factor=False)
            except Refused as refusal:
                raise SystemExit(f"{role} log-in check: {refusal.name}: {refusal}") from None


class _UrllibHttp:
    """``load_client.Http`` with the standard library: cookies kept, no redirect followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def get(self, path: str, name: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, values: dict[str, str], name: str, page: str) -> tuple[int, str]:
        data = urllib.parse.urlencode(values).encode()
        headers = {"Referer": self.base + page}
        status, location, _ = self._open(
            urllib.request.Request(self.base + path, data=data, headers=headers)
        )
        return status, location

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                return response.status, response.headers.get("Location", ""), body
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            return exc.code, exc.headers.get("Location", ""), body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as it is


def run_locust(args: argparse.Namespace, plan: Path, out: Path) -> float:
    """Run the locustfile headless; its CPU time in seconds (user + system)."""
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", args.run_time, "--host", args.base_url, "--only-summary",
        "--csv", str(out / "locust"), "--json-file", str(out / "locust"),
        "--load-data", str(plan), "--think", str(args.think), "--mix", args.mix,
        "--district-users", str(args.district_users), "--seed", str(args.seed),
    ]  # fmt: skip
    env = dict(os.environ, JIUZHU_LOAD_PASSWORD=args.password)  # not in the process list
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code not in (0, 1):  # 1: some request failed, which the table shows
        raise SystemExit(f"locust exited with {code}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def percentile(histogram: dict[int, int], share: float) -> int:
    """Nearest-rank percentile of a histogram (response time in ms → count)."""
    rank, seen = max(1, math.ceil(round(share * sum(histogram.values()), 6))), 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= rank:
            return ms
    raise ValueError("empty histogram")


def summary(entries: list[dict[str, Any]], target_ms: float) -> list[dict[str, Any]]:
    """One row per page of the mix, all of them together, then the log-in's requests."""
    by_name: dict[str, dict[str, Any]] = {}
    for e in entries:
        row = by_name.setdefault(e["name"], {"requests": 0, "failures": 0, "times": {}})
        row["requests"] += e["num_requests"]
        row["failures"] += e["num_failures"]
        for ms, n in e["response_times"].items():
            row["times"][int(float(ms))] = row["times"].get(int(float(ms)), 0) + n
    pages = [p for p in PAGES if p in by_name]
    logins = sorted(n for n in by_name if n not in PAGES)
    every: dict[str, Any] = {"requests": 0, "failures": 0, "times": {}}
    for page in pages:
        every["requests"] += by_name[page]["requests"]
        every["failures"] += by_name[page]["failures"]
        for ms, n in by_name[page]["times"].items():
            every["times"][ms] = every["times"].get(ms, 0) + n
    rows = [_row(p, by_name[p], target_ms) for p in pages]
    rows.append(_row("all pages", every, target_ms))
    return rows + [_row(n, by_name[n], None) for n in logins]


def _row(page: str, counts: dict[str, Any], target_ms: float | None) -> dict[str, Any]:
    times = counts["times"]
    row: dict[str, Any] = {"page": page, "requests": counts["requests"]}
    row["failures"] = counts["failures"]
    for key, share in (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        row[key] = percentile(times, share) if times else None
    row["max_ms"] = max(times) if times else None
    if target_ms is None:
        row["target"], ok = LOGIN_TARGET, row["failures"] == 0
    else:
        row["target"] = f"p95 ≤ {target_ms:g} ms, 0 failures"
        ok = row["failures"] == 0 and row["p95_ms"] is not None and row["p95_ms"] <= target_ms
    row["verdict"] = "PASS" if ok else "FAIL"
    return row


def print_table(rows: list[dict[str, Any]]) -> None:
    def ms(value: int | None) -> str:
        return "–" if value is None else f"{value:,}"

    print(f"{'page':<20}{'requests':>9}{'failures':>9}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}"
          "  target")  # fmt: skip
    for r in rows:
        print(
            f"{r['page']:<20}{r['requests']:>9,}{r['failures']:>9,}{ms(r['p50_ms']):>7}"
            f"{ms(r['p95_ms']):>7}{ms(r['p99_ms']):>7}{ms(r['max_ms']):>8}"
            f"  {r['target']}: {r['verdict']}"
        )


def failures(out: Path) -> list[str]:
    """The failures locust recorded, as ``page: message ×count``."""
    path = out / "locust_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as file:
        return [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(file)]


def write(out: Path, rows: list[dict[str, Any]], facts: dict[str, Any]) -> None:
    with (out / "summary.json").open("w", encoding="utf-8") as file:
        json.dump({**facts, "rows": rows}, file, indent=2, ensure_ascii=False)
    with (out / "summary.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# ---------------------------------------------------------------- main


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load test of the case platform's staff pages (locust).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--base-url", default="http://127.0.0.1:8000")
    add("--users", type=int, default=50, help="concurrent virtual staff")
    add("--district-users", type=int, default=10, help="of them district officers")
    add("--spawn-rate", type=float, default=5.0, help="users started per second")
    add("--run-time", default="10m", help="locust's run time (spawning included): 60s, 10m")
    # A person reads a page before the next (0–10 s); --think 1 is the stress of issues 4–11.
    add("--think", type=float, default=5.0, help="mean pause between pages, s (0–2× this)")
    add("--mix", default=DEFAULT_MIX, help="weights of the page kinds")
    add("--township-user", default="bench_township")
    add("--district-user", default="bench_district")
    add("--password", default="bench-load-2026")
    add("--sample", type=int, default=2000, help="households drawn per role")
    add("--seed", type=int, default=1)
    add("--target-ms", type=float, default=300.0, help="p95 target of each page")
    add("--serve", action="store_true", help="start (and stop) gunicorn")
    add("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    add("--threads", type=int, default=1)
    add("--wsgi", default=DEFAULT_WSGI, help="gunicorn's application")
    add("--out", type=Path, help="folder of the figures (default out/load-<time>)")
    add("--draw", type=Path, metavar="PLAN", help="only draw the plan into this file")
    args = parser.parse_args()
    try:
        parse_mix(args.mix)
    except ValueError as exc:
        parser.error(str(exc))
    if not 0 <= args.district_users <= args.users:
        parser.error("--district-users must be between 0 and --users")
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to the full-district PostgreSQL the server uses")
    return args


def main() -> None:
    args = options()
    wanted = {"township": (args.township_user, args.users - args.district_users)}
    if args.district_users:
        wanted["district"] = (args.district_user, args.district_users)
    started = time.perf_counter()
    plan = draw({role: username for role, (username, _) in wanted.items()}, args.sample, args.seed)
    for role, entry in plan["roles"].items():
        # Only the accounts in use: each is checked before the run (check_logins).
        entry["accounts"] = entry["accounts"][: max(1, wanted[role][1])]
    if args.draw:
        # Readable by this user only: it holds the bench accounts' TOTP keys.
        with open(os.open(args.draw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            json.dump(plan, out)
        return
    for role, entry in plan["roles"].items():
        j, accounts = entry["jurisdiction"], entry["accounts"]
        totp = sum(a["totp"] is not None for a in accounts)
        print(
            f"{role}: {wanted[role][1]} users on {len(accounts)} account(s) "
            f"({accounts[0]['username']}…), {totp} with TOTP; {j['division_code']}, "
            f"{j['households']:,} households, {j['applications']:,} applications"
        )
        if totp and len(accounts) < wanted[role][1]:
            print(f"  {role}: accounts with TOTP shared: each log-in waits for a new 30-s step")
    print(f"drawn in {time.perf_counter() - started:.1f} s", flush=True)
    out = args.out or Path("out") / time.strftime("load-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    facts = measure(args, plan, out)
    rows = summary(json.loads((out / "locust.json").read_text(encoding="utf-8")), args.target_ms)
    write(out, rows, facts)
    sys.exit(0 if report(args, rows, facts, out) else 1)


def report(
    args: argparse.Namespace, rows: list[dict[str, Any]], facts: dict[str, Any], out: Path
) -> bool:
    """Print the machine's figures, the table, the failures and the verdict; whether it passed."""
    m = facts["machine"]
    print(
        f"\n{args.users} users ({args.district_users} district), think {args.think} s, "
        f"{facts['elapsed_s']:.0f} s; {m['cpus']} CPUs; load average {m['load_before']:.1f} → "
        f"{m['load_after']:.1f}; CPU used by the client {m['client_cpu_s']:.1f} s"
        + (f", by the server {m['server_cpu_s']:.1f} s" if args.serve else "")
        + " (times in ms)"
    )
    print_table(rows)
    for line in failures(out)[:10]:
        print("failure:", line)
    passed = all(r["verdict"] == "PASS" for r in rows)
    print(f"\n{'PASS' if passed else 'FAIL'}; figures in {out}/summary.json and summary.csv")
    return passed


def measure(args: argparse.Namespace, plan: dict[str, Any], out: Path) -> dict[str, Any]:
    """Serve if asked, run locust; what the machine did meanwhile."""
    load_before = os.getloadavg()[0]  # others' work on the machine before this run
    process = serve(args.base_url, args.workers, args.threads, args.wsgi) if args.serve else None
    try:
        with tempfile.TemporaryDirectory(prefix="jiuzhu-load-") as folder:
            path = Path(folder) / "plan.json"
            path.write_text(json.dumps(plan), encoding="utf-8")
            check_logins(args.base_url.rstrip("/"), plan, args.password)
            server_before = group_cpu_seconds(process.pid) if process else 0.0
            began = time.perf_counter()
            client_cpu = run_locust(args, path, out)
            elapsed = time.perf_counter() - began
            server_cpu = group_cpu_seconds(process.pid) - server_before if process else None
    finally:
        if process is not None:
            stop(process)
    keep = ("users", "district_users", "spawn_rate", "run_time", "think", "mix", "workers")
    return {
        **{k: getattr(args, k) for k in keep},
        "server": "gunicorn" if args.serve else args.base_url,
        "elapsed_s": elapsed,
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
            "client_cpu_s": client_cpu,
            "server_cpu_s": server_cpu,
        },
        "jurisdictions": {
            role: {k: e["jurisdiction"][k] for k in ("division_code", "households")}
            for role, e in plan["roles"].items()
        },
    }


if __name__ == "__main__":
    main()
