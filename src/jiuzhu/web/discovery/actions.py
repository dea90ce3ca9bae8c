"""Writing the register, discovery runs and the alert workflow (the one write path).

Every action checks the user's permission on the object (role and jurisdiction, deny by
default), re-reads an alert under a row lock, writes in one transaction and records an audit
event; a refused action writes nothing. ``user=None`` is the system (the management command,
the scheduled job, the demo).

An alert never changes an entitlement or a payment (issue 6; DESIGN.md §6): an *adverse* alert (a
vehicle, a property or a business registered, a death in a recipient household …) opens a
verification task (``ReviewTask`` of kind ``discovery_check``) on each of the household's
entitlements, due on the alert's deadline; a person completes that task (reassessment) and any
change follows the entitlements' own procedure.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.audit.texts import in_record_language, record_language
from jiuzhu.web.cases import clock
from jiuzhu.web.cases.models import Application, Program, Stage
from jiuzhu.web.discovery.models import (
    OPEN_STATUSES,
    Alert,
    AlertStatus,
    AlertVisit,
    Department,
    DiscoveryRun,
    Outcome,
    RegisterCategory,
    RegisterEntry,
)
from jiuzhu.web.entitlements.models import (
    PAYABLE,
    Entitlement,
    EntitlementVersion,
    ReviewTask,
    Status,
    TaskKind,
)
from jiuzhu.web.months import add_months_to_date, add_years, first_day, is_month
from jiuzhu.web.registry.models import Household, Membership, Person
from jiuzhu.web.workcalendar.working_days import Calendar, load_calendar

BATCH = 2_000
"""Rows per bulk write and per ``IN (…)`` list."""
IMPORTED = "import:"
"""Key prefix of entries loaded from a register file (``import_register``): a refresh from the
platform's decisions leaves them alone."""
MONITORED_YEARS = 1
"""A rejected applicant or an exited recipient stays monitored for a year (spec.md §2.9:
"rejected or exited in the last year")."""
RIGID_VALID_MONTHS = 12
"""A rigid-expenditure hardship determination is valid 12 months (天津市刚性支出困难家庭认定办法;
docs/decisions/0007 ``rigid_valid_until``)."""
HANDLERS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.TOWNSHIP_CASEWORKER,
        Role.TOWNSHIP_HEAD,
        Role.DISTRICT_OFFICER,
        Role.DISTRICT_DIRECTOR,
    }
)
"""Roles an alert may be assigned to (never an auditor or an administrator)."""


def _require(user: Any, permission: str, obj: Any = None) -> None:
    if user is not None and not user.has_perm(permission, obj):
        raise PermissionDenied(permission)


def _scope(user: Any) -> str:
    return str(getattr(user, "division_code", "") or DISTRICT_CODE) if user else DISTRICT_CODE


# --- the register ----------------------------------------------------------------------------


@dataclass
class RegisterRefresh:
    """What a refresh did: entries created, changed, ended, and current afterwards."""

    created: int = 0
    updated: int = 0
    ended: int = 0
    current: int = 0


_ENTRY_FIELDS = (
    "person_id",
    "household_id",
    "division_code",
    "township_code",
    "category",
    "receiving",
    "reason",
    "included_on",
    "ends_on",
    "entitlement_id",
    "application_id",
    "review_due",
    "rigid_valid_until",
    "monthly_amount",
)
ALLOWANCES = ("disability_living_allowance", "disability_care_allowance", "orphan_allowance")


def _current(today: dt.date) -> Q:
    return Q(ends_on__isnull=True) | Q(ends_on__gt=today)


def _members(household_ids: Iterable[int], on: dt.date) -> dict[int, list[int]]:
    """The persons of each household on ``on`` (memberships in force)."""
    found: dict[int, list[int]] = {}
    ids = sorted(set(household_ids))
    for start in range(0, len(ids), BATCH):
        rows = Membership.objects.filter(
            Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on)),
            household_id__in=ids[start : start + BATCH],
        ).values_list("household_id", "person_id")
        for household_id, person_id in rows:
            found.setdefault(household_id, []).append(person_id)
    return found


