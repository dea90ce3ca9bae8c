"""Public reference data shipped with Jiuzhu: Baodi's division codes (townships and villages).

The CSV files under ``data/`` are copied from the project's shared reference folder with their
``source`` column (NBS statistical division codes via modood/Administrative-divisions-of-China;
MCA codes as of 2025-12-31).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Division:
    """A township (乡镇/街道, 9-digit code) or community (村/居, 12-digit code) of Baodi."""

    code: str
    name: str
    level: str
    """``township`` or ``community``."""
    township_code: str
    township_name: str
    kind: str
    """街道, 镇, functional zone; or 居委会 / 村委会 for communities."""
    mca_code: str | None = None


@cache
def baodi_divisions() -> dict[str, Division]:
    """Every Baodi township (9 digits) and community (12 digits) by NBS code."""
    data = resources.files("jiuzhu.reference") / "data"
    divisions: dict[str, Division] = {}
    with (data / "baodi_townships.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["nbs_code_12"][:9]
            divisions[code] = Division(
                code,
                row["name"],
                "township",
                code,
                row["name"],
                row["type"],
                row["mca_code_12"][:9] if row.get("mca_code_12") else None,
            )
    with (data / "baodi_villages_nbs.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["name_unicode_corrected"] or row["name_nbs"]
            kind = "居委会" if row["kind_by_code_range"].startswith("居") else "村委会"
            divisions[row["code_12"]] = Division(
                row["code_12"], name, "community", row["town_code_9"], row["town_name"], kind
            )
    return divisions


def division(code: str) -> Division | None:
    """The Baodi division with this NBS code (9 or 12 digits; a 12-digit township code such as
    ``120115001000`` is accepted too), or None."""
    code = code.strip()
    if len(code) == 12 and code.endswith("000"):
        found = baodi_divisions().get(code[:9])
        if found is not None:
            return found
    return baodi_divisions().get(code)
