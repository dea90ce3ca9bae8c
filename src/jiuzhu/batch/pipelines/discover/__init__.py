"""Proactive discovery (主动发现与预警, 《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（国办函〔2023〕39号）; docs/decisions/0007): match a month's
department feeds against the registry and the low-income population register, evaluate every
signal of the catalogue (``signals/*.yaml``) and return the alerts, routed to the owning
community, township or district.

``discover(inputs, month)`` takes a ``DiscoveryInputs``:

``households`` — the registry's households (the engine frame as ``jiuzhu synth`` writes it):
    ``household_id`` (Int64 or String; compared as text), ``division_code`` (String, 12-digit
    community code), plus the engine's household input variables (used by the rules-engine checks).
``persons`` — the registry's persons: ``person_id``, ``household_id``, ``resident_id`` (String,
    18; a valid 15-digit number is read in its 18-digit form), ``birth_date`` (Date), optionally
    ``name`` (String: a feed record matched by ID under another name is noted on its alert) and
    the engine's person input variables (``disability_grade``, ``disability_category``,
    ``relationship``, …).
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
entitlement: adverse signals are verification tasks. Where a record of the signal's sources
carries the person's ID under another name (``jiuzhu.feeds.names``), the alert is raised all the
same, its explanation says so and its evidence keeps both names (``names``).
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