@in_record_language
def _desired(today: dt.date, households: Q) -> dict[str, dict[str, Any]]:
    """Every register entry the platform's decisions support on ``today``, by key."""
    since = add_years(today, -MONITORED_YEARS)
    month = f"{today:%Y-%m}"
    entitlements = list(
        Entitlement.objects.filter(households)
        .filter(
            Q(status__in=[*PAYABLE, Status.SUSPENDED])
            | Q(status=Status.TERMINATED, terminated_on__gt=since)
            | Q(status=Status.TERMINATED, terminated_on__isnull=True, updated_at__date__gt=since)
        )
        .values_list(
            "pk",
            "number",
            "program",
            "household_id",
            "person_id",
            "division_code",
            "status",
            "start_month",
            "end_month",
            "next_review_due",
            "terminated_on",
            "termination_reason",
            "updated_at",
            "household__township_code",
        )
    )
    amounts: dict[int, int] = {}
    for pk_start in range(0, len(entitlements), BATCH):
        chunk = [e[0] for e in entitlements[pk_start : pk_start + BATCH]]
        for entitlement_id, amount in (
            EntitlementVersion.objects.filter(entitlement_id__in=chunk, valid_from__lte=month)
            .filter(Q(valid_to="") | Q(valid_to__gt=month))
            .values_list("entitlement_id", "monthly_amount")
        ):
            amounts[entitlement_id] = amount
    applications = list(
        Application.objects.filter(households)
        .filter(
            Q(stage=Stage.REJECTED, decided_on__gt=since)
            | Q(
                stage=Stage.APPROVED,
                program=Program.RIGID_EXPENDITURE,
                decided_on__gt=add_months_to_date(today, -RIGID_VALID_MONTHS),
            )
        )
        .values_list(
            "pk",
            "number",
            "program",
            "stage",
            "household_id",
            "division_code",
            "decided_on",
            "household__township_code",
        )
    )
    members = _members(
        [e[3] for e in entitlements] + [a[4] for a in applications],
        today,
    )
    desired: dict[str, dict[str, Any]] = {}
    labels = dict(Program.choices)
    for (
        pk,
        number,
        program,
        household_id,
        person_id,
        division,
        status,
        start_month,
        end_month,
        review_due,
        terminated_on,
        termination_reason,
        updated_at,
        township,
    ) in entitlements:
        persons = [person_id] if person_id else members.get(household_id, [])
        base = {
            "household_id": household_id,
            "division_code": division,
            "township_code": township,
            "entitlement_id": pk,
            "application_id": None,
            "rigid_valid_until": None,
        }
        if status == Status.TERMINATED:
            ended = terminated_on or (
                first_day(end_month) if is_month(end_month) else updated_at.date()
            )
            if ended <= since:
                continue
            for person in persons:
                desired[f"exit:{pk}:person:{person}"] = {
                    **base,
                    "person_id": person,
                    "category": RegisterCategory.MONITORED,
                    "receiving": False,
                    "reason": _("%(program)s待遇终止（%(number)s）%(reason)s")
                    % {
                        "program": labels.get(program, program),
                        "number": number,
                        "reason": f"：{termination_reason}"[:120] if termination_reason else "",
                    },
                    "included_on": ended,
                    "ends_on": add_years(ended, MONITORED_YEARS),
                    "review_due": None,
                    "monthly_amount": None,
                }
            continue
        for person in persons:
            desired[f"entitlement:{pk}:person:{person}"] = {
                **base,
                "person_id": person,
                "category": program,
                "receiving": status in PAYABLE,
                "reason": _("%(program)s待遇（%(number)s）")
                % {"program": labels.get(program, program), "number": number},
                "included_on": first_day(start_month),
                "ends_on": None,
                "review_due": review_due,
                "monthly_amount": amounts.get(pk),
            }
    for pk, number, program, stage, household_id, division, decided_on, township in applications:
        base = {
            "household_id": household_id,
            "division_code": division,
            "township_code": township,
            "entitlement_id": None,
            "application_id": pk,
            "review_due": None,
            "monthly_amount": None,
            "included_on": decided_on,
        }
        if decided_on is None:
            continue
        for person in members.get(household_id, []):
            if stage == Stage.APPROVED:
                until = add_months_to_date(decided_on, RIGID_VALID_MONTHS)
                desired[f"rigid:{pk}:person:{person}"] = {
                    **base,
                    "person_id": person,
                    "category": RegisterCategory.RIGID_EXPENDITURE,
                    "receiving": True,
                    "reason": _("认定为刚性支出困难家庭（%(number)s）") % {"number": number},
                    "ends_on": until,
                    "rigid_valid_until": until,
                }
            else:
                desired[f"rejected:{pk}:person:{person}"] = {
                    **base,
                    "person_id": person,
                    "category": RegisterCategory.MONITORED,
                    "receiving": False,
                    "reason": _("%(program)s申请未获批准（%(number)s）")
                    % {"program": labels.get(program, program), "number": number},
                    "ends_on": add_years(decided_on, MONITORED_YEARS),
                    "rigid_valid_until": None,
                }
    return desired


