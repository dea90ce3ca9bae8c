"""Writing verification data: department deliveries in, verification runs out.

- ``import_feeds`` / ``import_feed`` load department files (``jiuzhu.feeds``) into
  ``DepartmentRecord`` rows. **A new delivery of a source supersedes the previous one**: in the
  same transaction the previous records of that source are deleted and its ``FeedImport`` is
  marked ``superseded_by`` the new one (kept as the import log). Runs already made keep their own
  copy of the records they used (``VerificationAnswer.records``).
- ``run_verification`` reads the declared values of an application's household from the
  registry and every current member's records from the stored deliveries, runs the pure pipeline
  (``jiuzhu.batch.pipelines.verify``), stores its answers and comparisons under a new
  ``VerificationRun``, and writes the values found to the registry as ``source=verified`` incomes
  and assets and to the household's fields.

**A verification never cuts a benefit by itself** (DESIGN.md §6): it records evidence — the
verified values the next assessment uses, and each difference from the declaration as a
``Discrepancy`` — and every decision on an application or an entitlement stays with the people
of the workflow (home visit, township opinion, district confirmation, with notice and objection).
Nothing here touches an application's stage or an entitlement.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.verify import (
    Delivery,
    Findings,
    HouseholdFacts,
    MemberFacts,
    ValueChange,
    Verified,
    derive,
    value_changes,
)
from jiuzhu.feeds import ids
from jiuzhu.feeds.base import (
    SHANGHAI,
    SPECS,
    BadRow,
    FeedRejected,
    FeedReport,
    FeedSpec,
    detect,
    read_feed,
    sources,
)
from jiuzhu.feeds.tabular import TableError
from jiuzhu.web.audit.actions import record
from jiuzhu.web.core.crypto import search_hash
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.locks import lock
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.models import Asset, Household, Income, Membership, Person, Source
from jiuzhu.web.verification.models import (
    DepartmentRecord,
    Discrepancy,
    FeedImport,
    RunStatus,
    VerificationAnswer,
    VerificationRun,
)
from jiuzhu.web.verification.subject import Subject, as_model

BATCH = 5_000
FEED_SUFFIXES = (".csv", ".xlsx", ".xlsm")
IMPORT_PERMISSION = "verification.import_feeds"
"""Loading department data is a district-level task (administrator or district director of the
district: a delivery replaces the previous one of its source for the whole district)."""
VERIFY_PERMISSION = "cases.verify"
HOUSEHOLD_FIELDS = (
    "vehicles",
    "disability_mobility_vehicles",
    "homes",
    "per_capita_floor_area",
    "non_residential_property",
    "rigid_medical_expenditure",
)
Progress = Callable[[Path, "FeedImport | FeedRejected", float], None]
_RESERVED = frozenset({"resident_id", "source", "period", "received_at"})


class FeedImportError(Exception):
    """Some files of a folder were rejected. The others were imported (each file is its own
    transaction); ``imports`` are their ``FeedImport`` rows and ``problems`` the rejected files
    with the reader's report (``FeedRejected.report``)."""

    def __init__(
        self, imports: list[FeedImport], problems: list[tuple[Path, FeedRejected]]
    ) -> None:
        self.imports = imports
        self.problems = problems
        names = "、".join(path.name for path, _ in problems)
        super().__init__(
            f"{len(problems)} 个文件未导入 (rejected): {names}\n"
            + "\n".join(problem.report.text(limit=20) for _, problem in problems)
        )


# --- feeds --------------------------------------------------------------------------------------


def feed_files(folder: Path) -> list[Path]:
    """The department files of a folder (CSV and workbooks, not hidden or Excel lock files)."""
    return sorted(
        path
        for path in Path(folder).iterdir()
        if path.is_file()
        and path.suffix.lower() in FEED_SUFFIXES
        and not path.name.startswith((".", "~$"))
    )


def spec_for(path: Path) -> FeedSpec:
    """The source of a file: its stem when that names a source (``tax.csv``), else the source
    whose headers it matches (``jiuzhu.feeds.base.detect``).

    Raises:
        FeedRejected: the file cannot be read or matches no source.
    """
    sources()
    if path.stem in SPECS:
        return SPECS[path.stem]
    try:
        return detect(path)
    except (TableError, KeyError) as exc:
        report = FeedReport(path, "unknown", "未识别的数据文件")
        reason = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        report.bad.append(BadRow(None, None, None, str(reason)))
        raise FeedRejected(report) from exc


