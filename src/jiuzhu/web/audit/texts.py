"""The language of texts kept in the record.

A version's reason, an event's note, a task's rule or a register entry's reason is part of the
case file, read later by the next caseworker, the district and the auditor: it is written in the
platform's language (``settings.LANGUAGE_CODE``, zh-Hans) whatever the language of the page the
user acted on. Messages shown to the user (errors, confirmations) stay in the user's language.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

P = ParamSpec("P")
R = TypeVar("R")


def record_language() -> AbstractContextManager[None]:
    """``with record_language(): note = _("…") % values`` — the text as the record keeps it."""
    return translation.override(settings.LANGUAGE_CODE)


def in_record_language(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` — one that only builds texts and values to store, never a message for
    the user — in the record's language."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with record_language():
            return function(*args, **kwargs)

    return wrapper


def recorded(message: str | Promise, **values: object) -> str:
    """``message`` (the Chinese source text, or a lazy label) formatted with ``values``, as the
    record keeps it. Not marked for translation: a kept text is never translated.
    ``recorded("渐退期 %(months)s 个月", months=6)``."""
    with record_language():
        text = str(message)
        if not values:
            return text
        return text % {key: _plain(value) for key, value in values.items()}


def _plain(value: object) -> object:
    # A lazy label (a choice's display name) is rendered now, in the record's language.
    return str(value) if isinstance(value, Promise) else value
