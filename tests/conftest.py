"""Hypothesis profiles for every property test.

- ``dev`` (the default): 50 examples for a test that does not set its own count.
- ``ci`` (when ``CI`` is set, as ``.ci/run`` runs): the same count, derandomised, without the
  example database and without a deadline, so that a CI run is reproducible, a slow shared runner
  does not fail a test, and a failure prints the example to replay.
- ``fuzz``: 2,000 examples, for a long local run of the reader fuzz
  (``HYPOTHESIS_PROFILE=fuzz pytest tests/feeds/test_reader_fuzz.py tests/web/test_reader_fuzz.py``).

``HYPOTHESIS_PROFILE`` names the profile; a test that sets ``max_examples`` keeps its own count.
"""

from __future__ import annotations

import os

from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("dev", max_examples=50)
hypothesis_settings.register_profile(
    "ci",
    parent=hypothesis_settings.get_profile("dev"),
    derandomize=True,
    database=None,
    deadline=None,
)
hypothesis_settings.register_profile(
    "fuzz", parent=hypothesis_settings.get_profile("dev"), max_examples=2_000
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
