"""What a person sees when the database says no: a conflict with someone acting at the same
instant answers 409 with a page that says so, a database that cannot be reached answers 503 —
never the bare 500 of an unexpected error.

Actions take their locks (``core.locks``, row locks) so that two people doing the same thing
take turns; this is the net under them. A write the database refuses as a duplicate (a unique
constraint: ``IntegrityError``), a deadlock or a serialisation failure was rolled back whole,
so the page can say honestly that nothing was saved (a check constraint's refusal is a bug,
and stays a 500). Each is logged as a warning with the view,
so that a missing lock is still found.

And two policies for browsers (issue 12): what a browser or a proxy may keep — nothing shown to a
signed-in user (``NoStoreMiddleware``) — and what a page may load and run: the strict
Content-Security-Policy of the settings on every page, a file's own on a file
(``ContentSecurityPolicyMiddleware``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from csp.constants import NONE
from csp.middleware import CSPMiddleware, PolicyParts
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

CONFLICT_STATES = frozenset({"23505", "40001", "40P01", "55P03"})
"""PostgreSQL's unique violation, serialization failure, deadlock and lock not available
(SQLSTATE). A check constraint's violation is not a conflict: it is a bug to fix (a 500)."""


def is_conflict(exception: BaseException) -> bool:
    """Whether the database refused the write because of another writer (a duplicate, a
    deadlock, a serialisation failure, SQLite's busy database), not because it is down."""
    if getattr(exception.__cause__, "sqlstate", None) in CONFLICT_STATES:
        return True
    text = str(exception)
    return text.startswith("UNIQUE constraint failed") or "database is locked" in text


OUTAGE_STATES = frozenset({"57P01", "57P02", "57P03"})
"""PostgreSQL shutting down or starting (admin shutdown, crash shutdown, cannot connect now);
class 08 (connection exception) too."""


def is_outage(exception: BaseException) -> bool:
    """Whether the database could not be reached (down, restarting, the connection lost), as
    opposed to a query it refused (a missing table is a bug, not an outage)."""
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError) or is_conflict(exception):
        return False
    cause = exception.__cause__
    if isinstance(cause, sqlite3.Error):
        return "unable to open database" in str(exception)
    state = getattr(cause, "sqlstate", None)
    return state is None or state.startswith("08") or state in OUTAGE_STATES


class DatabaseTroubleMiddleware:
    """Answers 409 for a conflict and 503 for an outage (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError):
            return None
        if is_conflict(exception):
            logger.warning("conflict on %s %s: %s", request.method, request.path, exception)
            return HttpResponse(loader.render_to_string("409.html", {}, request), status=409)
        if is_outage(exception):
            logger.error(
                "database unreachable on %s %s: %s", request.method, request.path, exception
            )
            # No request context: the page must not need the database it could not reach.
            body: str
            try:
                body = loader.render_to_string("503.html", {})
            except TemplateDoesNotExist:  # shipped with the package; never a second error
                body = "<h1>503</h1>"
            return HttpResponse(body, status=503, headers={"Retry-After": "30"})
        return None


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache`` for HTTP/1.0 caches) on every
    response to a signed-in user: pages, htmx fragments, downloads and PDFs hold personal data,
    which must not stay in a shared computer's browser cache or a proxy (the back button after
    logging out shows nothing). Static files (served by WhiteNoise before this) stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response


FILE_POLICY = {"frame-ancestors": [NONE]}
"""The Content-Security-Policy of a file (a PDF, a scan, a workbook): no framing by another
site. A file runs no script of ours, and Chrome shows a PDF in a viewer that the page policy's
``object-src 'none'`` and ``style-src 'self'`` would block (the viewer is a plugin with inline
styles); the uploaded scans are only PDF, PNG or JPEG (checked by their first bytes) and served
with ``nosniff``, so no file can be read as a page."""


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware: the settings' policy (``CONTENT_SECURITY_POLICY``) on every HTML
    response, ``FILE_POLICY`` on every other one."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        is_page = str(response.get("Content-Type", "")).startswith("text/html")
        if not report_only and parts.config is None and not is_page:
            parts.config = FILE_POLICY
        return parts
