"""What the registry tells the apps above it when a household changes.

The registry sits below cases and entitlements (it may not import them), yet a change to a
household with an open application or an entitlement in force must open the matching check
there (issue 9). ``household_changed`` is sent by every upkeep action inside its transaction;
``cases`` and ``entitlements`` connect receivers in their ``AppConfig.ready`` and write in the
same transaction, so the change and its task are saved together or not at all.

Arguments: ``household`` (Household), ``user``, ``change`` (one of ``CHANGES``), ``on`` (the
date the change took effect), ``person`` (the member concerned, or None), ``description`` (what
changed, in the record's language), ``event_id`` (the audit event's id: a key for the task).
"""

from __future__ import annotations

from django.dispatch import Signal

CHANGES = (
    "registered",
    "member_facts",
    "household_facts",
    "member_added",
    "moved_in",
    "moved_out",
    "died",
    "absent",
    "returned",
    "applicant_changed",
    "merged",
    "declaration",
)
"""The kinds of change an upkeep action reports."""

household_changed = Signal()
