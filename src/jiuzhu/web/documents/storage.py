"""Where scanned materials live: files under ``settings.DATA_DIR / "materials"`` (outside the web
root and the static files), named by a random id, never by the uploader's file name. Their type
is recognised from the first bytes (magic numbers), never from the name or the browser's claim.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from jiuzhu.web.documents.models import FileType

MAGIC = (
    (b"%PDF-", FileType.PDF),
    (b"\xff\xd8\xff", FileType.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileType.PNG),
)
"""The signatures of the accepted types (ISO 32000 §7.5.2, JPEG SOI + marker, PNG §5.2)."""

EXTENSIONS = {FileType.PDF: "pdf", FileType.JPEG: "jpg", FileType.PNG: "png"}
DEFAULT_MAX_MB = 10


def max_bytes() -> int:
    """The largest file accepted, in bytes (``JIUZHU["MATERIAL_MAX_MB"]``, default 10 MB)."""
    megabytes = settings.JIUZHU.get("MATERIAL_MAX_MB") or DEFAULT_MAX_MB
    return int(str(megabytes)) * 1024 * 1024


def root() -> Path:
    return Path(settings.DATA_DIR) / "materials"


def detect(head: bytes) -> FileType | None:
    """The type whose signature ``head`` (the file's first bytes) starts with, or None."""
    for signature, file_type in MAGIC:
        if head.startswith(signature):
            return file_type
    return None


@dataclass(frozen=True)
class Stored:
    """A file written to the store: its path relative to ``DATA_DIR``, size and SHA-256."""

    path: str
    size: int
    sha256: str


def read(upload: UploadedFile[bytes]) -> bytes:
    """The whole upload (at most ``max_bytes()``: the caller checks ``upload.size`` first)."""
    upload.seek(0)
    return b"".join(upload.chunks())


def store(content: bytes, file_type: FileType, township_code: str, year: int) -> Stored:
    """Write ``content`` to a new file ``materials/<township>/<year>/<random>.<ext>`` (never
    overwriting one: the name is random and the file is opened exclusively)."""
    folder = root() / township_code / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{EXTENSIONS[file_type]}"
    with (folder / name).open("xb") as handle:
        handle.write(content)
    return Stored(
        path=str(Path("materials") / township_code / str(year) / name),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def discard(stored: Stored) -> None:
    """Remove a file written for a record that was then not saved (the transaction failed)."""
    (Path(settings.DATA_DIR) / stored.path).unlink(missing_ok=True)


def absolute(path: str) -> Path:
    """The file of a stored relative path.

    Raises:
        FileNotFoundError: the path leaves the materials folder or the file is gone.
    """
    base = root().resolve()
    found = (Path(settings.DATA_DIR) / path).resolve()
    if not found.is_relative_to(base) or not found.is_file():
        raise FileNotFoundError(path)
    return found
