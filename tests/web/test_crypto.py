"""Personal data encrypted at rest (issue 12): ID numbers, bank accounts and health fields are
sealed in the database (AES-256-GCM, key from the environment), found by a keyed hash, and
``rotate_keys`` moves everything to a new key; a stale lookup on a sealed column fails loudly."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.core import crypto, sealing
from jiuzhu.web.core.fields import SealedLookupError, ending_match, sealed_match
from jiuzhu.web.payments.models import AccountStatus, BankAccount
from jiuzhu.web.registry.models import Household, Membership, Obligor, Person
from jiuzhu.web.registry.queries import search
from jiuzhu.web.verification.models import DepartmentRecord

pytestmark = pytest.mark.django_db
ACCOUNT = "6222020200112233445"


def _key(byte: int) -> str:
    return base64.b64encode(bytes([byte]) * 32).decode()


def _ring(data: str, search: str, previous: str = "") -> crypto.Keyring:
    environ = {"JIUZHU_DATA_KEYS": data, "JIUZHU_SEARCH_KEY": search}
    if previous:
        environ["JIUZHU_SEARCH_KEY_PREVIOUS"] = previous
    return crypto.keyring_from_environment(environ, debug=False)


def _member(user: User) -> Membership:
    found = (
        Membership.objects.filter(
            valid_to__isnull=True, household__division_code__startswith=user.division_code
        )
        .select_related("person", "household")
        .first()
    )
    assert found is not None
    return found


def _raw(table: str, *columns: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
        return list(cursor.fetchall())


def _account(person: Person, household: Household) -> BankAccount:
    return BankAccount.objects.create(
        household=household,
        bank_name="中国工商银行宝坻支行",
        account_number=ACCOUNT,
        holder_name=person.name,
        holder_id=person.resident_id,
        status=AccountStatus.IN_FORCE,
    )


def test_without_debug_a_missing_key_stops_the_start() -> None:
    with pytest.raises(crypto.KeyConfigError, match="JIUZHU_DATA_KEYS"):
        crypto.keyring_from_environment({}, debug=False)
    with pytest.raises(crypto.KeyConfigError, match="32 bytes"):
        _ring("k1:" + base64.b64encode(b"short").decode(), _key(2))
    with pytest.raises(crypto.KeyConfigError):
        _ring("k1:" + _key(1), "")
    assert crypto.keyring_from_environment({}, debug=True).development


def test_a_sealed_value_opens_only_unaltered_and_under_a_configured_key() -> None:
    ring = _ring(f"k2:{_key(2)},k1:{_key(1)}", _key(9))
    sealed = crypto.seal("120224196107050136", ring)
    assert sealed.startswith("enc1$k2$") and "120224196107050136" not in sealed
    assert crypto.seal("120224196107050136", ring) != sealed  # a fresh nonce each time
    assert crypto.open_sealed(sealed, ring) == "120224196107050136"
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(crypto.SealError):
        crypto.open_sealed(tampered, ring)
    with pytest.raises(crypto.SealError, match="not configured"):
        crypto.open_sealed(sealed, _ring(f"k1:{_key(1)}", _key(9)))
    assert crypto.search_hash("12022419870315001x") == crypto.search_hash("12022419870315001X")


def test_the_raw_tables_hold_no_id_account_or_disease_in_clear(users: dict[str, User]) -> None:
    member = _member(users["caseworker"])
    person = member.person
    Person.objects.filter(pk=person.pk).update(serious_illness="uremia")
    _account(person, member.household)
    ids = set(Person.objects.values_list("resident_id", flat=True))
    for table, columns in [
        ("registry_person", ("resident_id", "serious_illness", "special_outpatient_disease")),
        ("registry_obligor", ("resident_id",)),
        ("payments_bankaccount", ("account_number", "holder_id")),
        ("payments_bankreturnrow", ("account_number",)),
        ("verification_departmentrecord", ("resident_id",)),
    ]:
        for row in _raw(table, *columns):
            assert all(value == "" or str(value).startswith("enc1$") for value in row), table
    for table, column in [
        ("registry_person", "resident_id"),
        ("verification_departmentrecord", "resident_id"),
    ]:
        assert not ids & {value for (value,) in _raw(table, column)}
    assert DepartmentRecord.objects.exists() and Obligor.objects.exists()
    assert ACCOUNT not in {a for (a,) in _raw("payments_bankaccount", "account_number")}
    assert "uremia" not in {v for (v,) in _raw("registry_person", "serious_illness")}
    # Through the ORM, plaintext (values() too: the frames the rules read).
    assert Person.objects.filter(pk=person.pk).values_list("serious_illness", flat=True)[0] == (
        "uremia"
    )
    assert BankAccount.objects.get(household=member.household).account_number == ACCOUNT


def test_a_lookup_on_a_sealed_column_fails_loudly() -> None:
    for lookup in ("resident_id", "resident_id__in", "resident_id__endswith"):
        with pytest.raises(SealedLookupError, match="encrypted"):
            Person.objects.filter(**{lookup: "120224196107050136"}).exists()
    with pytest.raises(SealedLookupError):
        BankAccount.objects.filter(account_number=ACCOUNT).exists()
    with pytest.raises(SealedLookupError):
        Membership.objects.filter(person__resident_id="120224196107050136").exists()
    assert Person.objects.filter(resident_id__isnull=True).count() == 0


def test_every_write_path_keeps_the_hashes_and_the_tail(users: dict[str, User]) -> None:
    person = _member(users["caseworker"]).person
    born = dt.date(1961, 7, 5)

    def found(number: str) -> Person:
        match = Person.objects.get(sealed_match("resident_id", number))
        assert match.resident_id_tail == number.upper()[-4:]
        assert match.resident_id_ending == crypto.search_hash(number[-6:])
        assert Person.objects.filter(ending_match("resident_id", number)).contains(match)
        return match

    made = Person.objects.create(
        resident_id="120224196107050136", name="甲", sex="1", birth_date=born
    )
    assert found("120224196107050136") == made
    [bulk] = Person.objects.bulk_create(
        [Person(resident_id="12022419610705021X", name="乙", sex="1", birth_date=born)]
    )
    assert found("12022419610705021x").name == "乙"
    bulk.resident_id = "120224196107050232"
    Person.objects.bulk_update([bulk], ["resident_id"])
    assert found("120224196107050232").pk == bulk.pk
    Person.objects.filter(pk=made.pk).update(resident_id="120224196107050259")
    assert found("120224196107050259").pk == made.pk
    person.resident_id = "120224196107050275"
    person.save(update_fields=["resident_id"])
    assert found("120224196107050275").pk == person.pk
    assert not Person.objects.filter(sealed_match("resident_id", "120224196107050136")).exists()


def test_search_finds_a_household_by_the_whole_id_and_by_its_ending(
    users: dict[str, User],
) -> None:
    member = _member(users["caseworker"])
    number = member.person.resident_id
    assert list(search(users["caseworker"], number)) == [member.household]
    for length in (4, 5, 6, 7, 17):
        assert member.household in search(users["caseworker"], number[-length:]), length
    # Another person's ending with this one's last six is not this household.
    other = str((int(number[-7]) + 1) % 10) + number[-6:]
    assert member.household not in search(users["caseworker"], other)
    assert member.household not in search(users["outsider"], number)


def test_migration_seals_rows_in_clear_and_its_reverse_opens_them(users: dict[str, User]) -> None:
    """The data migrations' step (``core.sealing``) on rows still in clear, as before issue 12:
    sealed, their hashes filled; the reverse leaves clear text; both rerun harmlessly."""
    person = _member(users["caseworker"]).person
    number = person.resident_id
    table = next(t for t in sealing.sealed_tables() if t.name == "registry_person")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET resident_id = %s, resident_id_hash = %s,"
            " special_outpatient_disease = %s WHERE id = %s",
            [number, f"stale-{person.pk}", "true", person.pk],
        )
    read, written = sealing.process(table)
    assert written == 1 and read == Person.objects.count()
    assert sealing.process(table)[1] == 0  # idempotent
    assert Person.objects.get(sealed_match("resident_id", number)).special_outpatient_disease
    obligors = next(t for t in sealing.sealed_tables() if t.name == "registry_obligor")
    before = Obligor.objects.order_by("pk").values_list("resident_id", flat=True)[0]
    sealing.process(obligors, mode="open")
    assert _raw("registry_obligor", "resident_id")[0][0] in {before, ""} or before in {
        v for (v,) in _raw("registry_obligor", "resident_id")
    }
    sealing.process(obligors)
    assert all(
        str(v).startswith("enc1$") or v == "" for (v,) in _raw("registry_obligor", "resident_id")
    )


def test_rotation_moves_every_value_to_the_new_key(settings: Any, users: dict[str, User]) -> None:
    old = _ring(f"k1:{_key(1)},{crypto.DEVELOPMENT_DATA_KEYS}", _key(11))
    settings.JIUZHU_KEYRING = old
    # Everything sealed under the old keys first (as a deployment before the rotation).
    for table in sealing.sealed_tables():
        sealing.process(table)
    member = _member(users["caseworker"])
    _account(member.person, member.household)
    number = member.person.resident_id

    # Rotate: a new data key first (the old one still opens) and a new search key.
    settings.JIUZHU_KEYRING = _ring(f"k2:{_key(2)},k1:{_key(1)}", _key(12), previous=_key(11))
    assert Person.objects.filter(sealed_match("resident_id", number)).exists()  # old hashes
    call_command("rotate_keys", verbosity=0)
    event = AuditEvent.objects.filter(action="core.rotate_keys").latest("pk")
    assert event.after is not None
    assert event.after["data_key"] == "k2"
    assert event.after["rewritten"] >= Person.objects.count() + DepartmentRecord.objects.count()
    assert _key(2) not in str(event.after) and number not in str(event.after)
    call_command("rotate_keys", verbosity=0)  # a rerun (as after a crash) rewrites nothing
    again = AuditEvent.objects.filter(action="core.rotate_keys").latest("pk").after
    assert again is not None
    assert again["rewritten"] == 0 and again["rows"] == event.after["rows"]

    # The old keys retired: everything still opens, search still finds by ID.
    settings.JIUZHU_KEYRING = _ring(f"k2:{_key(2)}", _key(12))
    assert {crypto.key_id_of(v) for (v,) in _raw("registry_person", "resident_id")} == {"k2"}
    assert len(list(Person.objects.values_list("resident_id", "serious_illness"))) > 0
    assert BankAccount.objects.get(household=member.household).account_number == ACCOUNT
    assert len(list(DepartmentRecord.objects.values_list("resident_id", flat=True)[:100])) > 0
    assert list(search(users["caseworker"], number)) == [member.household]
    settings.JIUZHU_KEYRING = old
    with pytest.raises(crypto.SealError):
        Person.objects.get(pk=member.person.pk)


def test_new_key_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("rotate_keys", new_key=True)
    key = capsys.readouterr().out.strip()
    assert len(base64.b64decode(key)) == 32


def test_a_production_start_without_keys_stops_with_one_line(tmp_path: Any) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("JIUZHU_DATA_KEYS", "JIUZHU_SEARCH_KEY", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        JIUZHU_DEBUG="0",
        JIUZHU_SECRET_KEY="x" * 60,
        JIUZHU_ALLOWED_HOSTS="jiuzhu.example.gov.cn",
        JIUZHU_DATA_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-m", "jiuzhu.web.manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "配置错误 (configuration error): 个人信息加密密钥 (encryption keys): JIUZHU_DATA_KEYS and"
        " JIUZHU_SEARCH_KEY must be set when JIUZHU_DEBUG=0 (docs/keys.md)"
    )


def test_check_deploy_warns_of_the_development_keys() -> None:
    from django.core import checks

    found = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "core.W001" in found
    assert "core.W001" not in [m.id for m in checks.run_checks()]
