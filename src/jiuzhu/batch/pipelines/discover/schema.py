"""The two frames that join the discovery batch and the web platform (docs/decisions/0007).

``REGISTER_SCHEMA`` — the low-income population register (低收入人口库), one row per person:

======================================  ==============================================================
column                                  dtype and meaning
======================================  ==============================================================
``resident_id``                         String, 18 characters
``household_id``                        String, the registry's household key
``category``                            Enum(``dibao``, ``tekun``, ``near_dibao``,
                                        ``rigid_expenditure``, ``monitored``)
``receiving``                           Boolean, receives the program now (false: monitored)
``included_on``                         Date of inclusion
``reason``                              String, the reason of inclusion in words
``review_due``                          Date (null), the entitlement's next review
``rigid_valid_until``                   Date (null), end of a rigid-expenditure determination
``monthly_amount``                      Int64 (null), the household's monthly amount paid, fen
``disability_living_allowance``         Boolean, receives the disability living allowance
``disability_care_allowance``           Boolean, receives the disability care allowance
``orphan_allowance``                    Boolean, receives the orphan or de facto unsupported child
                                        allowance
``children_in_hardship_allowance``      Boolean, receives the children-in-hardship allowance
======================================  ==============================================================

``ALERT_SCHEMA`` — one row per alert; ``alert_key`` is ``SIGNAL:subject:episode`` and is the same
when a month is run again.
"""

from __future__ import annotations

import polars as pl

REGISTER_CATEGORIES = ("dibao", "tekun", "near_dibao", "rigid_expenditure", "monitored")
ALERT_CATEGORIES = ("discovery", "needs", "dynamic_management", "policy_delivery")
SEVERITIES = ("high", "medium", "low")
OWNER_LEVELS = ("community", "township", "district")

RegisterCategory = pl.Enum(list(REGISTER_CATEGORIES))
AlertCategory = pl.Enum(list(ALERT_CATEGORIES))
Severity = pl.Enum(list(SEVERITIES))
OwnerLevel = pl.Enum(list(OWNER_LEVELS))

REGISTER_SCHEMA = pl.Schema(
    {
        "resident_id": pl.String(),
        "household_id": pl.String(),
        "category": RegisterCategory,
        "receiving": pl.Boolean(),
        "included_on": pl.Date(),
        "reason": pl.String(),
        "review_due": pl.Date(),
        "rigid_valid_until": pl.Date(),
        "monthly_amount": pl.Int64(),
        "disability_living_allowance": pl.Boolean(),
        "disability_care_allowance": pl.Boolean(),
        "orphan_allowance": pl.Boolean(),
        "children_in_hardship_allowance": pl.Boolean(),
    }
)
"""The register frame (decision 0007); ``monthly_amount`` in fen."""
REGISTER_FLAGS = (
    "receiving",
    "disability_living_allowance",
    "disability_care_allowance",
    "orphan_allowance",
    "children_in_hardship_allowance",
)
"""The register's yes-or-no columns: never null (an unknown payment is not a "no")."""

ALERT_SCHEMA = pl.Schema(
    {
        "alert_key": pl.String(),
        "signal": pl.String(),
        "category": AlertCategory,
        "severity": Severity,
        "owner_level": OwnerLevel,
        "owner_division": pl.String(),
        "township_code": pl.String(),
        "month": pl.String(),
        "household_id": pl.String(),
        "resident_id": pl.String(),
        "adverse": pl.Boolean(),
        "deadline_working_days": pl.Int16(),
        "evidence": pl.String(),
        "explanation_zh": pl.String(),
        "explanation_en": pl.String(),
    }
)
"""The alerts frame (decision 0007); ``evidence`` is a JSON object as text."""

DISTRICT_CODE = "120115"
"""宝坻区: the owner division of district-level signals."""


def empty_alerts() -> pl.DataFrame:
    """An alerts frame with no rows."""
    return pl.DataFrame(schema=ALERT_SCHEMA)


def empty_register() -> pl.DataFrame:
    """A register frame with no rows."""
    return pl.DataFrame(schema=REGISTER_SCHEMA)