def import_feeds(
    user: Staff | None,
    folder: Path,
    received_at: dt.datetime | None = None,
    *,
    progress: Progress | None = None,
) -> list[FeedImport]:
    """Import every department file of ``folder``, one transaction per file.

    A rejected file (unreadable, a missing column, any bad row) imports nothing and gets no
    ``FeedImport``; the other files are imported all the same, then ``FeedImportError`` is
    raised naming every rejected file with its report. A file supersedes the previous delivery
    of its source (see the module docstring).

    Args:
        user: who imports (None for the system, e.g. the management command).
        received_at: when the files arrived (default: now); naive means Beijing time.
        progress: told after each file: its path, its ``FeedImport`` or ``FeedRejected``, and
            the seconds it took.

    Returns:
        the ``FeedImport`` of each file, in file-name order.

    Raises:
        PermissionDenied: the user may not import department data.
        FeedImportError: some files were rejected (the others are imported).
        FileNotFoundError: no such folder.
    """
    _require_import(user)
    received = _aware(received_at or timezone.now())
    known = registered_ids()
    imports: list[FeedImport] = []
    problems: list[tuple[Path, FeedRejected]] = []
    for path in feed_files(folder):
        started = time.perf_counter()
        outcome: FeedImport | FeedRejected
        try:
            outcome = import_feed(user, path, received_at=received, known_ids=known)
            imports.append(outcome)
        except FeedRejected as exc:
            outcome = exc
            problems.append((path, exc))
        if progress is not None:
            progress(path, outcome, time.perf_counter() - started)
    if problems:
        raise FeedImportError(imports, problems)
    return imports


def import_feed(
    user: Staff | None,
    path: Path,
    *,
    spec: FeedSpec | None = None,
    received_at: dt.datetime | None = None,
    known_ids: pl.Series | None = None,
) -> FeedImport:
    """Import one department file (see ``import_feeds``).

    Raises:
        PermissionDenied; FeedRejected: the file was not imported (nothing was written).
    """
    _require_import(user)
    path = Path(path)
    spec = spec or spec_for(path)
    received = _aware(received_at or timezone.now())
    if known_ids is None:
        known_ids = registered_ids()
    result = read_feed(path, spec, received_at=received, known_ids=known_ids)
    frame = result.frame()
    report = result.report
    periods = frame["period"].drop_nulls()
    with transaction.atomic():
        # One delivery of a source at a time: a second import of the same source (a double
        # click, two workers) waits here until the first commits, then supersedes it, instead
        # of both reading "no previous delivery" and doubling the source's records.
        lock(f"feed:{spec.source}")
        previous = list(
            FeedImport.objects.filter(source=spec.source, superseded_by__isnull=True).values_list(
                "pk", flat=True
            )
        )
        feed_import = FeedImport.objects.create(
            path=str(path)[:500],
            source=spec.source,
            label=spec.label,
            received_at=received,
            rows=report.rows,
            accepted=report.accepted,
            duplicates=report.duplicates,
            unknown_ids=report.unknown_ids,
            first_period=str(periods.min()) if periods.len() else "",
            last_period=str(periods.max()) if periods.len() else "",
            imported_by=user if getattr(user, "is_authenticated", False) else None,
            report=report.text(),
        )
        if previous:
            DepartmentRecord.objects.filter(feed_import_id__in=previous).delete()
            FeedImport.objects.filter(pk__in=previous).update(superseded_by=feed_import)
        _insert_records(frame, spec, feed_import, received)
        record(
            user,
            "verification.import_feed",
            feed_import,
            division_code="",
            source=spec.source,
            path=str(path),
            accepted=report.accepted,
            duplicates=report.duplicates,
            unknown_ids=report.unknown_ids,
            superseded=previous,
        )
    return feed_import


