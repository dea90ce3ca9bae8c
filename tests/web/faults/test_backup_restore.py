"""Backup and restore of PostgreSQL (issue 12, point 5): ``scripts/backup-postgres`` dumps the
populated test database, ``scripts/restore-drill`` restores it (``scripts/restore-postgres``)
into a fresh database, and the platform runs there — its migrations are all applied, the
registry, the payments and the audit log have every row, a page renders, and the audit chain
verifies (when the platform has ``verify_audit``). A restore refuses a damaged dump and a
database that already holds tables (unless told), and says when the encryption keys at hand are
not those of the backup."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import get_commands

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.core.crypto import DEVELOPMENT_DATA_KEYS, DEVELOPMENT_SEARCH_KEY, new_key
from jiuzhu.web.registry.models import Household
from tests.web.concurrency import ON_POSTGRESQL
from tests.web.conftest import make_user
from tests.web.faults.support import (
    ROOT,
    conninfo,
    count,
    database_url,
    environment,
    finish,
    jiuzhu_web,
    needs,
)

pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="a PostgreSQL backup (pg_dump, pg_restore)"
)

BACKUP = ROOT / "scripts" / "backup-postgres"
RESTORE = ROOT / "scripts" / "restore-postgres"
# The keys the test database's personal data is sealed with: the environment's, else the
# development keys the tests run with (the restored database must open with them).
KEYS = {
    "JIUZHU_DATA_KEYS": os.environ.get("JIUZHU_DATA_KEYS") or DEVELOPMENT_DATA_KEYS,
    "JIUZHU_SEARCH_KEY": os.environ.get("JIUZHU_SEARCH_KEY") or DEVELOPMENT_SEARCH_KEY,
}
DRILL = ROOT / "scripts" / "restore-drill"
MANAGE = "jiuzhu.web.manage"
COUNTED = {
    "households": "registry_household",
    "persons": "registry_person",
    "payments": "payments_payment",
    "audit_events": "audit_auditevent",
}


def _script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        env=environment(**KEYS) | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def restored() -> Iterator[str]:
    """The name of a database to restore into, dropped afterwards."""
    name = f"{conninfo()['dbname']}_restored"
    with psycopg.connect(**(conninfo() | {"dbname": "postgres"}), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    with psycopg.connect(**(conninfo() | {"dbname": "postgres"}), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)  # the backup reads what is committed
def test_a_backup_restores_into_a_fresh_database_that_runs(
    committed_district: None, tmp_path: Path, restored: str, settings: Any
) -> None:
    needs(shutil.which("pg_dump") is not None, "pg_dump and pg_restore are installed")
    make_user("director", Role.DISTRICT_DIRECTOR, DISTRICT_CODE)
    household = Household.objects.order_by("pk").first()
    assert household is not None
    folder = tmp_path / "backups"
    made = [_script(BACKUP, "--to", folder, "--keep", "1") for _ in range(2)]
    assert all(m.returncode == 0 for m in made), made[-1].stderr
    dump = Path(made[-1].stdout.strip())
    # Two backups, the newest kept (with its checksum and manifest), nothing half-written.
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 3 and dump.name in kept and not any(".partial" in n for n in kept)
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # personal data: the owner's only
    manifest = Path(f"{dump}.manifest").read_text()
    assert "key JIUZHU_DATA_KEYS sha256:" in manifest and KEYS["JIUZHU_DATA_KEYS"] not in manifest
    assert KEYS["JIUZHU_DATA_KEYS"].encode() not in dump.read_bytes()

    # The drill: restored into a fresh database, migrations checked, the platform started, the
    # counts printed, the audit chain verified (where the platform has verify_audit), a page.
    target = database_url(restored)
    drill = _script(DRILL, dump, "--database", target, JIUZHU_WEB=f"{sys.executable} -m {MANAGE}")
    assert drill.returncode == 0, drill.stderr
    assert "restore-drill: passed" in drill.stderr
    if "verify_audit" not in get_commands():
        assert "no verify_audit command" in drill.stderr
    printed = dict(line.split() for line in drill.stdout.splitlines() if line.count(" ") == 1)
    here = conninfo()
    for name, table in COUNTED.items():
        assert int(printed[name]) == count(table, **here), table
    assert int(printed["households"]) > 0

    # A household's page, for a user of the backup.
    page = (
        "from django.test import Client;"
        "from jiuzhu.web.accounts.models import User;"
        "c = Client(); c.force_login(User.objects.get(username='director'));"
        f"r = c.get('/registry/households/{household.pk}/');"
        f"print(r.status_code, {household.number!r} in r.content.decode())"
    )
    code, output = finish(jiuzhu_web("shell", "-c", page, env=environment(target, **KEYS)))
    assert code == 0 and output.strip().endswith("200 True"), output


@pytest.mark.django_db  # whatever is committed will do: no flush and reload afterwards
def test_a_restore_refuses_a_damaged_dump_and_a_database_in_use(
    tmp_path: Path, restored: str
) -> None:
    needs(shutil.which("pg_dump") is not None, "pg_dump and pg_restore are installed")
    made = _script(BACKUP, "--to", tmp_path)
    assert made.returncode == 0, made.stderr
    dump = Path(made.stdout.strip())
    target = database_url(restored)

    damaged = tmp_path / "damaged" / dump.name
    damaged.parent.mkdir()
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    shutil.copy(f"{dump}.sha256", f"{damaged}.sha256")
    refused = _script(RESTORE, damaged, "--database", target)
    assert refused.returncode == 1 and "does not match its checksum" in refused.stderr
    with psycopg.connect(**(conninfo() | {"dbname": "postgres"}), autocommit=True) as db:
        assert not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [restored]).fetchone()

    assert _script(RESTORE, dump, "--database", target).returncode == 0
    households = count("registry_household", **(conninfo() | {"dbname": restored}))
    again = _script(RESTORE, dump, "--database", target)
    assert again.returncode == 1 and "already holds" in again.stderr
    forced = _script(RESTORE, dump, "--database", target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert count("registry_household", **(conninfo() | {"dbname": restored})) == households

    # Other keys here than at the backup: restored (owners and grants as dumped, the roles
    # being the same here), and said (exit status 3).
    other = _script(
        RESTORE,
        dump,
        "--database",
        target,
        "--force",
        "--as-dumped",
        JIUZHU_SEARCH_KEY=new_key(),
    )
    assert other.returncode == 3
    assert "JIUZHU_SEARCH_KEY here is not the key the backup was made with" in other.stderr
