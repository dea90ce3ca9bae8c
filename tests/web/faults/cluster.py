"""A private, throwaway PostgreSQL cluster for the faults that need a server of their own — one
the test stops (``pg_ctl stop -m immediate``, as a crash or a power cut) and starts again — and
tiny filesystems mounted for disk-full tests. Both need root (the server runs as the
``postgres`` user, as ``.ci/run`` runs CI's; ``mount`` needs root); CI runs as root.

The cluster gets its data from the test database through ``scripts/backup-postgres`` and
``scripts/restore-postgres`` (the scripts the operators use), so it holds what the test set up.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.web.faults.support import ROOT, as_root, environment, needs, postgres_tools


@dataclass
class Cluster:
    """A running private cluster: its folder, port and binaries."""

    folder: Path
    port: int
    tools: Path

    def pg_ctl(self, *args: str) -> None:
        as_postgres(str(self.tools / "pg_ctl"), "-s", "-D", str(self.folder / "data"), *args)

    def start(self) -> None:
        options = f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1"
        self.pg_ctl("-l", str(self.folder / "log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop")

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def info(self, dbname: str) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "user": "postgres", "dbname": dbname}

    def restore_test_database(self, dbname: str) -> None:
        """The test database as committed now, restored into ``dbname`` of this cluster."""
        backups = self.folder / "backups"
        made = _run(str(ROOT / "scripts" / "backup-postgres"), "--to", str(backups))
        dump = made.stdout.strip()
        _run(str(ROOT / "scripts" / "restore-postgres"), dump, "--database", self.url(dbname))


def as_postgres(*command: str) -> None:
    """``command`` as the ``postgres`` user (the server refuses to run as root)."""
    subprocess.run(
        ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, env=environment(), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode in (0, 3), done.stderr  # 3: restored, keys not set here
    return done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def private_cluster() -> Iterator[Cluster]:
    """A fresh cluster, started; stopped and removed afterwards (a fixture's body)."""
    tools = postgres_tools()
    needs(as_root(), "a cluster of its own runs as the postgres user: the test must run as root")
    needs(tools is not None and (tools / "initdb").exists(), "PostgreSQL's initdb and pg_ctl")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        owner = None
    needs(owner is not None, "the postgres user (installed with the server)")
    assert tools is not None and owner is not None
    folder = Path(tempfile.mkdtemp(prefix="jiuzhu-fault-pg."))
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    as_postgres(str(tools / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres")
    cluster = Cluster(folder, _free_port(), tools)
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def tiny_filesystem(size_kb: int, owner: str = "root") -> Iterator[Path]:
    """A tmpfs of ``size_kb`` KiB mounted on a new folder (owned by ``owner``), unmounted after."""
    needs(as_root(), "mounting a small filesystem needs root")
    folder = Path(tempfile.mkdtemp(prefix="jiuzhu-fault-disk."))
    user = pwd.getpwnam(owner)
    mounted = subprocess.run(
        [
            "mount",
            "-t",
            "tmpfs",
            "-o",
            f"size={size_kb}k,mode=0700,uid={user.pw_uid},gid={user.pw_gid}",
            "tmpfs",
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    needs(mounted.returncode == 0, f"mount -t tmpfs works here ({mounted.stderr.strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def fill(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to the last byte with one file; its path."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 4096)
    return filler
