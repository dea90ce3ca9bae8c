"""No ID number or account number reaches a log or an error report unmasked (issue 12; 《中华人民共和国
个人信息保护法》第五十一条: the handler of personal information takes technical measures against
its leak).

* ``MaskingLogFilter``: installed on every handler of ``settings.LOGGING``; it masks the message
  with its arguments, the traceback and the stack of every record (``redaction.mask_text``).
* ``MaskingExceptionReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``): the error report
  (the 500 page in DEBUG, the administrators' e-mail) shows POST values, request headers and the
  local variables of each frame masked, on top of Django's hiding of passwords and keys.
* ``MaskingExceptionReporter`` (``DEFAULT_EXCEPTION_REPORTER``): the rendered report is masked
  as a whole as well, so that what the filter does not see — the GET parameters, the URL, the
  exception's own message — is masked too.
"""

from __future__ import annotations

import logging
import types
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from jiuzhu.web.core.redaction import mask_text

_FORMATTER = logging.Formatter()


class MaskingLogFilter(logging.Filter):
    """Masks a record in place and lets it through (a filter that never drops a record).

    The message is formatted with its arguments first and the arguments dropped: a number may
    be an argument of any type (``%s`` of an int, of a model instance), and masking the text
    after formatting sees it whatever its type.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class _Masked:
    """A value of a frame shown by its masked ``repr`` (the report pretty-prints values)."""

    def __init__(self, value: object) -> None:
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 — a broken __repr__ must not break the error report
            text = f"<{type(value).__name__}>"
        self.text = mask_text(text)

    def __repr__(self) -> str:
        return self.text


class MaskingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's safe filter (passwords, keys and tokens hidden) with ID and account numbers
    masked in POST values, request headers and every frame's local variables."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        cleansed = super().get_post_parameters(request)
        if not isinstance(cleansed, QueryDict):
            return {key: mask_text(str(value)) for key, value in dict(cleansed).items()}
        masked = cleansed.copy()
        for key, values in cleansed.lists():
            masked.setlist(key, [mask_text(str(value)) for value in values])
        return masked

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        return {
            key: mask_text(value) if isinstance(value, str) else value
            for key, value in meta.items()
        }

    def get_traceback_frame_variables(
        self, request: HttpRequest | None, tb_frame: types.FrameType
    ) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, _Masked(value)) for name, value in variables]


class MaskingExceptionReporter(ExceptionReporter):
    """The error report, HTML and text, masked as a whole (GET parameters, URL, exception)."""

    # Masking replaces digits with stars in text the report already escaped: still safe.
    def get_traceback_html(self) -> SafeString:
        return mark_safe(mask_text(str(super().get_traceback_html())))

    def get_traceback_text(self) -> SafeString:
        return mark_safe(mask_text(str(super().get_traceback_text())))
