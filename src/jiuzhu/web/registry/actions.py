"""Writing the registry: imports and the declaration of income and assets, each in a transaction
with its audit event. Upkeep of households and members is in ``upkeep`` and ``membership``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.batch.inputs import InputFileError, InputProblem, read_input
from jiuzhu.feeds import ids
from jiuzhu.feeds import names as person_names
from jiuzhu.reference import baodi_divisions
from jiuzhu.web.audit.actions import record
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.core.clock import today
from jiuzhu.web.core.fields import sealed_match
from jiuzhu.web.core.forms import Cleaned
from jiuzhu.web.core.jurisdiction import refuse_outside, rows_outside
from jiuzhu.web.core.masking import mask_id
from jiuzhu.web.core.models import reserve_numbers
from jiuzhu.web.core.users import Staff
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.frames import HOUSEHOLD_FIELDS, PERSON_FIELDS
from jiuzhu.web.registry.models import (
    INCOME_COMPONENTS,
    Asset,
    Household,
    ImportRun,
    Income,
    Membership,
    Obligor,
    Person,
    Source,
)
from jiuzhu.web.registry.numbering import highest_household_number
from jiuzhu.web.registry.signals import household_changed

BATCH = 5_000
MEMBERSHIP_START = dt.date(2024, 1, 1)
"""When the imported households are recorded as formed (the registry's history starts here)."""


def import_district(
    user: Staff | None,
    folder: Path,
    *,
    under_declaration_share: float = 0.05,
    seed: int = 20251015,
    progress: Callable[[int, int], None] | None = None,
) -> ImportRun:
    """Load a synthetic district (``jiuzhu synth`` output) into the registry.

    Incomes and assets are recorded as *declared*. A seeded share of earners declares less wage
    than they earn (70–90 %), as some applicants do, so that verification against the tax and
    social-insurance feeds has discrepancies to find.

    Raises:
        PermissionDenied: the user may not import; ``RowsOutsideJurisdiction`` (nothing written):
            a household's division is outside the user's jurisdiction.
        FileNotFoundError: the folder lacks households.parquet or persons.parquet.
    """
    if user is not None and not user.has_perm("registry.import"):
        raise PermissionDenied("registry.import")
    households = pl.read_parquet(folder / "households.parquet")
    refuse_outside(
        user,
        (
            (_("第 %(row)s 户") % {"row": index + 1}, code or "")
            for index, code in enumerate(households["division_code"].to_list())
        ),
    )
    read = pl.read_parquet(folder / "persons.parquet")
    # A 15-digit number is stored in its 18-digit form (discovery and verification match the
    # departments' 18-digit IDs), each conversion recorded once the person exists.
    persons = ids.convert_legacy(read.with_columns(pl.col("resident_id").cast(pl.String)))
    legacy = read["resident_id"].cast(pl.String) != persons["resident_id"]
    converted = {i: read["resident_id"][i] for i in legacy.fill_null(False).arg_true().to_list()}
    obligor_path = folder / "obligors.parquet"
    obligors = pl.read_parquet(obligor_path) if obligor_path.exists() else None
    tell = progress or (lambda done, total: None)
    with transaction.atomic():
        run = ImportRun.objects.create(
            user=user, source=str(folder), households=households.height, persons=persons.height
        )
        created = _create_households(households)
        tell(households.height, households.height + persons.height)
        person_objects = _create_members(households, persons, created)
        person_pk = {i: p.pk for i, p in enumerate(person_objects)}
        _create_declarations(persons, person_pk, under_declaration_share, seed)
        if obligors is not None and obligors.height:
            _create_obligors(obligors, persons, person_pk)
        index_of_household = {hid: i for i, hid in enumerate(households["household_id"].to_list())}
        household_of_person = [
            created[index_of_household[h]] for h in persons["household_id"].to_list()
        ]
        for i, old_number in converted.items():
            record_id_conversion(user, person_objects[i], old_number, household_of_person[i])
        record(
            user,
            "registry.import",
            run,
            division_code="",
            households=households.height,
            persons=persons.height,
            source=str(folder),
        )
    tell(households.height + persons.height, households.height + persons.height)
    return run


def _create_households(households: pl.DataFrame) -> list[Household]:
    """The district's households, numbered in a block reserved for them, in frame order."""
    divisions = baodi_divisions()
    first = reserve_numbers("household", households.height, highest_household_number)
    household_rows = []
    for index, row in enumerate(households.iter_rows(named=True)):
        community = divisions.get(row["division_code"])
        place = f"{community.township_name}{community.name}" if community else ""
        household_rows.append(
            Household(
                number=f"H{first + index:07d}",
                division_code=row["division_code"],
                township_code=row["township_code"],
                address=f"天津市宝坻区{place}{row['household_id'] % 200 + 1}号",
                **{f: _value(row.get(f)) for f in HOUSEHOLD_FIELDS if f in row},
                business_capital=row.get("business_capital") or 0,
            )
        )
    return Household.objects.bulk_create(household_rows, batch_size=BATCH)


def _create_members(
    households: pl.DataFrame, persons: pl.DataFrame, created: list[Household]
) -> list[Person]:
    """The district's persons, in frame order, each a member of their household since
    ``MEMBERSHIP_START``."""
    household_pk = {i: h.pk for i, h in enumerate(created)}
    person_rows = [
        Person(
            resident_id=row["resident_id"],
            name=row["name"],
            sex=row["sex"],
            birth_date=row["birth_date"],
            hukou_tianjin=bool(row["hukou_tianjin"]),
            **{f: _value(row.get(f)) for f in PERSON_FIELDS if f in row and f != "birth_date"},
        )
        for row in persons.iter_rows(named=True)
    ]
    person_objects = Person.objects.bulk_create(person_rows, batch_size=BATCH)
    index_of_household = {hid: i for i, hid in enumerate(households["household_id"].to_list())}
    Membership.objects.bulk_create(
        (
            Membership(
                household_id=household_pk[index_of_household[row["household_id"]]],
                person_id=person_objects[i].pk,
                relation=row["relation"],
                valid_from=MEMBERSHIP_START,
                absence_reason=row.get("absence_reason") or "none",
                absent_since=row.get("absent_since"),
                lives_with_household=bool(row.get("lives_with_household", True)),
            )
            for i, row in enumerate(persons.iter_rows(named=True))
        ),
        batch_size=BATCH,
    )
    return person_objects


def _create_declarations(
    persons: pl.DataFrame, person_pk: dict[int, int], under_declaration_share: float, seed: int
) -> None:
    """The persons' incomes and monetary assets as declared (fen), a seeded share of the
    wages understated (70–90 % of the wage)."""
    rng = np.random.default_rng(seed)
    understated = rng.random(persons.height) < under_declaration_share
    share = rng.uniform(0.7, 0.9, persons.height)
    incomes = []
    for component in INCOME_COMPONENTS:
        if component not in persons.columns:
            continue
        values = persons[component].fill_null(0).to_numpy()
        if component == "wage_income":
            values = np.where(understated, np.rint(values * share), values).astype(np.int64)
        for i in np.flatnonzero(values > 0):
            incomes.append(
                Income(
                    person_id=person_pk[int(i)],
                    component=component,
                    monthly_amount=int(values[i]),
                    source=Source.DECLARED,
                    basis="申报",
                )
            )
    Income.objects.bulk_create(incomes, batch_size=BATCH)
    if "monetary_assets" in persons.columns:
        assets = persons["monetary_assets"].fill_null(0).to_numpy()
        Asset.objects.bulk_create(
            (
                Asset(
                    person_id=person_pk[int(i)],
                    amount=int(assets[i]),
                    source=Source.DECLARED,
                    basis="申报",
                )
                for i in np.flatnonzero(assets > 0)
            ),
            batch_size=BATCH,
        )


def _create_obligors(
    obligors: pl.DataFrame, persons: pl.DataFrame, person_pk: dict[int, int]
) -> None:
    """The support obligors of the persons they support."""
    index_of_person = {pid: i for i, pid in enumerate(persons["person_id"].to_list())}
    Obligor.objects.bulk_create(
        (
            Obligor(
                supported_id=person_pk[index_of_person[row["person_id"]]],
                birth_date=row["obligor_birth_date"],
                annual_income=row.get("obligor_annual_income") or 0,
                assets_within_low_income_limit=bool(
                    row.get("obligor_assets_within_low_income_limit")
                ),
                is_dibao_recipient=bool(row.get("obligor_is_dibao_recipient")),
                lacks_civil_capacity=bool(row.get("obligor_lacks_civil_capacity")),
                in_prison=bool(row.get("obligor_in_prison")),
                disability_category=row.get("obligor_disability_category") or "none",
                disability_grade=row.get("obligor_disability_grade"),
            )
            for row in obligors.iter_rows(named=True)
        ),
        batch_size=BATCH,
    )


def record_id_conversion(
    user: Staff | None, obj: Person | Obligor, legacy: str, household: Household | None = None
) -> None:
    """Record that ``obj`` (a person or an obligor) was given as the 15-digit ``legacy`` number
    and is stored in the 18-digit form it now holds (GB 11643-1999), for the history of the
    person's household. The event's action, ``registry.convert_resident_id``, is the one
    migration 0003 writes for the numbers the registry held before."""
    if household is None:
        person_id = obj.pk if isinstance(obj, Person) else obj.supported_id
        membership = (
            Membership.objects.filter(person_id=person_id)
            .select_related("household")
            .order_by("-valid_from")
            .first()
        )
        household = membership.household if membership is not None else None
    record(
        user,
        "registry.convert_resident_id",
        obj,
        division_code=household.division_code if household is not None else "",
        household=household,
        # Masked: an audit event never holds an ID in clear (the record is sealed, the log not).
        before={"resident_id": mask_id(legacy)},
        after={"resident_id": mask_id(obj.resident_id)},
        note="15位旧号码升级为18位（GB 11643-1999）",
    )


def convert_legacy_ids(user: Staff | None, division_code: str, on: dt.date | None = None) -> int:
    """Store in its 18-digit form every valid 15-digit ID (GB 11643-1989) still held by a
    person with a membership in a household of ``division_code`` (a prefix: community,
    township, or ``12`` for the district), each conversion recorded (``record_id_conversion``)
    as migration 0003 records the numbers it converted. Discovery calls it before it reads the
    registry, so that the departments' 18-digit records find these people and the stored row is
    right from then on.

    A number that is not a valid ID, or whose 18-digit form another person already holds (the
    same person registered twice, for a caseworker to merge), is left as it is. Returns the
    number of people converted. The IDs are sealed (core.crypto), so the 15-digit ones are
    found by opening the jurisdiction's IDs here (one query; about 1 s for a district)."""
    candidates = sorted(
        {
            pk
            for pk, number in Person.objects.filter(
                memberships__household__division_code__startswith=division_code
            ).values_list("pk", "resident_id")
            if len(number) == 15 and number.isdecimal()
        }
    )
    converted = 0
    for pk in candidates:
        with transaction.atomic():
            person = Person.objects.select_for_update().get(pk=pk)
            legacy = person.resident_id
            try:
                number = ids.normalise(legacy, on or today()).number
            except ids.InvalidIdError:
                continue
            if (
                len(legacy) != 15
                or Person.objects.filter(sealed_match("resident_id", number)).exists()
            ):
                continue
            person.resident_id = number
            person.save(update_fields=["resident_id"])
            record_id_conversion(user, person, legacy)
            converted += 1
    return converted


def _value(value: object) -> Any:
    """Enum and numeric values from Parquet as the model stores them."""
    if value is None:
        return None
    if isinstance(value, float):
        return round(value, 2)
    return value


def declare(user: Staff, household: Household, rows: list[Cleaned]) -> None:
    """Record the household's declaration: per member, monthly income by component and monetary
    assets (fen). A zero removes the declared item. Audited with the before and after values.

    Raises:
        PermissionDenied: not the user's household to change.
    """
    if not user.has_perm("registry.change", household):
        raise PermissionDenied("registry.change")
    changed: list[int] = []
    with transaction.atomic():
        for row in rows:
            person_id = row["person_id"]
            before = {
                i.component: i.monthly_amount
                for i in Income.objects.filter(person_id=person_id, source=Source.DECLARED)
            }
            after = dict(before)
            for component in INCOME_COMPONENTS:
                if component not in row:
                    continue
                amount = int(row[component] or 0)
                if amount:
                    Income.objects.update_or_create(
                        person_id=person_id,
                        component=component,
                        source=Source.DECLARED,
                        defaults={"monthly_amount": amount, "basis": "申报"},
                    )
                    after[component] = amount
                else:
                    Income.objects.filter(
                        person_id=person_id, component=component, source=Source.DECLARED
                    ).delete()
                    after.pop(component, None)
            assets = int(row.get("monetary_assets") or 0)
            old_assets = Asset.objects.filter(person_id=person_id, source=Source.DECLARED).first()
            before["monetary_assets"] = old_assets.amount if old_assets else 0
            after["monetary_assets"] = assets
            if assets:
                Asset.objects.update_or_create(
                    person_id=person_id,
                    source=Source.DECLARED,
                    defaults={"amount": assets, "basis": "申报"},
                )
            else:
                Asset.objects.filter(person_id=person_id, source=Source.DECLARED).delete()
            if before != after:
                event = record(
                    user,
                    "registry.declare",
                    object_type="registry.person",
                    object_id=str(person_id),
                    division_code=household.division_code,
                    before=before,
                    after=after,
                )
                changed.append(event.pk)
        if changed:
            household_changed.send(
                sender=Household,
                household=household,
                user=user,
                change="declaration",
                on=today(),
                person=None,
                description=recorded("修改申报的收入和财产"),
                event_id=changed[0],
            )


def import_workbook(user: Staff | None, path: Path, on: dt.date) -> ImportRun:
    """Load a caseworker's workbook (the format of ``jiuzhu assess``, docs/input-format.md) into
    the registry: households with their 区划代码, members with 姓名 and 身份证号, declared
    incomes and assets, obligors. The whole file is validated first (every bad cell reported,
    file, row, column and rule); nothing is written unless all of it is good.

    Raises:
        PermissionDenied: the user may not import.
        InputFileError: a bad cell or row, a household without a Baodi division code or
            outside the user's jurisdiction, a member without a name, or an ID number already
            in the registry (nothing is written).
    """
    if user is not None and not user.has_perm("registry.import"):
        raise PermissionDenied("registry.import")
    data = read_input(path, rules_system(), on, today=today())
    households, persons = data.frames["household"], data.frames["person"]
    obligors = data.frames.get("obligor")
    divisions = dict(
        zip(
            data.passthrough["household_id"].to_list(),
            data.passthrough["division_code"].to_list()
            if "division_code" in data.passthrough.columns
            else [None] * data.passthrough.height,
            strict=True,
        )
    )
    names = {k: person_names.clean(v) for k, v in data.names.items()}
    problems = _division_problems(user, path, divisions) + _person_problems(path, persons, names)
    if problems:
        raise InputFileError(problems)
    with transaction.atomic():
        run = ImportRun.objects.create(
            user=user, source=str(path), households=households.height, persons=persons.height
        )
        first = reserve_numbers("household", households.height, highest_household_number)
        created = {}
        for index, row in enumerate(households.iter_rows(named=True)):
            code = divisions[row["household_id"]]
            household = Household.objects.create(
                number=f"H{first + index:07d}",
                division_code=code,
                township_code=code[:9],
                **{f: _value(row[f]) for f in HOUSEHOLD_FIELDS if f in row and row[f] is not None},
            )
            created[row["household_id"]] = household
        people = {
            row["person_id"]: _create_workbook_member(
                row, names[row["person_id"]], created[row["household_id"]], on, path
            )
            for row in persons.iter_rows(named=True)
        }
        if obligors is not None:
            for row in obligors.iter_rows(named=True):
                Obligor.objects.create(
                    supported=people[row["person_id"]],
                    resident_id=row.get("obligor_resident_id") or "",
                    birth_date=row["obligor_birth_date"],
                    annual_income=row.get("obligor_annual_income") or 0,
                    assets_within_low_income_limit=bool(
                        row.get("obligor_assets_within_low_income_limit")
                    ),
                    is_dibao_recipient=bool(row.get("obligor_is_dibao_recipient")),
                    in_prison=bool(row.get("obligor_in_prison")),
                )
        record(
            user,
            "registry.import_workbook",
            run,
            households=households.height,
            persons=persons.height,
            source=path.name,
            warnings=_import_warnings(data.warnings, names),
        )
    return run


def _division_problems(
    user: Staff | None, path: Path, divisions: dict[str, str | None]
) -> list[InputProblem]:
    """Households of the workbook without a division code, or outside the user's jurisdiction."""
    problems = [
        InputProblem(
            path.name,
            None,
            "区划代码",
            number,
            "登记库要求每户填写村（居）区划代码 (division code required)",
        )
        for number, code in divisions.items()
        if not code
    ]
    problems += [
        InputProblem(
            path.name,
            f"家庭 {number}",
            "区划代码",
            code,
            f"不在导入人的辖区（{getattr(user, 'division_code', '')}）内 (outside the importer's jurisdiction)",
        )
        for number, code in rows_outside(user, ((n, c) for n, c in divisions.items() if c))
    ]
    return problems


def _person_problems(
    path: Path, persons: pl.DataFrame, names: dict[str, str]
) -> list[InputProblem]:
    """Members of the workbook without a name, or whose ID number is already registered (the
    number shown masked)."""
    problems = []
    existing = dict(
        Person.objects.filter(
            sealed_match("resident_id", *persons["person_id"].to_list())
        ).values_list("resident_id", "name")
    )
    for resident_id in persons["person_id"].to_list():
        if not names.get(resident_id):
            problems.append(
                InputProblem(
                    path.name,
                    None,
                    "姓名",
                    resident_id[:6] + "********" + resident_id[14:],
                    "登记库要求填写姓名 (name required)",
                )
            )
        if resident_id in existing:
            problems.append(
                InputProblem(
                    path.name,
                    None,
                    "身份证号",
                    resident_id[:6] + "********" + resident_id[14:],
                    _registered_text(existing[resident_id], names.get(resident_id, "")),
                )
            )
    return problems


def _create_workbook_member(
    row: dict[str, Any],  # a Polars row: Polars types its values as Any
    name: str,
    household: Household,
    on: dt.date,
    path: Path,
) -> Person:
    """A member of the workbook: the person (sex and birth date from the ID number), their
    membership from ``on`` and their declared incomes and monetary assets (fen)."""
    resident_id = row["person_id"]
    person = Person.objects.create(
        resident_id=resident_id,
        name=name,
        sex="1" if int(resident_id[16]) % 2 else "2",
        birth_date=dt.date(
            int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14])
        ),
        **{
            f: _value(row[f])
            for f in PERSON_FIELDS
            if f in row and f != "birth_date" and row[f] is not None
        },
    )
    Membership.objects.create(
        household=household,
        person=person,
        relation=row["relation"],
        valid_from=on,
        absence_reason=row.get("absence_reason") or "none",
        absent_since=row.get("absent_since"),
        lives_with_household=row.get("lives_with_household", True) is not False,
    )
    Income.objects.bulk_create(
        Income(
            person=person,
            component=c,
            monthly_amount=int(row[c]),
            source=Source.DECLARED,
            basis=f"工作簿 {path.name}",
        )
        for c in INCOME_COMPONENTS
        if row.get(c)
    )
    if row.get("monetary_assets"):
        Asset.objects.create(
            person=person,
            amount=int(row["monetary_assets"]),
            source=Source.DECLARED,
            basis=f"工作簿 {path.name}",
        )
    return person


def _registered_text(registered: str, written: str) -> str:
    """Why an ID already in the registry is refused, saying whether the names differ (the
    same number under another name is a typing error or another person: a person decides)."""
    if not written or person_names.same_name(registered, written):
        return "该身份证号已在登记库中 (already registered)"
    return (
        f"该身份证号已在登记库中，登记姓名“{registered}”与本表姓名“{written}”不同，"
        "请核实是否同一人 (already registered under another name)"
    )


def _import_warnings(read: list[str], names: dict[str, str]) -> list[str]:
    """What the import records beside its counts: the reader's warnings (15-digit IDs
    converted, numeric cells read as text, the header row) and each name with characters to
    check (生僻字待核), at most 200."""
    rare = [
        f"{number[:6]}********{number[14:]}: {note}"
        for number, name in names.items()
        if (note := person_names.rare_note(name)) is not None
    ]
    return [*read, *rare][:200]
