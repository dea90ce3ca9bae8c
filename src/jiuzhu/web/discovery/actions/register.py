"""The low-income population register: kept current from the platform's decisions, loaded from
a register file, and read as the batch's register frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from jiuzhu.batch.pipelines.discover import REGISTER_SCHEMA
from jiuzhu.feeds import ids
from jiuzhu.web.accounts.models import DISTRICT_CODE
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import in_record_language
from jiuzhu.web.cases.models import Application, Stage
from jiuzhu.web.core import clock
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.jurisdiction import refuse_outside
from jiuzhu.web.core.months import add_months_to_date, add_years, first_day, is_month
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.discovery.actions.common import BATCH, scope_of
from jiuzhu.web.discovery.models import (
    RegisterCategory,
    RegisterEntry,
)
from jiuzhu.web.entitlements.models import (
    PAYABLE,
    Entitlement,
    EntitlementVersion,
    Status,
)
from jiuzhu.web.registry.models import Membership

IMPORTED = "import:"
"""Key prefix of entries loaded from a register file (``import_register``): a refresh from the
platform's decisions leaves them alone."""
MONITORED_YEARS = 1
"""A rejected applicant or an exited recipient stays monitored for a year (《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（国办函〔2023〕39号）:
"rejected or exited in the last year")."""
RIGID_VALID_MONTHS = 12
"""A rigid-expenditure hardship determination is valid 12 months (天津市刚性支出困难家庭认定办法;
docs/decisions/0007 ``rigid_valid_until``)."""

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
PAID_ALLOWANCES = {
    Program.CHILD_WELFARE: "orphan_allowance",
    Program.CHILDREN_IN_HARDSHIP: "children_in_hardship_allowance",
}
"""The allowances the platform pays itself, by program: an entitlement of the program flags its
person's entry while payable."""
ALLOWANCES = (
    "disability_living_allowance",
    "disability_care_allowance",
    *PAID_ALLOWANCES.values(),
)
_SYNCED_FIELDS = (*_ENTRY_FIELDS, *PAID_ALLOWANCES.values())
"""What a refresh keeps in step with the decisions: the platform pays the orphan allowance
(child welfare) and the children-in-hardship allowance itself, the disability allowances are
the disabled persons' federation's."""
_UNPAID = dict.fromkeys(PAID_ALLOWANCES.values(), False)


def _allowances(program: str, status: str) -> dict[str, bool]:
    """The allowance flags of an entitlement's entries: its program's own while payable."""
    return {flag: paid == program and status in PAYABLE for paid, flag in PAID_ALLOWANCES.items()}


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
def _desired(today: dt.date, households: Q) -> dict[str, dict[str, object]]:
    """Every register entry the platform's decisions support on ``today``, by key."""
    since = add_years(today, -MONITORED_YEARS)
    entitlements = _entitlements(households, since)
    amounts = _amounts([e[0] for e in entitlements], f"{today:%Y-%m}")
    applications = _applications(households, today, since)
    members = _members(
        [e[3] for e in entitlements] + [a[4] for a in applications],
        today,
    )
    return {
        **_entitlement_entries(entitlements, members, amounts, since),
        **_application_entries(applications, members),
    }


