"""The optional extras of the package, and a one-line error when one is missing.

``pip install jiuzhu`` brings the rules and the batch pipelines with Polars, PyArrow, NumPy and
PyYAML only (docs/decisions/0012). Reading or writing an xlsx workbook needs the ``excel`` extra,
the ``jiuzhu`` command the ``cli`` extra, the synthetic district the ``synth`` extra and the case
platform the ``web`` extra. The bare modules import an extra's library only where it is used,
through ``require``, so that a missing extra says which one to install instead of failing at
import time.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# The top-level module of each optional library → the extra that installs it (pyproject.toml).
EXTRAS = {
    "typer": "cli",
    "rich": "cli",
    "openpyxl": "excel",
    "fastexcel": "excel",
    "faker": "synth",
    "xlsxwriter": "synth",
    "django": "web",
}


class MissingExtraError(ImportError):
    """An optional library is not installed; the message names the extra that brings it."""

    def __init__(self, module: str, purpose: str) -> None:
        extra = EXTRAS[module.split(".", maxsplit=1)[0]]
        super().__init__(
            f"{purpose} 需要安装 {extra} 扩展 (needs the {extra} extra): "
            f"pip install 'jiuzhu[{extra}]'"
        )
        self.extra = extra


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The extra that would have provided the module whose import failed, if any."""
    top = (exc.name or "").split(".", maxsplit=1)[0]
    return EXTRAS.get(top)


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` (of an extra's library) where it is used.

    ``purpose`` says what needs it, in Chinese and English as the package's errors do (e.g.
    "读取 xlsx 工作簿 (reading an xlsx workbook)"), for the message.

    Raises:
        MissingExtraError: the library is not installed.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if missing_extra(exc) is None:
            raise
        raise MissingExtraError(exc.name or module, purpose) from None