def refresh_register(
    user: Any,
    *,
    households: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> RegisterRefresh:
    """Bring the low-income population register up to date with the platform's decisions.

    Entries (``RegisterEntry``, one per person and reason):

    - every current member of a household with a dibao or near-dibao entitlement that is not
      terminated (``receiving`` while payable; a suspended one stays in the register), the
      supported person of a tekun entitlement;
    - every member of a household determined a rigid-expenditure hardship household in the last
      12 months (``rigid_valid_until``);
    - monitored (``receiving`` false) for one year: the members of a household whose application
      was rejected, or whose entitlement ended (spec.md §2.9).

    An existing entry the decisions no longer support is ended (``ends_on`` = today), never
    deleted. Two calls on the same data change nothing the second time.

    Args:
        user: who refreshes (None: the system); limited to the user's jurisdiction.
        households: only these households (primary keys), e.g. after one decision.
        today: the reference day (default: the workflow's today).

    Raises:
        PermissionDenied: the user may not start discovery (``discovery.run``).
    """
    _require(user, "discovery.run")
    today = today or clock.today()
    scope = Q(division_code__startswith=_scope(user))
    if households is not None:
        scope &= Q(household_id__in=list(households))
    # Reasons are stored in the platform's language whatever the language of the request.
    with translation.override(settings.LANGUAGE_CODE):
        desired = _desired(today, scope)
    result = RegisterRefresh()
    with transaction.atomic():
        existing = _existing(scope, desired, today)
        new: list[RegisterEntry] = []
        changed: list[RegisterEntry] = []
        for key, values in desired.items():
            row = existing.get(key)
            if row is None:
                new.append(RegisterEntry(key=key, **values))
                continue
            old = dict(zip(_ENTRY_FIELDS, row[2:], strict=True))
            if any(old[name] != values[name] for name in _ENTRY_FIELDS):
                changed.append(RegisterEntry(pk=row[1], key=key, **values))
        ends = 2 + _ENTRY_FIELDS.index("ends_on")
        ended = [
            row[1]
            for key, row in existing.items()
            if key not in desired and (row[ends] is None or row[ends] > today)
        ]
        RegisterEntry.objects.bulk_create(new, batch_size=BATCH)
        RegisterEntry.objects.bulk_update(changed, list(_ENTRY_FIELDS), batch_size=BATCH)
        for start in range(0, len(ended), BATCH):
            RegisterEntry.objects.filter(pk__in=ended[start : start + BATCH]).update(
                ends_on=today, receiving=False
            )
        result.created, result.updated, result.ended = len(new), len(changed), len(ended)
        result.current = RegisterEntry.objects.filter(scope).filter(_current(today)).count()
        if result.created or result.updated or result.ended:
            record(
                user,
                "discovery.register_refresh",
                object_type="discovery.registerentry",
                division_code=_scope(user),
                created=result.created,
                updated=result.updated,
                ended=result.ended,
                current=result.current,
            )
    return result


def _existing(scope: Q, desired: dict[str, Any], today: dt.date) -> dict[str, tuple[Any, ...]]:
    keys = list(desired)
    found = {
        row[0]: row
        for row in RegisterEntry.objects.filter(scope)
        .filter(_current(today))
        .exclude(key__startswith=IMPORTED)
        .values_list("key", "pk", *_ENTRY_FIELDS)
    }
    for start in range(0, len(keys), BATCH):
        for row in RegisterEntry.objects.filter(key__in=keys[start : start + BATCH]).values_list(
            "key", "pk", *_ENTRY_FIELDS
        ):
            found[row[0]] = row
    return found


def register_frame(division_code: str = DISTRICT_CODE, today: dt.date | None = None) -> Any:
    """The register of the jurisdiction on ``today`` as a ``REGISTER_SCHEMA`` frame, keyed by
    household number and resident ID, ``monthly_amount`` in fen; one row per person and
    category (an entry from the platform's decisions wins over an imported one)."""
    from jiuzhu.batch.pipelines.discover import REGISTER_SCHEMA  # noqa: PLC0415

    today = today or clock.today()
    rows = list(
        RegisterEntry.objects.filter(_current(today), division_code__startswith=division_code)
        .order_by("pk")
        .values_list(
            "person__resident_id",
            "household__number",
            "category",
            "receiving",
            "included_on",
            "reason",
            "review_due",
            "rigid_valid_until",
            "monthly_amount",
            "disability_living_allowance",
            "disability_care_allowance",
            "orphan_allowance",
            "key",
        )
    )
    rows.sort(key=lambda row: row[-1].startswith(IMPORTED))
    frame = pl.DataFrame([row[:-1] for row in rows], schema=dict(REGISTER_SCHEMA), orient="row")
    return frame.unique(["resident_id", "category"], keep="first", maintain_order=True)


def import_register(user: Any, path: Path, *, today: dt.date | None = None) -> RegisterRefresh:
    """Load a register file (Parquet in ``REGISTER_SCHEMA``, e.g. the synthetic district's
    ``register.parquet`` or an export of the previous system) as the register's starting point.

    Each row becomes (or updates) the entry ``import:<resident ID>:<category>`` of the person's
    current household; a person not in the registry is skipped (counted in ``ended``, as not
    taken). Monitored people stay a year from their inclusion, rigid-expenditure members until
    ``rigid_valid_until``. The platform's own decisions are added by ``refresh_register``.

    Raises:
        PermissionDenied: the user may not import registry data (``registry.import``);
        ValueError: the file lacks a column of ``REGISTER_SCHEMA``.
    """
    from jiuzhu.batch.pipelines.discover import REGISTER_SCHEMA  # noqa: PLC0415

    _require(user, "registry.import")
    today = today or clock.today()
    frame = pl.read_parquet(path)
    missing = [name for name in REGISTER_SCHEMA.names() if name not in frame.columns]
    if missing:
        raise ValueError(f"register file lacks columns {missing}")
    frame = frame.select(
        pl.col(name).cast(pl.String) if name == "category" else pl.col(name)
        for name in REGISTER_SCHEMA.names()
    )
    residents = frame["resident_id"].unique().to_list()
    people: dict[str, tuple[int, int, str, str]] = {}
    for start in range(0, len(residents), BATCH):
        for resident_id, person_id, household_id, division, township in Membership.objects.filter(
            Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today)),
            person__resident_id__in=residents[start : start + BATCH],
        ).values_list(
            "person__resident_id",
            "person_id",
            "household_id",
            "household__division_code",
            "household__township_code",
        ):
            people[resident_id] = (person_id, household_id, division, township)
    labels = dict(RegisterCategory.choices)
    entries: dict[str, RegisterEntry] = {}
    skipped = 0
    for row in frame.iter_rows(named=True):
        found = people.get(row["resident_id"])
        if found is None:
            skipped += 1
            continue
        person_id, household_id, division, township = found
        category = row["category"]
        ends_on = (
            add_years(row["included_on"], MONITORED_YEARS)
            if category == RegisterCategory.MONITORED and row["included_on"]
            else row["rigid_valid_until"]
            if category == RegisterCategory.RIGID_EXPENDITURE
            else None
        )
        key = f"{IMPORTED}{row['resident_id']}:{category}"
        entries[key] = RegisterEntry(
            key=key,
            person_id=person_id,
            household_id=household_id,
            division_code=division,
            township_code=township,
            category=category,
            receiving=bool(row["receiving"]),
            reason=(row["reason"] or str(labels.get(category, category)))[:200],
            included_on=row["included_on"] or today,
            ends_on=ends_on,
            review_due=row["review_due"],
            rigid_valid_until=row["rigid_valid_until"],
            monthly_amount=row["monthly_amount"],
            disability_living_allowance=bool(row["disability_living_allowance"]),
            disability_care_allowance=bool(row["disability_care_allowance"]),
            orphan_allowance=bool(row["orphan_allowance"]),
        )
    fields = [*_ENTRY_FIELDS, *ALLOWANCES]
    with transaction.atomic():
        keys = list(entries)
        known: dict[str, int] = {}
        for start in range(0, len(keys), BATCH):
            known.update(
                RegisterEntry.objects.filter(key__in=keys[start : start + BATCH]).values_list(
                    "key", "pk"
                )
            )
        RegisterEntry.objects.bulk_create(
            [e for k, e in entries.items() if k not in known], batch_size=BATCH
        )
        updates = [e for k, e in entries.items() if k in known]
        for entry in updates:
            entry.pk = known[entry.key]
        RegisterEntry.objects.bulk_update(updates, fields, batch_size=BATCH)
        result = RegisterRefresh(
            created=len(entries) - len(known),
            updated=len(known),
            ended=skipped,
            current=RegisterEntry.objects.filter(_current(today)).count(),
        )
        record(
            user,
            "discovery.register_import",
            object_type="discovery.registerentry",
            division_code=DISTRICT_CODE,
            file=str(path),
            created=result.created,
            updated=result.updated,
            skipped=skipped,
        )
    return result