def _insert_records(
    frame: pl.DataFrame, spec: FeedSpec, feed_import: FeedImport, received: dt.datetime
) -> None:
    """The rows as ``DepartmentRecord``s (dates as ISO text in ``data``), in batches of
    ``BATCH``, through ``executemany``: a full district's 5.5 million rows do not go through one
    model instance each. Values are prepared by the model's own fields, so JSON and datetimes
    are stored as the ORM stores them on every backend, and the ID is sealed beside its keyed
    hash (``core.fields``; raw SQL does not run ``pre_save``)."""
    id_field = next(f.name for f in spec.fields if f.kind == "id")
    data_columns = [f.name for f in spec.fields if f.name not in _RESERVED and f.name != id_field]
    data = frame.select(
        *(
            pl.col(name).dt.strftime("%Y-%m-%d") if frame.schema[name] == pl.Date else pl.col(name)
            for name in data_columns
        ),
        "line",
    )
    meta = DepartmentRecord._meta
    columns = (
        "source",
        "resident_id",
        "resident_id_hash",
        "period",
        "received_at",
        "data",
        "feed_import",
    )
    fields = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    id_column, json_field = fields[1], fields[5]
    source = fields[0].get_db_prep_save(spec.source, connection)
    moment = fields[4].get_db_prep_save(received, connection)
    ids = frame[id_field]
    # Sealed and hashed once per person, not per row (a district's 5.5 million rows hold about
    # 700,000 people: 12 µs a value). Rows of one person share the ciphertext: the hash column
    # already tells which rows share an ID, so this reveals nothing more.
    sealed: dict[str, tuple[Any, str]] = {}

    def seal(number: str) -> tuple[Any, str]:
        if number not in sealed:
            sealed[number] = (id_column.get_db_prep_save(number, connection), search_hash(number))
        return sealed[number]

    periods = frame["period"].fill_null("")
    with connection.cursor() as cursor:
        for start in range(0, frame.height, BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        source,
                        *seal(resident_id),
                        period,
                        moment,
                        json_field.get_db_prep_save(row, connection),
                        feed_import.pk,
                    )
                    for resident_id, period, row in zip(
                        ids.slice(start, BATCH).to_list(),
                        periods.slice(start, BATCH).to_list(),
                        data.slice(start, BATCH).to_dicts(),
                        strict=True,
                    )
                ],
            )


def registered_ids() -> pl.Series:
    """Every registry person's ID as the departments write it: a row still holding a valid
    15-digit number (an old import) in its 18-digit form, so that its records are not
    counted as unknown people."""
    known = pl.DataFrame(
        {"resident_id": list(Person.objects.values_list("resident_id", flat=True))},
        schema={"resident_id": pl.String},
    )
    return ids.convert_legacy(known)["resident_id"]


def matched_id(number: str) -> str:
    """The form under which department records of this registry ID are kept: a valid 15-digit
    number in its 18-digit form, anything else as it is."""
    if len(number) != 15:
        return number
    try:
        return ids.normalise(number).number
    except ids.InvalidIdError:
        return number


def _require_import(user: Staff | None) -> None:
    reason = _("部门数据覆盖全区，由区民政局负责人或系统管理员（区级）导入")
    require(user, IMPORT_PERMISSION, reason=reason)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


# --- verification -------------------------------------------------------------------------------


@dataclass
class _Registry:
    """What the registry says about the household's members, read in a fixed number of queries."""

    household: Household
    memberships: list[Membership]
    declared_incomes: dict[tuple[int, str], int]
    verified_incomes: dict[tuple[int, str], Income]
    declared_assets: dict[int, int]
    verified_assets: dict[int, Asset]


def application_date(application: Subject) -> dt.date:
    """The date verification is made for: acceptance, or the day the application was made."""
    if application.accepted_on:
        return application.accepted_on
    return timezone.localdate(application.created_at)


def run_verification(user: Staff, application: Subject) -> VerificationRun:
    """Query every department source for every current member of the application's household
    (家庭经济状况核对, 《最低生活保障审核确认办法》（民发〔2021〕57号）第十七条) and record what
    was found.

    Reads the registry's declared values and the feeds' stored records, runs the pure pipeline
    (``jiuzhu.batch.pipelines.verify.derive``, which states the rules) and stores its result
    under a new ``VerificationRun``: one ``VerificationAnswer`` per member and source and one
    ``Discrepancy`` per item compared. Writes the verified incomes and monetary assets
    (``source=verified``, one per person and component) and the household values found
    (vehicles, homes, per-capita floor area, non-residential property, medical payments), each
    change audited with its before and after. A verification never changes the application's
    stage or any entitlement (see the module docstring).

    The database is read and written in a fixed number of queries, whatever the household size.

    Raises:
        PermissionDenied: the user may not verify this application.
    """
    if user is not None and not user.has_perm(VERIFY_PERMISSION, as_model(application)):
        raise PermissionDenied(VERIFY_PERMISSION)
    started = timezone.now()
    on = application_date(application)
    with transaction.atomic():
        registry = _read_registry(application)
        members = _member_facts(registry)
        findings = derive(
            members,
            _records([m.resident_id for m in members]),
            registry.declared_incomes,
            registry.declared_assets,
            _household_facts(registry.household),
            _deliveries(),
            on,
        )
        run = _store_run(user, application, started, on, len(members), findings)
        before, after = _write_person_values(registry, findings)
        record(
            user,
            "verification.run",
            run,
            division_code=registry.household.division_code,
            before=before or None,
            after=after or None,
            application=application.number,
            members=len(members),
            comparisons=len(findings.comparisons),
            warnings=findings.warnings,
            basis="核对",
        )
        _write_household_values(user, registry.household, findings, run, application)
    return run


