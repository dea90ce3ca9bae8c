"""Public reference data shipped with Jiuzhu: Baodi's division codes (townships and villages), the
ID-number address codes (provinces, and Tianjin's counties with the retired ones), and
the caseload estimate bands the synthetic district is calibrated to.

The CSV files under ``data/`` are copied from the project's shared reference folder with their
``source`` column (NBS statistical division codes via modood/Administrative-divisions-of-China;
MCA codes as of 2025-12-31; the bands are derived estimates, not statistics, with their
arithmetic in the ``basis`` column).
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


@dataclass(frozen=True)
class EstimateBand:
    """A derived estimate of a Baodi quantity: a range, how it was derived and its confidence."""

    quantity: str
    low: float
    high: float
    basis: str
    confidence: str


@cache
def caseload_bands() -> dict[str, EstimateBand]:
    """``baodi_caseload_estimate_bands.csv`` by quantity (e.g. ``低保 persons``); a share such as
    ``23-26%`` is given as 0.23–0.26."""
    data = resources.files("jiuzhu.reference") / "data"
    bands: dict[str, EstimateBand] = {}
    with (data / "baodi_caseload_estimate_bands.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row["band"].replace(",", "")
            scale = 100 if text.endswith("%") else 1
            low, high = (float(x) / scale for x in text.rstrip("%").split("-"))
            bands[row["quantity"]] = EstimateBand(
                row["quantity"], low, high, row["basis"], row["confidence"]
            )
    return bands


@dataclass(frozen=True)
class AddressCode:
    """An ID-number address code (GB/T 2260 as used in GB 11643) and when it was in use.

    ``valid_from``/``valid_to`` are years (None: open); a code retired in 2001 (宝坻县 120224)
    still identifies everyone to whom it was assigned before."""

    code: str
    name: str
    valid_from: int | None
    valid_to: int | None


@cache
def address_code_table() -> dict[str, tuple[AddressCode, ...]]:
    """``id_address_codes.csv``: province codes (``110000`` …) and every Tianjin county-level
    code, current and retired, by code (a code reused under another name has several
    entries, e.g. 120110 东郊区 until 1991, then 东丽区)."""
    data = resources.files("jiuzhu.reference") / "data"
    table: dict[str, list[AddressCode]] = {}
    with (data / "id_address_codes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(row["code"], []).append(
                AddressCode(
                    row["code"],
                    row["name"],
                    int(row["valid_from"]) if row["valid_from"] else None,
                    int(row["valid_to"]) if row["valid_to"] else None,
                )
            )
    return {code: tuple(entries) for code, entries in table.items()}


@cache
def address_codes() -> frozenset[str]:
    """Every address code of the table (current and retired)."""
    return frozenset(address_code_table())


@cache
def province_codes() -> frozenset[str]:
    """The two-digit province codes an ID may begin with."""
    return frozenset(code[:2] for code in address_code_table() if code.endswith("0000"))


@cache
def address_codes_cover() -> frozenset[str]:
    """The provinces whose county-level codes the table lists completely (Tianjin): an ID from
    elsewhere is checked for its province only."""
    return frozenset(code[:2] for code in address_code_table() if not code.endswith("0000"))