# --- the run ---------------------------------------------------------------------------------


def feeds_folder_for(month: str, folder: Path | None = None) -> Path:
    """The folder of the month's department files: ``FEEDS_DIR/YYYY-MM`` when it exists, else
    ``FEEDS_DIR`` itself (a folder holding the latest delivery)."""
    base = Path(folder or str(settings.JIUZHU["FEEDS_DIR"]))
    monthly = base / month
    return monthly if monthly.is_dir() else base


def read_month_feeds(folder: Path) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
    """Every department file of ``folder`` read and normalised with ``jiuzhu.feeds`` (bad rows
    set apart, not fatal), by source; and a report per source (rows read, rows set apart, or
    why the file was skipped). A missing folder gives no feeds."""
    from jiuzhu.feeds.base import FeedRejected, read_feed  # noqa: PLC0415
    from jiuzhu.feeds.tabular import TableError  # noqa: PLC0415
    from jiuzhu.web.verification.actions import feed_files, spec_for  # noqa: PLC0415

    frames: dict[str, pl.DataFrame] = {}
    report: dict[str, Any] = {}
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


def build_inputs(month: str, division_code: str, feeds: dict[str, pl.DataFrame]) -> Any:
    """The ``DiscoveryInputs`` of the jurisdiction for ``month``: the registry's engine frames
    (memberships in force on the month's last day, verified values) with households keyed by
    their number and carrying their ``division_code`` and ``township_code``, persons by their
    primary key with ``resident_id`` beside it; the register frame on the month's last day; the
    feeds by source."""
    from jiuzhu.batch.pipelines.discover import DiscoveryInputs  # noqa: PLC0415
    from jiuzhu.rules import load_system  # noqa: PLC0415
    from jiuzhu.web.months import add_months  # noqa: PLC0415
    from jiuzhu.web.registry.frames import engine_frames  # noqa: PLC0415

    on = first_day(add_months(month, 1)) - dt.timedelta(days=1)
    households = Household.objects.filter(division_code__startswith=division_code)
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    frames = engine_frames(load_system("tianjin"), ids, on)
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
    residents = pl.DataFrame(
        [
            row
            for start in range(0, len(person_ids), BATCH)
            for row in Person.objects.filter(pk__in=person_ids[start : start + BATCH]).values_list(
                "pk", "resident_id"
            )
        ],
        schema={"person_id": pl.Int64, "resident_id": pl.String},
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


def start_discovery(user: Any, month: str) -> DiscoveryRun:
    """Queue the discovery run of ``month`` for the user's jurisdiction (a background job).

    Raises:
        PermissionDenied: the user may not run discovery; ValidationError: not a ``YYYY-MM``.
    """
    from jiuzhu.web.discovery.tasks import discovery_task  # noqa: PLC0415
    from jiuzhu.web.jobs.models import Job  # noqa: PLC0415

    _require(user, "discovery.run")
    if not is_month(month):
        raise ValidationError({"month": _("月份格式应为 YYYY-MM")})
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.DISCOVERY, division_code=_scope(user), created_by=user
        )
        run = DiscoveryRun.objects.create(
            month=month, division_code=_scope(user), job=job, created_by=user
        )
        record(user, "discovery.start", run, month=month)
        transaction.on_commit(lambda: discovery_task.enqueue(run.pk))
    return run


