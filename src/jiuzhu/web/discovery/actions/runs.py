"""A discovery run: the month's feeds read, the inputs built from the database, the batch's
``discover`` called and its alerts written once."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.discover import DiscoveryInputs, discover
from jiuzhu.feeds import ids
from jiuzhu.feeds.base import FeedRejected, read_feed
from jiuzhu.feeds.tabular import TableError
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import record_language
from jiuzhu.web.core import clock
from jiuzhu.web.core.fields import SealedCharField, sealed_match
from jiuzhu.web.core.months import add_months, first_day, is_month
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.discovery.actions.common import BATCH, scope_of
from jiuzhu.web.discovery.actions.register import refresh_register, register_frame
from jiuzhu.web.discovery.models import (
    OPEN_STATUSES,
    Alert,
    DiscoveryRun,
)
from jiuzhu.web.entitlements.models import (
    Entitlement,
    ReviewTask,
    Status,
    TaskKind,
)
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.jobs.recovery import enqueue
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.actions import convert_legacy_ids
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household, Person
from jiuzhu.web.verification.actions import feed_files, spec_for
from jiuzhu.web.workcalendar.working_days import Calendar, load_calendar

# --- the run ---------------------------------------------------------------------------------


def feeds_folder_for(month: str, folder: Path | None = None) -> Path:
    """The folder of the month's department files: ``FEEDS_DIR/YYYY-MM`` when it exists, else
    ``FEEDS_DIR`` itself (a folder holding the latest delivery)."""
    base = Path(folder or str(settings.JIUZHU["FEEDS_DIR"]))
    monthly = base / month
    return monthly if monthly.is_dir() else base


def read_month_feeds(folder: Path) -> tuple[dict[str, pl.DataFrame], dict[str, object]]:
    """Every department file of ``folder`` read and normalised with ``jiuzhu.feeds`` (bad rows
    set apart, not fatal), by source; and a report per source (rows read, rows set apart, or
    why the file was skipped). A missing folder gives no feeds."""
    frames: dict[str, pl.DataFrame] = {}
    report: dict[str, object] = {}
    if not folder.is_dir():
        return frames, report
    for path in feed_files(folder):
        try:
            spec = spec_for(path)
            result = read_feed(path, spec, quarantine=True)
        except (FeedRejected, TableError, OSError) as exc:
            report[path.name] = {"error": str(exc)[:300]}
            continue
        frame = result.frame()
        frames[spec.source] = (
            pl.concat([frames[spec.source], frame], how="diagonal_relaxed")
            if spec.source in frames
            else frame
        )
        report[spec.source] = {
            "file": path.name,
            "rows": frame.height,
            "bad": len(result.report.bad),
        }
    return frames, report


def build_inputs(month: str, division_code: str, feeds: dict[str, pl.DataFrame]) -> DiscoveryInputs:
    """The ``DiscoveryInputs`` of the jurisdiction for ``month``: the registry's engine frames
    (memberships in force on the month's last day, verified values) with households keyed by
    their number and carrying their ``division_code`` and ``township_code``, persons by their
    primary key with ``resident_id`` and ``name`` beside it (the batch reads a 15-digit ID in
    its 18-digit form); the register frame on the month's last day; the feeds by source."""
    on = first_day(add_months(month, 1)) - dt.timedelta(days=1)
    households = Household.objects.filter(division_code__startswith=division_code)
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    frames = engine_frames(rules_system(), ids, on)
    # Households keyed by their number (the register's and the alerts' key), persons by their
    # primary key with the resident ID beside it.
    numbers = pl.DataFrame(
        list(households.values_list("pk", "number", "division_code", "township_code")),
        schema={
            "pk": pl.Int64,
            "number": pl.String,
            "division_code": pl.String,
            "township_code": pl.String,
        },
        orient="row",
    )
    person_ids = frames["person"]["person_id"].cast(pl.Int64).to_list()
    # The name goes with the ID: a department record matched by ID under another name is
    # noted on its alert.
    residents = pl.DataFrame(
        [
            row
            for start in range(0, len(person_ids), BATCH)
            for row in Person.objects.filter(pk__in=person_ids[start : start + BATCH]).values_list(
                "pk", "resident_id", "name"
            )
        ],
        schema={"person_id": pl.Int64, "resident_id": pl.String, "name": pl.String},
        orient="row",
    )
    keys = numbers.select(pl.col("pk").alias("household_id"), "number")
    household_frame = (
        frames["household"]
        .with_columns(pl.col("household_id").cast(pl.Int64))
        .join(numbers.rename({"pk": "household_id"}), on="household_id", how="left")
        .with_columns(pl.col("number").alias("household_id"))
        .drop("number")
    )
    persons = (
        frames["person"]
        .with_columns(pl.col("household_id").cast(pl.Int64), pl.col("person_id").cast(pl.Int64))
        .join(keys, on="household_id", how="left")
        .with_columns(pl.col("number").alias("household_id"))
        .drop("number")
        .join(residents, on="person_id", how="left")
    )
    return DiscoveryInputs(
        households=household_frame,
        persons=persons,
        register=register_frame(division_code, on),
        feeds=feeds,
        obligors=frames["obligor"].with_columns(pl.col("person_id").cast(pl.Int64)),
    )


def start_discovery(user: Staff, month: str) -> DiscoveryRun:
    """Queue the discovery run of ``month`` for the user's jurisdiction (a background job).

    Raises:
        PermissionDenied: the user may not run discovery; ValidationError: not a ``YYYY-MM``.
    """
    from jiuzhu.web.discovery.tasks import discovery_task  # noqa: PLC0415

    require(user, "discovery.run")
    if not is_month(month):
        raise ValidationError({"month": _("月份格式应为 YYYY-MM")})
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.DISCOVERY, division_code=scope_of(user), created_by=user
        )
        run = DiscoveryRun.objects.create(
            month=month, division_code=scope_of(user), job=job, created_by=user
        )
        record(user, "discovery.start", run, month=month)
        enqueue(job, discovery_task, run.pk)
    return run