def _entitlements(households: Q, since: dt.date) -> list[tuple[Any, ...]]:
    """The entitlements behind entries: not terminated, or terminated after ``since``."""
    return list(
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


def _amounts(entitlement_ids: list[int], month: str) -> dict[int, int]:
    """The monthly amount (fen) of each entitlement in ``month`` (YYYY-MM)."""
    amounts: dict[int, int] = {}
    for pk_start in range(0, len(entitlement_ids), BATCH):
        chunk = entitlement_ids[pk_start : pk_start + BATCH]
        for entitlement_id, amount in (
            EntitlementVersion.objects.filter(entitlement_id__in=chunk, valid_from__lte=month)
            .filter(Q(valid_to="") | Q(valid_to__gt=month))
            .values_list("entitlement_id", "monthly_amount")
        ):
            amounts[entitlement_id] = amount
    return amounts


def _applications(households: Q, today: dt.date, since: dt.date) -> list[tuple[Any, ...]]:
    """The applications behind entries: rejected after ``since``, or a rigid-expenditure
    determination still valid on ``today``."""
    return list(
        Application.objects.filter(households)
        .filter(
            # A refused funeral claim or heating application says nothing of low income.
            Q(stage=Stage.REJECTED, decided_on__gt=since, program__in=RegisterCategory.values)
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


def _entitlement_entries(
    entitlements: list[tuple[Any, ...]],
    members: dict[int, list[int]],
    amounts: dict[int, int],
    since: dt.date,
) -> dict[str, dict[str, object]]:
    """The entries of the entitlements' persons: receiving (or suspended) while in force,
    monitored for a year after the end."""
    desired: dict[str, dict[str, object]] = {}
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
            **_UNPAID,
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
        # A child's allowance (child welfare, children in hardship) is not one of the
        # register's categories of low-income people: the child is monitored, the allowance
        # flagged, and the household's own situation assessed on its own.
        registered = program in RegisterCategory.values
        for person in persons:
            desired[f"entitlement:{pk}:person:{person}"] = {
                **base,
                "person_id": person,
                "category": program if registered else RegisterCategory.MONITORED,
                "receiving": registered and status in PAYABLE,
                **_allowances(program, status),
                "reason": _("%(program)s待遇（%(number)s）")
                % {"program": labels.get(program, program), "number": number},
                "included_on": first_day(start_month),
                "ends_on": None,
                "review_due": review_due,
                "monthly_amount": amounts.get(pk),
            }
    return desired


def _application_entries(
    applications: list[tuple[Any, ...]], members: dict[int, list[int]]
) -> dict[str, dict[str, object]]:
    """The entries of the applicants' households: rigid expenditure while the determination
    is valid, monitored for a year after a rejection."""
    desired: dict[str, dict[str, object]] = {}
    labels = dict(Program.choices)
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
            **_UNPAID,
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
    user: Staff | None,
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
      was rejected, or whose entitlement ended (《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（国办函〔2023〕39号）).

    An existing entry the decisions no longer support is ended (``ends_on`` = today), never
    deleted. Two calls on the same data change nothing the second time.

    Args:
        user: who refreshes (None: the system); limited to the user's jurisdiction.
        households: only these households (primary keys), e.g. after one decision.
        today: the reference day (default: the workflow's today).

    Raises:
        PermissionDenied: the user may not start discovery (``discovery.run``).
    """
    require(user, "discovery.run")
    today = today or clock.today()
    scope = Q(division_code__startswith=scope_of(user))
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
            old = dict(zip(_SYNCED_FIELDS, row[2:], strict=True))
            if any(old[name] != values[name] for name in _SYNCED_FIELDS):
                changed.append(RegisterEntry(pk=row[1], key=key, **values))
        ends = 2 + _SYNCED_FIELDS.index("ends_on")
        ended = [
            row[1]
            for key, row in existing.items()
            if key not in desired and (row[ends] is None or row[ends] > today)
        ]
        RegisterEntry.objects.bulk_create(new, batch_size=BATCH)
        RegisterEntry.objects.bulk_update(changed, list(_SYNCED_FIELDS), batch_size=BATCH)
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
                division_code=scope_of(user),
                created=result.created,
                updated=result.updated,
                ended=result.ended,
                current=result.current,
            )
    return result


def _existing(
    scope: Q, desired: Mapping[str, object], today: dt.date
) -> dict[str, tuple[Any, ...]]:
    keys = list(desired)
    found = {
        row[0]: row
        for row in RegisterEntry.objects.filter(scope)
        .filter(_current(today))
        .exclude(key__startswith=IMPORTED)
        .values_list("key", "pk", *_SYNCED_FIELDS)
    }
    for start in range(0, len(keys), BATCH):
        for row in RegisterEntry.objects.filter(key__in=keys[start : start + BATCH]).values_list(
            "key", "pk", *_SYNCED_FIELDS
        ):
            found[row[0]] = row
    return found


def register_frame(
    division_code: str = DISTRICT_CODE, today: dt.date | None = None
) -> pl.DataFrame:
    """The register of the jurisdiction on ``today`` as a ``REGISTER_SCHEMA`` frame, keyed by
    household number and resident ID, ``monthly_amount`` in fen; one row per person and
    category (an entry from the platform's decisions wins over an imported one)."""
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
            "children_in_hardship_allowance",
            "key",
        )
    )
    rows.sort(key=lambda row: row[-1].startswith(IMPORTED))
    frame = pl.DataFrame([row[:-1] for row in rows], schema=dict(REGISTER_SCHEMA), orient="row")
    return frame.unique(["resident_id", "category"], keep="first", maintain_order=True)


def import_register(
    user: Staff | None, path: Path, *, today: dt.date | None = None
) -> RegisterRefresh:
    """Load a register file (Parquet in ``REGISTER_SCHEMA``, e.g. the synthetic district's
    ``register.parquet`` or an export of the previous system) as the register's starting point.

    Each row becomes (or updates) the entry ``import:<resident ID>:<category>`` of the person's
    current household; a person not in the registry is skipped (counted in ``ended``, as not
    taken). Monitored people stay a year from their inclusion, rigid-expenditure members until
    ``rigid_valid_until``. The platform's own decisions are added by ``refresh_register``.

    Raises:
        PermissionDenied: the user may not import registry data (``registry.import``);
            ``RowsOutsideJurisdiction`` (nothing written): a row's household is outside the user's
            jurisdiction;
        ValueError: the file lacks a column of ``REGISTER_SCHEMA``.
    """
    require(user, "registry.import")
    today = today or clock.today()
    frame = _register_file(path)
    people = _current_people(frame["resident_id"].drop_nulls().unique().to_list(), today)
    refuse_outside(
        user,
        (
            (_("第 %(row)s 行") % {"row": index + 1}, people[resident_id][2])
            for index, resident_id in enumerate(frame["resident_id"].to_list())
            if resident_id in people
        ),
    )
    entries, skipped = _imported_entries(frame, people, today)
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


def _register_file(path: Path) -> pl.DataFrame:
    """The register file's ``REGISTER_SCHEMA`` columns, ID numbers in the 18-digit form.

    Raises:
        ValueError: the file lacks a column of ``REGISTER_SCHEMA``.
    """
    frame = pl.read_parquet(path)
    missing = [name for name in REGISTER_SCHEMA.names() if name not in frame.columns]
    if missing:
        raise ValueError(f"register file lacks columns {missing}")
    # An export of an older system may hold 15-digit numbers, and a registry row too: both
    # are matched in the 18-digit form.
    return ids.convert_legacy(
        frame.select(
            pl.col(name).cast(pl.String) if name == "category" else pl.col(name)
            for name in REGISTER_SCHEMA.names()
        )
    )


def _current_people(residents: list[str], today: dt.date) -> dict[str, tuple[int, int, str, str]]:
    """Per resident ID (as the file has it), the person's pk and current household's pk,
    division and township (a 15-digit number matched in either form)."""
    legacy = {old: number for number in residents if (old := ids.legacy_form(number))}
    wanted = [*residents, *legacy]
    people: dict[str, tuple[int, int, str, str]] = {}
    for start in range(0, len(wanted), BATCH):
        for resident_id, person_id, household_id, division, township in Membership.objects.filter(
            Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today)),
            sealed_match("person__resident_id", *wanted[start : start + BATCH]),
        ).values_list(
            "person__resident_id",
            "person_id",
            "household_id",
            "household__division_code",
            "household__township_code",
        ):
            # The person registered under the 18-digit form wins over a 15-digit row.
            if resident_id in legacy and legacy[resident_id] in people:
                continue
            people[legacy.get(resident_id, resident_id)] = (
                person_id,
                household_id,
                division,
                township,
            )
    return people


def _imported_entries(
    frame: pl.DataFrame, people: dict[str, tuple[int, int, str, str]], today: dt.date
) -> tuple[dict[str, RegisterEntry], int]:
    """The file's rows as entries keyed ``import:<resident ID>:<category>``, and how many rows
    were skipped (the person is not in the registry)."""
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
            children_in_hardship_allowance=bool(row["children_in_hardship_allowance"]),
        )
    return entries, skipped
