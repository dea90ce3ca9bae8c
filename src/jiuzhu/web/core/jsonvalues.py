"""The types of values stored in JSON fields (assessment results, audit snapshots, evidence)."""

from __future__ import annotations

from typing import TypeAlias

Scalar: TypeAlias = str | int | float | bool | None
"""One stored value that is not a list or an object (a bool is an int to ``int()``)."""

JSONValue: TypeAlias = Scalar | list["JSONValue"] | dict[str, "JSONValue"]
"""Every value a JSON field can hold."""

JSONObject: TypeAlias = dict[str, JSONValue]
"""A JSON object, as a JSON field hands it back."""