def _member_facts(registry: _Registry) -> list[MemberFacts]:
    """The current members as the pipeline takes them, each under the ID form the departments'
    records are kept by (``matched_id``)."""
    return [
        MemberFacts(
            person_id=m.person_id,
            resident_id=matched_id(m.person.resident_id),
            name=m.person.name,
            relation=m.relation,
            disability_category=m.person.disability_category,
            disability_grade=m.person.disability_grade,
            student_level=m.person.student_level,
        )
        for m in registry.memberships
    ]


def _store_run(
    user: Staff,
    application: Subject,
    started: dt.datetime,
    on: dt.date,
    members: int,
    findings: Findings,
) -> VerificationRun:
    """The pipeline's findings stored under a new run: its answers and its comparisons."""
    run = VerificationRun.objects.create(
        application_id=application.pk,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        requested_at=started,
        finished_at=timezone.now(),
        status=RunStatus.FINISHED,
        month=f"{on:%Y-%m}",
        members=members,
        warnings=findings.warnings,
    )
    VerificationAnswer.objects.bulk_create(
        VerificationAnswer(
            run=run,
            person_id=a.person_id,
            source=a.source,
            found=a.found,
            records=a.records,
            summary=a.summary,
        )
        for a in findings.answers
    )
    Discrepancy.objects.bulk_create(
        Discrepancy(
            run=run,
            person_id=c.person_id,
            item=c.item,
            label=c.label,
            source=c.source,
            declared=c.declared,
            found=c.found,
            unit=c.unit,
            severity=c.severity,
            period=c.period[:40],
            received_at=c.received_at,
            note=c.note[:200],
        )
        for c in findings.comparisons
    )
    return run


def _read_registry(application: Subject) -> _Registry:
    household = Household.objects.select_for_update().get(pk=application.household_id)
    memberships = list(
        Membership.objects.filter(household_id=household.pk, valid_to__isnull=True)
        .select_related("person")
        .order_by("relation", "person_id")
    )
    person_ids = [m.person_id for m in memberships]
    declared_incomes: dict[tuple[int, str], int] = {}
    verified_incomes: dict[tuple[int, str], Income] = {}
    for income in Income.objects.filter(person_id__in=person_ids):
        key = (income.person_id, income.component)
        if income.source == Source.VERIFIED:
            verified_incomes[key] = income
        else:
            declared_incomes[key] = income.monthly_amount
    declared_assets: dict[int, int] = {}
    verified_assets: dict[int, Asset] = {}
    for asset in Asset.objects.filter(person_id__in=person_ids):
        if asset.source == Source.VERIFIED:
            verified_assets[asset.person_id] = asset
        else:
            declared_assets[asset.person_id] = asset.amount
    return _Registry(
        household, memberships, declared_incomes, verified_incomes, declared_assets, verified_assets
    )