Progress = Callable[[str, float], None]


def run_discovery(
    user: Staff | None,
    month: str,
    *,
    run: DiscoveryRun | None = None,
    folder: Path | None = None,
    progress: Progress | None = None,
) -> DiscoveryRun:
    """Run discovery for ``month`` (``YYYY-MM``) over the user's jurisdiction: refresh the
    register, read the month's feeds (``feeds_folder_for``), build the inputs, evaluate every
    signal (``jiuzhu.batch.pipelines.discover.discover``) and write the alerts
    (``write_alerts``). The run's counts are saved on ``run`` (created if not given).

    Raises:
        PermissionDenied; ValidationError: not a month.
    """
    require(user, "discovery.run")
    if not is_month(month):
        raise ValidationError({"month": _("月份格式应为 YYYY-MM")})
    started = time.perf_counter()
    division = run.division_code if run else scope_of(user)
    if run is None:
        run = DiscoveryRun.objects.create(month=month, division_code=division, created_by=user)
    tell = progress or (lambda _step, _fraction: None)
    DiscoveryRun.objects.filter(pk=run.pk).update(status=DiscoveryRun.Status.RUNNING)
    tell("register", 0.05)
    # The departments write 18-digit IDs: a registry row still holding the 15-digit form is
    # converted (and recorded) first, or its person would never be found.
    convert_legacy_ids(user, division)
    refreshed = refresh_register(user, today=clock.today())
    source = feeds_folder_for(month, folder)
    tell("feeds", 0.2)
    feeds, report = read_month_feeds(source)
    tell("inputs", 0.5)
    inputs = build_inputs(month, division, feeds)
    tell("signals", 0.7)
    alerts = discover(inputs, month)
    tell("alerts", 0.9)
    counts = write_alerts(user, alerts, run=run)
    run.status = DiscoveryRun.Status.DONE
    run.feeds_folder = str(source)
    run.feeds = report
    run.register_size = refreshed.current
    run.seconds = round(time.perf_counter() - started, 2)
    run.finished_at = timezone.now()
    for name, value in counts.items():
        setattr(run, name, value)
    run.save()
    return run


