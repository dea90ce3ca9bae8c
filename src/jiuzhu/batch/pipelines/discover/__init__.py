"""Proactive discovery (主动发现与预警, spec.md §2.9; docs/decisions/0007): match a month's
department feeds against the registry and the low-income population register, evaluate every
signal of the catalogue (``signals/*.yaml``) and return the alerts, routed to the owning
community, township or district.

``discover(inputs, month)`` takes a ``DiscoveryInputs``:

``households`` — the registry's households (the engine frame as ``jiuzhu synth`` writes it):
    ``household_id`` (Int64 or String; compared as text), ``division_code`` (String, 12-digit
    community code), plus the engine's household input variables (used by the rules-engine checks).
``persons`` — the registry's persons: ``person_id``, ``household_id``, ``resident_id`` (String,
    18), ``birth_date`` (Date) and the engine's person input variables (``disability_grade``,
    ``disability_category``, ``relationship``, …).
``register`` — ``REGISTER_SCHEMA`` (see ``schema``).
``feeds`` — normalised feed frames by source name (``medical_insurance``, ``disability``,
    ``deaths``, ``custody``, ``unemployment``, ``social_insurance``, ``vehicles``,
    ``real_estate``, ``market_entities``, …), as ``jiuzhu.feeds`` reads them (money in fen,
    dates as Date, ``period`` ``YYYY-MM``); a missing source is an empty feed.
``obligors`` — optional, the registry's support obligors (engine frame).

``discover(inputs, month, signals=None)``: ``signals`` replaces the packaged catalogue (e.g. a
parameter changed in a test). Bad inputs raise ``DiscoveryInputError`` (frame, row, column, rule);
``read_inputs`` in ``files`` builds the inputs from a folder (``jiuzhu discover``).

It returns a frame in ``ALERT_SCHEMA``: deterministic ``alert_key`` (``SIGNAL:subject:episode``),
unique within a run; running a month again gives the same keys. An alert never changes an
entitlement: adverse signals are verification tasks.
"""

from __future__ import annotations

from jiuzhu.batch.pipelines.discover.context import DiscoveryInputError
from jiuzhu.batch.pipelines.discover.pipeline import DiscoveryInputs, discover
from jiuzhu.batch.pipelines.discover.schema import (
    ALERT_SCHEMA,
    REGISTER_SCHEMA,
    empty_alerts,
    empty_register,
)

__all__ = [
    "ALERT_SCHEMA",
    "REGISTER_SCHEMA",
    "DiscoveryInputError",
    "DiscoveryInputs",
    "discover",
    "empty_alerts",
    "empty_register",
]
