"""The labels of the signal catalogue (``jiuzhu.batch.pipelines.discover``), in the UI's
language. The catalogue is the batch half's data (``signals/*.yaml``, loaded once); the web half
only reads its labels. A code the catalogue does not name (an alert of a signal since removed)
is shown as the code by the callers."""

from __future__ import annotations

from django.utils.translation import get_language

from jiuzhu.batch.pipelines.discover.catalogue import catalogue


def signal_labels() -> dict[str, str]:
    """Signal code → label in the active language (Chinese unless English is active).

    Raises:
        CatalogueError: the packaged catalogue is invalid (a defect of the release).
    """
    english = (get_language() or "").startswith("en")
    return {
        code: (signal.label_en or signal.label) if english else signal.label
        for code, signal in catalogue().items()
    }