def _calendar(today: dt.date) -> Calendar:
    """The complete years from this one on (a deadline of a few dozen working days reaches
    next year at most; a year missing leaves the deadlines that reach it unknown)."""
    return load_calendar(range(today.year, today.year + 2))


def write_alerts(
    user: Staff | None, alerts: pl.DataFrame, *, run: DiscoveryRun, today: dt.date | None = None
) -> dict[str, int]:
    """Write the alerts of an ``ALERT_SCHEMA`` frame for ``run``, each once.

    Alerts are deduplicated by ``alert_key`` (a unique constraint): a key already stored is
    counted (open or closed) and not written again, so re-running a month creates nothing
    twice. Alerts routed outside the run's jurisdiction are left out (counted). The deadline is
    ``deadline_working_days`` working days after ``today`` (``jiuzhu.web.workcalendar``); one
    that reaches a year without a calendar is written with its deadline unknown (null, shown as
    "缺 2027 年日历" and counted when the year is entered), never dropped. Every new adverse
    alert about a household opens a verification task (``discovery_check``) on each of its
    entitlements that is not terminated — the entitlement and its payments are not touched.

    Returns:
        counts ``found``, ``created``, ``already_open``, ``already_closed``, ``out_of_scope``,
        ``tasks_opened``.
    """
    today = today or clock.today()
    found = alerts.height
    alerts = alerts.unique("alert_key", keep="first", maintain_order=True)
    in_scope = alerts.filter(pl.col("owner_division").str.starts_with(run.division_code))
    counts = {
        "found": found,
        "created": 0,
        "already_open": 0,
        "already_closed": 0,
        "out_of_scope": alerts.height - in_scope.height,
        "tasks_opened": 0,
    }
    rows = in_scope.to_dicts()
    known = _stored_statuses([row["alert_key"] for row in rows])
    counts["already_open"] = sum(status in OPEN_STATUSES for status in known.values())
    counts["already_closed"] = len(known) - counts["already_open"]
    fresh = [row for row in rows if row["alert_key"] not in known]
    households = _lookup(
        Household, "number", {row["household_id"] for row in fresh if row["household_id"]}
    )
    persons = persons_by_id({row["resident_id"] for row in fresh if row["resident_id"]})
    calendar = _calendar(today)
    with transaction.atomic():
        new = [_alert(row, run, today, calendar, households, persons) for row in fresh]
        Alert.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
        counts["created"] = Alert.objects.filter(run=run).count()
        with translation.override(settings.LANGUAGE_CODE):
            counts["tasks_opened"] = _open_tasks(user, run)
        record(
            user,
            "discovery.alerts",
            run,
            month=run.month,
            found=counts["found"],
            created=counts["created"],
            already_open=counts["already_open"],
            already_closed=counts["already_closed"],
            tasks_opened=counts["tasks_opened"],
        )
    return counts


def _stored_statuses(keys: list[str]) -> dict[str, str]:
    """The status of each of these alert keys already stored."""
    known: dict[str, str] = {}
    for start in range(0, len(keys), BATCH):
        known.update(
            Alert.objects.filter(alert_key__in=keys[start : start + BATCH]).values_list(
                "alert_key", "status"
            )
        )
    return known


def _alert(
    row: dict[str, Any],  # a Polars row: Polars types its values as Any
    run: DiscoveryRun,
    today: dt.date,
    calendar: Calendar,
    households: dict[str, int],
    persons: dict[str, int],
) -> Alert:
    """The alert of an ``ALERT_SCHEMA`` row, due ``deadline_working_days`` after ``today``."""
    return Alert(
        alert_key=row["alert_key"],
        signal=row["signal"],
        category=row["category"],
        severity=row["severity"],
        owner_level=row["owner_level"],
        division_code=row["owner_division"],
        township_code=row["township_code"] or row["owner_division"][:9],
        month=row["month"],
        household_id=households.get(row["household_id"] or ""),
        person_id=persons.get(row["resident_id"] or ""),
        household_key=row["household_id"] or "",
        resident_key=row["resident_id"] or "",
        adverse=bool(row["adverse"]),
        deadline_working_days=int(row["deadline_working_days"]),
        due_on=calendar.due(today, int(row["deadline_working_days"])).on,
        evidence=_evidence(row["evidence"]),
        explanation_zh=row["explanation_zh"] or "",
        explanation_en=row["explanation_en"] or "",
        run=run,
        raised_on=today,
    )


