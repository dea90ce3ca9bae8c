"""Reading the platform's settings from the environment (``JIUZHU_…`` variables).

A flag is ``1``/``0`` (also ``true``/``false``, ``yes``/``no``, ``on``/``off``); a list is
comma-separated. A value that cannot be read, or a setting production needs that is missing,
raises ``SettingsError``: ``jiuzhu-web`` prints its message as one line and exits with status 1
(``web/manage.py``), a WSGI server stops with it as the last line of its report.
"""

from __future__ import annotations

import os

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


class SettingsError(RuntimeError):
    """A setting of the environment is missing or cannot be read; the message names the
    variable and says what to set (one line)."""


def flag(name: str, default: bool) -> bool:
    """The flag ``name``, or ``default`` when it is unset or empty."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise SettingsError(f"{name}={raw!r}: 应为 1 或 0 (expected 1 or 0)")


def integer(name: str, default: int) -> int:
    """The whole number ``name`` (0 or more), or ``default`` when it is unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name}={raw!r}: 应为非负整数 (expected a whole number)")
    return int(raw)


def text(name: str, default: str) -> str:
    """The text ``name``, or ``default`` when it is unset or empty."""
    return os.environ.get(name, "").strip() or default


def listing(name: str, default: list[str]) -> list[str]:
    """The comma-separated list ``name`` (blanks dropped), or ``default`` when it is unset or
    empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or list(default)


def required(names: list[str], why: str) -> None:
    """Stops (``SettingsError``) when any of ``names`` is unset or empty, naming them all."""
    missing = [name for name in names if not os.environ.get(name, "").strip()]
    if missing:
        raise SettingsError(f"{', '.join(missing)} 未设置 (not set): {why}")
