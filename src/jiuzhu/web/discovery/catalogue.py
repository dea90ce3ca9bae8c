"""The labels of the signal catalogue (``jiuzhu.batch.pipelines.discover``), in the UI's
language. The catalogue is the batch half's data (``signals/*.yaml``); the web half only reads
its labels. A code the catalogue does not (yet) name is shown as the code."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language


@functools.cache
def _catalogue() -> tuple[tuple[str, str, str], ...]:
    """``(code, label_zh, label_en)`` of every signal the batch half's catalogue holds."""
    from jiuzhu.batch.pipelines.discover import catalogue as module  # noqa: PLC0415

    loader = next(
        (
            getattr(module, name)
            for name in ("catalogue", "load_catalogue", "load_signals")
            if callable(getattr(module, name, None))
        ),
        None,
    )
    found: Any = loader() if loader is not None else getattr(module, "SIGNALS", ())
    signals = found.values() if isinstance(found, Mapping) else found
    labels = []
    for signal in signals or ():
        code = _field(signal, "code")
        if not code:
            continue
        label = _field(signal, "label")
        zh = _field(signal, "label_zh") or (label.get("zh") if isinstance(label, dict) else label)
        en = _field(signal, "label_en") or (label.get("en") if isinstance(label, dict) else "")
        labels.append((str(code), str(zh or code), str(en or zh or code)))
    return tuple(labels)


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def signal_labels() -> dict[str, str]:
    """Signal code → label in the active language (Chinese unless English is active)."""
    english = (get_language() or "").startswith("en")
    try:
        catalogue = _catalogue()
    except (ImportError, OSError, ValueError, KeyError, TypeError):
        catalogue = ()
    return {code: (en if english else zh) for code, zh, en in catalogue}