def _lookup(
    model: type[Household] | type[Person], field_name: str, values: set[str]
) -> dict[str, int]:
    """Primary keys by ``field_name``; a sealed field (the resident ID) is matched by its hash."""
    found: dict[str, int] = {}
    items = sorted(values)
    sealed = isinstance(model._meta.get_field(field_name), SealedCharField)
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        condition = (
            sealed_match(field_name, *batch) if sealed else Q(**{f"{field_name}__in": batch})
        )
        found.update(model.objects.filter(condition).values_list(field_name, "pk"))
    return found


def persons_by_id(numbers: set[str]) -> dict[str, int]:
    """Person primary keys by 18-character ID. A person whose row still holds the 15-digit form
    (GB 11643-1989: an old import, a number migration 0003 could not convert) is found under
    the 18-digit form the batch gives; a person registered under the 18-digit form wins."""
    legacy = {old: number for number in numbers if (old := ids.legacy_form(number))}
    found = _lookup(Person, "resident_id", numbers | set(legacy))
    by_number = {legacy[key]: pk for key, pk in found.items() if key in legacy}
    by_number.update({key: pk for key, pk in found.items() if key not in legacy})
    return by_number


def _evidence(text: str | dict[str, object] | None) -> dict[str, object]:
    if isinstance(text, dict):
        return text
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"text": str(text)}
    return value if isinstance(value, dict) else {"records": value}


def _open_tasks(user: Staff | None, run: DiscoveryRun) -> int:
    """One ``discovery_check`` task per new adverse alert and entitlement of its household that is
    not terminated (key ``alert:<pk>``), due on the alert's deadline."""
    adverse = list(
        Alert.objects.filter(run=run, adverse=True, household__isnull=False).values_list(
            "pk",
            "household_id",
            "person_id",
            "due_on",
            "raised_on",
            "signal",
            "deadline_working_days",
            "explanation_zh",
        )
    )
    if not adverse:
        return 0
    by_household: dict[int, list[tuple[int, str]]] = {}
    household_ids = sorted({row[1] for row in adverse})
    for start in range(0, len(household_ids), BATCH):
        for pk, household_id, division in (
            Entitlement.objects.filter(household_id__in=household_ids[start : start + BATCH])
            .exclude(status=Status.TERMINATED)
            .values_list("pk", "household_id", "division_code")
        ):
            by_household.setdefault(household_id, []).append((pk, division))
    creator = user if getattr(user, "is_authenticated", False) else None
    with record_language():
        due_rule = _("主动发现预警 %(signal)s：%(days)s 个工作日内核实")
    tasks = [
        ReviewTask(
            entitlement_id=entitlement_id,
            kind=TaskKind.DISCOVERY_CHECK,
            key=f"alert:{pk}",
            division_code=division,
            person_id=person_id,
            due_on=due_on,
            due_from=raised_on,
            due_working_days=days,
            due_rule=due_rule % {"signal": signal, "days": days},
            reason=explanation,
            created_by=creator,
        )
        for pk, household_id, person_id, due_on, raised_on, signal, days, explanation in adverse
        for entitlement_id, division in by_household.get(household_id, [])
    ]
    before = ReviewTask.objects.filter(kind=TaskKind.DISCOVERY_CHECK).count()
    ReviewTask.objects.bulk_create(tasks, batch_size=BATCH, ignore_conflicts=True)
    return ReviewTask.objects.filter(kind=TaskKind.DISCOVERY_CHECK).count() - before
