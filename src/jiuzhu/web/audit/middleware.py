"""Every refused access is an audit event: a 403 (the user may not) and the 404 that a record
of another jurisdiction answers (``core.errors.RecordOutsideJurisdiction``: the user is told
nothing, the log is told everything).

The event says who (the signed-in user), what (the record where the refusal names one, else the
page: method and path, never the query string, which may hold an ID number typed in a search),
when, and from where (the client's address; the ``X-Forwarded-For`` a proxy added is kept
beside it as given, unchecked). It is filed under the record's division where there is one —
the jurisdiction whose record was asked for sees it on its audit page — else the user's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from jiuzhu.web.audit.actions import record_denied
from jiuzhu.web.audit.texts import record_language
from jiuzhu.web.core.errors import RecordOutsideJurisdiction
from jiuzhu.web.core.transitions import NotPermitted
from jiuzhu.web.core.users import Staff


class DeniedAccessMiddleware:
    """Records the refusals of the module docstring; the response is the usual 403 or 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        user = getattr(request, "user", None)
        if not isinstance(user, Staff):
            return
        if isinstance(exception, RecordOutsideJurisdiction):
            record_denied(
                user,
                request,
                status=404,
                object_type=exception.object_type,
                object_id=exception.object_id,
                division_code=exception.division_code,
            )
        elif isinstance(exception, PermissionDenied):
            # A NotPermitted says why in words; a bare PermissionDenied carries a permission
            # code at most, which is no text for people: the page's address says what it was.
            # In the record's language: a lazy reason would otherwise be kept in the reader's.
            with record_language():
                reason = str(exception) if isinstance(exception, NotPermitted) else ""
            record_denied(user, request, status=403, reason=reason)