Progress = Callable[[str, float], None]


def run_discovery(
    user: Any,
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
    from jiuzhu.batch.pipelines.discover import discover  # noqa: PLC0415

    _require(user, "discovery.run")
    if not is_month(month):
        raise ValidationError({"month": _("月份格式应为 YYYY-MM")})
    started = time.perf_counter()
    division = run.division_code if run else _scope(user)
    if run is None:
        run = DiscoveryRun.objects.create(month=month, division_code=division, created_by=user)
    tell = progress or (lambda _step, _fraction: None)
    DiscoveryRun.objects.filter(pk=run.pk).update(status=DiscoveryRun.Status.RUNNING)
    tell("register", 0.05)
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
    return load_calendar(range(today.year, today.year + 2))


def write_alerts(
    user: Any, alerts: pl.DataFrame, *, run: DiscoveryRun, today: dt.date | None = None
) -> dict[str, int]:
    """Write the alerts of an ``ALERT_SCHEMA`` frame for ``run``, each once.

    Alerts are deduplicated by ``alert_key`` (a unique constraint): a key already stored is
    counted (open or closed) and not written again, so re-running a month creates nothing
    twice. Alerts routed outside the run's jurisdiction are left out (counted). The deadline is
    ``deadline_working_days`` working days after ``today`` (``jiuzhu.web.workcalendar``). Every new
    adverse alert about a household opens a verification task (``discovery_check``) on each of
    its entitlements that is not terminated — the entitlement and its payments are not touched.

    Returns:
        counts ``found``, ``created``, ``already_open``, ``already_closed``, ``out_of_scope``,
        ``tasks_opened``.

    Raises:
        CalendarMissingError: the holiday table lacks this or next year.
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
    keys = [row["alert_key"] for row in rows]
    known: dict[str, str] = {}
    for start in range(0, len(keys), BATCH):
        known.update(
            Alert.objects.filter(alert_key__in=keys[start : start + BATCH]).values_list(
                "alert_key", "status"
            )
        )
    counts["already_open"] = sum(status in OPEN_STATUSES for status in known.values())
    counts["already_closed"] = len(known) - counts["already_open"]
    fresh = [row for row in rows if row["alert_key"] not in known]
    households = _lookup(
        Household, "number", {row["household_id"] for row in fresh if row["household_id"]}
    )
    persons = _lookup(
        Person, "resident_id", {row["resident_id"] for row in fresh if row["resident_id"]}
    )
    calendar = _calendar(today)
    with transaction.atomic():
        new = [
            Alert(
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
                due_on=calendar.add_working_days(today, int(row["deadline_working_days"])),
                evidence=_evidence(row["evidence"]),
                explanation_zh=row["explanation_zh"] or "",
                explanation_en=row["explanation_en"] or "",
                run=run,
                raised_on=today,
            )
            for row in fresh
        ]
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


def _lookup(model: Any, field_name: str, values: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    items = sorted(values)
    for start in range(0, len(items), BATCH):
        found.update(
            model.objects.filter(**{f"{field_name}__in": items[start : start + BATCH]}).values_list(
                field_name, "pk"
            )
        )
    return found


def _evidence(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"text": str(text)}
    return value if isinstance(value, dict) else {"records": value}


def _open_tasks(user: Any, run: DiscoveryRun) -> int:
    """One ``discovery_check`` task per new adverse alert and entitlement of its household that is
    not terminated (key ``alert:<pk>``), due on the alert's deadline."""
    adverse = list(
        Alert.objects.filter(run=run, adverse=True, household__isnull=False).values_list(
            "pk",
            "household_id",
            "person_id",
            "due_on",
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
            due_rule=due_rule % {"signal": signal, "days": days},
            reason=explanation,
            created_by=creator,
        )
        for pk, household_id, person_id, due_on, signal, days, explanation in adverse
        for entitlement_id, division in by_household.get(household_id, [])
    ]
    before = ReviewTask.objects.filter(kind=TaskKind.DISCOVERY_CHECK).count()
    ReviewTask.objects.bulk_create(tasks, batch_size=BATCH, ignore_conflicts=True)
    return ReviewTask.objects.filter(kind=TaskKind.DISCOVERY_CHECK).count() - before


# --- the alert workflow ----------------------------------------------------------------------


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    return value


def assign(user: Any, alert: Alert, assignee: User) -> Alert:
    """Assign an open alert to a staff member of its owning division (a user whose
    jurisdiction lies inside the alert's division, in a role that handles alerts).

    Raises:
        PermissionDenied: the user may not assign this alert; ValidationError: the assignee is
            outside the alert's division or may not handle alerts, or the alert is closed.
    """
    _require(user, "discovery.assign", alert)
    if assignee.role not in HANDLERS or not assignee.is_active:
        raise ValidationError({"assignee": _("该人员不能处理预警")})
    if not assignee.division_code.startswith(alert.division_code):
        raise ValidationError({"assignee": _("只能分派给预警责任区划内的工作人员")})
    with transaction.atomic():
        alert = _locked(alert)
        if not alert.is_open:
            raise ValidationError(_("预警已办结"))
        before = snapshot(alert, ["assigned_to", "status"])
        alert.assigned_to = assignee
        alert.assigned_on = clock.today()
        if alert.status == AlertStatus.OPEN:
            alert.status = AlertStatus.ASSIGNED
        alert.save(update_fields=["assigned_to", "assigned_on", "status"])
        record(
            user,
            "discovery.assign",
            alert,
            before=before,
            after=snapshot(alert, ["assigned_to", "status"]),
        )
    return alert


def record_visit(
    user: Any,
    alert: Alert,
    *,
    visited_on: dt.date,
    staff: list[str],
    findings: str,
) -> AlertVisit:
    """Record the home visit (入户核实) of an open alert: the date, the visiting staff and what
    they found.

    Raises:
        PermissionDenied; ValidationError: no staff or findings, a date in the future or before
            the alert, or the alert is closed.
    """
    _require(user, "discovery.handle", alert)
    names = [name.strip() for name in staff if name and name.strip()]
    if not names:
        raise ValidationError({"staff": _("请填写核实人员")})
    findings = _text(findings, "findings", _("请填写核实情况"))
    if visited_on > clock.today():
        raise ValidationError({"visited_on": _("核实日期不能晚于今天")})
    with transaction.atomic():
        alert = _locked(alert)
        if not alert.is_open:
            raise ValidationError(_("预警已办结"))
        if visited_on < alert.raised_on:
            raise ValidationError({"visited_on": _("核实日期不能早于预警日期")})
        visit = AlertVisit.objects.create(
            alert=alert, visited_on=visited_on, staff=names, findings=findings, recorded_by=user
        )
        alert.status = AlertStatus.VISITED
        alert.save(update_fields=["status"])
        record(user, "discovery.visit", alert, visited_on=visited_on.isoformat(), staff=names)
    return visit


def conclude(
    user: Any,
    alert: Alert,
    *,
    outcome: str,
    note: str = "",
    program: str = "",
    referred_to: str = "",
) -> Alert:
    """Close an alert after its home visit with an outcome:

    - ``included`` (纳入救助): the household should apply for ``program``; the application is
      then taken at the counter, prefilled (the alert itself opens nothing by writing);
    - ``referred`` (转介): to another department ``referred_to`` (``Department``), with a note;
    - ``dismissed`` (不予处理): with the reason (required).

    An outcome never changes an entitlement.

    Raises:
        PermissionDenied; ValidationError: no home visit yet, the alert is closed, a dismissal
            without a reason, an inclusion without a program or household, a referral without a
            department.
    """
    _require(user, "discovery.handle", alert)
    note = (note or "").strip()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择处理结果")})
    if outcome == Outcome.DISMISSED and not note:
        raise ValidationError({"note": _("不予处理须说明理由")})
    if outcome == Outcome.INCLUDED and program not in Program.values:
        raise ValidationError({"program": _("请选择纳入的救助项目")})
    if outcome == Outcome.INCLUDED and alert.household_id is None:
        raise ValidationError(_("预警没有对应的登记家庭，请先在家庭档案中登记"))
    if outcome == Outcome.REFERRED and referred_to not in Department.values:
        raise ValidationError({"referred_to": _("请选择转介部门")})
    with transaction.atomic():
        alert = _locked(alert)
        if not alert.is_open:
            raise ValidationError(_("预警已办结"))
        if not alert.visits.exists():
            raise ValidationError(_("请先记录入户核实情况"))
        before = snapshot(alert, ["status", "outcome"])
        alert.status = AlertStatus.CLOSED
        alert.outcome = outcome
        alert.outcome_note = note
        alert.program = program if outcome == Outcome.INCLUDED else ""
        alert.referred_to = referred_to if outcome == Outcome.REFERRED else ""
        alert.closed_on = clock.today()
        alert.closed_by = user
        alert.save()
        record(
            user,
            "discovery.conclude",
            alert,
            before=before,
            after=snapshot(alert, ["status", "outcome"]),
            program=alert.program,
            referred_to=alert.referred_to,
            note=note,
        )
    return alert


def link_application(user: Any, alert_pk: int, application: Application) -> Alert | None:
    """Record that ``application`` was taken because of an alert concluded "included in
    assistance" (一户一条救助链: the alert leads to its application). Returns the alert, or None
    when the pk names no such alert of the user's jurisdiction for the application's household
    (the application stands; only the link is not made). An alert links one application."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .filter(
                pk=alert_pk,
                outcome=Outcome.INCLUDED,
                household_id=application.household_id,
                application__isnull=True,
            )
            .first()
        )
        if alert is None or not user.has_perm("discovery.view", alert):
            return None
        alert.application = application
        alert.save(update_fields=["application"])
        record(user, "discovery.link_application", alert, after={"application": application.pk})
    return alert


@dataclass
class Prefill:
    """What the new-application page is opened with after an inclusion."""

    household_pk: int
    program: str
    applicant: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


def prefill_for(alert: Alert) -> Prefill:
    """The application an ``included`` alert asks for: its household, program and, as the
    applicant, the person the alert is about when a current member (else the household's
    applicant)."""
    assert alert.household_id is not None
    members = dict(
        Membership.objects.filter(
            household_id=alert.household_id, valid_to__isnull=True
        ).values_list("person_id", "relation")
    )
    applicant = (
        alert.person_id
        if alert.person_id in members
        else next((pk for pk, relation in members.items() if relation in ("01", "02")), None)
    )
    return Prefill(alert.household_id, alert.program, applicant)
