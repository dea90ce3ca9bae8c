"""The platform's own error pages (403, 404, 500), in the user's language, with the reason where
there is one people can read."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist

from jiuzhu.web.core.transitions import NotPermitted

logger = logging.getLogger(__name__)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: the reason when the refusal carries one (``NotPermitted``: a role or maker–checker
    rule in words), never a permission code."""
    reason = str(exception) if isinstance(exception, NotPermitted) else ""
    body = loader.render_to_string("403.html", {"reason": reason}, request)
    return HttpResponse(body, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    body = loader.render_to_string("404.html", {}, request)
    return HttpResponse(body, status=404)


def server_error(request: HttpRequest, *args: object) -> HttpResponse:
    """500: a page that needs nothing that might itself have failed (no database, no user)."""
    try:
        body: str = loader.render_to_string("500.html", {})
    except TemplateDoesNotExist:  # the template ships with the package; never a second error
        body = "<h1>500</h1>"
    return HttpResponseServerError(body)


class RecordOutsideJurisdiction(Http404):
    """A record asked for by its number exists, in another jurisdiction: the user gets the same
    404 as for a missing one (nothing says it exists), and the refusal is audited with the
    record it names (``audit.middleware``). ``object_type``: the model (``cases.application``);
    ``object_id``: its pk; ``division_code``: where the record is."""

    def __init__(self, object_type: str, object_id: str, division_code: str) -> None:
        super().__init__()
        self.object_type = object_type
        self.object_id = object_id
        self.division_code = division_code
