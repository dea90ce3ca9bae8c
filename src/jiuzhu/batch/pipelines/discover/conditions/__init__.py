"""One condition per signal code: vectorised Polars over the run's ``Context``.

A condition returns one row per candidate alert with ``resident_id`` (String, null for a
household signal), ``household_id`` (String), ``subject`` and ``episode`` (String: the alert key is
``SIGNAL:subject:episode``), ``record`` (Struct: the source record and values compared, for the
evidence) and a String column for every placeholder of the signal's templates that is not one of
its parameters. Money stays in integer fen until it is shown in a template (yuan).

The conditions live by signal category, one module per ``signals/<category>.yaml``:
``discovery``, ``needs``, ``dynamic_management`` and ``policy_delivery``; ``common`` holds the
registry (``CONDITIONS``, filled by ``@condition("CODE")``), the label tables and the helpers they
share. Importing this package imports every category, so ``CONDITIONS`` is complete.
"""

from __future__ import annotations

from jiuzhu.batch.pipelines.discover.conditions import (  # noqa: F401 (each registers its conditions)
    discovery,
    dynamic_management,
    needs,
    policy_delivery,
)
from jiuzhu.batch.pipelines.discover.conditions.common import CONDITIONS, Condition, condition

__all__ = ["CONDITIONS", "Condition", "condition"]