def _records(resident_ids: Sequence[str]) -> dict[str, dict[str, list[dict[str, object]]]]:
    """Every source's records of these people, in one query: ID → source → rows (each the
    record's data with ``period`` and ``received_at``), oldest period first."""
    found: dict[str, dict[str, list[dict[str, object]]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        DepartmentRecord.objects.filter(sealed_match("resident_id", *resident_ids))
        .order_by("source", "period", "id")
        .values_list("resident_id", "source", "period", "received_at", "data")
    )
    for resident_id, source, period, received_at, data in rows:
        found[resident_id][source].append(
            {
                "period": period,
                "received_at": timezone.localtime(received_at, SHANGHAI).isoformat(),
                **data,
            }
        )
    return found


def _deliveries() -> dict[str, Delivery]:
    """The current delivery of each source."""
    deliveries: dict[str, Delivery] = {}
    current = FeedImport.objects.filter(superseded_by__isnull=True).order_by("received_at", "id")
    for source, received_at, last_period in current.values_list(
        "source", "received_at", "last_period"
    ):
        deliveries[source] = Delivery(timezone.localtime(received_at, SHANGHAI), last_period)
    return deliveries


def _household_facts(household: Household) -> HouseholdFacts:
    area = household.per_capita_floor_area
    return HouseholdFacts(
        vehicles=household.vehicles,
        disability_mobility_vehicles=household.disability_mobility_vehicles,
        homes=household.homes,
        per_capita_floor_area=None if area is None else Decimal(area),
        non_residential_property=household.non_residential_property,
        rigid_medical_expenditure=household.rigid_medical_expenditure,
    )


def _write_person_values(
    registry: _Registry, findings: Findings
) -> tuple[dict[str, dict[str, object] | None], dict[str, dict[str, object] | None]]:
    """Verified incomes and assets created, updated or deleted in bulk, as the pipeline's
    ``value_changes`` says. Returns the audit's before and after, keyed
    ``income:<person>:<component>`` and ``asset:<person>``."""
    changes = value_changes(
        findings,
        registry.declared_incomes,
        {k: Verified(i.monthly_amount, i.basis) for k, i in registry.verified_incomes.items()},
        registry.declared_assets,
        {k: Verified(a.amount, a.basis) for k, a in registry.verified_assets.items()},
    )
    now = timezone.now()
    incomes = [c for c in changes if c.component is not None]
    assets = [c for c in changes if c.component is None]
    _write_incomes(registry.verified_incomes, incomes, now)
    _write_assets(registry.verified_assets, assets, now)
    before = {c.key: _value_json(c.before, c.component) for c in changes}
    after = {c.key: _value_json(c.after, c.component) for c in changes}
    return before, after


def _value_json(value: Verified | None, component: str | None) -> dict[str, object] | None:
    """A verified value as the audit event keeps it (the model's field names)."""
    if value is None:
        return None
    amount = "amount" if component is None else "monthly_amount"
    return {amount: value.value, "basis": value.basis}


def _write_incomes(
    existing: dict[tuple[int, str], Income], changes: list[ValueChange], now: dt.datetime
) -> None:
    """Apply the income changes: bulk create, update and delete."""
    create: list[Income] = []
    update: list[Income] = []
    delete: list[int] = []
    for change in changes:
        component = cast(str, change.component)
        income = existing.get((change.person_id, component))
        if change.after is None:
            if income is not None:
                delete.append(income.pk)
        elif income is not None:
            income.monthly_amount, income.basis = change.after.value, change.after.basis
            income.recorded_at = now
            update.append(income)
        else:
            create.append(
                Income(
                    person_id=change.person_id,
                    component=component,
                    monthly_amount=change.after.value,
                    source=Source.VERIFIED,
                    basis=change.after.basis,
                )
            )
    if create:
        Income.objects.bulk_create(create, batch_size=BATCH)
    if update:
        Income.objects.bulk_update(update, ["monthly_amount", "basis", "recorded_at"])
    if delete:
        Income.objects.filter(pk__in=delete).delete()


def _write_assets(existing: dict[int, Asset], changes: list[ValueChange], now: dt.datetime) -> None:
    """Apply the monetary-asset changes: bulk create, update and delete."""
    create: list[Asset] = []
    update: list[Asset] = []
    delete: list[int] = []
    for change in changes:
        asset = existing.get(change.person_id)
        if change.after is None:
            if asset is not None:
                delete.append(asset.pk)
        elif asset is not None:
            asset.amount, asset.basis = change.after.value, change.after.basis
            asset.recorded_at = now
            update.append(asset)
        else:
            create.append(
                Asset(
                    person_id=change.person_id,
                    amount=change.after.value,
                    source=Source.VERIFIED,
                    basis=change.after.basis,
                )
            )
    if create:
        Asset.objects.bulk_create(create, batch_size=BATCH)
    if update:
        Asset.objects.bulk_update(update, ["amount", "basis", "recorded_at"])
    if delete:
        Asset.objects.filter(pk__in=delete).delete()


def _write_household_values(
    user: Staff,
    household: Household,
    findings: Findings,
    run: VerificationRun,
    application: Subject,
) -> None:
    """The household values found, saved and audited only where they change."""
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for name in HOUSEHOLD_FIELDS:
        if name not in findings.household:
            continue
        old, new = getattr(household, name), findings.household[name]
        if isinstance(old, Decimal) or isinstance(new, Decimal):
            same = old is not None and new is not None and Decimal(old) == Decimal(new)
        else:
            same = old == new
        if same:
            continue
        setattr(household, name, new)
        before[name] = _json(old)
        after[name] = _json(new)
    if not after:
        return
    household.save(update_fields=[*after, "updated_at"])
    record(
        user,
        "verification.household_values",
        household,
        before=before,
        after=after,
        basis="核对",
        run=run.pk,
        application=application.number,
    )


def _json(value: object) -> Any:
    return str(value) if isinstance(value, Decimal) else value
